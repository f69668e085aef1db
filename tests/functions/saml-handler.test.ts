import { createHash } from "node:crypto";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import {
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from "../../functions/shared/aws/dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { AssumeRoleCommand, STSClient } from "../../functions/shared/aws/sts";
import {
  CreatePresignedDomainUrlCommand,
  CreateUserProfileCommand,
  DescribeUserProfileCommand,
  SageMakerClient,
} from "../../functions/shared/aws/sagemaker";
import { mockClient } from "../helpers/aws-mock";
import { loadConfig } from "../../functions/presigner/config";
import { createHandler } from "../../functions/saml/handler";
import { loadSamlConfig, type SamlConfig } from "../../functions/saml/config";
import { TestIdp } from "../../scripts/sandbox/saml-idp";
import { LOB_A_RECORD, P } from "../helpers/fixtures";
import { disabledMarkerKey } from "../../functions/shared/tables";
import { asDocument, fakeAccessTables, row, type Row } from "../helpers/fake-tables";
import { captureLogs } from "../helpers/logs";
import stylesheet from "../helpers/portal-stylesheet";

let idp: TestIdp;
let stranger: TestIdp;
const ACS = "https://abc123.execute-api.us-east-1.amazonaws.com/v1/saml";
const SP = { acsUrl: ACS, spEntityId: "urn:studio-access:sp" };
const USERS = process.env.USERS_TABLE!;
const REPLAY = "studio-access-replay";
const LOB_B = {
  ...LOB_A_RECORD,
  lob: "lob-b",
  accountId: "333333333333",
  domainId: "d-bbbbbbbbbbbb",
  accessRoleArn: "arn:aws:iam::333333333333:role/StudioAccessRole",
};

let config: SamlConfig;
beforeAll(async () => {
  [idp, stranger] = await Promise.all([TestIdp.create(), TestIdp.create()]);
  config = {
    ...loadConfig(process.env),
    replayTable: REPLAY,
    groupLobs: new Map([
      ["lob-b-scientists", ["lob-b"]],
      ["lob-b-forecasters", ["lob-b/forecasting"]],
    ]),
    saml: {
      idpCertificates: [idp.certificate],
      idpEntityId: idp.entityId,
      spEntityId: SP.spEntityId,
      acsUrl: ACS,
      groupsAttribute: "groups",
    },
  };
});

const ddb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const sm = mockClient(SageMakerClient);
let entitlements: Row[];
let records: Map<string, Record<string, unknown>>;
/** Time as the handler sees it; a wait for a new profile moves it on. */
let skew = 0;
let replayItems: Map<string, Record<string, unknown>>;
let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  ddb.reset();
  sts.reset();
  sm.reset();
  entitlements = [row("user-lob-a", "lob-a", P("user-lob-a"))];
  replayItems = new Map();
  records = new Map<string, Record<string, unknown>>([
    ["lob-a", LOB_A_RECORD],
    ["lob-b", LOB_B],
  ]);
  fakeAccessTables(ddb, {
    usersTable: USERS,
    entitlements: () => entitlements,
    lobs: () => records,
  });
  // The replay table, with DynamoDB's conditions.
  const conditionFailed = () =>
    Object.assign(new Error("The conditional request failed"), {
      name: "ConditionalCheckFailedException",
    });
  ddb.on(PutItemCommand).callsFake((input: PutItemCommand["input"]) => {
    const item = unmarshall(input.Item ?? {});
    const id = item.id as string;
    if (replayItems.has(id)) throw conditionFailed();
    replayItems.set(id, item);
    return {};
  });
  ddb.on(DeleteItemCommand).callsFake((input: DeleteItemCommand["input"]) => {
    const id = unmarshall(input.Key ?? {}).id as string;
    const item = replayItems.get(id);
    if (!item) throw conditionFailed();
    replayItems.delete(id);
    return { Attributes: marshall(item) };
  });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIA1",
      SecretAccessKey: "s",
      SessionToken: "t",
      Expiration: new Date(Date.now() + 3600_000),
    },
  });
  sm.on(CreatePresignedDomainUrlCommand).callsFake(
    (input: CreatePresignedDomainUrlCommand["input"]) => ({
      AuthorizedUrl: `https://${input.DomainId!}.studio.us-east-1.sagemaker.aws/auth?token=T-${input.UserProfileName!}`,
    }),
  );
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
});

const handler = () =>
  createHandler({
    config,
    dynamo: new DynamoDBClient({}),
    sts: new STSClient({}),
    sageMaker: (region, credentials) => new SageMakerClient({ region, credentials }),
    now: () => Date.now() + skew,
    sleep: (ms) => {
      skew += ms;
      return Promise.resolve();
    },
  });
