import { BatchGetItemCommand, QueryCommand, type DynamoDBClient } from "../shared/aws/dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import {
  DISABLED_PARTITION,
  disabledMarkerKey,
  ENTITLEMENTS_BY_USERNAME,
  ENTITLEMENTS_KEY,
  entitlementOf,
  LOBS_KEY,
  parseEntitlementKey,
  seedKey,
  type Entitled,
  type EntitlementSource,
} from "../shared/tables";
import { DEFAULT_TEAM, userTeamKey } from "../shared/teams";
import { idleShutdownProblem, type IdleShutdown } from "../shared/idle-shutdown";
import { spaceStorageProblem, type SpaceStorage } from "../shared/space-storage";
import { fromAwsError, UpstreamFailure, UpstreamUnavailable, UserDisabled } from "./errors";

/** A LOB's row in the lobs table, as read (the presigner checks it before trusting it). */
export interface LobRecord {
  readonly lob: string;
  readonly accountId: string;
  readonly region: string;
  readonly domainId: string;
  readonly accessRoleArn: string;
  readonly enabled: boolean;
  /** The LOB's teams (`default` alone when its config names none). */
  readonly teams: readonly string[];
  /**
   * Each team's idle shutdown, set on the profiles the presigner creates (issue #21); absent from
   * a row written before it (the profile then takes the domain's default).
   */
  readonly idleShutdown?: Readonly<Record<string, IdleShutdown>>;
  /** Each team's space storage (issue #21); absent from a row written before it. */
  readonly spaceStorage?: Readonly<Record<string, SpaceStorage>>;
}

/** A user's row in the entitlements table: the user in one team of the LOB, from one source. */
export interface Entitlement {
  readonly lob: string;
  readonly username: string;
  readonly team: string;
  readonly profileName: string;
  /** Absent on a row that was never revoked: active. */
  readonly state?: string;
  /** Its key's form: a config seed or an admin row (the key decides, not an attribute). */
  readonly source: EntitlementSource;
}

/** A user's rows in one team of a LOB, and what they say together (`entitlementOf`). */
export interface TeamRows {
  readonly lob: string;
  readonly team: string;
  readonly rows: readonly Entitlement[];
  readonly entitled: Entitled;
}

/**
 * A user's rows grouped by LOB and team, each group judged by the one rule (a seed OR an active
 * admin grant), in the order the rows came.
 */
export function byTeam(entitlements: readonly Entitlement[]): TeamRows[] {
  const groups = new Map<string, Entitlement[]>();
  for (const e of entitlements) {
    const key = JSON.stringify([e.lob, e.team]);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()].map((rows) => ({
    lob: rows[0]?.lob ?? "",
    team: rows[0]?.team ?? "",
    rows,
    entitled: entitlementOf(rows),
  }));
}

type Item = Record<string, unknown>;

function lobRecord(item: Item): LobRecord {
  const { lob, accountId, region, domainId, accessRoleArn, enabled, teams } = item;
  if (
    !Array.isArray(teams) ||
    !teams.every((t): t is string => typeof t === "string") ||
    typeof lob !== "string" ||
    typeof accountId !== "string" ||
    typeof region !== "string" ||
    typeof domainId !== "string" ||
    typeof accessRoleArn !== "string" ||
    typeof enabled !== "boolean"
  ) {
    throw new UpstreamFailure(`lobs table: item for "${String(lob)}" lacks a required attribute`);
  }
  const idleShutdown = idleShutdownOf(item.idleShutdown, lob, teams);
  const spaceStorage = teamMapOf(
    item.spaceStorage,
    "spaceStorage",
    spaceStorageProblem,
    lob,
    teams,
  );
  return {
    lob,
    accountId,
    region,
    domainId,
    accessRoleArn,
    enabled,
    teams,
    ...(idleShutdown ? { idleShutdown } : {}),
    ...(spaceStorage ? { spaceStorage: spaceStorage as Record<string, SpaceStorage> } : {}),
  };
}

/**
 * The row's `idleShutdown`, checked strictly: a map naming exactly the row's teams, each a valid
 * setting. Anything else is refused, naming what is wrong, rather than a profile created with
 * settings nobody chose.
 */
function idleShutdownOf(
  value: unknown,
  lob: string,
  teams: readonly string[],
): Record<string, IdleShutdown> | undefined {
  return teamMapOf(value, "idleShutdown", idleShutdownProblem, lob, teams) as
    Record<string, IdleShutdown> | undefined;
}

