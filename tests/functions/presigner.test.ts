import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import {
  BatchGetItemCommand,
  DynamoDBClient,
  QueryCommand,
} from "../../functions/shared/aws/dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { AssumeRoleCommand, STSClient } from "../../functions/shared/aws/sts";
import {
  CreatePresignedDomainUrlCommand,
  CreateUserProfileCommand,
  DescribeUserProfileCommand,
  ListTagsCommand,
  SageMakerClient,
} from "../../functions/shared/aws/sagemaker";
import { mockClient } from "../helpers/aws-mock";
import {
  createHandler,
  handler as defaultHandler,
  MAX_REQUEST_MS,
  SDK_OPTIONS,
  verifier as defaultVerifier,
} from "../../functions/presigner";
import { loadConfig, parseRegistry } from "../../functions/presigner/config";
import { createVerifier } from "../../functions/shared/access-token";
import { makeSigningKey, signedAccessToken } from "../helpers/jwt";
import { REFRESH_MARGIN_MS, type RoleCredentials } from "../../functions/presigner/credentials";
import { captureLogs } from "../helpers/logs";
import { LOB_A_RECORD, P } from "../helpers/fixtures";
import {
  asAttributes,
  batchGetSent,
  fakeAccessTables,
  querySent,
  row,
  type Row,
} from "../helpers/fake-tables";

const USERS = process.env.USERS_TABLE!;
const LOBS = process.env.LOBS_TABLE!;
const T0 = Date.parse("2026-11-21T12:00:00Z");

const LOB_A = LOB_A_RECORD;
const LOB_B = {
  ...LOB_A,
  lob: "lob-b",
  accountId: "333333333333",
  domainId: "d-bbbbbbbbbbbb",
  accessRoleArn: "arn:aws:iam::333333333333:role/StudioAccessRole",
};

const key = makeSigningKey("presigner-test");
const verifier = createVerifier(process.env);
verifier.cacheJwks({ keys: [key.jwk] });
defaultVerifier.cacheJwks({ keys: [key.jwk] });

/** A real Cognito-shaped access token for `username`, signed with the pool's (test) key. */
const tokenFor = (username: string, overrides: Record<string, unknown> = {}) =>
  signedAccessToken(key, username, overrides);

const ddb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const sm = mockClient(SageMakerClient);

let clock: number;
let lobs: Map<string, Record<string, unknown>>;
let entitlements: Row[];
let sageMakerClients: { region: string; credentials: RoleCredentials }[];
let logs: ReturnType<typeof captureLogs>;

const presignedUrl = (domainId: string, profile: string) =>
  `https://${domainId}.studio.us-east-1.sagemaker.aws/auth?token=SECRET-${profile}`;

/** STS as the LOB roles answer it: hour-long credentials named after the role's account. */
function assumeRole(input: AssumeRoleCommand["input"]) {
  return {
    Credentials: {
      AccessKeyId: `ASIA${input.RoleArn?.split(":")[4] ?? ""}`,
      SecretAccessKey: "secret",
      SessionToken: "session",
      Expiration: new Date(clock + 3600_000),
    },
  };
}

function fakeTables(): void {
  fakeAccessTables(ddb, {
    usersTable: USERS,
    entitlements: () => entitlements,
    lobs: () => lobs,
  });
  sts.on(AssumeRoleCommand).callsFake(assumeRole);
  sm.on(CreatePresignedDomainUrlCommand).callsFake(
    (input: CreatePresignedDomainUrlCommand["input"]) => ({
      AuthorizedUrl: presignedUrl(input.DomainId!, input.UserProfileName!),
    }),
  );
}

function newHandler() {
  return createHandler({
    config: loadConfig(process.env),
    verifier,
    dynamo: new DynamoDBClient({}),
    sts: new STSClient({}),
    sageMaker: (region, credentials) => {
      sageMakerClients.push({ region, credentials });
      return new SageMakerClient({ region, credentials });
    },
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
  });
}

/**
 * A proxy event as API Gateway sends it: the caller's bearer token, and the authorizer's context,
 * which the presigner does not trust (`claimed` lets a test make it lie).
 */
function request(
  username: string | undefined,
  lob: string | undefined,
  extra: Partial<APIGatewayProxyEvent> & { claimed?: string } = {},
): APIGatewayProxyEvent {
  const { claimed = username, headers, ...rest } = extra;
  return {
    resource: lob === undefined ? "/studios" : "/studios/{lob}",
    path: lob === undefined ? "/studios" : `/studios/${lob}`,
    httpMethod: "GET",
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: lob === undefined ? null : { lob },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      authorizer:
        claimed === undefined ? undefined : { username: claimed, principalId: `sub-${claimed}` },
    } as APIGatewayProxyEvent["requestContext"],
    ...rest,
    headers: {
      ...(username === undefined ? {} : { Authorization: `Bearer ${tokenFor(username)}` }),
      ...headers,
    },
  };
}

const context = (remainingMs = 28_000) => ({
  awsRequestId: "req-1",
  getRemainingTimeInMillis: () => remainingMs,
});

const awsCalls = () => ({
  dynamo: ddb.calls().length,
  assumeRole: sts.commandCalls(AssumeRoleCommand).length,
  presign: sm.commandCalls(CreatePresignedDomainUrlCommand).length,
});

const body = (response: APIGatewayProxyResult) =>
  JSON.parse(response.body) as Record<string, unknown>;

beforeEach(() => {
  ddb.reset();
  sts.reset();
  sm.reset();
  clock = T0;
  lobs = new Map([
    ["lob-a", { ...LOB_A }],
    ["lob-b", { ...LOB_B }],
  ]);
  entitlements = [
    row("user-lob-a", "lob-a", P("user-lob-a")),
    row("user-lob-b", "lob-b", P("user-lob-b")),
    row("user-both", "lob-b", P("user-both")),
    row("user-both", "lob-a", P("user-both")),
  ];
  sageMakerClients = [];
  fakeTables();
  logs = captureLogs();
});

afterEach(() => {
  logs.restore();
});

describe("presigner: GET /studios/{lob}", () => {
  it("redirects an entitled user to a presigned URL for their profile in the LOB's domain", async () => {
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response).toEqual({
      statusCode: 302,
      headers: {
        Location: presignedUrl("d-aaaaaaaaaaaa", P("user-lob-a")),
        "Cache-Control": "no-store",
      },
      body: "",
    });
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)[0]!.args[0].input).toEqual({
      DomainId: "d-aaaaaaaaaaaa",
      UserProfileName: P("user-lob-a"),
      ExpiresInSeconds: 20,
      SessionExpirationDurationInSeconds: 3600,
    });
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole",
      RoleSessionName: "studio-access-presigner",
      DurationSeconds: 3600,
    });
    expect(sageMakerClients).toEqual([
      {
        region: "us-east-1",
        credentials: {
          accessKeyId: "ASIA222222222222",
          secretAccessKey: "secret",
          sessionToken: "session",
          expiration: new Date(T0 + 3600_000),
        },
      },
    ]);
  });

  it("reads the entitlement and the LOB record in one strongly consistent BatchGetItem", async () => {
    await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(ddb.calls()).toHaveLength(1);
    expect(batchGetSent(ddb, 0)).toEqual({
      RequestItems: {
        [USERS]: {
          Keys: [
            { lob: "lob-a", userTeam: "user-lob-a#default" },
            // Their config seed in the same team: seed and admin grant are two rows.
            { lob: "lob-a", userTeam: "user-lob-a#config:default" },
            // The user's disabled marker, in the same read.
            { lob: "#disabled", userTeam: "user-lob-a#" },
          ],
          ConsistentRead: true,
        },
        [LOBS]: { Keys: [{ lob: "lob-a" }], ConsistentRead: true },
      },
    });
  });

  it("answers 200 {url, expiresAt} when the client accepts JSON", async () => {
    const response = await newHandler()(
      request("user-lob-a", "lob-a", { headers: { accept: "application/json, text/plain" } }),
      context(),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
    });
    expect(body(response)).toEqual({
      url: presignedUrl("d-aaaaaaaaaaaa", P("user-lob-a")),
      expiresAt: new Date(T0 + 20_000).toISOString(),
    });
  });

  it("presigns the user's own profile in each LOB they are entitled to", async () => {
    const handler = newHandler();
    await handler(request("user-both", "lob-a"), context());
    await handler(request("user-both", "lob-b"), context());
    expect(
      sm
        .commandCalls(CreatePresignedDomainUrlCommand)
        .map((c) => [c.args[0].input.DomainId, c.args[0].input.UserProfileName]),
    ).toEqual([
      ["d-aaaaaaaaaaaa", P("user-both")],
      ["d-bbbbbbbbbbbb", P("user-both")],
    ]);
  });

  it("presigns the mapped profile of a username that is not a profile name (jane.doe)", async () => {
    entitlements.push(row("jane.doe", "lob-a", P("jane.doe")));
    const response = await newHandler()(request("jane.doe", "lob-a"), context());
    expect(response.statusCode).toBe(302);
    expect(presignInput()?.UserProfileName).toBe("jane-doe-2sdsf7bol2unf5fv");
  });

  it("refuses jane-doe a row naming jane.doe's mapped profile (a forged row)", async () => {
    entitlements.push(row("jane-doe", "lob-a", P("jane.doe")));
    const response = await newHandler()(request("jane-doe", "lob-a"), context());
    expect(response.statusCode).toBe(502);
    expect(awsCalls().presign).toBe(0);
  });

  it("makes 3 AWS calls on a cold sign-in and 2 on a warm one", async () => {
    const handler = newHandler();
    await handler(request("user-lob-a", "lob-a"), context());
    expect(awsCalls()).toEqual({ dynamo: 1, assumeRole: 1, presign: 1 });
    await handler(request("user-lob-a", "lob-a"), context());
    expect(awsCalls()).toEqual({ dynamo: 2, assumeRole: 1, presign: 2 });
  });
});

