import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { BatchGetItemCommand, QueryCommand } from "../../functions/shared/aws/dynamodb";
import type { LeanStub } from "./aws-mock";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";

type Attributes = Record<string, AttributeValue>;

/**
 * A command's input with its items, keys and values as plain objects (unmarshalled), so a test
 * reads what was asked as the code wrote it: `RequestItems[table].Keys`, `Key`, `Item`,
 * `ExpressionAttributeValues` and `ExclusiveStartKey`.
 */
export function asDocument(input: object): Record<string, unknown> {
  const plain = (value: unknown) => unmarshall(value as Attributes);
  const out: Record<string, unknown> = { ...input };
  for (const field of ["Key", "Item", "ExpressionAttributeValues", "ExclusiveStartKey"]) {
    if (out[field] !== undefined) out[field] = plain(out[field]);
  }
  if (out.RequestItems !== undefined) {
    out.RequestItems = Object.fromEntries(
      Object.entries(out.RequestItems as Record<string, { Keys?: Attributes[] }>).map(
        ([table, request]) => [
          table,
          request.Keys ? { ...request, Keys: request.Keys.map(plain) } : request,
        ],
      ),
    );
  }
  return out;
}

/** Plain items as the table answers them (marshalled). */
export const asAttributes = (items: readonly object[]): Attributes[] =>
  items.map((item) => marshall(item, { removeUndefinedValues: true }));

/** An entitlements row as the table holds it: keyed by LOB and `<username>#<team>`. */
export interface Row {
  lob: string;
  userTeam?: string;
  username: string;
  team?: string;
  profileName?: string;
  state?: string;
}

export const row = (username: string, lob: string, profileName: string, team = "default"): Row => ({
  lob,
  userTeam: `${username}#${team}`,
  username,
  team,
  profileName,
});

/**
 * The hub tables as the presigner and the SAML entry read them, over a mocked DynamoDB client:
 * BatchGetItem by key, and Query either through the username index (":u" alone) or of one LOB's
 * rows of a user (":lob", ":prefix", then ":u"). The getters are read at each call.
 */
export function fakeAccessTables(
  ddb: LeanStub,
  tables: {
    readonly usersTable: string;
    readonly entitlements: () => readonly Row[];
    readonly lobs: () => ReadonlyMap<string, Record<string, unknown>>;
  },
): void {
  ddb.on(BatchGetItemCommand).callsFake((raw: BatchGetItemCommand["input"]) => {
    const input = asDocument(raw) as {
      RequestItems?: Record<string, { Keys?: Record<string, unknown>[] }>;
    };
    const Responses: Record<string, Attributes[]> = {};
    for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
      // As DynamoDB: "Provided list of item keys contains duplicates" (ValidationException).
      const keys = (request.Keys ?? []).map((key) => JSON.stringify(key));
      if (new Set(keys).size !== keys.length)
        throw Object.assign(new Error("Provided list of item keys contains duplicates"), {
          name: "ValidationException",
        });
      Responses[table] = asAttributes(
        (request.Keys ?? []).flatMap((key) => {
          const found =
            table === tables.usersTable
              ? tables.entitlements().find((e) => e.userTeam === key.userTeam && e.lob === key.lob)
              : tables.lobs().get(key.lob as string);
          return found ? [{ ...found }] : [];
        }),
      );
    }
    return { Responses, UnprocessedKeys: {} };
  });
  ddb.on(QueryCommand).callsFake((raw: QueryCommand["input"]) => {
    const values = (asDocument(raw).ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    return {
      Items: asAttributes(
        tables
          .entitlements()
          .filter(
            (e) =>
              (values[":lob"] === undefined ||
                (e.lob === values[":lob"] && e.userTeam?.startsWith(String(values[":prefix"])))) &&
              e.username === values[":u"],
          ),
      ),
    };
  });
}

/** The `index`th BatchGetItem a stubbed client was sent, its keys plain. */
export function batchGetSent(
  ddb: LeanStub,
  index: number,
): {
  RequestItems?: Record<string, { Keys?: Record<string, unknown>[]; ConsistentRead?: boolean }>;
} {
  const call = ddb.commandCalls(BatchGetItemCommand)[index];
  if (!call) throw new Error(`no BatchGetItem #${String(index)}`);
  return asDocument(call.args[0].input);
}

/** The `index`th Query a stubbed client was sent, its values and start key plain. */
export function querySent(ddb: LeanStub, index: number): Record<string, unknown> {
  const call = ddb.commandCalls(QueryCommand)[index];
  if (!call) throw new Error(`no Query #${String(index)}`);
  return asDocument(call.args[0].input);
}
