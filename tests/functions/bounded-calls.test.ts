import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { APIGatewayProxyEvent, DynamoDBStreamEvent } from "aws-lambda";
import { DynamoDBClient as SdkDynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

import {
  DescribeUserProfileCommand,
  ListAppsCommand,
  ListSpacesCommand,
  ListTagsCommand,
  SageMakerClient as SdkSageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { marshall } from "@aws-sdk/util-dynamodb";
import * as ts from "typescript";
import { mockClient } from "aws-sdk-client-mock";
import { BatchGetItemCommand, DynamoDBClient } from "../../functions/shared/aws/dynamodb";
import { SageMakerClient } from "../../functions/shared/aws/sagemaker";
import { AssumeRoleCommand, STSClient } from "../../functions/shared/aws/sts";
import { mockClient as mockLean } from "../helpers/aws-mock";
import { buildFunction, type BuiltFunction } from "../../functions/build";
import {
  createHandler as createLifecycle,
  STATE_RESERVE_MS,
} from "../../functions/lifecycle/handler";
import { createHandler as createPresigner } from "../../functions/presigner";
import { loadConfig } from "../../functions/presigner/config";
import { createHandler as createSaml } from "../../functions/saml/handler";
import { createVerifier } from "../../functions/shared/access-token";
import type { StudioClients } from "../../functions/shared/clients";
import {
  ANSWER_TIMEOUT_MS,
  INVOKE_OPTIONS,
  MAX_ATTEMPTS,
  CACHED_MIDDLEWARE,
  SDK_OPTIONS,
} from "../../functions/shared/sdk";
import { TestIdp } from "../../scripts/sandbox/saml-idp";
import { startFakeAws, type FakeAws } from "../../scripts/lib/fake-aws";
import { LOB_A_RECORD, P, userLobATables } from "../helpers/fixtures";
import { makeSigningKey, signedAccessToken } from "../helpers/jwt";
import { captureLogs } from "../helpers/logs";

/**
 * Every AWS call of every function gives up in its stated time, against a local server that
 * accepts a connection and never answers (or answers too slowly). These run real SDK clients with
 * the functions' own SDK_OPTIONS over real sockets, so they take seconds each: the assertions are
 * about the functions' bounds (with slack for a loaded machine), jest's timeouts are far larger.
 */

const execFileAsync = promisify(execFile);
jest.setTimeout(120_000);

/** What a loaded 2-core machine may add to a bound: scheduling, the retry's backoff, a GC. */
const SLACK_MS = 2_500;
/** A call whose server never answers: every attempt waits its full answer timeout. */
const CALL_BOUND_MS = MAX_ATTEMPTS * ANSWER_TIMEOUT_MS;

/** Give-up times measured by this run, printed at the end for the README. */
const measured: [string, number][] = [];
afterAll(() => {
  const width = Math.max(...measured.map(([what]) => what.length));
  process.stderr.write(
    `give-up times measured on this machine (ms):\n${measured
      .map(([what, ms]) => `  ${what.padEnd(width)}  ${String(ms)}`)
      .join("\n")}\n`,
  );
});

async function timed<T>(what: string, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  const ms = Date.now() - started;
  measured.push([what, ms]);
  return { value, ms };
}

type Behaviour =
  /** Accepts, reads the request, never answers. */
  | { readonly kind: "silent" }
  /** Answers `body` after `afterMs`. */
  | { readonly kind: "slow"; readonly afterMs: number; readonly body: string }
  /** Sends the headers and half a body, then nothing. */
  | { readonly kind: "stops-halfway" };

interface StalledServer {
  readonly url: string;
  /** Requests received. */
  requests(): number;
  /** Connections the client has closed (an aborted or timed-out request closes its socket). */
  closedByClient(): number;
  close(): Promise<void>;
}

/** A local HTTP server that stalls every request it gets, as `behaviour` says. */
async function stalledServer(behaviour: Behaviour): Promise<StalledServer> {
  let requests = 0;
  let closed = 0;
  let closing = false;
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    req.resume();
    if (behaviour.kind === "slow") {
      const timer = setTimeout(() => {
        res.writeHead(200, { "Content-Type": "application/x-amz-json-1.0" });
        res.end(behaviour.body);
      }, behaviour.afterMs);
      res.on("close", () => {
        clearTimeout(timer);
      });
    } else if (behaviour.kind === "stops-halfway") {
      res.writeHead(200, { "Content-Type": "application/x-amz-json-1.0" });
      res.write('{"Item": {"lob": ');
    }
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      if (!closing) closed += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests: () => requests,
    closedByClient: () => closed,
    close: () => {
      closing = true;
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

const servers: StalledServer[] = [];
async function stalled(behaviour: Behaviour = { kind: "silent" }): Promise<StalledServer> {
  const server = await stalledServer(behaviour);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * The functions' clients (defaultClients: the sign-in path's own, functions/shared/aws, on
 * SDK_OPTIONS' handler), each service at its own endpoint.
 */
function clientsAt(endpoints: { dynamo: string; sts: string; sageMaker: string }): StudioClients {
  return {
    dynamo: new DynamoDBClient({ endpoint: endpoints.dynamo }),
    sts: new STSClient({ endpoint: endpoints.sts }),
    sageMaker: (region, credentials) =>
      new SageMakerClient({ endpoint: endpoints.sageMaker, region, credentials }),
    now: Date.now,
  };
}

const lambdaContext = (remainingMs: number) => ({
  awsRequestId: "bounded-1",
  getRemainingTimeInMillis: () => remainingMs,
});

describe("every AWS call in functions/ is given the invocation's abort signal", () => {
  const root = path.join(__dirname, "../../functions");
  const sources = readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .sort();

  /**
   * Each SDK `client.send(...)` in a file, as `file:line: ` and how it is bounded: `bounded(<signal>)`
   * when it is the body of the arrow given to functions/shared/sdk.ts `bounded`, `options` when it
   * passes options, else `(unbounded)`.
   */
  function sendCalls(file: string): string[] {
    const text = readFileSync(path.join(root, file), "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const calls: string[] = [];
    const boundedBy = (node: ts.Node): string | undefined => {
      const arrow = node.parent;
      const call = arrow.parent;
      return ts.isArrowFunction(arrow) &&
        arrow.body === node &&
        ts.isCallExpression(call) &&
        ts.isIdentifier(call.expression) &&
        call.expression.text === "bounded" &&
        call.arguments[1] === arrow
        ? (call.arguments[0]?.getText() ?? "")
        : undefined;
    };
    const visit = (node: ts.Node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === "send"
      ) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        const signal = boundedBy(node);
        calls.push(
          `${file}:${String(line)}: ${
            signal !== undefined
              ? `bounded(${signal})`
              : node.arguments[1]
                ? `options ${node.arguments[1].getText()}`
                : "(unbounded)"
          }`,
        );
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return calls;
  }

  // The SDK's clients (the lifecycle's) take the signal through `bounded` (async context), not the
  // send's options, so they reuse their resolved middleware (functions/shared/sdk.ts); the
  // sign-in's own clients (functions/shared/aws) have no middleware and take it with each call.
  const signInFiles = /^(presigner|saml)\//;
  it("makes every SDK client's send inside bounded(signal, ...), with no per-call options", () => {
    const calls = sources.filter((file) => !signInFiles.test(file)).flatMap(sendCalls);
    expect(calls.length).toBeGreaterThanOrEqual(10);
    expect(calls.filter((c) => !/: bounded\(signal\)$/.test(c))).toEqual([]);
  });

  it("gives every send of the sign-in's own clients the request's signal, and nothing else", () => {
    const calls = sources.filter((file) => signInFiles.test(file)).flatMap(sendCalls);
    expect(calls.length).toBeGreaterThanOrEqual(12);
    expect(calls.filter((c) => !/: options \{ abortSignal: signal \}$/.test(c))).toEqual([]);
  });
});

describe.each([
  [
    "the SDK's clients (SDK_OPTIONS, the lifecycle)",
    (endpoint: string) =>
      new SdkDynamoDBClient({ ...SDK_OPTIONS, endpoint }).send(
        new GetItemCommand({ TableName: "t", Key: { lob: { S: "lob-a" } } }),
      ),
  ],
  [
    "the sign-in's own clients (functions/shared/aws)",
    (endpoint: string) =>
      new DynamoDBClient({ endpoint }).send(
        new BatchGetItemCommand({ RequestItems: { t: { Keys: [{ lob: { S: "lob-a" } }] } } }),
      ),
  ],
])("%s: a call's timeouts throw", (clients, call) => {
  const getItem = (endpoint: string) =>
    call(endpoint).then((output) => ({ Item: (output as { Item?: unknown }).Item }));

  it("gives up on a server that never answers after its 2 attempts of 3 s, with TimeoutError", async () => {
    const server = await stalled();
    const { value: error, ms } = await timed(`${clients}: server never answers`, () =>
      getItem(server.url).then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
    );
    expect(error?.name).toBe("TimeoutError");
    expect(server.requests()).toBe(MAX_ATTEMPTS);
    expect(ms).toBeGreaterThanOrEqual(CALL_BOUND_MS - 50);
    expect(ms).toBeLessThan(CALL_BOUND_MS + SLACK_MS);
  });

  it("gives up on a server that answers after 5 s, past the bound", async () => {
    const server = await stalled({ kind: "slow", afterMs: 5_000, body: "{}" });
    const { value: error, ms } = await timed(`${clients}: server answers after 5 s`, () =>
      getItem(server.url).then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
    );
    expect(error?.name).toBe("TimeoutError");
    expect(ms).toBeLessThan(CALL_BOUND_MS + SLACK_MS);
  });

  it("gives up on an answer that stops half way (3 s of silence on the socket)", async () => {
    const server = await stalled({ kind: "stops-halfway" });
    const { value: error, ms } = await timed(`${clients}: answer stops half way`, () =>
      getItem(server.url).then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
    );
    expect(error?.name).toBe("TimeoutError");
    expect(error?.message).toMatch(/socket timed out after 3000 ms of inactivity/);
    expect(ms).toBeLessThan(CALL_BOUND_MS + SLACK_MS);
  });

  it("waits for a slow answer within the bound (1.5 s)", async () => {
    const server = await stalled({ kind: "slow", afterMs: 1_500, body: "{}" });
    const { value, ms } = await timed(`${clients}: answer after 1.5 s (succeeds)`, () =>
      getItem(server.url),
    );
    expect(value.Item).toBeUndefined();
    expect(server.requests()).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(1_450);
  });
});

describe("INVOKE_OPTIONS: the lifecycle's long call", () => {
  it("the lifecycle's Lambda client waits past 3 s for a home removal answering after 4 s", async () => {
    const server = await stalled({ kind: "slow", afterMs: 4_000, body: '{"uid":"200007"}' });
    const lambda = new LambdaClient({ ...INVOKE_OPTIONS, endpoint: server.url });
    const { value, ms } = await timed("Lambda Invoke answering after 4 s (succeeds)", () =>
      lambda.send(new InvokeCommand({ FunctionName: "studio-access-homes", Payload: "{}" })),
    );
    expect(value.StatusCode).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(3_950);
    expect(INVOKE_OPTIONS.maxAttempts).toBe(1);
  });
});

describe("presigner: gives up in its stated time, with 503", () => {
  const key = makeSigningKey("bounded-calls");
  const verifier = createVerifier(process.env);
  verifier.cacheJwks({ keys: [key.jwk] });
  let fake: FakeAws;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    fake = await startFakeAws(userLobATables());
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => {
    logs.restore();
  });

  const open = (): APIGatewayProxyEvent =>
    ({
      resource: "/studios/{lob}",
      path: "/studios/lob-a",
      httpMethod: "GET",
      headers: { Authorization: `Bearer ${signedAccessToken(key, "user-lob-a")}` },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { lob: "lob-a" },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {},
    }) as unknown as APIGatewayProxyEvent;

  const presigner = (endpoints: { dynamo: string; sts: string; sageMaker: string }) =>
    createPresigner({ ...clientsAt(endpoints), config: loadConfig(process.env), verifier });

  it("answers through the fake AWS when it answers (the control)", async () => {
    const handler = presigner({ dynamo: fake.url, sts: fake.url, sageMaker: fake.url });
    const response = await handler(open(), lambdaContext(28_000));
    expect(response.statusCode).toBe(302);
  });

  it("DynamoDB never answers: 503 once the call's 2 attempts of 3 s are spent", async () => {
    const server = await stalled();
    const handler = presigner({ dynamo: server.url, sts: fake.url, sageMaker: fake.url });
    const { value: response, ms } = await timed("presigner, DynamoDB never answers", () =>
      handler(open(), lambdaContext(28_000)),
    );
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toEqual({ message: "Studio is busy, try again shortly" });
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "upstream-unavailable",
      detail: "DynamoDB.BatchGetItem: TimeoutError",
    });
    expect(ms).toBeLessThan(CALL_BOUND_MS + SLACK_MS);
  });

  it.each([
    ["DynamoDB", "dynamo"],
    ["STS (AssumeRole)", "sts"],
    ["SageMaker (CreatePresignedDomainUrl)", "sageMaker"],
  ] as const)(
    "%s never answers and the Lambda has 3 s left: 503 at the 2 s deadline, the call aborted",
    async (what, service) => {
      const server = await stalled();
      const handler = presigner({
        dynamo: fake.url,
        sts: fake.url,
        sageMaker: fake.url,
        [service]: server.url,
      });
      const { value: response, ms } = await timed(`presigner, ${what} stalls, deadline 2 s`, () =>
        handler(open(), lambdaContext(3_000)),
      );
      expect(response.statusCode).toBe(503);
      expect(logs.lines().at(-1)?.detail).toBe("request deadline of 2000 ms passed");
      expect(ms).toBeGreaterThanOrEqual(1_950);
      expect(ms).toBeLessThan(2_000 + SLACK_MS);
      // The stalled call itself was aborted (its socket closed) at the deadline, not left to its
      // own 3 s timeout: the signal reached it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.requests()).toBe(1);
      expect(server.closedByClient()).toBe(1);
    },
  );
});

describe("SAML entry: gives up in its stated time, with its 503 page", () => {
  let idp: TestIdp;
  let logs: ReturnType<typeof captureLogs>;
  const ACS = "https://abc123.execute-api.us-east-1.amazonaws.com/v1/saml";
  const SP = { acsUrl: ACS, spEntityId: "urn:studio-access:sp" };

  beforeAll(async () => {
    idp = await TestIdp.create();
  });
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => {
    logs.restore();
  });

  const saml = (endpoint: string) =>
    createSaml({
      ...clientsAt({ dynamo: endpoint, sts: endpoint, sageMaker: endpoint }),
      config: {
        ...loadConfig(process.env),
        replayTable: "studio-access-replay",
        groupLobs: new Map(),
        saml: {
          idpCertificates: [idp.certificate],
          idpEntityId: idp.entityId,
          spEntityId: SP.spEntityId,
          acsUrl: ACS,
          groupsAttribute: "groups",
        },
      },
    });
  const signIn = (): APIGatewayProxyEvent =>
    ({
      httpMethod: "POST",
      resource: "/saml",
      path: "/saml",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext: {},
      body: new URLSearchParams({
        SAMLResponse: idp.signedResponse({ ...idp.fields(SP, "user-lob-a"), attributes: {} }),
      }).toString(),
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEvent;

  it("DynamoDB never answers (the replay table): 503 once the call's attempts are spent", async () => {
    const server = await stalled();
    const { value: response, ms } = await timed("SAML entry, DynamoDB never answers", () =>
      saml(server.url)(signIn(), lambdaContext(28_000)),
    );
    expect(response.statusCode).toBe(503);
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "upstream-unavailable",
      step: "validate",
      reason: "DynamoDB.PutItem: TimeoutError",
    });
    expect(ms).toBeLessThan(CALL_BOUND_MS + SLACK_MS);
  });

  it("DynamoDB never answers and the Lambda has 3 s left: 503 at the 2 s deadline, the call aborted", async () => {
    const server = await stalled();
    const { value: response, ms } = await timed("SAML entry, DynamoDB stalls, deadline 2 s", () =>
      saml(server.url)(signIn(), lambdaContext(3_000)),
    );
    expect(response.statusCode).toBe(503);
    expect(logs.lines().at(-1)?.reason).toBe("request deadline of 2000 ms passed");
    expect(ms).toBeGreaterThanOrEqual(1_950);
    expect(ms).toBeLessThan(2_000 + SLACK_MS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.closedByClient()).toBe(1);
  });
});

describe("lifecycle: gives up at its drain deadline, the record retried and its row saying why", () => {
  const REVOKED = {
    lob: "lob-a",
    userTeam: "dana.scientist#default",
    username: "dana.scientist",
    team: "default",
    profileName: P("dana.scientist"),
    state: "revoked",
  };
  const event: DynamoDBStreamEvent = {
    Records: [
      {
        eventName: "MODIFY",
        dynamodb: {
          SequenceNumber: "42",
          Keys: marshall({ lob: REVOKED.lob, userTeam: REVOKED.userTeam }) as never,
          NewImage: marshall(REVOKED) as never,
        },
      },
    ],
  };
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => {
    logs.restore();
  });

  const lifecycle = (endpoints: {
    dynamo: string;
    sts: string;
    sageMaker: string;
    lambda: string;
  }) =>
    createLifecycle({
      ...clientsAt(endpoints),
      // The lifecycle's own document client (functions/lifecycle/clients.ts documentClient).
      dynamo: DynamoDBDocumentClient.from(
        new SdkDynamoDBClient({ ...SDK_OPTIONS, endpoint: endpoints.dynamo }),
      ),
      // Its drain's SageMaker client, the SDK's (functions/lifecycle/clients.ts sdkSageMaker).
      sageMaker: (region, credentials) =>
        new SdkSageMakerClient({
          ...SDK_OPTIONS,
          ...CACHED_MIDDLEWARE,
          endpoint: endpoints.sageMaker,
          region,
          credentials,
        }),
      lambda: (region, credentials) =>
        new LambdaClient({ ...INVOKE_OPTIONS, endpoint: endpoints.lambda, region, credentials }),
      config: {
        usersTable: process.env.USERS_TABLE!,
        lobsTable: process.env.LOBS_TABLE!,
        lobs: loadConfig(process.env).lobs,
        budgetMs: 240_000,
        pollMs: 5_000,
      },
    });

  it("DynamoDB never answers: the record is retried once its read's attempts are spent", async () => {
    const server = await stalled();
    const handler = lifecycle({
      dynamo: server.url,
      sts: server.url,
      sageMaker: server.url,
      lambda: server.url,
    });
    const { value: result, ms } = await timed("lifecycle, DynamoDB never answers", () =>
      handler(event, lambdaContext(300_000)),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "42" }] });
    expect(logs.lines().at(-1)).toMatchObject({ decision: "retry" });
    expect(String(logs.lines().at(-1)?.reason)).toMatch(/^TimeoutError: /);
    expect(ms).toBeLessThan(CALL_BOUND_MS + SLACK_MS);
  });

  it("DynamoDB never answers and the Lambda has 17 s left: the read is aborted at the 2 s drain deadline", async () => {
    const server = await stalled();
    const handler = lifecycle({
      dynamo: server.url,
      sts: server.url,
      sageMaker: server.url,
      lambda: server.url,
    });
    const { value: result, ms } = await timed(
      "lifecycle, DynamoDB stalls, drain deadline 2 s",
      () => handler(event, lambdaContext(STATE_RESERVE_MS + 2_000)),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "42" }] });
    expect(logs.lines().at(-1)?.reason).toBe(
      "AbortError: Request aborted (the invocation's drain deadline (2000 ms) passed)",
    );
    expect(ms).toBeGreaterThanOrEqual(1_950);
    expect(ms).toBeLessThan(2_000 + SLACK_MS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The record's three reads (admin row, config seed, disabled marker), each closed by its abort.
    expect(server.closedByClient()).toBe(3);
  });

  describe("with the tables and STS answering", () => {
    let updates: Record<string, unknown>[];
    let restore: (() => void)[] = [];
    // Mocked for these tests only: the others in this file run the real clients.
    beforeEach(() => {
      const ddb = mockClient(DynamoDBDocumentClient);
      const sts = mockLean(STSClient);
      restore = [
        () => {
          ddb.restore();
        },
        () => {
          sts.restore();
        },
      ];
      updates = [];
      ddb.on(GetCommand).callsFake((input: GetCommand["input"]) => ({
        Item:
          input.TableName === process.env.LOBS_TABLE
            ? { ...LOB_A_RECORD, homeDirectories: "remove" }
            : REVOKED,
      }));
      ddb.on(UpdateCommand).callsFake((input: UpdateCommand["input"]) => {
        updates.push(input.ExpressionAttributeValues ?? {});
        return {};
      });
      sts.on(AssumeRoleCommand).resolves({
        Credentials: {
          AccessKeyId: "ASIA222222222222",
          SecretAccessKey: "s",
          SessionToken: "t",
          Expiration: new Date(Date.now() + 3600_000),
        },
      });
    });
    afterEach(() => {
      for (const undo of restore) undo();
    });

    it("SageMaker never answers: the drain is aborted at the 2 s drain deadline and the row says drain-failed, why", async () => {
      const server = await stalled();
      const handler = lifecycle({
        dynamo: "http://127.0.0.1:9",
        sts: "http://127.0.0.1:9",
        sageMaker: server.url,
        lambda: server.url,
      });
      const { value: result, ms } = await timed(
        "lifecycle, SageMaker stalls, drain deadline 2 s",
        () => handler(event, lambdaContext(STATE_RESERVE_MS + 2_000)),
      );
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "42" }] });
      expect(updates.map((u) => u[":state"])).toEqual(["draining", "drain-failed"]);
      expect(updates[1]?.[":detail"]).toBe(
        "AbortError: Request aborted (the invocation's drain deadline (2000 ms) passed)",
      );
      expect(ms).toBeGreaterThanOrEqual(1_950);
      expect(ms).toBeLessThan(2_000 + SLACK_MS);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.closedByClient()).toBe(1);
    });

    it("the home directory's function never answers: its Invoke is aborted at the drain deadline", async () => {
      const sm = mockClient(SdkSageMakerClient);
      try {
        sm.on(DescribeUserProfileCommand).resolves({
          Status: "InService",
          HomeEfsFileSystemUid: "200007",
          UserProfileArn: "arn:aws:sagemaker:us-east-1:222222222222:user-profile/d-a/p",
        });
        sm.on(ListTagsCommand).resolves({
          Tags: [
            { Key: "studio-access:lob", Value: "lob-a" },
            { Key: "studio-access:team", Value: "default" },
            { Key: "studio-access:username", Value: "dana.scientist" },
          ],
        });
        sm.on(ListSpacesCommand).resolves({ Spaces: [] });
        sm.on(ListAppsCommand).resolves({ Apps: [] });
        const server = await stalled();
        const handler = lifecycle({
          dynamo: "http://127.0.0.1:9",
          sts: "http://127.0.0.1:9",
          sageMaker: "http://127.0.0.1:9",
          lambda: server.url,
        });
        const { value: result, ms } = await timed(
          "lifecycle, home removal stalls, drain deadline 2 s",
          () => handler(event, lambdaContext(STATE_RESERVE_MS + 2_000)),
        );
        expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "42" }] });
        expect(updates.map((u) => u[":state"])).toEqual(["draining", "drain-failed"]);
        expect(ms).toBeGreaterThanOrEqual(1_950);
        expect(ms).toBeLessThan(2_000 + SLACK_MS);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(server.requests()).toBe(1);
        expect(server.closedByClient()).toBe(1);
      } finally {
        sm.restore();
      }
    });
  });
});