/** An AWS SDK service error as the clients throw it. */
const sdkError = (
  name: string,
  httpStatusCode: number,
  message = `${name} on arn:aws:iam::222222222222:role/x`,
) =>
  Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode },
  });

/** A request with a query string, as API Gateway passes it (last value, and every value). */
const withQuery = (query: string) => {
  const params = new URLSearchParams(query);
  return request("user-lob-a", "lob-a", {
    queryStringParameters: Object.fromEntries(params),
    multiValueQueryStringParameters: Object.fromEntries(
      [...params.keys()].map((k) => [k, params.getAll(k)]),
    ),
  });
};
const presignInput = () => sm.commandCalls(CreatePresignedDomainUrlCommand)[0]?.args[0].input;

describe("presigner: deep links (?app=…&space=…)", () => {
  it.each([
    ["app=studio", { LandingUri: "studio::" }],
    ["app=jupyterlab", { LandingUri: "app:JupyterLab:" }],
    ["app=codeeditor", { LandingUri: "app:CodeEditor:" }],
    [
      "app=jupyterlab&space=churn-model",
      { LandingUri: "app:JupyterLab:", SpaceName: "churn-model" },
    ],
    ["app=codeeditor&space=A1", { LandingUri: "app:CodeEditor:", SpaceName: "A1" }],
  ])("maps %s to CreatePresignedDomainUrl's landing", async (query, landing) => {
    const response = await newHandler()(withQuery(query), context());
    expect(response.statusCode).toBe(302);
    expect(presignInput()).toEqual({
      DomainId: "d-aaaaaaaaaaaa",
      UserProfileName: P("user-lob-a"),
      ExpiresInSeconds: 20,
      SessionExpirationDurationInSeconds: 3600,
      ...landing,
    });
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "ok",
      username: "user-lob-a",
      lob: "lob-a",
      profile: P("user-lob-a"),
      landing: query.slice(4).split("&")[0],
    });
  });

  it.each([
    ["app=terminal", "app must be one of studio, jupyterlab, codeeditor"],
    ["app=JupyterLab", "app must be one of studio, jupyterlab, codeeditor"],
    ["app=", "app must be one of studio, jupyterlab, codeeditor"],
    ["app=app%3AJupyterLab%3A", "app must be one of studio, jupyterlab, codeeditor"],
    ["landingUri=studio%3A%3A", "unknown query parameter; only app and space are accepted"],
    ["app=studio&debug=1", "unknown query parameter; only app and space are accepted"],
    ["username=user-lob-b", "unknown query parameter; only app and space are accepted"],
    ["app=studio&app=jupyterlab", "app given more than once"],
    ["space=churn-model", "space needs app=jupyterlab or app=codeeditor"],
    ["app=studio&space=churn-model", "space needs app=jupyterlab or app=codeeditor"],
    ["app=jupyterlab&space=-x", "space must be a SageMaker space name (letters, digits, hyphens)"],
    ["app=jupyterlab&space=a_b", "space must be a SageMaker space name (letters, digits, hyphens)"],
    [
      `app=jupyterlab&space=${"a".repeat(64)}`,
      "space must be a SageMaker space name (letters, digits, hyphens)",
    ],
  ])("refuses %s with 400, before any AWS call", async (query, message) => {
    const response = await newHandler()(withQuery(query), context());
    expect(response.statusCode).toBe(400);
    expect(body(response)).toEqual({ message });
    expect(awsCalls()).toEqual({ dynamo: 0, assumeRole: 0, presign: 0 });
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "bad-landing", status: 400 });
  });

  it("accepts the longest space name SageMaker allows (63 characters)", async () => {
    const response = await newHandler()(
      withQuery(`app=jupyterlab&space=${"a".repeat(63)}`),
      context(),
    );
    expect(response.statusCode).toBe(302);
  });

  it("answers 404 when the space does not exist (SageMaker's ResourceNotFound)", async () => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(sdkError("ResourceNotFound", 400));
    const response = await newHandler()(withQuery("app=jupyterlab&space=gone"), context());
    expect(response.statusCode).toBe(404);
    expect(body(response)).toEqual({ message: "No such space in this Studio" });
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "no-space", status: 404 });
  });

  it("still checks entitlement first: a deep link does not open another LOB's Studio", async () => {
    const response = await newHandler()(
      request("user-lob-b", "lob-a", { queryStringParameters: { app: "jupyterlab" } }),
      context(),
    );
    expect(response.statusCode).toBe(403);
    expect(awsCalls().presign).toBe(0);
  });
});

describe("presigner: what it reads is checked against what the hub deployed", () => {
  async function expectMismatch(detail: string) {
    const response = await newHandler()(request("user-lob-b", "lob-b"), context());
    expect(response.statusCode).toBe(502);
    expect(body(response)).toEqual({ message: "Studio could not be opened" });
    expect(logs.lines().at(-1)).toMatchObject({
      level: "error",
      outcome: "record-mismatch",
      detail,
    });
    expect(awsCalls()).toMatchObject({ assumeRole: 0, presign: 0 });
  }

  it("refuses an entitlement naming another user's profile (a forged row)", async () => {
    entitlements[1] = row("user-lob-b", "lob-b", P("user-lob-a"));
    await expectMismatch(
      `users table: user-lob-b's entitlement to lob-b/default (admin) names profile ${P("user-lob-a")}, not ${P("user-lob-b")}`,
    );
  });

  it("refuses a LOB record pointing at another LOB's account", async () => {
    lobs.set("lob-b", { ...LOB_B, accountId: LOB_A.accountId, accessRoleArn: LOB_A.accessRoleArn });
    await expectMismatch(
      "lobs table: lob-b names account 222222222222, the hub deployed 333333333333",
    );
  });

  it("refuses a LOB record naming another role in the LOB's own account", async () => {
    lobs.set("lob-b", { ...LOB_B, accessRoleArn: "arn:aws:iam::333333333333:role/Admin" });
    await expectMismatch(
      "lobs table: lob-b names role arn:aws:iam::333333333333:role/Admin, the hub deployed arn:aws:iam::333333333333:role/StudioAccessRole",
    );
  });

  it("refuses, like an unknown LOB, a record for a LOB the hub never deployed", async () => {
    lobs.set("lob-z", { ...LOB_B, lob: "lob-z" });
    entitlements.push(row("user-lob-b", "lob-z", P("user-lob-b")));
    const response = await newHandler()(request("user-lob-b", "lob-z"), context());
    expect(response.statusCode).toBe(403);
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "unknown-lob" });
    expect(awsCalls()).toMatchObject({ assumeRole: 0, presign: 0 });
  });
});

