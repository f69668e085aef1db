import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ENTITLEMENTS_BY_USERNAME } from "../shared/tables";
import { fromAwsError, UpstreamFailure, UpstreamUnavailable } from "./errors";

/** A LOB's row in the lobs table, as read (the presigner checks it before trusting it). */
export interface LobRecord {
  readonly lob: string;
  readonly accountId: string;
  readonly region: string;
  readonly domainId: string;
  readonly accessRoleArn: string;
  readonly enabled: boolean;
}

/** A user's row in the entitlements table. */
export interface Entitlement {
  readonly lob: string;
  readonly username: string;
  readonly profileName: string;
}

type Item = Record<string, unknown>;

function lobRecord(item: Item): LobRecord {
  const { lob, accountId, region, domainId, accessRoleArn, enabled } = item;
  if (
    typeof lob !== "string" ||
    typeof accountId !== "string" ||
    typeof region !== "string" ||
    typeof domainId !== "string" ||
    typeof accessRoleArn !== "string" ||
    typeof enabled !== "boolean"
  ) {
    throw new UpstreamFailure(`lobs table: item for "${String(lob)}" lacks a required attribute`);
  }
  return { lob, accountId, region, domainId, accessRoleArn, enabled };
}

function entitlement(item: Item): Entitlement {
  const { lob, username, profileName } = item;
  if (
    typeof lob !== "string" ||
    typeof username !== "string" ||
    typeof profileName !== "string" ||
    profileName === ""
  ) {
    throw new UpstreamFailure(`users table: entitlement to "${String(lob)}" has no profileName`);
  }
  return { lob, username, profileName };
}

async function call<T>(name: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw fromAwsError(error, name);
  }
}

/** The presigner's reads of the hub tables, shared by every entry that opens Studio. */
export class AccessTables {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly usersTable: string,
    private readonly lobsTable: string,
  ) {}

  /** One strongly consistent round trip: the user's entitlement to the LOB and the LOB's record. */
  async entitlementAndLob(
    username: string,
    lob: string,
    signal: AbortSignal,
  ): Promise<{ entitlement?: Entitlement; record?: LobRecord }> {
    const out = await call("DynamoDB.BatchGetItem", () =>
      this.dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [this.usersTable]: { Keys: [{ lob, username }], ConsistentRead: true },
            [this.lobsTable]: { Keys: [{ lob }], ConsistentRead: true },
          },
        }),
        { abortSignal: signal },
      ),
    );
    if (Object.keys(out.UnprocessedKeys ?? {}).length > 0) {
      throw new UpstreamUnavailable("DynamoDB.BatchGetItem: unprocessed keys");
    }
    const userItem = out.Responses?.[this.usersTable]?.[0];
    const lobItem = out.Responses?.[this.lobsTable]?.[0];
    return {
      entitlement: userItem ? entitlement(userItem) : undefined,
      record: lobItem ? lobRecord(lobItem) : undefined,
    };
  }

  /** Every entitlement of a user (through the username index) with its LOB's record. */
  async studiosOf(
    username: string,
    signal: AbortSignal,
  ): Promise<{ entitlement: Entitlement; record: LobRecord }[]> {
    const entitlements: Entitlement[] = [];
    let startKey: Item | undefined;
    do {
      const page = await call("DynamoDB.Query", () =>
        this.dynamo.send(
          new QueryCommand({
            TableName: this.usersTable,
            IndexName: ENTITLEMENTS_BY_USERNAME.name,
            KeyConditionExpression: "username = :u",
            ExpressionAttributeValues: { ":u": username },
            ExclusiveStartKey: startKey,
          }),
          { abortSignal: signal },
        ),
      );
      entitlements.push(...(page.Items ?? []).map(entitlement));
      startKey = page.LastEvaluatedKey;
    } while (startKey);

    const records = new Map<string, LobRecord>();
    // BatchGetItem takes at most 100 keys; a user is entitled to far fewer LOBs than that.
    for (let i = 0; i < entitlements.length; i += 100) {
      const keys = entitlements.slice(i, i + 100).map(({ lob }) => ({ lob }));
      const out = await call("DynamoDB.BatchGetItem", () =>
        this.dynamo.send(
          new BatchGetCommand({ RequestItems: { [this.lobsTable]: { Keys: keys } } }),
          { abortSignal: signal },
        ),
      );
      if (Object.keys(out.UnprocessedKeys ?? {}).length > 0) {
        throw new UpstreamUnavailable("DynamoDB.BatchGetItem: unprocessed keys");
      }
      for (const item of out.Responses?.[this.lobsTable] ?? []) {
        const record = lobRecord(item);
        records.set(record.lob, record);
      }
    }
    return entitlements.flatMap((e) => {
      const record = records.get(e.lob);
      return record ? [{ entitlement: e, record }] : [];
    });
  }
}