describe("the bundles (esbuild, as deployed) give up in the same time", () => {
  let dir: string;
  let presigner: BuiltFunction;
  let lifecycle: BuiltFunction;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "studio-access-bounded-"));
    [presigner, lifecycle] = await Promise.all([
      buildFunction("presigner", dir),
      buildFunction("lifecycle", dir),
    ]);
  }, 120_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the bundle in a fresh Node process (tests/helpers/invoke-bundle.js), every endpoint at `url`. */
  async function invoke(fn: BuiltFunction, url: string, input: Record<string, unknown>) {
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        "--no-warnings",
        path.join(__dirname, "../helpers/invoke-bundle.js"),
        path.join(fn.dir, "index.js"),
        JSON.stringify(input),
      ],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_DYNAMODB: url,
          AWS_ENDPOINT_URL_STS: url,
          AWS_ENDPOINT_URL_SAGEMAKER: url,
          AWS_ENDPOINT_URL_LAMBDA: url,
        },
        timeout: 90_000,
      },
    );
    return JSON.parse(stdout) as {
      results: Record<string, unknown>[];
      elapsedMs: number[];
    };
  }

  it("presigner bundle: DynamoDB never answers, 503 once the call's attempts are spent (the SDK timeouts throw)", async () => {
    const key = makeSigningKey("bounded-bundle");
    const server = await stalled();
    const { results, elapsedMs } = await invoke(presigner, server.url, {
      jwks: { keys: [key.jwk] },
      events: [
        {
          resource: "/studios/{lob}",
          httpMethod: "GET",
          headers: { Authorization: `Bearer ${signedAccessToken(key, "user-lob-a")}` },
          pathParameters: { lob: "lob-a" },
        },
      ],
    });
    const ms = elapsedMs[0] ?? Infinity;
    measured.push(["presigner bundle, DynamoDB never answers", ms]);
    expect(results[0]?.statusCode).toBe(503);
    expect(server.requests()).toBe(MAX_ATTEMPTS);
    expect(ms).toBeGreaterThanOrEqual(CALL_BOUND_MS - 50);
    expect(ms).toBeLessThan(CALL_BOUND_MS + SLACK_MS);
  });

  it("lifecycle bundle: DynamoDB never answers, its read aborted at the 2 s drain deadline", async () => {
    const server = await stalled();
    const { results, elapsedMs } = await invoke(lifecycle, server.url, {
      remainingMs: STATE_RESERVE_MS + 2_000,
      events: [event()],
    });
    const ms = elapsedMs[0] ?? Infinity;
    measured.push(["lifecycle bundle, DynamoDB stalls, drain deadline 2 s", ms]);
    expect(results[0]).toEqual({ batchItemFailures: [{ itemIdentifier: "42" }] });
    expect(ms).toBeGreaterThanOrEqual(1_950);
    expect(ms).toBeLessThan(2_000 + SLACK_MS);
    // The record's three reads (admin row, config seed, disabled marker), each closed by its abort.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.closedByClient()).toBe(3);
  });

  function event(): DynamoDBStreamEvent {
    const revoked = {
      lob: "lob-a",
      userTeam: "dana.scientist#default",
      username: "dana.scientist",
      team: "default",
      state: "revoked",
    };
    return {
      Records: [
        {
          eventName: "MODIFY",
          dynamodb: {
            SequenceNumber: "42",
            Keys: marshall({ lob: "lob-a", userTeam: revoked.userTeam }) as never,
            NewImage: marshall(revoked) as never,
          },
        },
      ],
    };
  }
});