describe("presigner: identity comes only from the caller's verified token", () => {
  it("ignores a username in the path parameters and headers (a query string one is a 400)", async () => {
    const response = await newHandler()(
      request("user-lob-b", "lob-a", {
        path: "/studios/lob-a/user-lob-a",
        pathParameters: { lob: "lob-a", username: "user-lob-a", user_id: "user-lob-a" },
        headers: { "X-Username": "user-lob-a" },
      }),
      context(),
    );
    expect(response.statusCode).toBe(403);
    expect(batchGetSent(ddb, 0).RequestItems?.[USERS]?.Keys).toEqual([
      { lob: "lob-a", userTeam: "user-lob-b#default" },
      { lob: "lob-a", userTeam: "user-lob-b#config:default" },
      { lob: "#disabled", userTeam: "user-lob-b#" },
    ]);
    expect(awsCalls()).toMatchObject({ assumeRole: 0, presign: 0 });
  });

  it("refuses with 401, reading nothing, a direct invocation whose authorizer context claims a user", async () => {
    const response = await newHandler()(
      request(undefined, "lob-a", { claimed: "user-lob-a" }),
      context(),
    );
    expect(response.statusCode).toBe(401);
    expect(body(response)).toEqual({ message: "Unauthorized" });
    expect(ddb.calls()).toHaveLength(0);
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "unauthenticated",
      detail: "missing Authorization header",
    });
  });

  it.each([
    ["an expired token", { exp: Math.floor(Date.now() / 1000) - 60 }, "expired"],
    ["a token for another app client", { client_id: "another-client" }, "wrong client"],
    ["an ID token", { token_use: "id" }, "wrong token use"],
  ])("refuses with 401 %s, whatever the authorizer context says", async (_what, claims, reason) => {
    const response = await newHandler()(
      request(undefined, "lob-a", {
        claimed: "user-lob-a",
        headers: { Authorization: `Bearer ${tokenFor("user-lob-a", claims)}` },
      }),
      context(),
    );
    expect(response.statusCode).toBe(401);
    expect(ddb.calls()).toHaveLength(0);
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "unauthenticated", detail: reason });
  });

  it("acts for the token's user, not for a different user the authorizer context names", async () => {
    const response = await newHandler()(
      request("user-lob-b", "lob-a", { claimed: "user-lob-a" }),
      context(),
    );
    expect(response.statusCode).toBe(403);
    expect(batchGetSent(ddb, 0).RequestItems?.[USERS]?.Keys).toEqual([
      { lob: "lob-a", userTeam: "user-lob-b#default" },
      { lob: "lob-a", userTeam: "user-lob-b#config:default" },
      { lob: "#disabled", userTeam: "user-lob-b#" },
    ]);
  });
});

