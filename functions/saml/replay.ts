import { randomBytes } from "node:crypto";
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { fromAwsError } from "../presigner/errors";
import { SamlRefused } from "./assertion";

/** How long a chooser page's choice stays usable. */
export const CHOICE_TTL_SECONDS = 300;

/** A chooser's one-time choice: who signed in, and the LOBs they may pick from. */
export interface Choice {
  readonly username: string;
  readonly lobs: readonly string[];
  /** The user's IdP groups, as the signed assertion named them (they may grant LOBs and teams). */
  readonly groups: readonly string[];
}

const conditionFailed = (error: unknown) =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";

/**
 * The replay table (partition key `id`, TTL attribute `expiresAt`): each assertion id is written
 * once, by a conditional put, so a replayed assertion is refused; and a chooser's choices, each
 * usable once (a conditional delete that returns it).
 */
export class ReplayStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an assertion as used until it expires; refuses one already used. */
  async consumeAssertion(assertionId: string, notOnOrAfter: number, skewMs: number): Promise<void> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            id: `assertion#${assertionId}`,
            // Kept until the assertion could no longer pass validation anyway (DynamoDB's TTL is
            // in seconds, and deletes lazily: the condition, not the TTL, refuses a replay).
            expiresAt: Math.ceil((notOnOrAfter + skewMs) / 1000),
          },
          ConditionExpression: "attribute_not_exists(id)",
        }),
      );
    } catch (error) {
      if (conditionFailed(error)) throw new SamlRefused(`replayed assertion ${assertionId}`);
      throw fromAwsError(error, "DynamoDB.PutItem");
    }
  }

  /** Stores a chooser's choice; returns its one-time token. */
  async offerChoice(choice: Choice): Promise<string> {
    const token = randomBytes(24).toString("base64url");
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            id: `choice#${token}`,
            username: choice.username,
            lobs: [...choice.lobs],
            groups: [...choice.groups],
            expiresAt: Math.ceil(this.now() / 1000) + CHOICE_TTL_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(id)",
        }),
      );
    } catch (error) {
      throw fromAwsError(error, "DynamoDB.PutItem");
    }
    return token;
  }

  /** Takes a choice (once); refuses an unknown, used or expired token. */
  async takeChoice(token: string): Promise<Choice> {
    let item: Record<string, unknown> | undefined;
    try {
      ({ Attributes: item } = await this.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { id: `choice#${token}` },
          ConditionExpression: "attribute_exists(id)",
          ReturnValues: "ALL_OLD",
        }),
      ));
    } catch (error) {
      if (conditionFailed(error)) throw new SamlRefused("unknown or used choice");
      throw fromAwsError(error, "DynamoDB.DeleteItem");
    }
    const { username, lobs, groups, expiresAt } = item ?? {};
    if (typeof expiresAt !== "number" || expiresAt * 1000 < this.now())
      throw new SamlRefused("expired choice");
    if (typeof username !== "string" || !Array.isArray(lobs) || !Array.isArray(groups))
      throw new SamlRefused("malformed choice");
    const strings = (list: unknown[]) => list.filter((l): l is string => typeof l === "string");
    return { username, lobs: strings(lobs), groups: strings(groups) };
  }
}
