import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { readBody, writeAssumeRoleResponse } from "./aws-wire";

/**
 * A loopback stand-in for the AWS calls the presigner and the SAML entry make (DynamoDB
 * BatchGetItem, Query, PutItem and DeleteItem, STS AssumeRole, SageMaker CreatePresignedDomainUrl),
 * and those the Python references make besides (DynamoDB GetItem, SageMaker ListDomains and
 * DescribeUserProfile), speaking their real wire protocols so the bundled function runs unmodified
 * with AWS_ENDPOINT_URL_* pointing here. Any other operation is refused (UnknownOperationException).
 * It counts every call.
 * It enforces no IAM: it is for measuring the functions, not for proving policies.
 */
export interface FakeAwsData {
  /** Table name → items, as plain JSON with string, boolean and string-list attributes only. */
  readonly tables: Record<string, Record<string, string | boolean | readonly string[]>[]>;
  /** The keys each table is looked up by (partition key first). */
  readonly keys: Record<string, readonly string[]>;
  /** The domains SageMaker ListDomains answers, all InService (the sample-shaped reference's call). */
  readonly domains?: readonly string[];
}

export interface FakeAws {
  readonly url: string;
  /** Calls answered so far, by `Service.Operation`. */
  readonly calls: Map<string, number>;
  totalCalls(): number;
  close(): Promise<void>;
}

type AttributeValue = { S: string } | { BOOL: boolean } | { L: { S: string }[] };
type Item = Record<string, string | boolean | readonly string[]>;

const toAttributes = (item: Item): Record<string, AttributeValue> =>
  Object.fromEntries(
    Object.entries(item).map(([k, v]) => [
      k,
      typeof v === "boolean"
        ? { BOOL: v }
        : typeof v === "string"
          ? { S: v }
          : { L: v.map((S) => ({ S })) },
    ]),
  );

const fromAttributes = (
  attrs: Record<string, { S?: string; BOOL?: boolean; L?: { S: string }[] }>,
): Item =>
  Object.fromEntries(
    Object.entries(attrs).map(([k, v]) => [k, v.S ?? v.BOOL ?? v.L?.map((e) => e.S) ?? ""]),
  );

function json(res: ServerResponse, status: number, body: unknown, contentType: string): void {
  res.writeHead(status, { "Content-Type": contentType, "x-amzn-RequestId": "fake" });
  res.end(JSON.stringify(body));
}

/**
 * Starts the fake on a loopback port: plain HTTP, or HTTPS with `tls` (a key and a certificate for
 * 127.0.0.1), as AWS's endpoints answer.
 */