describe("presigner: error mapping", () => {
  const leaks = [
    "arn:",
    "222222222222",
    "StudioAccessRole",
    "d-aaaaaaaaaaaa",
    "stack",
    "Exception",
    "SECRET",
  ];

  async function expectError(
    status: number,
    message: string,
    detail?: string,
    lob = "lob-a",
    user = "user-lob-a",
  ) {
    const response = await newHandler()(request(user, lob), context());
    expect(response.statusCode).toBe(status);
    expect(response.headers).toEqual({
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
    });
    expect(body(response)).toEqual({ message });
    for (const leak of leaks) expect(response.body).not.toContain(leak);
    const line = logs.lines().find((l) => l.message === "request");
    expect(line).toMatchObject({ status, username: user, lob });
    if (detail !== undefined) expect(line?.detail).toBe(detail);
  }

  it("refuses a user not entitled to the LOB with 403", async () => {
    await expectError(403, "You are not entitled to this Studio", undefined, "lob-a", "user-lob-b");
    expect(awsCalls()).toMatchObject({ assumeRole: 0, presign: 0 });
  });

  it("refuses an entitled user of a disabled LOB with 403", async () => {
    lobs.set("lob-a", { ...LOB_A, enabled: false });
    await expectError(403, "This Studio is disabled");
    expect(awsCalls()).toMatchObject({ assumeRole: 0, presign: 0 });
  });

  it("answers an unknown LOB exactly as a LOB the user is not entitled to", async () => {
    const unknown = await newHandler()(request("user-lob-a", "lob-z"), context());
    const notEntitled = await newHandler()(request("user-lob-a", "lob-b"), context());
    expect(unknown).toEqual(notEntitled);
    expect(unknown.statusCode).toBe(403);
    expect(logs.lines().map((l) => l.outcome)).toEqual(["unknown-lob", "not-entitled"]);
  });

  it.each(["LOB-A", "lob_a", "-lob", "a".repeat(64), "lob a", "..%2f"])(
    "answers 403 without reading any table for the malformed LOB name %p",
    async (lob) => {
      const response = await newHandler()(request("user-lob-a", lob), context());
      expect(response.statusCode).toBe(403);
      expect(body(response)).toEqual({ message: "You are not entitled to this Studio" });
      expect(ddb.calls()).toHaveLength(0);
    },
  );

  it("logs a malformed LOB name quoted, marked invalid and cut to 32 characters", async () => {
    const raw = `x"}\n{"level":"info"${"y".repeat(100)}`;
    await newHandler()(request("user-lob-a", raw), context());
    const logged = logs.lines().at(-1)?.lob;
    expect(logged).toBe(`invalid:${JSON.stringify(raw.slice(0, 32))}`);
    expect(logs.raw().split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("answers 404 for an unknown route", async () => {
    const response = await newHandler()(
      request("user-lob-a", undefined, { resource: "/admin" }),
      context(),
    );
    expect(response.statusCode).toBe(404);
    expect(body(response)).toEqual({ message: "Not found" });
  });

  it("answers 503 when DynamoDB throttles", async () => {
    ddb.on(BatchGetItemCommand).rejects(sdkError("ProvisionedThroughputExceededException", 400));
    await expectError(
      503,
      "Studio is busy, try again shortly",
      "DynamoDB.BatchGetItem: ProvisionedThroughputExceededException",
    );
  });

  it("answers 503 when DynamoDB leaves keys unprocessed", async () => {
    ddb.on(BatchGetItemCommand).resolves({
      Responses: {},
      UnprocessedKeys: { [LOBS]: { Keys: [marshall({ lob: "lob-a" })] } },
    });
    await expectError(
      503,
      "Studio is busy, try again shortly",
      "DynamoDB.BatchGetItem: unprocessed keys",
    );
  });

  it("answers 503 when STS throttles AssumeRole", async () => {
    sts.on(AssumeRoleCommand).rejects(sdkError("Throttling", 400));
    await expectError(503, "Studio is busy, try again shortly", "STS.AssumeRole: Throttling");
  });

  it("answers 502 when the LOB's role refuses AssumeRole", async () => {
    sts.on(AssumeRoleCommand).rejects(sdkError("AccessDenied", 403));
    await expectError(502, "Studio could not be opened", "STS.AssumeRole: AccessDenied");
  });

  it("answers 502 when AssumeRole returns no credentials", async () => {
    sts.on(AssumeRoleCommand).resolves({});
    await expectError(502, "Studio could not be opened", "STS.AssumeRole: Error");
  });

  it("answers 503 when SageMaker throttles", async () => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(sdkError("ThrottlingException", 400));
    await expectError(
      503,
      "Studio is busy, try again shortly",
      "SageMaker.CreatePresignedDomainUrl: ThrottlingException",
    );
  });

  it("answers 503 when SageMaker fails on its side (500)", async () => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(sdkError("InternalFailure", 500));
    await expectError(
      503,
      "Studio is busy, try again shortly",
      "SageMaker.CreatePresignedDomainUrl: InternalFailure",
    );
  });

  it("answers 503 when a network call times out", async () => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(
      Object.assign(new Error("socket hang up"), { name: "TimeoutError" }),
    );
    await expectError(
      503,
      "Studio is busy, try again shortly",
      "SageMaker.CreatePresignedDomainUrl: TimeoutError",
    );
  });

  it("answers 502 when the access role may not presign (AccessDeniedException), even once the profile is there", async () => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(sdkError("AccessDeniedException", 400));
    // AccessDenied may mean a profile without its LOB's tag (none yet): it is provisioned, and
    // found there and the user's; the presign is still refused.
    sm.on(CreateUserProfileCommand).rejects(sdkError("ResourceInUse", 400));
    sm.on(DescribeUserProfileCommand).resolves({
      Status: "InService",
      UserProfileArn: "arn:profile",
      UserSettings: {
        ExecutionRole: "arn:aws:iam::222222222222:role/studio-access/studio-access-team-default",
      },
    });
    sm.on(ListTagsCommand).resolves({
      Tags: [
        { Key: "studio-access:lob", Value: "lob-a" },
        { Key: "studio-access:team", Value: "default" },
        { Key: "studio-access:username", Value: "user-lob-a" },
      ],
    });
    await expectError(
      502,
      "Studio could not be opened",
      "SageMaker.CreatePresignedDomainUrl: AccessDeniedException",
    );
  });

  it("answers 502 when SageMaker returns no URL", async () => {
    sm.on(CreatePresignedDomainUrlCommand).resolves({});
    await expectError(
      502,
      "Studio could not be opened",
      "CreatePresignedDomainUrl: no URL returned",
    );
  });

  it("answers 502 when the LOB record lacks an attribute", async () => {
    const { domainId: _omitted, ...broken } = LOB_A;
    lobs.set("lob-a", broken);
    await expectError(
      502,
      "Studio could not be opened",
      'lobs table: item for "lob-a" lacks a required attribute',
    );
  });

  it("answers 502 when the entitlement has no profile name", async () => {
    entitlements = [
      { lob: "lob-a", userTeam: "user-lob-a#default", username: "user-lob-a", team: "default" },
    ];
    await expectError(
      502,
      "Studio could not be opened",
      'users table: entitlement to "lob-a" lacks a team or profileName',
    );
  });

  it("answers 502, not a crash, for an unexpected error", async () => {
    const handler = createHandler({
      config: loadConfig(process.env),
      verifier,
      dynamo: new DynamoDBClient({}),
      sts: new STSClient({}),
      sageMaker: () => {
        throw new TypeError(
          "cannot read properties of undefined (reading 'arn:aws:iam::222222222222')",
        );
      },
      now: () => clock,
    });
    const response = await handler(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(502);
    expect(body(response)).toEqual({ message: "Studio could not be opened" });
    expect(logs.lines().at(-1)?.detail).toBe("unexpected TypeError");
  });

  it("answers 503 inside the Lambda's remaining time when SageMaker never answers", async () => {
    sm.on(CreatePresignedDomainUrlCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    const response = await newHandler()(request("user-lob-a", "lob-a"), context(1_400));
    const elapsed = Date.now() - started;
    expect(response.statusCode).toBe(503);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(1_400);
    expect(logs.lines().at(-1)?.detail).toBe("request deadline of 400 ms passed");
  });

  it("bounds every request below API Gateway's 29 s, whatever time the Lambda has left", () => {
    expect(MAX_REQUEST_MS).toBeLessThan(29_000);
    expect(SDK_OPTIONS.maxAttempts).toBe(2);
  });
});

describe("presigner: credential cache", () => {
  it("reuses a LOB's credentials across users and requests", async () => {
    const handler = newHandler();
    await handler(request("user-lob-a", "lob-a"), context());
    await handler(request("user-both", "lob-a"), context());
    clock += 30 * 60_000;
    await handler(request("user-lob-a", "lob-a"), context());
    expect(awsCalls()).toEqual({ dynamo: 3, assumeRole: 1, presign: 3 });
  });

  it("keeps credentials per LOB: each LOB's role is assumed once", async () => {
    const handler = newHandler();
    await handler(request("user-both", "lob-a"), context());
    await handler(request("user-both", "lob-b"), context());
    await handler(request("user-lob-a", "lob-a"), context());
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      LOB_A.accessRoleArn,
      LOB_B.accessRoleArn,
    ]);
  });

  it("refreshes credentials once they are within the refresh margin of expiry, not before", async () => {
    const handler = newHandler();
    await handler(request("user-lob-a", "lob-a"), context());
    const expiry = T0 + 3600_000;
    clock = expiry - REFRESH_MARGIN_MS - 1;
    await handler(request("user-lob-a", "lob-a"), context());
    expect(awsCalls().assumeRole).toBe(1);
    clock = expiry - REFRESH_MARGIN_MS;
    await handler(request("user-lob-a", "lob-a"), context());
    expect(awsCalls().assumeRole).toBe(2);
    expect(sageMakerClients).toHaveLength(2);
  });

  it("makes one AssumeRole for many concurrent cold requests (single flight)", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    sts.on(AssumeRoleCommand).callsFake(async () => {
      await gate;
      return {
        Credentials: {
          AccessKeyId: "ASIA1",
          SecretAccessKey: "s",
          SessionToken: "t",
          Expiration: new Date(clock + 3600_000),
        },
      };
    });
    const handler = newHandler();
    const pending = Array.from({ length: 25 }, () =>
      handler(request("user-lob-a", "lob-a"), context()),
    );
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.statusCode)).toEqual(Array(25).fill(302));
    expect(awsCalls()).toEqual({ dynamo: 25, assumeRole: 1, presign: 25 });
    expect(sageMakerClients).toHaveLength(1);
  });

  it("makes one AssumeRole when many requests find the same stale credentials", async () => {
    const handler = newHandler();
    await handler(request("user-lob-a", "lob-a"), context());
    clock += 3600_000;
    await Promise.all(
      Array.from({ length: 10 }, () => handler(request("user-lob-a", "lob-a"), context())),
    );
    expect(awsCalls().assumeRole).toBe(2);
  });

  it("does not cache a failed AssumeRole: the next request tries again", async () => {
    let calls = 0;
    sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommand["input"]) => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error("x"), { name: "Throttling", $metadata: {} });
      return assumeRole(input);
    });
    const handler = newHandler();
    expect((await handler(request("user-lob-a", "lob-a"), context())).statusCode).toBe(503);
    expect((await handler(request("user-lob-a", "lob-a"), context())).statusCode).toBe(302);
    expect(calls).toBe(2);
  });

  it("assumes the role again once, and succeeds, when SageMaker says the credentials expired", async () => {
    sm.on(CreatePresignedDomainUrlCommand)
      .rejectsOnce(
        Object.assign(new Error("expired"), {
          name: "ExpiredTokenException",
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .resolves({ AuthorizedUrl: presignedUrl("d-aaaaaaaaaaaa", P("user-lob-a")) });
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(302);
    expect(awsCalls()).toEqual({ dynamo: 1, assumeRole: 2, presign: 2 });
  });

  it("gives up after one retry when fresh credentials are also refused as expired", async () => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(
      Object.assign(new Error("expired"), {
        name: "ExpiredTokenException",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(502);
    expect(awsCalls()).toEqual({ dynamo: 1, assumeRole: 2, presign: 2 });
  });
});

describe("presigner: GET /studios", () => {
  it("lists only the caller's entitlements, with domain and profile, without touching STS or SageMaker", async () => {
    const response = await newHandler()(request("user-both", undefined), context());
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({
      studios: [
        {
          lob: "lob-a",
          team: "default",
          domainId: "d-aaaaaaaaaaaa",
          profileName: P("user-both"),
          enabled: true,
        },
        {
          lob: "lob-b",
          team: "default",
          domainId: "d-bbbbbbbbbbbb",
          profileName: P("user-both"),
          enabled: true,
        },
      ],
    });
    expect(querySent(ddb, 0)).toEqual({
      TableName: USERS,
      IndexName: "by-username",
      KeyConditionExpression: "username = :u",
      ExpressionAttributeValues: { ":u": "user-both" },
      ExclusiveStartKey: undefined,
    });
    expect(awsCalls()).toEqual({ dynamo: 2, assumeRole: 0, presign: 0 });
  });

  it("ignores a username in the query string", async () => {
    const response = await newHandler()(
      request("user-lob-b", undefined, { queryStringParameters: { username: "user-both" } }),
      context(),
    );
    expect(body(response)).toEqual({
      studios: [
        {
          lob: "lob-b",
          team: "default",
          domainId: "d-bbbbbbbbbbbb",
          profileName: P("user-lob-b"),
          enabled: true,
        },
      ],
    });
  });

  it("leaves out entitlements to LOBs that are not registered and shows disabled ones as such", async () => {
    entitlements.push(row("user-lob-a", "lob-gone", "p"));
    lobs.set("lob-a", { ...LOB_A, enabled: false });
    const response = await newHandler()(request("user-lob-a", undefined), context());
    expect(body(response)).toEqual({
      studios: [
        {
          lob: "lob-a",
          team: "default",
          domainId: "d-aaaaaaaaaaaa",
          profileName: P("user-lob-a"),
          enabled: false,
        },
      ],
    });
  });

  it("answers an empty list, with no LOB lookup, to a user with no entitlements", async () => {
    const response = await newHandler()(request("nobody", undefined), context());
    expect(body(response)).toEqual({ studios: [] });
    expect(awsCalls()).toEqual({ dynamo: 1, assumeRole: 0, presign: 0 });
  });

  it("follows the query's pages", async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: asAttributes([entitlements[2]!]),
        LastEvaluatedKey: marshall({ username: "user-both", lob: "lob-b" }),
      })
      .resolvesOnce({ Items: asAttributes([entitlements[3]!]) });
    const response = await newHandler()(request("user-both", undefined), context());
    expect((body(response).studios as unknown[]).length).toBe(2);
    expect(querySent(ddb, 1).ExclusiveStartKey).toEqual({
      username: "user-both",
      lob: "lob-b",
    });
  });
});

describe("presigner: logs", () => {
  it("writes one structured line per request with request id, user, LOB, account, profile, outcome and latency", async () => {
    sm.on(CreatePresignedDomainUrlCommand).callsFake(() => {
      clock += 42;
      return { AuthorizedUrl: presignedUrl("d-aaaaaaaaaaaa", P("user-lob-a")) };
    });
    await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(logs.lines()).toEqual([
      {
        level: "info",
        message: "request",
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        requestId: "req-1",
        route: "/studios/{lob}",
        username: "user-lob-a",
        lob: "lob-a",
        team: "default",
        account: "222222222222",
        profile: P("user-lob-a"),
        outcome: "ok",
        status: 302,
        latencyMs: 42,
      },
    ]);
  });

  it("never logs the presigned URL or the caller's token, on success or failure", async () => {
    const handler = newHandler();
    await handler(request("user-lob-a", "lob-a"), context());
    await handler(
      request("user-lob-a", "lob-a", {
        headers: {
          Accept: "application/json",
          Authorization: "Bearer header.payload.signature-of-the-caller",
        },
      }),
      context(),
    );
    sm.on(CreatePresignedDomainUrlCommand).rejects(new Error("boom"));
    await handler(request("user-lob-a", "lob-a"), context());
    expect(logs.lines()).toHaveLength(3);
    expect(logs.raw()).not.toContain("SECRET");
    expect(logs.raw()).not.toContain("studio.us-east-1.sagemaker.aws");
    expect(logs.raw()).not.toContain("signature-of-the-caller");
  });
});

