/**
 * What IAM's fine-grained access control sees of a DynamoDB request: the decisions it needs, and
 * the keys and attribute names each decision reads.
 */

type DynamoKey = Record<string, unknown>;

/**
 * `dynamodb:Attributes` of a PutItem or UpdateItem, as IAM's fine-grained access control sees it:
 * the top-level attribute names the request reads, writes or evaluates in a conditional write, key
 * included ("These attributes can be read, written, or evaluated in a conditional write"; "you must
 * specify the names of all of the primary key ... attributes", Using IAM policy conditions for
 * fine-grained access control,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 * PutItem: the item's names; UpdateItem: the key's, and those its UpdateExpression and
 * ConditionExpression name, `#placeholders` resolved through ExpressionAttributeNames.
 * Undefined for other operations.
 */
export function attributeNames(
  operation: string,
  input: Record<string, unknown>,
): string[] | undefined {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const named = (expression: unknown): string[] => {
    if (typeof expression !== "string") return [];
    // Values (:v), nested paths (.b, [0]) and function calls are not top-level attribute names.
    const bare = expression
      .replace(/:[A-Za-z0-9_]+/g, " ")
      .replace(/\.[#A-Za-z0-9_]+|\[\d+\]/g, " ")
      .replace(/[A-Za-z_]+\s*\(/g, " (");
    return (bare.match(/#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*/g) ?? [])
      .filter((token) => !DYNAMO_KEYWORDS.has(token.toUpperCase()))
      .map((token) => (token.startsWith("#") ? (names[token] ?? token) : token));
  };
  const condition = named(input.ConditionExpression);
  if (operation === "PutItem")
    return [...new Set([...Object.keys(input.Item ?? {}), ...condition])];
  if (operation === "UpdateItem")
    return [
      ...new Set([...Object.keys(input.Key ?? {}), ...named(input.UpdateExpression), ...condition]),
    ];
  return undefined;
}

/** The words of DynamoDB's update and condition expressions that are not attribute names. */
const DYNAMO_KEYWORDS = new Set([
  "SET",
  "REMOVE",
  "ADD",
  "DELETE",
  "AND",
  "OR",
  "NOT",
  "IN",
  "BETWEEN",
]);

/** The values a Query's key condition gives the partition key (`#pk = :v` or `pk = :v`). */
function queriedPartition(input: Record<string, unknown>, partitionKey: string): string[] {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, { S?: string }>;
  const found: string[] = [];
  const condition =
    typeof input.KeyConditionExpression === "string" ? input.KeyConditionExpression : "";
  for (const [, name, value] of condition.matchAll(/(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) {
    const resolved = name?.startsWith("#") ? names[name] : name;
    const given = value ? values[value]?.S : undefined;
    if (resolved === partitionKey && given !== undefined) found.push(given);
  }
  return found;
}

/** One decision IAM makes for a DynamoDB request: a table (or index) and the keys it names. */
export interface DynamoCheck {
  table: string;
  keys: DynamoKey[];
  index?: string;
  /** Partition key values a request gives other than as keys (a table Query's key condition). */
  leadingKeys?: (partitionKey: string) => string[];
  /** The action decided, when not the operation's own (a transaction's items). */
  action?: string;
  /** The part of the request this decision reads attributes and ReturnValues from. */
  request?: Record<string, unknown>;
  /** `dynamodb:EnclosingOperation`, for a transaction's items. */
  enclosing?: string;
}

/** The transaction item kinds and the actions that govern them (transaction-apis-iam). */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
  Get: "GetItem",
};

/**
 * The decisions a DynamoDB request needs (the operations this project uses, and the batch and
 * transaction writes), each with `dynamodb:LeadingKeys` from its own keys, as fine-grained access
 * control fills it ("Using IAM policy conditions for fine-grained access control",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html):
 * - Query: the partition key value its key condition gives (a table's; an index's key schema is
 *   not modelled, so an index Query carries none);
 * - BatchWriteItem and BatchGetItem: one decision per item, so a request is refused when any of its
 *   items' leading keys is (with the `ForAllValues:` form the page prescribes for this multivalued
 *   key, the same answer as one decision over all of them);
 * - TransactWriteItems and TransactGetItems: one decision per item, with the action of the item's
 *   kind: "Permissions for Put, Update, Delete, and Get actions are governed by the permissions
 *   used for the underlying PutItem, UpdateItem, DeleteItem, and GetItem operations. For the
 *   ConditionCheck action, you can use the dynamodb:ConditionCheckItem permission", and
 *   `dynamodb:EnclosingOperation` naming the transaction ("Using IAM with DynamoDB transactions",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export function dynamoTargets(operation: string, input: Record<string, unknown>): DynamoCheck[] {
  const table = typeof input.TableName === "string" ? input.TableName : "";
  switch (operation) {
    case "PutItem":
      return [{ table, keys: [input.Item as DynamoKey] }];
    case "GetItem":
    case "UpdateItem":
    case "DeleteItem":
      return [{ table, keys: [input.Key as DynamoKey] }];
    case "Query":
      // A table's partition key only: an index's key schema is not modelled here.
      return input.IndexName === undefined
        ? [{ table, keys: [], leadingKeys: (pk) => queriedPartition(input, pk) }]
        : [{ table, keys: [], index: input.IndexName as string }];
    case "Scan":
      return [{ table, keys: [], index: input.IndexName as string | undefined }];
    case "BatchWriteItem":
      return Object.entries(
        (input.RequestItems ?? {}) as Record<
          string,
          { PutRequest?: { Item?: DynamoKey }; DeleteRequest?: { Key?: DynamoKey } }[]
        >,
      ).flatMap(([name, requests]) =>
        requests.map((r) => ({
          table: name,
          keys: [r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {}],
        })),
      );
    case "BatchGetItem":
      return Object.entries(
        (input.RequestItems ?? {}) as Record<string, { Keys?: DynamoKey[] }>,
      ).flatMap(([name, request]) =>
        (request.Keys ?? []).map((key) => ({ table: name, keys: [key] })),
      );
    case "TransactWriteItems":
    case "TransactGetItems":
      return ((input.TransactItems ?? []) as Record<string, Record<string, unknown>>[]).flatMap(
        (item) =>
          Object.entries(item).flatMap(([kind, request]) => {
            const action = TRANSACT_ACTIONS[kind];
            if (!action) return [];
            return [
              {
                table: typeof request.TableName === "string" ? request.TableName : "",
                keys: [(request.Item ?? request.Key ?? {}) as DynamoKey],
                action,
                request,
                enclosing: operation,
              },
            ];
          }),
      );
    default:
      return [{ table, keys: [] }];
  }
}