const context = { awsRequestId: "corr-1234", getRemainingTimeInMillis: () => 28_000 };
const post = (
  form: Record<string, string>,
  base64 = false,
  headers: Record<string, string> = {},
  multiValueHeaders: Record<string, string[]> = {},
): APIGatewayProxyEvent => {
  const body = new URLSearchParams(form).toString();
  return {
    httpMethod: "POST",
    resource: "/saml",
    path: "/saml",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent["requestContext"],
    body: base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: base64,
  };
};
const responseFor = (nameId: string, attributes: Record<string, string[]> = {}) =>
  idp.signedResponse({ ...idp.fields(SP, nameId), attributes });
const lastLog = () => logs.lines().at(-1);
const CHOICE_COOKIE = "__Host-studio-access-choice";
/** The chooser's token, and the Cookie header its browser sends back. */
const chooserOf = (chooser: APIGatewayProxyResult) => {
  const setCookie = String(chooser.multiValueHeaders?.["Set-Cookie"]?.[0] ?? "");
  return {
    token: /name="choice" value="([\w-]+)"/.exec(chooser.body)?.[1] ?? "",
    nonce: new RegExp(`^${CHOICE_COOKIE}=([\\w-]+);`).exec(setCookie)?.[1] ?? "",
    cookie: `theme=dark; ${setCookie.split(";")[0] ?? ""}`,
  };
};
const CLEARED = `${CHOICE_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;

describe("POST /saml", () => {
  it("sends a user with one Studio straight to it: 302, no-store, the assertion recorded once", async () => {
    const f = idp.fields(SP, "user-lob-a");
    const response = await handler()(post({ SAMLResponse: idp.signedResponse(f) }, true), context);
    expect(response).toEqual({
      statusCode: 302,
      headers: {
        Location:
          "https://d-aaaaaaaaaaaa.studio.us-east-1.sagemaker.aws/auth?token=T-user-lob-a-3nbs3wnxbyw5ty7m",
        "Cache-Control": "no-store",
      },
      body: "",
    });
    expect(asDocument(ddb.commandCalls(PutItemCommand)[0]!.args[0].input)).toEqual({
      TableName: REPLAY,
      Item: {
        id: `assertion#${f.id}`,
        expiresAt: Math.ceil((f.notOnOrAfter.getTime() + 60_000) / 1000),
      },
      ConditionExpression: "attribute_not_exists(id)",
    });
    expect(lastLog()).toMatchObject({
      message: "saml",
      requestId: "corr-1234",
      username: "user-lob-a",
      lob: "lob-a",
      outcome: "ok",
      status: 302,
    });
    // The LOB's CloudTrail credits the SAML entry, not the presigner.
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleSessionName)).toEqual(
      ["studio-access-saml"],
    );
  });

  it("refuses a replayed assertion with the refusal page, and presigns nothing", async () => {
    const samlResponse = responseFor("user-lob-a");
    const h = handler();
    expect((await h(post({ SAMLResponse: samlResponse }), context)).statusCode).toBe(302);
    const replayed = await h(post({ SAMLResponse: samlResponse }), context);
    expect(replayed.statusCode).toBe(403);
    expect(replayed.body).toContain("corr-1234");
    expect(replayed.body).not.toContain("replayed");
    expect(lastLog()).toMatchObject({
      outcome: "refused",
      reason: expect.stringMatching(/^replayed assertion _/) as unknown,
    });
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(1);
  });

  it("refuses a forged response with a page that says nothing of why, a strict CSP and no script", async () => {
    const forged = stranger.signedResponse(idp.fields(SP, "user-lob-a"));
    const response = await handler()(post({ SAMLResponse: forged }), context);
    expect(response.statusCode).toBe(403);
    expect(response.headers).toEqual({
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy":
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "Strict-Transport-Security": "max-age=31536000",
    });
    // The portal's one stylesheet, by its built name and integrity, relative to <base>saml.
    const { file, integrity } = stylesheet;
    expect(file).toMatch(/^style\.[0-9a-f]{16}\.css$/);
    expect(response.body).toContain(
      `<link rel="stylesheet" href="assets/${file}" integrity="${integrity}">`,
    );
    expect(response.body).not.toMatch(/<style|style=/i);
    expect(response.body).not.toMatch(/signature|<script/i);
    expect(lastLog()).toMatchObject({
      outcome: "refused",
      step: "validate",
      reason: expect.stringMatching(/^Invalid signature/) as unknown,
    });
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it("lets RelayState pick one of several Studios, and refuses one the user may not open", async () => {
    entitlements.push(row("user-lob-a", "lob-b", P("user-lob-a")));
    const picked = await handler()(
      post({ SAMLResponse: responseFor("user-lob-a"), RelayState: "lob-b" }),
      context,
    );
    expect(picked.headers?.Location).toMatch(/^https:\/\/d-bbbbbbbbbbbb\./);
    // The LOB named is read alone (strongly consistent): the user's list of LOBs is not queried.
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    const other = await handler()(
      post({ SAMLResponse: responseFor("user-lob-a"), RelayState: "lob-c" }),
      context,
    );
    expect(other.statusCode).toBe(403);
    expect(lastLog()).toMatchObject({ reason: "RelayState names a LOB the user may not open" });
  });

  it("lets RelayState name a team (lob/team, an application per team), and refuses a malformed one", async () => {
    records.set("lob-b", { ...LOB_B, teams: ["analytics", "forecasting"] });
    entitlements.push(
      row("user-lob-a", "lob-b", P("user-lob-a", "analytics"), "analytics"),
      row("user-lob-a", "lob-b", P("user-lob-a", "forecasting"), "forecasting"),
    );
    const picked = await handler()(
      post({ SAMLResponse: responseFor("user-lob-a"), RelayState: "lob-b/forecasting" }),
      context,
    );
    expect(picked.headers?.Location).toBe(
      "https://d-bbbbbbbbbbbb.studio.us-east-1.sagemaker.aws/auth?token=T-forecasting--user-lob-a-3nbs3wnxbyw5ty7m",
    );
    expect(lastLog()).toMatchObject({ lob: "lob-b", team: "forecasting", outcome: "ok" });
    for (const relay of ["lob-b/Forecasting", "lob-b/forecasting/x", "lob-b/"]) {
      const refused = await handler()(
        post({ SAMLResponse: responseFor("user-lob-a"), RelayState: relay }),
        context,
      );
      expect(refused.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ reason: "RelayState names a LOB the user may not open" });
    }
  });

  it("says the Studio is being prepared (202 page) when a first sign-in's profile is slow to start", async () => {
    skew = 0;
    sm.on(CreatePresignedDomainUrlCommand).rejects(
      Object.assign(new Error("no profile"), { name: "ResourceNotFound" }),
    );
    sm.on(CreateUserProfileCommand).resolves({});
    sm.on(DescribeUserProfileCommand).resolves({ Status: "Pending" });
    const response = await handler()(post({ SAMLResponse: responseFor("user-lob-a") }), context);
    expect(response.statusCode).toBe(202);
    expect(response.body).toContain("<title>Your Studio is being prepared</title>");
    expect(response.body).toContain("Sign in again from your portal in a minute");
    expect(response.body).toContain("corr-1234");
    expect(lastLog()).toMatchObject({ outcome: "profile-pending", status: 202 });
    expect(sm.commandCalls(CreateUserProfileCommand)[0]!.args[0].input).toMatchObject({
      UserProfileName: P("user-lob-a"),
      UserSettings: {
        ExecutionRole: "arn:aws:iam::222222222222:role/studio-access/studio-access-team-default",
      },
    });
    skew = 0;
  });

  it("offers a user with several Studios a chooser, whose one-time choice opens the one picked", async () => {
    entitlements.push(row("user-lob-a", "lob-b", P("user-lob-a")));
    const h = handler();
    const chooser = await h(post({ SAMLResponse: responseFor("user-lob-a") }), context);
    expect(chooser.statusCode).toBe(200);
    expect(chooser.body).not.toContain("<script");
    const { token, cookie } = chooserOf(chooser);
    expect(chooser.body.match(/<form method="post" action="\/v1\/saml">/g)).toHaveLength(2);
    expect(chooser.body).toContain('<button type="submit">lob-b</button>');
    const opened = await h(
      post({ choice: token, lob: "lob-b", team: "default" }, false, { Cookie: cookie }),
      context,
    );
    expect(opened.headers?.Location).toMatch(/^https:\/\/d-bbbbbbbbbbbb\./);
    expect(
      (
        await h(
          post({ choice: token, lob: "lob-a", team: "default" }, false, { Cookie: cookie }),
          context,
        )
      ).statusCode,
    ).toBe(403);
    expect(lastLog()).toMatchObject({ reason: "unknown or used choice" });
  });

  it.each([
    [
      "an offboarded row",
      (): void =>
        void entitlements.push({
          ...row("user-lob-a", "lob-b", P("user-lob-a")),
          state: "offboarded",
        }),
    ],
    [
      "a group whose team's row was offboarded",
      (): void =>
        void entitlements.push({
          ...row("user-lob-a", "lob-b", P("user-lob-a")),
          state: "offboarded",
        }),
      ["lob-b-scientists"],
    ],
  ])(
    "offers no chooser for a LOB left only through %s: straight to the one Studio",
    async (_, seed, groups = []) => {
      seed();
      const response = await handler()(
        post({ SAMLResponse: responseFor("user-lob-a", { groups: [...groups] }) }),
        context,
      );
      expect(response.statusCode).toBe(302);
      expect(response.headers?.Location).toMatch(/^https:\/\/d-aaaaaaaaaaaa\./);
    },
  );

  it("refuses a choice of a LOB that was not offered", async () => {
    entitlements.push(row("user-lob-a", "lob-b", P("user-lob-a")));
    const h = handler();
    const chooser = await h(post({ SAMLResponse: responseFor("user-lob-a") }), context);
    const { token, cookie } = chooserOf(chooser);
    const response = await h(
      post({ choice: token, lob: "lob-z", team: "default" }, false, { cookie }),
      context,
    );
    expect(response.statusCode).toBe(403);
    expect(lastLog()).toMatchObject({ reason: "chose a LOB not offered" });
  });

  describe("binds a chooser to the browser it was served to (login CSRF)", () => {
    /** A user with two Studios signs in: the chooser, its token and its cookie. */
    const signIn = async (h: ReturnType<typeof handler>) => {
      const chooser = await h(post({ SAMLResponse: responseFor("user-lob-a") }), context);
      expect(chooser.statusCode).toBe(200);
      return { chooser, ...chooserOf(chooser) };
    };
    beforeEach(() => {
      entitlements.push(row("user-lob-a", "lob-b", P("user-lob-a")));
    });

    it("serves the chooser with a __Host- cookie of 32 random bytes, storing only its SHA-256", async () => {
      const { chooser, token, nonce } = await signIn(handler());
      expect(chooser.multiValueHeaders).toEqual({
        "Set-Cookie": [
          `${CHOICE_COOKIE}=${nonce}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=300`,
        ],
      });
      expect(Buffer.from(nonce, "base64url")).toHaveLength(32);
      const item = replayItems.get(`choice#${token}`);
      expect(item?.browser).toBe(createHash("sha256").update(nonce).digest("base64url"));
      expect(JSON.stringify(item)).not.toContain(nonce);
    });

    it("opens the choice posted with its cookie, and clears the cookie", async () => {
      const h = handler();
      const { token, cookie } = await signIn(h);
      const opened = await h(
        post({ choice: token, lob: "lob-b", team: "default" }, false, { Cookie: cookie }),
        context,
      );
      expect(opened.statusCode).toBe(302);
      expect(opened.multiValueHeaders).toEqual({ "Set-Cookie": [CLEARED] });
    });

    it("reads the cookie from the multi-value headers, whatever the header's case", async () => {
      const h = handler();
      const { token, cookie } = await signIn(h);
      const event = post(
        { choice: token, lob: "lob-b", team: "default" },
        false,
        {},
        { COOKIE: ["a=b", cookie] },
      );
      expect((await h(event, context)).statusCode).toBe(302);
    });

    it("refuses a choice posted without the cookie before reading the table, and keeps the choice", async () => {
      const h = handler();
      const { token, cookie } = await signIn(h);
      const refused = await h(post({ choice: token, lob: "lob-b", team: "default" }), context);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain("corr-1234");
      expect(refused.multiValueHeaders).toEqual({ "Set-Cookie": [CLEARED] });
      expect(lastLog()).toMatchObject({
        outcome: "refused",
        reason: "choice without its browser's cookie",
      });
      expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
      // The browser the chooser was served to can still use it.
      const opened = await h(
        post({ choice: token, lob: "lob-b", team: "default" }, false, { Cookie: cookie }),
        context,
      );
      expect(opened.statusCode).toBe(302);
    });

    it("refuses a choice posted with another browser's cookie (the attacker's own sign-in), and spends it", async () => {
      const h = handler();
      const victim = await signIn(h);
      const attacker = await signIn(h);
      const refused = await h(
        post({ choice: attacker.token, lob: "lob-b", team: "default" }, false, {
          Cookie: victim.cookie,
        }),
        context,
      );
      expect(refused.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ reason: "choice cookie of another browser" });
      expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(0);
      const again = await h(
        post({ choice: attacker.token, lob: "lob-b", team: "default" }, false, {
          Cookie: attacker.cookie,
        }),
        context,
      );
      expect(again.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ reason: "unknown or used choice" });
    });
  });

  describe("a user in several teams of a LOB (dana.scientist): a choice per LOB and team", () => {
    const DANA = "dana.scientist";
    /** Every form of a chooser page: its hidden fields and its button's label. */
    const formsOf = (page: APIGatewayProxyResult) =>
      [
        ...page.body.matchAll(
          /<form method="post" action="\/v1\/saml">((?:<input type="hidden" name="\w+" value="[^"]*">)+)<button type="submit">([^<]*)<\/button><\/form>/g,
        ),
      ].map(([, inputs = "", label = ""]) => ({
        fields: Object.fromEntries(
          [...inputs.matchAll(/name="(\w+)" value="([^"]*)"/g)].map(([, k = "", v = ""]) => [k, v]),
        ),
        label,
      }));
    /** The form of a chooser whose button reads `label`, as the browser posts it. */
    const pick = (page: APIGatewayProxyResult, label: string) => {
      const form = formsOf(page).find((f) => f.label === label);
      if (!form) throw new Error(`no ${label} in ${page.body}`);
      return form.fields;
    };
    beforeEach(() => {
      records.set("lob-a", { ...LOB_A_RECORD, teams: ["analytics", "forecasting"] });
      entitlements = [
        row(DANA, "lob-a", P(DANA, "analytics"), "analytics"),
        row(DANA, "lob-a", P(DANA, "forecasting"), "forecasting"),
        row(DANA, "lob-b", P(DANA)),
      ];
    });
    const signIn = (h: ReturnType<typeof handler>, relay?: string, nameId = DANA) =>
      h(
        post({ SAMLResponse: responseFor(nameId), ...(relay ? { RelayState: relay } : {}) }),
        context,
      );

    it("offers one choice per LOB and team, labelled, the choice item holding exactly those", async () => {
      const h = handler();
      const chooser = await signIn(h);
      expect(chooser.statusCode).toBe(200);
      const { token } = chooserOf(chooser);
      expect(formsOf(chooser)).toEqual([
        {
          fields: { choice: token, lob: "lob-a", team: "analytics" },
          label: "lob-a — analytics",
        },
        {
          fields: { choice: token, lob: "lob-a", team: "forecasting" },
          label: "lob-a — forecasting",
        },
        { fields: { choice: token, lob: "lob-b", team: "default" }, label: "lob-b" },
      ]);
      expect(chooser.body.match(/<form /g)).toHaveLength(3);
      expect(replayItems.get(`choice#${token}`)).toMatchObject({
        username: DANA,
        studios: ["lob-a/analytics", "lob-a/forecasting", "lob-b/default"],
        groups: [],
      });
      expect(lastLog()).toMatchObject({ level: "info", step: "chooser", outcome: "ok" });
    });

    it("opens the team picked, in that team's profile", async () => {
      const h = handler();
      const chooser = await signIn(h);
      const { cookie } = chooserOf(chooser);
      const opened = await h(
        post(pick(chooser, "lob-a — forecasting"), false, { Cookie: cookie }),
        context,
      );
      expect(opened.statusCode).toBe(302);
      expect(sm.commandCalls(CreatePresignedDomainUrlCommand)[0]!.args[0].input).toMatchObject({
        DomainId: "d-aaaaaaaaaaaa",
        UserProfileName: P(DANA, "forecasting"),
      });
      expect(lastLog()).toMatchObject({
        level: "info",
        username: DANA,
        lob: "lob-a",
        team: "forecasting",
        step: "presign",
        outcome: "ok",
      });
    });

    it("never answers team-required: no RelayState used to be a 403 logged as an error", async () => {
      // Dana in lob-a's two teams only: before, a 403 page logged team-required at level error.
      entitlements.pop();
      const chooser = await signIn(handler());
      expect(chooser.statusCode).toBe(200);
      expect(formsOf(chooser).map((f) => f.label)).toEqual([
        "lob-a — analytics",
        "lob-a — forecasting",
      ]);
      expect(logs.lines().filter((l) => l.level === "error")).toEqual([]);
    });

    it("answers RelayState naming a LOB of two teams with a chooser of those teams, and opens one", async () => {
      const h = handler();
      const chooser = await signIn(h, "lob-a");
      expect(chooser.statusCode).toBe(200);
      expect(formsOf(chooser).map((f) => [f.fields.lob, f.fields.team, f.label])).toEqual([
        ["lob-a", "analytics", "lob-a — analytics"],
        ["lob-a", "forecasting", "lob-a — forecasting"],
      ]);
      expect(lastLog()).toMatchObject({
        level: "info",
        lob: "lob-a",
        step: "chooser",
        outcome: "ok",
        status: 200,
      });
      const { cookie } = chooserOf(chooser);
      const opened = await h(
        post(pick(chooser, "lob-a — analytics"), false, { Cookie: cookie }),
        context,
      );
      expect(opened.statusCode).toBe(302);
      expect(lastLog()).toMatchObject({ lob: "lob-a", team: "analytics", outcome: "ok" });
    });

    it("opens RelayState lob/team directly, and refuses a team of the LOB the user is not in", async () => {
      const h = handler();
      expect((await signIn(h, "lob-a/analytics")).statusCode).toBe(302);
      expect(sm.commandCalls(CreatePresignedDomainUrlCommand)[0]!.args[0].input).toMatchObject({
        UserProfileName: P(DANA, "analytics"),
      });
      entitlements.shift();
      expect((await signIn(h, "lob-a/analytics")).statusCode).toBe(403);
      expect(lastLog()).toMatchObject({
        reason: "RelayState names a LOB the user may not open",
      });
    });

    it("refuses a team that was not offered (a valid name, another LOB's team, a team of another user)", async () => {
      entitlements.push(row("user-lob-a", "lob-a", P("user-lob-a", "ops"), "ops"));
      records.set("lob-a", { ...LOB_A_RECORD, teams: ["analytics", "forecasting", "ops"] });
      for (const [lob, team, reason] of [
        ["lob-a", "ops", "chose a team not offered"],
        ["lob-a", "default", "chose a team not offered"],
        ["lob-b", "analytics", "chose a team not offered"],
        ["lob-c", "analytics", "chose a LOB not offered"],
      ] as const) {
        const h = handler();
        const chooser = await signIn(h);
        const { token, cookie } = chooserOf(chooser);
        const refused = await h(
          post({ choice: token, lob, team }, false, { Cookie: cookie }),
          context,
        );
        expect(refused.statusCode).toBe(403);
        expect(lastLog()).toMatchObject({ outcome: "refused", username: DANA, reason });
        // Spent: the same choice cannot then be used for a team that was offered.
        const again = await h(
          post(pick(chooser, "lob-a — analytics"), false, { Cookie: cookie }),
          context,
        );
        expect(again.statusCode).toBe(403);
        expect(lastLog()).toMatchObject({ reason: "unknown or used choice" });
      }
      expect(sm.calls()).toHaveLength(0);
    });

    it("refuses a team offered but revoked since: the choice is checked against the rows again", async () => {
      const h = handler();
      const chooser = await signIn(h);
      const { cookie } = chooserOf(chooser);
      entitlements[1] = { ...entitlements[1]!, state: "revoked" };
      const refused = await h(
        post(pick(chooser, "lob-a — forecasting"), false, { Cookie: cookie }),
        context,
      );
      expect(refused.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ outcome: "not-entitled", lob: "lob-a" });
      expect(sm.calls()).toHaveLength(0);
    });

    it("refuses a forged, a replayed, an expired and another user's choice", async () => {
      const h = handler();
      const chooser = await signIn(h);
      const { cookie } = chooserOf(chooser);
      const fields = pick(chooser, "lob-a — analytics");
      const forged = await h(
        post({ ...fields, choice: "A".repeat(32) }, false, { Cookie: cookie }),
        context,
      );
      expect(forged.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ reason: "unknown or used choice" });
      expect((await h(post(fields, false, { Cookie: cookie }), context)).statusCode).toBe(302);
      const replayed = await h(post(fields, false, { Cookie: cookie }), context);
      expect(replayed.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ reason: "unknown or used choice" });

      const late = await signIn(h);
      skew = 301_000;
      try {
        const expired = await h(
          post(pick(late, "lob-a — analytics"), false, { Cookie: chooserOf(late).cookie }),
          context,
        );
        expect(expired.statusCode).toBe(403);
        expect(lastLog()).toMatchObject({ reason: "expired choice" });
      } finally {
        skew = 0;
      }

      // user-lob-a (lob-a and lob-b, default teams) posts dana's choice with their own cookie.
      records.set("lob-a", LOB_A_RECORD);
      entitlements.push(
        row("user-lob-a", "lob-a", P("user-lob-a")),
        row("user-lob-a", "lob-b", P("user-lob-a")),
      );
      const theirs = await signIn(h, undefined, "user-lob-a");
      records.set("lob-a", { ...LOB_A_RECORD, teams: ["analytics", "forecasting"] });
      const danas = await signIn(h);
      const crossed = await h(
        post(pick(danas, "lob-a — analytics"), false, { Cookie: chooserOf(theirs).cookie }),
        context,
      );
      expect(crossed.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ reason: "choice cookie of another browser" });
      expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(1);
    });

    it("offers a team an IdP group grants beside the rows' teams, not a mapped team the LOB lacks, and opens it", async () => {
      records.set("lob-b", { ...LOB_B, teams: ["analytics", "forecasting"] });
      // Her lob-b row is in a team lob-b no longer has: it opens nothing, and is not offered.
      entitlements[2] = row(DANA, "lob-b", P(DANA, "retired"), "retired");
      const h = handler();
      const chooser = await h(
        post({
          SAMLResponse: responseFor(DANA, { groups: ["lob-b-forecasters", "lob-b-scientists"] }),
        }),
        context,
      );
      // lob-b-scientists maps to lob-b's default team, which lob-b (with teams) does not have.
      expect(formsOf(chooser).map((f) => f.label)).toEqual([
        "lob-a — analytics",
        "lob-a — forecasting",
        "lob-b — forecasting",
      ]);
      const opened = await h(
        post(pick(chooser, "lob-b — forecasting"), false, { Cookie: chooserOf(chooser).cookie }),
        context,
      );
      expect(opened.statusCode).toBe(302);
      expect(sm.commandCalls(CreatePresignedDomainUrlCommand)[0]!.args[0].input).toMatchObject({
        DomainId: "d-bbbbbbbbbbbb",
        UserProfileName: P(DANA, "forecasting"),
      });
    });

    it.each<[string, Record<string, string>]>([
      ["no team", { choice: "a".repeat(32), lob: "lob-a" }],
      ["a team of another shape", { choice: "a".repeat(32), lob: "lob-a", team: "Forecasting" }],
      ["a 3 KB team", { choice: "a".repeat(32), lob: "lob-a", team: "t".repeat(3000) }],
      ["a team with a slash", { choice: "a".repeat(32), lob: "lob-a", team: "analytics/x" }],
    ])("refuses a choice of %s with 403 before any AWS call", async (_name, form) => {
      const cookie = `${CHOICE_COOKIE}=${"n".repeat(43)}`;
      const response = await handler()(post(form, false, { Cookie: cookie }), context);
      expect(response.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ outcome: "refused", reason: "malformed team" });
      expect(ddb.calls()).toHaveLength(0);
    });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      "a 3 KB choice token",
      { choice: "a".repeat(3000), lob: "lob-b", team: "default" },
      "malformed choice token",
    ],
    [
      "a choice token of another shape",
      { choice: "a/".repeat(16), lob: "lob-b", team: "default" },
      "malformed choice token",
    ],
    ["a 3 KB lob", { choice: "a".repeat(32), lob: "l".repeat(3000) }, "malformed lob"],
    ["a lob of another shape", { choice: "a".repeat(32), lob: "LOB B" }, "malformed lob"],
  ])("refuses %s with 403 before any AWS call", async (_name, form, reason) => {
    const cookie = `${CHOICE_COOKIE}=${"n".repeat(43)}`;
    const response = await handler()(post(form, false, { Cookie: cookie }), context);
    expect(response.statusCode).toBe(403);
    expect(lastLog()).toMatchObject({ outcome: "refused", reason });
    expect(ddb.calls()).toHaveLength(0);
  });

  it("refuses a signed assertion whose ID is over 256 characters with 403, before the replay table", async () => {
    const f = { ...idp.fields(SP, "user-lob-a"), id: `_${"a".repeat(3000)}` };
    const response = await handler()(post({ SAMLResponse: idp.signedResponse(f) }), context);
    expect(response.statusCode).toBe(403);
    expect(lastLog()).toMatchObject({
      reason: "assertion ID is not an NCName of at most 256 chars",
    });
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it("refuses a choice cookie of another shape before any AWS call", async () => {
    const cookie = `${CHOICE_COOKIE}=${"n".repeat(3000)}`;
    const response = await handler()(
      post({ choice: "a".repeat(32), lob: "lob-b", team: "default" }, false, { Cookie: cookie }),
      context,
    );
    expect(response.statusCode).toBe(403);
    expect(lastLog()).toMatchObject({ reason: "malformed choice cookie" });
    expect(ddb.calls()).toHaveLength(0);
  });

  it("opens a LOB granted by an IdP group, in the user's own profile", async () => {
    const response = await handler()(
      post({ SAMLResponse: responseFor("jane.doe", { groups: ["lob-b-scientists"] }) }),
      context,
    );
    expect(response.statusCode).toBe(302);
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)[0]!.args[0].input).toMatchObject({
      DomainId: "d-bbbbbbbbbbbb",
      UserProfileName: P("jane.doe"),
    });
  });

  it("opens a team granted by an IdP group (lob/team), unless that team's row was revoked", async () => {
    records.set("lob-b", { ...LOB_B, teams: ["analytics", "forecasting"] });
    const signIn = () =>
      handler()(
        post({ SAMLResponse: responseFor("jane.doe", { groups: ["lob-b-forecasters"] }) }),
        context,
      );
    expect((await signIn()).statusCode).toBe(302);
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)[0]!.args[0].input).toMatchObject({
      DomainId: "d-bbbbbbbbbbbb",
      UserProfileName: P("jane.doe", "forecasting"),
    });
    // An administrator revoked jane's forecasting row: the revoke wins over the group.
    entitlements.push({
      ...row("jane.doe", "lob-b", P("jane.doe", "forecasting"), "forecasting"),
      state: "revoked",
    });
    expect((await signIn()).statusCode).toBe(403);
    expect(lastLog()).toMatchObject({ outcome: "refused", reason: "no entitlement" });
  });

  it("lets a config seed in beside an offboarded admin row, with or without the group; the admin row alone outvotes the group", async () => {
    records.set("lob-b", { ...LOB_B, teams: ["analytics", "forecasting"] });
    const offboarded = {
      ...row("jane.doe", "lob-b", P("jane.doe", "forecasting"), "forecasting"),
      state: "offboarded",
    };
    const seed = {
      ...row("jane.doe", "lob-b", P("jane.doe", "forecasting"), "forecasting"),
      userTeam: "jane.doe#config:forecasting",
    };
    const signIn = (groups: string[]) =>
      handler()(post({ SAMLResponse: responseFor("jane.doe", { groups }) }), context);
    entitlements.push(offboarded);
    expect((await signIn(["lob-b-forecasters"])).statusCode).toBe(403);
    // lob-b's config names her again: the seed is a row of its own, and it lets her in.
    entitlements.push(seed);
    expect((await signIn(["lob-b-forecasters"])).statusCode).toBe(302);
    expect((await signIn([])).statusCode).toBe(302);
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand).at(-1)!.args[0].input).toMatchObject({
      UserProfileName: P("jane.doe", "forecasting"),
    });
  });

  it("keeps an offboarded row's user out of a team an IdP group grants (the durable marker)", async () => {
    records.set("lob-b", { ...LOB_B, teams: ["analytics", "forecasting"] });
    entitlements.push({
      ...row("jane.doe", "lob-b", P("jane.doe", "forecasting"), "forecasting"),
      state: "offboarded",
    });
    const response = await handler()(
      post({ SAMLResponse: responseFor("jane.doe", { groups: ["lob-b-forecasters"] }) }),
      context,
    );
    expect(response.statusCode).toBe(403);
    expect(sm.commandCalls(CreatePresignedDomainUrlCommand)).toHaveLength(0);
    expect(sm.commandCalls(CreateUserProfileCommand)).toHaveLength(0);
  });

  it.each([
    ["with RelayState", "lob-b"],
    ["without RelayState", undefined],
  ])("refuses a disabled user in a mapped group %s, making no profile", async (_, relay) => {
    entitlements.push({
      lob: "#disabled",
      userTeam: "jane.doe#",
      username: "jane.doe",
      state: "disabled",
    });
    const response = await handler()(
      post({
        SAMLResponse: responseFor("jane.doe", { groups: ["lob-b-scientists"] }),
        ...(relay ? { RelayState: relay } : {}),
      }),
      context,
    );
    expect(response.statusCode).toBe(403);
    expect(lastLog()).toMatchObject({ outcome: "user-disabled", username: "jane.doe" });
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    ["decomposed (a macOS paste)", "jose\u0301", "jos\u00e9"],
    ["in another case", "jane.doe", "Jane.Doe"],
  ])(
    "refuses a disabled user whom the IdP names in another form: %s",
    async (_, disabledAs, sentAs) => {
      entitlements.push({
        ...disabledMarkerKey(disabledAs),
        username: disabledAs,
        state: "disabled",
      });
      const response = await handler()(
        post({ SAMLResponse: responseFor(sentAs, { groups: ["lob-b-scientists"] }) }),
        context,
      );
      expect(response.statusCode).toBe(403);
      expect(lastLog()).toMatchObject({ outcome: "user-disabled" });
      expect(sm.calls()).toHaveLength(0);
    },
  );

  it("refuses a user with no entitlement and no mapped group", async () => {
    const response = await handler()(
      post({ SAMLResponse: responseFor("nobody", { groups: ["other"] }) }),
      context,
    );
    expect(response.statusCode).toBe(403);
    expect(lastLog()).toMatchObject({ username: "nobody", reason: "no entitlement" });
  });

  it("answers a failure of AWS with a page of its status and the reference, not a refusal", async () => {
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(new Error("Rate exceeded"), {
        name: "Throttling",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const response = await handler()(post({ SAMLResponse: responseFor("user-lob-a") }), context);
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain("corr-1234");
    expect(lastLog()).toMatchObject({ level: "error", outcome: "upstream-unavailable" });
  });

  it("logs a reason quoting the request cut to 300 characters, its control characters escaped", async () => {
    const destination = `https://evil.example/${"a\n".repeat(1900)}`;
    const forged = idp.signedResponse({ ...idp.fields(SP, "user-lob-a"), destination });
    expect((await handler()(post({ SAMLResponse: forged }), context)).statusCode).toBe(403);
    const reason = lastLog()?.reason as string;
    expect(reason).toMatch(/^destination https:\/\/evil\.example\/a\\na\\n/);
    expect(reason).toMatch(/…\(\d+ more\)$/);
    expect(reason.length).toBeLessThan(320);
    expect(reason).not.toContain("\n");
  });

  it("never logs the SAML response or the presigned URL", async () => {
    const samlResponse = responseFor("user-lob-a");
    await handler()(post({ SAMLResponse: samlResponse }), context);
    expect(logs.raw()).not.toContain(samlResponse.slice(0, 40));
    expect(logs.raw()).not.toContain("token=");
  });
});