describe("presigner: configuration", () => {
  const valid = {
    USERS_TABLE: "u",
    LOBS_TABLE: "l",
    URL_EXPIRES_SECONDS: "20",
    SESSION_EXPIRES_SECONDS: "1800",
    LOB_REGISTRY: process.env.LOB_REGISTRY,
  };

  it("reads the variables and the LOB registry file", () => {
    expect(loadConfig(valid)).toEqual({
      usersTable: "u",
      lobsTable: "l",
      urlExpiresSeconds: 20,
      sessionExpiresSeconds: 1800,
      lobs: new Map([
        [
          "lob-a",
          {
            accountId: LOB_A.accountId,
            accessRoleArn: LOB_A.accessRoleArn,
            provisionerRoleArn: `${LOB_A.accessRoleArn}-provisioner`,
            lifecycleRoleArn: `${LOB_A.accessRoleArn}-lifecycle`,
          },
        ],
        [
          "lob-b",
          {
            accountId: LOB_B.accountId,
            accessRoleArn: LOB_B.accessRoleArn,
            provisionerRoleArn: `${LOB_B.accessRoleArn}-provisioner`,
            lifecycleRoleArn: `${LOB_B.accessRoleArn}-lifecycle`,
          },
        ],
      ]),
    });
  });

  it("refuses a registry file that cannot be read, naming it", () => {
    expect(() => loadConfig({ ...valid, LOB_REGISTRY: "/nonexistent/lobs.json" })).toThrow(
      "environment variable LOB_REGISTRY names /nonexistent/lobs.json, which cannot be read",
    );
  });

  it.each([
    ["not JSON", "{", "LOB_REGISTRY f is not JSON"],
    [
      "a list",
      "[]",
      "LOB_REGISTRY f: expected an object of LOB name to {accountId, accessRoleArn, provisionerRoleArn, lifecycleRoleArn}",
    ],
    [
      "a LOB without a provisioning role",
      '{"lob-a":{"accountId":"222222222222","accessRoleArn":"arn:aws:iam::222222222222:role/R"}}',
      'LOB_REGISTRY f: "lob-a" needs an accountId, and an accessRoleArn, a provisionerRoleArn and a lifecycleRoleArn in that account',
    ],
    [
      "a provisioning role in another account",
      '{"lob-a":{"accountId":"222222222222","accessRoleArn":"arn:aws:iam::222222222222:role/R","provisionerRoleArn":"arn:aws:iam::333333333333:role/P"}}',
      'LOB_REGISTRY f: "lob-a" needs an accountId, and an accessRoleArn, a provisionerRoleArn and a lifecycleRoleArn in that account',
    ],
    [
      "a role in another account",
      '{"lob-a":{"accountId":"222222222222","accessRoleArn":"arn:aws:iam::333333333333:role/R"}}',
      'LOB_REGISTRY f: "lob-a" needs an accountId, and an accessRoleArn, a provisionerRoleArn and a lifecycleRoleArn in that account',
    ],
  ])("refuses a registry that is %s", (_what, text, message) => {
    expect(() => parseRegistry(text, "LOB_REGISTRY f")).toThrow(message);
  });

  it.each([
    [{ USERS_TABLE: undefined }, "environment variable USERS_TABLE is required but is not set"],
    [{ LOBS_TABLE: " " }, "environment variable LOBS_TABLE is required but is not set"],
    [
      { URL_EXPIRES_SECONDS: "4" },
      'environment variable URL_EXPIRES_SECONDS is "4": expected a whole number of seconds from 5 to 300',
    ],
    [
      { URL_EXPIRES_SECONDS: "301" },
      'environment variable URL_EXPIRES_SECONDS is "301": expected a whole number of seconds from 5 to 300',
    ],
    [
      { URL_EXPIRES_SECONDS: "twenty" },
      'environment variable URL_EXPIRES_SECONDS is "twenty": expected a whole number of seconds from 5 to 300',
    ],
    [
      { SESSION_EXPIRES_SECONDS: "1799" },
      'environment variable SESSION_EXPIRES_SECONDS is "1799": expected a whole number of seconds from 1800 to 43200',
    ],
    [
      { SESSION_EXPIRES_SECONDS: "43200.5" },
      'environment variable SESSION_EXPIRES_SECONDS is "43200.5": expected a whole number of seconds from 1800 to 43200',
    ],
  ])("refuses %p", (override, message) => {
    expect(() => loadConfig({ ...valid, ...override })).toThrow(message);
  });
});

describe("presigner: the exported handler", () => {
  it("is wired from the environment and signs a user in", async () => {
    const response = await defaultHandler(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(302);
    expect(batchGetSent(ddb, 0).RequestItems).toHaveProperty(USERS);
    expect(
      sm.commandCalls(CreatePresignedDomainUrlCommand)[0]!.args[0].input.ExpiresInSeconds,
    ).toBe(20);
  });
});

describe("presigner: teams", () => {
  const TEAMS_LOB = { ...LOB_A, teams: ["analytics", "forecasting"] };
  beforeEach(() => {
    lobs.set("lob-a", { ...TEAMS_LOB });
    entitlements = [
      row("dana.scientist", "lob-a", "analytics--dana-scientist-4b72e7", "analytics"),
      row("dana.scientist", "lob-a", P("dana.scientist", "forecasting"), "forecasting"),
      row("user-lob-a", "lob-a", P("user-lob-a", "analytics"), "analytics"),
    ];
  });
  const teamQuery = (team: string) => ({
    queryStringParameters: { team },
    multiValueQueryStringParameters: { team: [team] },
  });

  it("opens the user's only team of a LOB with teams: the record, then a Query of their rows", async () => {
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(302);
    expect(response.headers?.Location).toBe(
      presignedUrl("d-aaaaaaaaaaaa", P("user-lob-a", "analytics")),
    );
    expect(querySent(ddb, 0)).toEqual({
      TableName: USERS,
      KeyConditionExpression: "#lob = :lob AND begins_with(#key, :prefix)",
      FilterExpression: "username = :u",
      ExpressionAttributeNames: { "#lob": "lob", "#key": "userTeam" },
      ExpressionAttributeValues: { ":lob": "lob-a", ":prefix": "user-lob-a#", ":u": "user-lob-a" },
      ConsistentRead: true,
      ExclusiveStartKey: undefined,
    });
    expect(awsCalls()).toEqual({ dynamo: 2, assumeRole: 1, presign: 1 });
    expect(logs.lines().at(-1)).toMatchObject({
      team: "analytics",
      profile: P("user-lob-a", "analytics"),
    });
  });

  it("answers 409 naming the user's teams when they are in several and named none", async () => {
    const response = await newHandler()(request("dana.scientist", "lob-a"), context());
    expect(response.statusCode).toBe(409);
    expect(body(response)).toEqual({
      message:
        "You are in several teams of this Studio: choose one with team (analytics, forecasting)",
      teams: ["analytics", "forecasting"],
    });
    expect(awsCalls()).toMatchObject({ assumeRole: 0, presign: 0 });
  });

  it("says a disabled LOB is disabled (403), rather than asking which team", async () => {
    lobs.set("lob-a", { ...TEAMS_LOB, enabled: false });
    const response = await newHandler()(request("dana.scientist", "lob-a"), context());
    expect(response.statusCode).toBe(403);
    expect(body(response)).toEqual({ message: "This Studio is disabled" });
  });

  it("opens the named team's profile with one BatchGetItem", async () => {
    const response = await newHandler()(
      request("dana.scientist", "lob-a", teamQuery("forecasting")),
      context(),
    );
    expect(response.statusCode).toBe(302);
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)[0]!.args[0].input.UserProfileName).toBe(
      P("dana.scientist", "forecasting"),
    );
    expect(batchGetSent(ddb, 0).RequestItems?.[USERS]?.Keys).toEqual([
      { lob: "lob-a", userTeam: "dana.scientist#forecasting" },
      { lob: "lob-a", userTeam: "dana.scientist#config:forecasting" },
      { lob: "#disabled", userTeam: "dana.scientist#" },
    ]);
    expect(awsCalls()).toEqual({ dynamo: 1, assumeRole: 1, presign: 1 });
  });

  it.each([
    ["a team the user is not in", "user-lob-a", teamQuery("forecasting"), 403],
    ["a team the LOB no longer has", "user-lob-a", teamQuery("old-team"), 403],
    ["an invalid team name", "user-lob-a", teamQuery("Team_1"), 400],
    [
      "team given twice",
      "dana.scientist",
      {
        queryStringParameters: { team: "forecasting" },
        multiValueQueryStringParameters: { team: ["analytics", "forecasting"] },
      },
      400,
    ],
  ])("refuses %s", async (_what, user, extra, status) => {
    entitlements.push(row("user-lob-a", "lob-a", P("user-lob-a", "old-team"), "old-team"));
    const response = await newHandler()(request(user, "lob-a", extra), context());
    expect(response.statusCode).toBe(status);
    expect(awsCalls()).toMatchObject({ presign: 0 });
  });

  it("lists a user in two teams of a LOB once per team, reading the LOB's record once", async () => {
    const response = await newHandler()(request("dana.scientist", undefined), context());
    expect(response.statusCode).toBe(200);
    expect(body(response).studios).toEqual([
      {
        lob: "lob-a",
        team: "analytics",
        domainId: "d-aaaaaaaaaaaa",
        profileName: "analytics--dana-scientist-4b72e7",
        enabled: true,
      },
      {
        lob: "lob-a",
        team: "forecasting",
        domainId: "d-aaaaaaaaaaaa",
        profileName: P("dana.scientist", "forecasting"),
        enabled: true,
      },
    ]);
    expect(batchGetSent(ddb, 0).RequestItems?.[LOBS]?.Keys).toEqual([{ lob: "lob-a" }]);
  });

  it("ignores rows of teams the LOB no longer has when it picks the user's team", async () => {
    entitlements.push(row("user-lob-a", "lob-a", P("user-lob-a", "old-team"), "old-team"));
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(302);
    const list = await newHandler()(request("user-lob-a", undefined), context());
    expect((body(list).studios as { team: string }[]).map((s) => s.team)).toEqual(["analytics"]);
  });

  it("refuses a row whose profile name is not the user's in that team (a forged row)", async () => {
    entitlements[2] = row("user-lob-a", "lob-a", P("user-lob-a", "forecasting"), "analytics");
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(502);
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "record-mismatch",
      detail: `users table: user-lob-a's entitlement to lob-a/analytics (admin) names profile ${P("user-lob-a", "forecasting")}, not ${P("user-lob-a", "analytics")}`,
    });
  });
});

