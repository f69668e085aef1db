import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { DeleteItemCommand, PutItemCommand, type DynamoDBClient } from "../shared/aws/dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { fromAwsError } from "../presigner/errors";
import { SamlRefused } from "./refused";

/** How long a chooser page's choice stays usable. */
export const CHOICE_TTL_SECONDS = 300;
/** A choice token as offerChoice makes it (24 random bytes, base64url): anything else is refused unread. */
const CHOICE_TOKEN = /^[A-Za-z0-9_-]{32}$/;
/** A browser nonce as offerChoice makes it (32 random bytes, base64url). */
const BROWSER_NONCE = /^[A-Za-z0-9_-]{43}$/;

/** What the choice item keeps of the browser's nonce: its SHA-256, so the table cannot replay it. */
const digest = (nonce: string) => createHash("sha256").update(nonce, "utf8").digest();

/** A Studio a chooser offers: one team of a LOB (`default` in a LOB without teams). */
export interface Studio {
  readonly lob: string;
  readonly team: string;
}

/** How a choice item keeps a Studio: `lob/team` (neither name holds a "/"). */
export const studioKey = (studio: Studio) => `${studio.lob}/${studio.team}`;

/** A chooser's one-time choice: who signed in, and the Studios (LOB and team) they may pick from. */
export interface Choice {
  readonly username: string;
  readonly studios: readonly Studio[];
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
    private readonly dynamo: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an assertion as used until it expires; refuses one already used. */
  async consumeAssertion(
    assertionId: string,
    notOnOrAfter: number,
    skewMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await this.dynamo.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({
            id: `assertion#${assertionId}`,
            // Kept until the assertion could no longer pass validation anyway (DynamoDB's TTL is
            // in seconds, and deletes lazily: the condition, not the TTL, refuses a replay).
            expiresAt: Math.ceil((notOnOrAfter + skewMs) / 1000),
          }),
          ConditionExpression: "attribute_not_exists(id)",
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (conditionFailed(error)) throw new SamlRefused(`replayed assertion ${assertionId}`);
      throw fromAwsError(error, "DynamoDB.PutItem");
    }
  }

  /**
   * Stores a chooser's choice; returns its one-time token, and the nonce the browser is given as a
   * cookie (only its SHA-256 is stored).
   */
  async offerChoice(
    choice: Choice,
    signal: AbortSignal,
  ): Promise<{ token: string; nonce: string }> {
    const token = randomBytes(24).toString("base64url");
    const nonce = randomBytes(32).toString("base64url");
    try {
      await this.dynamo.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({
            id: `choice#${token}`,
            username: choice.username,
            studios: choice.studios.map(studioKey),
            groups: [...choice.groups],
            browser: digest(nonce).toString("base64url"),
            expiresAt: Math.ceil(this.now() / 1000) + CHOICE_TTL_SECONDS,
          }),
          ConditionExpression: "attribute_not_exists(id)",
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      throw fromAwsError(error, "DynamoDB.PutItem");
    }
    return { token, nonce };
  }

  /**
   * Takes a choice (once) posted with `nonce`, the browser's cookie; refuses an unknown, used or
   * expired token, and one posted by a browser other than the one its chooser was served to. A
   * malformed token or a missing cookie is refused before DynamoDB is asked.
   */
  async takeChoice(token: string, nonce: string | undefined, signal: AbortSignal): Promise<Choice> {
    if (!CHOICE_TOKEN.test(token)) throw new SamlRefused("malformed choice token");
    if (nonce === undefined) throw new SamlRefused("choice without its browser's cookie");
    if (!BROWSER_NONCE.test(nonce)) throw new SamlRefused("malformed choice cookie");
    let item: Record<string, unknown> | undefined;
    try {
      const { Attributes: attributes } = await this.dynamo.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: marshall({ id: `choice#${token}` }),
          ConditionExpression: "attribute_exists(id)",
          ReturnValues: "ALL_OLD",
        }),
        { abortSignal: signal },
      );
      item = attributes && unmarshall(attributes);
    } catch (error) {
      if (conditionFailed(error)) throw new SamlRefused("unknown or used choice");
      throw fromAwsError(error, "DynamoDB.DeleteItem");
    }
    // Taken before the comparison: a choice posted with the wrong cookie is spent, not retried.
    const stored = Buffer.from(typeof item?.browser === "string" ? item.browser : "", "base64url");
    const presented = digest(nonce);
    if (stored.length !== presented.length || !timingSafeEqual(stored, presented))
      throw new SamlRefused("choice cookie of another browser");
    const { username, studios, groups, expiresAt } = item ?? {};
    if (typeof expiresAt !== "number" || expiresAt * 1000 < this.now())
      throw new SamlRefused("expired choice");
    // A choice offered before the chooser named teams (it kept `lobs`) is malformed: the user
    // signs in again, as after any refused choice.
    if (typeof username !== "string" || !Array.isArray(studios) || !Array.isArray(groups))
      throw new SamlRefused("malformed choice");
    const strings = (list: unknown[]) => list.filter((l): l is string => typeof l === "string");
    return {
      username,
      studios: strings(studios).flatMap((key) => {
        const [lob, team, ...rest] = key.split("/");
        return lob !== undefined && team !== undefined && rest.length === 0 ? [{ lob, team }] : [];
      }),
      groups: strings(groups),
    };
  }
}