export async function startFakeAws(
  data: FakeAwsData,
  options: { readonly tls?: { readonly key: string; readonly cert: string } } = {},
): Promise<FakeAws> {
  const calls = new Map<string, number>();
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);

  function find(table: string, key: Item): Item | undefined {
    const names = data.keys[table] ?? [];
    return data.tables[table]?.find((item) => names.every((name) => item[name] === key[name]));
  }

  function dynamo(operation: string, input: Record<string, unknown>, res: ServerResponse): void {
    const type = "application/x-amz-json-1.0";
    count(`DynamoDB.${operation}`);
    if (operation === "BatchGetItem") {
      const requests = input.RequestItems as Record<
        string,
        { Keys: Record<string, { S: string }>[] }
      >;
      const Responses = Object.fromEntries(
        Object.entries(requests).map(([table, { Keys }]) => [
          table,
          Keys.flatMap((key) => {
            const found = find(table, fromAttributes(key));
            return found ? [toAttributes(found)] : [];
          }),
        ]),
      );
      json(res, 200, { Responses, UnprocessedKeys: {} }, type);
    } else if (operation === "GetItem") {
      // The Python reference's reads (scripts/bench/reference.py), one item by its key.
      const found = find(
        input.TableName as string,
        fromAttributes(input.Key as Record<string, { S: string }>),
      );
      json(res, 200, found ? { Item: toAttributes(found) } : {}, type);
    } else if (operation === "Query") {
      const table = input.TableName as string;
      const values = input.ExpressionAttributeValues as Record<string, { S: string }>;
      // The attribute the key condition names (an index's partition key, e.g. "username = :u").
      const [attribute = data.keys[table]?.[0] ?? "", placeholder = ":u"] =
        /^(\w+) = (:\w+)$/.exec(String(input.KeyConditionExpression))?.slice(1) ?? [];
      const items = (data.tables[table] ?? []).filter(
        (i) => i[attribute] === values[placeholder]?.S,
      );
      json(res, 200, { Items: items.map(toAttributes), Count: items.length }, type);
    } else if (operation === "PutItem" || operation === "DeleteItem") {
      // The SAML entry's replay table: a conditional put (attribute_not_exists) and a conditional
      // delete that returns the item; the condition is the one the entry sends.
      const table = input.TableName as string;
      const rows = (data.tables[table] ??= []);
      const key = data.keys[table]?.[0] ?? "id";
      const attrs = (operation === "PutItem" ? input.Item : input.Key) as Record<
        string,
        { S?: string; BOOL?: boolean }
      >;
      const id = attrs[key]?.S;
      const at = rows.findIndex((row) => row[key] === id);
      const failed = operation === "PutItem" ? at >= 0 : at < 0;
      if (failed && typeof input.ConditionExpression === "string") {
        json(
          res,
          400,
          { __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" },
          type,
        );
        return;
      }
      if (operation === "PutItem") {
        rows.push(fromAttributes(attrs));
        json(res, 200, {}, type);
      } else {
        const [old] = rows.splice(at, 1);
        json(res, 200, old ? { Attributes: toAttributes(old) } : {}, type);
      }
    } else {
      json(res, 400, { __type: "com.amazon.coral.validate#UnknownOperationException" }, type);
    }
  }

  function sts(params: URLSearchParams, res: ServerResponse): void {
    count(`STS.${params.get("Action") ?? "?"}`);
    const account = (params.get("RoleArn") ?? "").split(":")[4] ?? "000000000000";
    const expiration = new Date(Date.now() + Number(params.get("DurationSeconds") ?? 3600) * 1000);
    const sessionName = params.get("RoleSessionName") ?? "";
    writeAssumeRoleResponse(res, {
      accessKeyId: `ASIA${account}`,
      expiration,
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/r/${sessionName}`,
      sessionName,
    });
  }

  function sageMaker(operation: string, input: Record<string, unknown>, res: ServerResponse): void {
    count(`SageMaker.${operation}`);
    const type = "application/x-amz-json-1.1";
    if (operation === "ListDomains") {
      const Domains = (data.domains ?? []).map((DomainId) => ({ DomainId, Status: "InService" }));
      json(res, 200, { Domains }, type);
    } else if (operation === "DescribeUserProfile") {
      const { DomainId, UserProfileName } = input;
      json(res, 200, { DomainId, UserProfileName, Status: "InService" }, type);
    } else if (operation === "CreatePresignedDomainUrl") {
      const domain = String(input.DomainId);
      const url = `https://${domain}.studio.us-east-1.sagemaker.aws/auth?token=fake-${String(input.UserProfileName)}`;
      json(res, 200, { AuthorizedUrl: url }, type);
    } else {
      json(res, 400, { __type: "com.amazon.coral.validate#UnknownOperationException" }, type);
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    void readBody(req).then((body) => {
      const target = req.headers["x-amz-target"];
      if (typeof target === "string") {
        const [prefix, operation = ""] = target.split(".");
        const input = JSON.parse(body || "{}") as Record<string, unknown>;
        if (prefix?.startsWith("DynamoDB")) dynamo(operation, input, res);
        else sageMaker(operation, input, res);
      } else {
        sts(new URLSearchParams(body), res);
      }
    });
  };
  const server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    calls,
    totalCalls: () => [...calls.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