describe("presigner: first sign-in creates the profile", () => {
  const missing = () => sdkError("ResourceNotFound", 400);
  let created: boolean;
  let startedAt: number;
  /** SageMaker as a new profile behaves: absent, then Pending for `startMs`, then InService. */
  function profileStartsIn(startMs: number) {
    created = false;
    sm.on(CreatePresignedDomainUrlCommand).callsFake(
      (input: CreatePresignedDomainUrlCommand["input"]) => {
        if (!created || clock < startedAt + startMs) throw missing();
        return { AuthorizedUrl: presignedUrl(input.DomainId!, input.UserProfileName!) };
      },
    );
    sm.on(CreateUserProfileCommand).callsFake(() => {
      if (created) throw sdkError("ResourceInUse", 400);
      created = true;
      startedAt = clock;
      return { UserProfileArn: "arn" };
    });
    sm.on(DescribeUserProfileCommand).callsFake((input: DescribeUserProfileCommand["input"]) => ({
      Status: clock < startedAt + startMs ? "Pending" : "InService",
      UserProfileArn: `arn:aws:sagemaker:us-east-1:222222222222:user-profile/${input.DomainId!}/${input.UserProfileName!}`,
      UserSettings: { ExecutionRole: owner.role },
    }));
    sm.on(ListTagsCommand).callsFake(() => ({
      Tags: Object.entries(owner.tags).map(([Key, Value]) => ({ Key, Value })),
    }));
  }
  /** What the existing profile says of itself: by default, what the presigner would create. */
  let owner: { role?: string; tags: Record<string, string> };
  beforeEach(() => {
    owner = {
      role: "arn:aws:iam::222222222222:role/studio-access/studio-access-team-default",
      tags: {
        "studio-access:lob": "lob-a",
        "studio-access:team": "default",
        "studio-access:username": "user-lob-a",
      },
    };
  });

  it("creates it through the provisioning role with exactly the team's role and tags, then presigns", async () => {
    profileStartsIn(1_500);
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(302);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      "arn:aws:iam::222222222222:role/StudioAccessRole",
      "arn:aws:iam::222222222222:role/StudioAccessRole-provisioner",
    ]);
    expect(sm.commandCalls(CreateUserProfileCommand).map((c) => c.args[0].input)).toEqual([
      {
        DomainId: "d-aaaaaaaaaaaa",
        UserProfileName: P("user-lob-a"),
        UserSettings: {
          ExecutionRole: "arn:aws:iam::222222222222:role/studio-access/studio-access-team-default",
        },
        Tags: [
          { Key: "studio-access:lob", Value: "lob-a" },
          { Key: "studio-access:team", Value: "default" },
          { Key: "studio-access:username", Value: "user-lob-a" },
        ],
      },
    ]);
    // Pending for 1.5 s, looked at every 0.5 s: InService on the fourth look.
    expect(sm.commandCalls(DescribeUserProfileCommand)).toHaveLength(4);
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(2);
  });

  it("sets the team's idle shutdown from the LOB's row on JupyterLab and Code Editor (#21)", async () => {
    lobs.set("lob-a", {
      ...LOB_A,
      idleShutdown: { default: { minutes: 240, min: 60, max: 480 } },
    });
    profileStartsIn(0);
    expect((await newHandler()(request("user-lob-a", "lob-a"), context())).statusCode).toBe(302);
    const idle = {
      AppLifecycleManagement: {
        IdleSettings: {
          LifecycleManagement: "ENABLED",
          IdleTimeoutInMinutes: 240,
          MinIdleTimeoutInMinutes: 60,
          MaxIdleTimeoutInMinutes: 480,
        },
      },
    };
    expect(sm.commandCalls(CreateUserProfileCommand)[0]?.args[0].input.UserSettings).toEqual({
      ExecutionRole: "arn:aws:iam::222222222222:role/studio-access/studio-access-team-default",
      JupyterLabAppSettings: idle,
      CodeEditorAppSettings: idle,
    });
  });

  it("turns idle shutdown off on the profile when the team's setting is off (#21)", async () => {
    lobs.set("lob-a", { ...LOB_A, idleShutdown: { default: "off" } });
    profileStartsIn(0);
    expect((await newHandler()(request("user-lob-a", "lob-a"), context())).statusCode).toBe(302);
    const off = { AppLifecycleManagement: { IdleSettings: { LifecycleManagement: "DISABLED" } } };
    expect(sm.commandCalls(CreateUserProfileCommand)[0]?.args[0].input.UserSettings).toEqual({
      ExecutionRole: "arn:aws:iam::222222222222:role/studio-access/studio-access-team-default",
      JupyterLabAppSettings: off,
      CodeEditorAppSettings: off,
    });
  });

  it.each<[string, unknown, string]>([
    ["not a map", "off", "that is not a map of team to setting"],
    [
      "without the team",
      { other: { minutes: 120 } },
      "whose teams differ from its teams (no default, unknown other)",
    ],
    [
      "below the range",
      { default: { minutes: 30 } },
      "for team default that is not valid: expected minutes a whole number of minutes from 60 to 525,600 (is 30)",
    ],
    [
      "with a min above minutes",
      { default: { minutes: 120, min: 200 } },
      "for team default that is not valid: expected min (200) at most minutes (120)",
    ],
    [
      "with a field of its own",
      { default: { minutes: 120, hours: 2 } },
      "for team default that is not valid: expected no field hours (known: minutes, min, max)",
    ],
  ])(
    "refuses a row whose idleShutdown is %s, creating nothing (#21)",
    async (_, idleShutdown, detail) => {
      lobs.set("lob-a", { ...LOB_A, idleShutdown });
      profileStartsIn(0);
      const response = await newHandler()(request("user-lob-a", "lob-a"), context());
      expect(response.statusCode).toBe(502);
      expect(logs.lines().find((l) => l.message === "request")?.detail).toBe(
        `lobs table: item for "lob-a" has an idleShutdown ${detail}`,
      );
      expect(sm.commandCalls(CreateUserProfileCommand)).toHaveLength(0);
    },
  );

  it("sets the team's space storage from the LOB's row on the profile (#21)", async () => {
    lobs.set("lob-a", { ...LOB_A, spaceStorage: { default: { defaultGb: 20, maxGb: 200 } } });
    profileStartsIn(0);
    expect((await newHandler()(request("user-lob-a", "lob-a"), context())).statusCode).toBe(302);
    expect(sm.commandCalls(CreateUserProfileCommand)[0]?.args[0].input.UserSettings).toEqual({
      ExecutionRole: "arn:aws:iam::222222222222:role/studio-access/studio-access-team-default",
      SpaceStorageSettings: {
        DefaultEbsStorageSettings: { DefaultEbsVolumeSizeInGb: 20, MaximumEbsVolumeSizeInGb: 200 },
      },
    });
  });

  it("creates a profile without storage settings from a row written before them (#21)", async () => {
    profileStartsIn(0);
    expect((await newHandler()(request("user-lob-a", "lob-a"), context())).statusCode).toBe(302);
    expect(
      sm.commandCalls(CreateUserProfileCommand)[0]?.args[0].input.UserSettings,
    ).not.toHaveProperty("SpaceStorageSettings");
  });

  it.each<[string, unknown, string]>([
    [
      "not a map",
      { defaultGb: 5, maxGb: 100 },
      "whose teams differ from its teams (no default, unknown defaultGb, unknown maxGb)",
    ],
    ["a list", [], "that is not a map of team to setting"],
    [
      "without the team",
      { other: { defaultGb: 5, maxGb: 100 } },
      "whose teams differ from its teams (no default, unknown other)",
    ],
    [
      "above the range",
      { default: { defaultGb: 5, maxGb: 20000 } },
      "for team default that is not valid: expected maxGb a whole number of GB from 5 to 16,384 (is 20000)",
    ],
    [
      "with a default above the max",
      { default: { defaultGb: 200, maxGb: 100 } },
      "for team default that is not valid: expected defaultGb (200) at most maxGb (100)",
    ],
    [
      "with a field of its own",
      { default: { defaultGb: 5, maxGb: 100, iops: 3000 } },
      "for team default that is not valid: expected no field iops (known: defaultGb, maxGb)",
    ],
  ])(
    "refuses a row whose spaceStorage is %s, creating nothing (#21)",
    async (_, spaceStorage, detail) => {
      lobs.set("lob-a", { ...LOB_A, spaceStorage });
      profileStartsIn(0);
      const response = await newHandler()(request("user-lob-a", "lob-a"), context());
      expect(response.statusCode).toBe(502);
      expect(logs.lines().find((l) => l.message === "request")?.detail).toBe(
        `lobs table: item for "lob-a" has a spaceStorage ${detail}`,
      );
      expect(sm.commandCalls(CreateUserProfileCommand)).toHaveLength(0);
    },
  );

  it("logs firstSignIn: true on the request that created the profile, and not on the next (the FirstSignIns metric filter counts it, #21)", async () => {
    profileStartsIn(0);
    const handler = newHandler();
    await handler(request("user-lob-a", "lob-a"), context());
    await handler(request("user-lob-a", "lob-a"), context());
    const lines = logs.lines().filter((l) => l.message === "request");
    expect(lines.map((l) => [l.status, l.firstSignIn])).toEqual([
      [302, true],
      [302, undefined],
    ]);
  });

  it("answers 202 with Retry-After when the profile is not InService within 5 s, and opens on a later try", async () => {
    profileStartsIn(8_000);
    const handler = newHandler();
    const first = await handler(
      request("user-lob-a", "lob-a", { headers: { Accept: "application/json" } }),
      context(),
    );
    expect(first.statusCode).toBe(202);
    expect(first.headers).toEqual({
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
      "Retry-After": "5",
    });
    expect(body(first)).toEqual({
      message: "Your Studio profile is being created: try again shortly",
      retryAfterSeconds: 5,
    });
    expect(clock - T0).toBeLessThanOrEqual(5_000);
    expect(logs.lines().at(-1)).toMatchObject({
      level: "info",
      outcome: "profile-pending",
      status: 202,
      detail: `profile ${P("user-lob-a")} is Pending`,
    });
    // Asked again while it still starts: CreateUserProfile says ResourceInUse, and the request
    // waits for that profile rather than failing or making another.
    clock = startedAt + 6_000;
    const later = await handler(request("user-lob-a", "lob-a"), context());
    expect(later.statusCode).toBe(302);
    expect(clock - startedAt).toBeGreaterThanOrEqual(8_000);
    expect(sm.commandCalls(CreateUserProfileCommand)).toHaveLength(2);
    // Once InService, a sign-in is a presign alone.
    const calls = sm.calls().length;
    expect((await handler(request("user-lob-a", "lob-a"), context())).statusCode).toBe(302);
    expect(sm.calls().length - calls).toBe(1);
  });

  it.each([
    ["AccessDeniedException", 502, "SageMaker.CreateUserProfile: AccessDeniedException"],
    ["ResourceLimitExceeded", 502, "SageMaker.CreateUserProfile: ResourceLimitExceeded"],
    ["ThrottlingException", 503, "SageMaker.CreateUserProfile: ThrottlingException"],
  ])("answers %s from CreateUserProfile with %i", async (name, status, detail) => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(missing());
    sm.on(CreateUserProfileCommand).rejects(
      sdkError(name, name === "ThrottlingException" ? 400 : 400),
    );
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(status);
    expect(logs.lines().at(-1)).toMatchObject({ detail });
  });

  it("answers 502 when the new profile fails to start", async () => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(missing());
    sm.on(CreateUserProfileCommand).resolves({});
    sm.on(DescribeUserProfileCommand).resolves({ Status: "Failed" });
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(502);
    expect(logs.lines().at(-1)).toMatchObject({
      detail: "SageMaker.DescribeUserProfile: ProfileFailed",
    });
  });

  it("does not create a profile for a deep link to a space that is missing (404)", async () => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(missing());
    const response = await newHandler()(
      request("user-lob-a", "lob-a", {
        queryStringParameters: { app: "jupyterlab", space: "gone" },
      }),
      context(),
    );
    expect(response.statusCode).toBe(404);
    expect(sm.commandCalls(CreateUserProfileCommand)).toHaveLength(0);
  });

  /** A profile of the user's name that already exists, made by someone else. */
  function existingProfile() {
    profileStartsIn(0);
    created = true;
    startedAt = clock - 60_000;
    sm.on(CreatePresignedDomainUrlCommand).rejects(sdkError("AccessDeniedException", 400));
  }

  it.each([
    [
      "untagged, made by a LOB pipeline",
      () => {
        owner.tags = {};
      },
      "studio-access:username absent, studio-access:team absent, studio-access:lob absent",
    ],
    [
      "tagged for another user (a look-alike)",
      () => {
        owner.tags["studio-access:username"] = "user-lob-a-3nbs3wnxbyw5ty7m";
      },
      'studio-access:username "user-lob-a-3nbs3wnxbyw5ty7m"',
    ],
    [
      "tagged for another team",
      () => {
        owner.tags["studio-access:team"] = "analytics";
      },
      'studio-access:team "analytics"',
    ],
    [
      "tagged for another LOB",
      () => {
        owner.tags["studio-access:lob"] = "lob-b";
      },
      'studio-access:lob "lob-b"',
    ],
    [
      "with another execution role (an administrator's)",
      () => {
        owner.role = "arn:aws:iam::222222222222:role/Admin";
      },
      'execution role "arn:aws:iam::222222222222:role/Admin"',
    ],
  ])(
    "refuses to adopt an existing profile %s: 409, nothing presigned, the log names what differs",
    async (_, tamper, differs) => {
      existingProfile();
      tamper();
      const response = await newHandler()(request("user-lob-a", "lob-a"), context());
      expect(response.statusCode).toBe(409);
      expect(body(response)).toEqual({
        message:
          "A Studio profile of your name exists that studio-access did not make for you: ask your platform team",
      });
      expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(1);
      expect(logs.lines().at(-1)).toMatchObject({
        outcome: "profile-not-owned",
        status: 409,
        detail: `profile ${P("user-lob-a")} exists and is not this user's: ${differs}`,
      });
    },
  );

  it("opens an existing profile that is the user's own after an AccessDenied first presign", async () => {
    existingProfile();
    let presigns = 0;
    sm.on(CreatePresignedDomainUrlCommand).callsFake(
      (input: CreatePresignedDomainUrlCommand["input"]) => {
        presigns += 1;
        if (presigns === 1) throw sdkError("AccessDeniedException", 400);
        return { AuthorizedUrl: presignedUrl(input.DomainId!, input.UserProfileName!) };
      },
    );
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(302);
    expect(sm.commandCalls(ListTagsCommand)).toHaveLength(1);
  });

  it.each([
    ["Deleting", () => ({ Status: "Deleting" }), `profile ${P("user-lob-a")} is Deleting`],
    [
      "gone (ResourceNotFound)",
      () => {
        throw sdkError("ResourceNotFound", 400);
      },
      `profile ${P("user-lob-a")} was deleted`,
    ],
  ])(
    "answers 202, never 502, when an offboarding races the first sign-in (the profile is %s)",
    async (_, describe, detail) => {
      sm.on(CreatePresignedDomainUrlCommand).rejects(missing());
      sm.on(CreateUserProfileCommand).resolves({});
      sm.on(DescribeUserProfileCommand).callsFake(describe);
      const response = await newHandler()(request("user-lob-a", "lob-a"), context());
      expect(response.statusCode).toBe(202);
      expect(logs.lines().at(-1)).toMatchObject({ outcome: "profile-pending", detail });
    },
  );

  /**
   * The user's profile exists and is Pending (another request of theirs made it) for `startMs`
   * more; meanwhile CreatePresignedDomainUrl answers `refusal`, whatever SageMaker answers then.
   */
  function pendingProfile(refusal: () => Error, startMs: number) {
    profileStartsIn(startMs);
    created = true;
    startedAt = clock;
    sm.on(CreatePresignedDomainUrlCommand).callsFake(
      (input: CreatePresignedDomainUrlCommand["input"]) => {
        if (clock < startedAt + startMs) throw refusal();
        return { AuthorizedUrl: presignedUrl(input.DomainId!, input.UserProfileName!) };
      },
    );
  }

  it.each([
    ["ValidationException", 400],
    ["ResourceInUse", 400],
    ["ConflictException", 409],
    ["ThrottlingException", 400],
    ["InternalFailure", 500],
  ])(
    "waits for a Pending profile of the user's own whatever the presign answers (%s), then opens it",
    async (name, status) => {
      pendingProfile(() => sdkError(name, status), 1_500);
      const response = await newHandler()(request("user-lob-a", "lob-a"), context());
      expect(response.statusCode).toBe(302);
      // Read as Pending through the provisioning role, checked as the user's, waited for: no
      // second profile is made.
      expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
        "arn:aws:iam::222222222222:role/StudioAccessRole",
        "arn:aws:iam::222222222222:role/StudioAccessRole-provisioner",
      ]);
      expect(sm.commandCalls(CreateUserProfileCommand)).toHaveLength(0);
      expect(sm.commandCalls(ListTagsCommand)).toHaveLength(1);
      expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(2);
      expect(clock - startedAt).toBeGreaterThanOrEqual(1_500);
    },
  );

  it("answers 202 for a Pending profile that is not InService within 5 s", async () => {
    pendingProfile(() => sdkError("ValidationException", 400), 8_000);
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(202);
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "profile-pending",
      detail: `profile ${P("user-lob-a")} is Pending`,
    });
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(1);
  });

  it("refuses a Pending profile that is not the user's (409), whatever the presign answered", async () => {
    pendingProfile(() => sdkError("ValidationException", 400), 1_500);
    owner.tags["studio-access:username"] = "someone-else";
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(409);
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(1);
  });

  it.each([
    ["InService", () => ({ Status: "InService" })],
    ["Failed", () => ({ Status: "Failed" })],
    [
      "unreadable",
      () => {
        throw sdkError("AccessDeniedException", 400);
      },
    ],
  ])("keeps the presign's own error when the profile is not starting (%s)", async (_, describe) => {
    sm.on(CreatePresignedDomainUrlCommand).rejects(sdkError("ValidationException", 400));
    sm.on(DescribeUserProfileCommand).callsFake(describe);
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(502);
    expect(logs.lines().at(-1)).toMatchObject({
      detail: "SageMaker.CreatePresignedDomainUrl: ValidationException",
    });
    expect(sm.commandCalls(DescribeUserProfileCommand)).toHaveLength(1);
    expect(sm.commandCalls(CreateUserProfileCommand)).toHaveLength(0);
    expect(sm.commandCalls(ListTagsCommand)).toHaveLength(0);
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(1);
  });

  it("answers 202 when the new profile is deleted between its start and the presign", async () => {
    profileStartsIn(0);
    sm.on(CreatePresignedDomainUrlCommand).rejects(missing());
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(202);
    expect(logs.lines().at(-1)).toMatchObject({
      detail: `profile ${P("user-lob-a")} went while it was presigned`,
    });
  });
});

