import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { readBody } from "../../../lib/aws-wire";
import { close, jsonError, listen, notAuthorized } from "../http";
import type { IamDecision } from "../iam-decision";
import type { Sts } from "../sts";
import type { Traffic } from "../traffic";
import { attributeNames, dynamoTargets } from "./access-control";
import { DynamoDbStreams } from "./streams";

/** A DynamoDB table the gateway decides access to: its ARN and partition key. */
export interface TableInfo {
  readonly arn: string;
  readonly partitionKey: string;
  /** The key attributes (partition, then sort). */
  readonly keys: readonly string[];
  /** The attribute Time to Live reads, when TTL is enabled on the table. */
  readonly ttlAttribute?: string;
}

/**
 * DynamoDB as its callers reach it: each request is decided by the caller's identity policies
 * (the credentials this emulator issued), with `dynamodb:LeadingKeys` taken from the request's
 * keys, as IAM does for fine-grained access control; then it is forwarded to the DynamoDB
 * emulator. The calls are counted.
 */
export class DynamoDbGateway {
  readonly tables = new Map<string, TableInfo>();
  /** The streams of the tables' writes, and Time to Live. */
  readonly streams: DynamoDbStreams;
  private server: Server | undefined;

  constructor(
    region: string,
    private readonly sts: Sts,
    private readonly decision: IamDecision,
    private readonly traffic: Traffic,
  ) {
    this.streams = new DynamoDbStreams(region, this.tables, traffic);
  }

  /** Listens in front of the DynamoDB emulator at `targetUrl`: the gateway's own address. */
  async start(targetUrl: string): Promise<string> {
    this.streams.connect(targetUrl);
    const target = new URL(targetUrl);
    const server = createServer((req, res) => {
      void (async () => {
        const body = await readBody(req);
        const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "?";
        this.traffic.count(`DynamoDB.${operation}`);
        const denial = await this.denial(req, operation, body);
        if (denial) {
          this.traffic.count(`DynamoDB.${operation}:Denied`);
          res.writeHead(400, { "Content-Type": "application/x-amz-json-1.0" });
          res.end(JSON.stringify(denial));
          return;
        }
        const streams = this.streams;
        const streamed = streams.streamedWrites(operation, body);
        const before = await Promise.all(streamed.map((w) => streams.itemImage(w)));
        const upstream = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: { ...req.headers, "content-length": Buffer.byteLength(body) },
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            if (streamed.length > 0 && answer.statusCode === 200)
              answer.on("end", () => {
                void (async () => {
                  for (const [i, write] of streamed.entries())
                    await streams.emitStreamRecord(write, before[i]);
                })();
              });
          },
        );
        upstream.on("error", () => {
          jsonError(res, 502, "InternalFailure", "DynamoDB emulator unreachable");
        });
        upstream.end(body);
      })();
    });
    this.server = server;
    return listen(server);
  }

  async stop(): Promise<void> {
    if (this.server) await close(this.server);
    this.streams.stop();
  }

  /** Why IAM refuses a DynamoDB request, as DynamoDB answers it; undefined when it is allowed. */
  private async denial(
    req: IncomingMessage,
    operation: string,
    body: string,
  ): Promise<{ __type: string; message: string } | undefined> {
    const caller = this.sts.caller(req);
    if (!caller) {
      return {
        __type: "com.amazon.coral.service#UnrecognizedClientException",
        message: "The security token included in the request is invalid.",
      };
    }
    const input = JSON.parse(body || "{}") as Record<string, unknown>;
    for (const check of dynamoTargets(operation, input)) {
      const { table, keys, index, leadingKeys } = check;
      const action = check.action ?? operation;
      const request = check.request ?? input;
      const info = this.tables.get(table);
      if (!info) continue;
      const leading = [
        ...keys
          .map((key) => (key[info.partitionKey] as { S?: string } | undefined)?.S)
          .filter((value): value is string => value !== undefined),
        ...(leadingKeys?.(info.partitionKey) ?? []),
      ];
      const resource = index ? `${info.arn}/index/${index}` : info.arn;
      const attributes = attributeNames(action, request);
      const outcome = await this.decision.evaluate(caller, undefined, {
        action: `dynamodb:${action}`,
        resource,
        resourceAccount: info.arn.split(":")[4] ?? "",
        context: {
          ...(leading.length > 0 ? { "dynamodb:LeadingKeys": leading } : {}),
          ...(attributes ? { "dynamodb:Attributes": attributes } : {}),
          // A write's ReturnValues "always has a value (NONE unless otherwise specified)"
          // (specifying-conditions, cited at attributeNames).
          ...(["PutItem", "UpdateItem", "DeleteItem"].includes(action)
            ? {
                "dynamodb:ReturnValues":
                  typeof request.ReturnValues === "string" ? request.ReturnValues : "NONE",
              }
            : {}),
          ...(check.enclosing ? { "dynamodb:EnclosingOperation": check.enclosing } : {}),
        },
      });
      if (outcome !== "Allowed") {
        return {
          __type: "com.amazon.coral.service#AccessDeniedException",
          message: notAuthorized(caller.principal, `dynamodb:${action}`, resource),
        };
      }
    }
    return undefined;
  }
}
