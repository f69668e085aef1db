import type { AwsStub } from "aws-sdk-client-mock";
import {
  BatchGetCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/lib-dynamodb";

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
 * The hub tables as the presigner and the SAML entry read them, over a mocked document client:
 * BatchGetItem by key, and Query either through the username index (":u" alone) or of one LOB's
 * rows of a user (":lob", ":prefix", then ":u"). The getters are read at each call.
 */
export function fakeAccessTables(
  ddb: AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBDocumentClient["config"]>,
  tables: {
    readonly usersTable: string;
    readonly entitlements: () => readonly Row[];
    readonly lobs: () => ReadonlyMap<string, Record<string, unknown>>;
  },
): void {
  ddb.on(BatchGetCommand).callsFake((input: BatchGetCommand["input"]) => {
    const Responses: Record<string, Record<string, unknown>[]> = {};
    for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
      // As DynamoDB: "Provided list of item keys contains duplicates" (ValidationException).
      const keys = (request.Keys ?? []).map((key) => JSON.stringify(key));
      if (new Set(keys).size !== keys.length)
        throw Object.assign(new Error("Provided list of item keys contains duplicates"), {
          name: "ValidationException",
        });
      Responses[table] = (request.Keys ?? []).flatMap((key) => {
        const found =
          table === tables.usersTable
            ? tables.entitlements().find((e) => e.userTeam === key.userTeam && e.lob === key.lob)
            : tables.lobs().get(key.lob as string);
        return found ? [{ ...found }] : [];
      });
    }
    return { Responses, UnprocessedKeys: {} };
  });
  ddb.on(QueryCommand).callsFake((input: QueryCommand["input"]) => {
    const values = input.ExpressionAttributeValues ?? {};
    return {
      Items: tables
        .entitlements()
        .filter(
          (e) =>
            (values[":lob"] === undefined ||
              (e.lob === values[":lob"] && e.userTeam?.startsWith(String(values[":prefix"])))) &&
            e.username === values[":u"],
        ),
    };
  });
}