describe("presigner: revocation and disable are durable", () => {
  it("refuses a disabled user at once, in the one read, with nothing presigned", async () => {
    entitlements.push({
      lob: "#disabled",
      userTeam: "user-lob-a#",
      username: "user-lob-a",
      state: "disabled",
    });
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(403);
    expect(body(response)).toEqual({ message: "You are not entitled to this Studio" });
    expect(awsCalls()).toEqual({ dynamo: 1, assumeRole: 0, presign: 0 });
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "user-disabled", status: 403 });
  });

  it("lists nothing for a disabled user (403) and opens again once the marker says enabled", async () => {
    const marker: Row = {
      lob: "#disabled",
      userTeam: "user-lob-a#",
      username: "user-lob-a",
      state: "disabled",
    };
    entitlements.push(marker);
    expect((await newHandler()(request("user-lob-a", undefined), context())).statusCode).toBe(403);
    marker.state = "enabled";
    expect((await newHandler()(request("user-lob-a", "lob-a"), context())).statusCode).toBe(302);
    const list = await newHandler()(request("user-lob-a", undefined), context());
    expect((body(list) as { studios: { lob: string }[] }).studios.map((s) => s.lob)).toEqual([
      "lob-a",
    ]);
  });

  it("refuses a row left offboarded (the revocation marker)", async () => {
    entitlements[0] = { ...entitlements[0]!, state: "offboarded" };
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(403);
    expect(awsCalls().presign).toBe(0);
  });
});