/**
 * A per-team map of the row (`idleShutdown`, `spaceStorage`): a map naming exactly the row's
 * teams, each passing `problem`; anything else refused, naming what is wrong.
 */
function teamMapOf(
  value: unknown,
  attribute: string,
  problem: (setting: unknown) => string | undefined,
  lob: string,
  teams: readonly string[],
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const refuse = (what: string) =>
    new UpstreamFailure(
      `lobs table: item for "${lob}" has ${/^[aeiou]/i.test(attribute) ? "an" : "a"} ${attribute} ${what}`,
    );
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw refuse("that is not a map of team to setting");
  const entries = value as Record<string, unknown>;
  const names = Object.keys(entries);
  const missing = teams.filter((t) => !names.includes(t));
  const extra = names.filter((t) => !teams.includes(t));
  if (missing.length > 0 || extra.length > 0)
    throw refuse(
      `whose teams differ from its teams (${[...missing.map((t) => `no ${t}`), ...extra.map((t) => `unknown ${t}`)].join(", ").slice(0, 200)})`,
    );
  for (const team of teams) {
    const wrong = problem(entries[team]);
    if (wrong !== undefined) throw refuse(`for team ${team} that is not valid: expected ${wrong}`);
  }
  return entries;
}

/**
 * A row as an entitlement; undefined for a row whose key is not this user's row in this team (a
 * row written past the program, keyed `decoy#analytics` but naming someone else): the key says
 * whose it is, as the lifecycle function reads it.
 */
function entitlement(item: Item): Entitlement | undefined {
  const { lob, username, team, profileName, state } = item;
  if (
    typeof lob !== "string" ||
    typeof username !== "string" ||
    typeof team !== "string" ||
    typeof profileName !== "string" ||
    profileName === ""
  ) {
    throw new UpstreamFailure(
      `users table: entitlement to "${String(lob)}" lacks a team or profileName`,
    );
  }
  const key = parseEntitlementKey(String(item[ENTITLEMENTS_KEY.sort]));
  if (key?.username !== username || key.team !== team) return undefined;
  return {
    lob,
    username,
    team,
    profileName,
    source: key.source,
    ...(typeof state === "string" ? { state } : {}),
  };
}

const isEntitlement = (e: Entitlement | undefined): e is Entitlement => e !== undefined;

/** A disabled user's marker (`admin disable`), as the table holds it. */
const isDisabledMarker = (item: Item) =>
  item[ENTITLEMENTS_KEY.partition] === DISABLED_PARTITION && item.state === "disabled";

/** Items as the table holds them (attribute values), and back. */
const items = (raw: readonly Record<string, AttributeValue>[] | undefined): Item[] =>
  (raw ?? []).map((item) => unmarshall(item));