describe("the SAML entry's environment", () => {
  const env = () => ({
    ...process.env,
    SAML_IDP_CERTIFICATES: `${idp.certificate}\n${stranger.certificate}`,
    SAML_IDP_ENTITY_ID: idp.entityId,
    SAML_SP_ENTITY_ID: SP.spEntityId,
    SAML_ACS_URL: ACS,
    REPLAY_TABLE: REPLAY,
    SAML_GROUP_LOBS: '{"lob-b-scientists":["lob-b"]}',
  });

  it("reads every certificate of a rotation, and the group mapping", () => {
    const loaded = loadSamlConfig(env());
    expect(loaded.saml.idpCertificates).toHaveLength(2);
    expect(loaded.groupLobs).toEqual(new Map([["lob-b-scientists", ["lob-b"]]]));
    expect(loaded.saml.userAttribute).toBeUndefined();
  });

  it.each([
    [
      { SAML_IDP_CERTIFICATES: "not a certificate" },
      "environment variable SAML_IDP_CERTIFICATES holds no PEM certificate",
    ],
    [
      { SAML_ACS_URL: "http://example.com/saml" },
      'environment variable SAML_ACS_URL is "http://example.com/saml": expected an https:// URL',
    ],
    [
      { SAML_GROUP_LOBS: '{"g":["lob-z"]}' },
      'environment variable SAML_GROUP_LOBS: group "g" must list LOBs of the registry',
    ],
    [{ REPLAY_TABLE: "" }, "environment variable REPLAY_TABLE is required but is not set"],
  ])("fails the cold start naming the variable: %j", (override, message) => {
    expect(() => loadSamlConfig({ ...env(), ...override })).toThrow(message);
  });
});