describe("presigner: a config seed and an admin grant coexist; either lets the user in", () => {
  /** user-lob-a's config seed in lob-a (lob-a's stack writes `<username>#config:<team>`). */
  const seed = (state?: string): Row => ({
    ...row("user-lob-a", "lob-a", P("user-lob-a")),
    userTeam: "user-lob-a#config:default",
    ...(state ? { state } : {}),
  });
  const admin = (state?: string): Row => ({
    ...row("user-lob-a", "lob-a", P("user-lob-a")),
    ...(state ? { state } : {}),
  });
  const open = async () =>
    (await newHandler()(request("user-lob-a", "lob-a"), context())).statusCode;
  const listed = async () =>
    (
      body(await newHandler()(request("user-lob-a", undefined), context())) as {
        studios: { lob: string; team: string; profileName: string }[];
      }
    ).studios;

  it.each<[string, Row[], number]>([
    ["seed only", [seed()], 302],
    ["admin grant only", [admin()], 302],
    ["both", [seed(), admin()], 302],
    [
      "the seed, beside an admin grant revoked (the config still names them)",
      [seed(), admin("revoked")],
      302,
    ],
    ["the seed re-added over an offboarded admin row", [seed(), admin("offboarded")], 302],
    ["an admin grant revoked, no seed", [admin("revoked")], 403],
    ["an admin row offboarded, no seed", [admin("offboarded")], 403],
    // A seed an admin disable marked revoked (an older release): it lets no one in.
    ["a seed revoked, no admin row", [seed("revoked")], 403],
  ])(
    "%s: GET /studios/lob-a answers %d, with both rows read in the one BatchGetItem",
    async (_what, rows, status) => {
      entitlements = [...rows, row("user-lob-b", "lob-b", P("user-lob-b"))];
      expect(await open()).toBe(status);
      expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(1);
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
      expect((await listed()).map((s) => s.lob)).toEqual(status === 302 ? ["lob-a"] : []);
    },
  );

  it("lists one Studio for a user whose seed and admin grant are of the same LOB and team", async () => {
    entitlements = [seed(), admin()];
    expect(await listed()).toEqual([
      {
        lob: "lob-a",
        team: "default",
        domainId: "d-aaaaaaaaaaaa",
        profileName: P("user-lob-a"),
        enabled: true,
      },
    ]);
  });

  it("refuses both for a disabled user: the marker is over every row", async () => {
    entitlements = [
      seed(),
      admin(),
      { lob: "#disabled", userTeam: "user-lob-a#", username: "user-lob-a", state: "disabled" },
    ];
    expect(await open()).toBe(403);
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "user-disabled" });
    expect((await newHandler()(request("user-lob-a", undefined), context())).statusCode).toBe(403);
    expect(awsCalls().presign).toBe(0);
  });

  it("refuses a seed whose profile name is not the user's, though the admin row's is (every row that lets them in is checked)", async () => {
    entitlements = [{ ...seed(), profileName: P("user-lob-b") }, admin()];
    const response = await newHandler()(request("user-lob-a", "lob-a"), context());
    expect(response.statusCode).toBe(502);
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "record-mismatch",
      detail: `users table: user-lob-a's entitlement to lob-a/default (config) names profile ${P("user-lob-b")}, not ${P("user-lob-a")}`,
    });
  });

  it("ignores a row keyed for another user (a decoy naming user-lob-a in its body)", async () => {
    entitlements = [{ ...admin(), userTeam: "decoy#default" }];
    expect(await listed()).toEqual([]);
  });
});