/** A query of the entitlements table (or its index), its values plain. */
interface RowsQuery {
  readonly IndexName?: string;
  readonly KeyConditionExpression: string;
  readonly FilterExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues: Item;
  readonly ConsistentRead?: boolean;
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
    private readonly dynamo: DynamoDBClient,
    private readonly usersTable: string,
    private readonly lobsTable: string,
  ) {}

  /**
   * The user's rows in the LOB (in `team`, or in every team) and the LOB's record, read strongly
   * consistently. One BatchGetItem reads the record, the user's two rows in the named team (none
   * named: the `default` team, which is all a LOB without teams has), their admin row and their
   * config seed, and the user's disabled marker (UserDisabled when it says disabled); only a LOB
   * with teams and no team named takes a second read, a Query of the user's rows in that LOB.
   */
  async entitlementsAndLob(
    username: string,
    lob: string,
    team: string | undefined,
    signal: AbortSignal,
  ): Promise<{ entitlements: Entitlement[]; record?: LobRecord }> {
    const out = await call("DynamoDB.BatchGetItem", () =>
      this.dynamo.send(
        new BatchGetItemCommand({
          RequestItems: {
            [this.usersTable]: {
              Keys: [
                { lob, [ENTITLEMENTS_KEY.sort]: userTeamKey(username, team ?? DEFAULT_TEAM) },
                { lob, [ENTITLEMENTS_KEY.sort]: seedKey(username, team ?? DEFAULT_TEAM) },
                disabledMarkerKey(username),
              ].map((key) => marshall(key)),
              ConsistentRead: true,
            },
            [this.lobsTable]: {
              Keys: [marshall({ [LOBS_KEY.partition]: lob })],
              ConsistentRead: true,
            },
          },
        }),
        { abortSignal: signal },
      ),
    );
    if (Object.keys(out.UnprocessedKeys ?? {}).length > 0) {
      throw new UpstreamUnavailable("DynamoDB.BatchGetItem: unprocessed keys");
    }
    const userItems = items(out.Responses?.[this.usersTable]);
    if (userItems.some(isDisabledMarker)) throw new UserDisabled();
    const rows = userItems
      .filter((i) => i[ENTITLEMENTS_KEY.partition] === lob)
      .map(entitlement)
      .filter(isEntitlement);
    const lobItem = items(out.Responses?.[this.lobsTable])[0];
    const record = lobItem ? lobRecord(lobItem) : undefined;
    if (team === undefined && record && !record.teams.includes(DEFAULT_TEAM))
      return { entitlements: await this.rowsOf(username, lob, signal), record };
    return { entitlements: rows, record };
  }

  /**
   * The user's rows in one LOB, every team and both sources: `<username>#` begins both key forms,
   * the key and `username` confirm.
   */
  private rowsOf(username: string, lob: string, signal: AbortSignal): Promise<Entitlement[]> {
    return this.queryRows(
      {
        KeyConditionExpression: "#lob = :lob AND begins_with(#key, :prefix)",
        // A username may itself hold "#": the row's own username decides.
        FilterExpression: "username = :u",
        ExpressionAttributeNames: {
          "#lob": ENTITLEMENTS_KEY.partition,
          "#key": ENTITLEMENTS_KEY.sort,
        },
        ExpressionAttributeValues: { ":lob": lob, ":prefix": `${username}#`, ":u": username },
        ConsistentRead: true,
      },
      signal,
    );
  }

  /** Every page of a query of the entitlements table (or its index), as entitlements. */
  private async queryRows(input: RowsQuery, signal: AbortSignal): Promise<Entitlement[]> {
    const rows: Entitlement[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await call("DynamoDB.Query", () =>
        this.dynamo.send(
          new QueryCommand({
            ...input,
            ExpressionAttributeValues: marshall(input.ExpressionAttributeValues),
            TableName: this.usersTable,
            ExclusiveStartKey: startKey,
          }),
          { abortSignal: signal },
        ),
      );
      const found = items(page.Items);
      if (found.some(isDisabledMarker)) throw new UserDisabled();
      // Markers are no LOB's rows.
      rows.push(
        ...found
          .filter((i) => i[ENTITLEMENTS_KEY.partition] !== DISABLED_PARTITION)
          .map(entitlement)
          .filter(isEntitlement),
      );
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return rows;
  }

  /**
   * Every row of a user (through the username index), seeds and admin rows alike (`byTeam`
   * merges them), with its LOB's record; UserDisabled
   * when the index holds their disabled marker (an eventually consistent read: every open reads
   * the marker again, strongly consistently).
   */
  async studiosOf(
    username: string,
    signal: AbortSignal,
  ): Promise<{ entitlement: Entitlement; record: LobRecord }[]> {
    const entitlements = await this.queryRows(
      {
        IndexName: ENTITLEMENTS_BY_USERNAME.name,
        KeyConditionExpression: "username = :u",
        ExpressionAttributeValues: { ":u": username },
      },
      signal,
    );

    const records = new Map<string, LobRecord>();
    // One key per LOB: a user in several of a LOB's teams has a row for each, and BatchGetItem
    // refuses a request that names a key twice (ValidationException, API_BatchGetItem). It takes
    // at most 100 keys; a user is entitled to far fewer LOBs than that.
    const lobNames = [...new Set(entitlements.map((e) => e.lob))];
    for (let i = 0; i < lobNames.length; i += 100) {
      const keys = lobNames.slice(i, i + 100).map((lob) => marshall({ [LOBS_KEY.partition]: lob }));
      const out = await call("DynamoDB.BatchGetItem", () =>
        this.dynamo.send(
          new BatchGetItemCommand({ RequestItems: { [this.lobsTable]: { Keys: keys } } }),
          { abortSignal: signal },
        ),
      );
      if (Object.keys(out.UnprocessedKeys ?? {}).length > 0) {
        throw new UpstreamUnavailable("DynamoDB.BatchGetItem: unprocessed keys");
      }
      for (const item of items(out.Responses?.[this.lobsTable])) {
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
