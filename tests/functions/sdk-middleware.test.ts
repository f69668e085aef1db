/**
 * #22: the SDK clients the lifecycle keeps resolve each command's middleware stack once; the
 * sign-in path's own clients (functions/shared/aws) have none to resolve and read each call's own
 * answer; every call of either honours its caller's deadline (functions/shared/sdk.ts `bounded`,
 * `BoundedHttpHandler`).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreatePresignedDomainUrlCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import { AssumeRoleCommand, STSClient } from "../../functions/shared/aws/sts";
import {
  CreatePresignedDomainUrlCommand as LeanPresign,
  SageMakerClient as LeanSageMaker,
} from "../../functions/shared/aws/sagemaker";
import { defaultClients } from "../../functions/shared/clients";
import { AccessTables } from "../../functions/presigner/tables";
import { bounded, CACHED_MIDDLEWARE, SDK_OPTIONS } from "../../functions/shared/sdk";
import { startFakeAws, type FakeAws } from "../../scripts/lib/fake-aws";

const SENDS = 20;
let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws({ tables: {}, keys: {} });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  jest.restoreAllMocks();
});

const sageMaker = (cache: boolean) =>
  new SageMakerClient({
    ...SDK_OPTIONS,
    ...(cache ? CACHED_MIDDLEWARE : {}),
    endpoint: fake.url,
    region: "us-east-1",
  });
const presign = (name: string) =>
  new CreatePresignedDomainUrlCommand({ DomainId: "d-abc", UserProfileName: name });

describe("the functions' clients resolve a command's middleware once", () => {
  it(`resolves CreatePresignedDomainUrl's stack once over ${String(SENDS)} bounded sends, each with its own input`, async () => {
    const resolve = jest.spyOn(CreatePresignedDomainUrlCommand.prototype, "resolveMiddleware");
    const client = sageMaker(true);
    const signal = new AbortController().signal;
    const urls: (string | undefined)[] = [];
    for (let i = 0; i < SENDS; i++) {
      const out = await bounded(signal, () => client.send(presign(`user-${String(i)}`)));
      urls.push(out.AuthorizedUrl);
    }
    expect(resolve).toHaveBeenCalledTimes(1);
    // The cached stack serialises each command's own input, not the first one's.
    expect(urls.map((url) => url?.split("token=fake-")[1])).toEqual(
      Array.from({ length: SENDS }, (_, i) => `user-${String(i)}`),
    );
  });

  it("resolves it again on every send given options (the control: what #22 removed)", async () => {
    const resolve = jest.spyOn(CreatePresignedDomainUrlCommand.prototype, "resolveMiddleware");
    const client = sageMaker(true);
    const abortSignal = new AbortController().signal;
    for (let i = 0; i < SENDS; i++) await client.send(presign("user"), { abortSignal });
    expect(resolve).toHaveBeenCalledTimes(SENDS);
  });

  it("resolves it again on every send of a client without cacheMiddleware (the control)", async () => {
    const resolve = jest.spyOn(CreatePresignedDomainUrlCommand.prototype, "resolveMiddleware");
    const client = sageMaker(false);
    const signal = new AbortController().signal;
    for (let i = 0; i < SENDS; i++) await bounded(signal, () => client.send(presign("user")));
    expect(resolve).toHaveBeenCalledTimes(SENDS);
  });
});

describe("the sign-in path's own clients (functions/shared/aws) read each call's own answer", () => {
  it("STS AssumeRole: each call's credentials are its role's account's", async () => {
    const sts = new STSClient({ endpoint: fake.url, region: "us-east-1" });
    const signal = new AbortController().signal;
    const keys: (string | undefined)[] = [];
    for (const account of ["111111111111", "222222222222", "333333333333"]) {
      const out = await bounded(signal, () =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${account}:role/r`,
            RoleSessionName: "s",
          }),
        ),
      );
      keys.push(out.Credentials?.AccessKeyId);
      expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    }
    // The fake answers ASIA<account> (scripts/lib/fake-aws.ts).
    expect(keys).toEqual(["ASIA111111111111", "ASIA222222222222", "ASIA333333333333"]);
  });

  describe("the sign-in's table reads", () => {
    let tables: FakeAws;
    const users = ["ana", "ben", "cy"];
    beforeAll(async () => {
      tables = await startFakeAws({
        tables: {
          users: users.map((u) => ({
            lob: "lob-a",
            userTeam: `${u}#default`,
            username: u,
            team: "default",
            profileName: `p-${u}`,
          })),
          lobs: [],
        },
        keys: { users: ["lob", "userTeam"], lobs: ["lob"] },
      });
    });
    afterAll(async () => {
      await tables.close();
    });

    it("each sign-in's BatchGetItem reads its own user's rows, through defaultClients' DynamoDB", async () => {
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_DYNAMODB: tables.url,
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "not-a-secret",
      });
      try {
        // The functions' own client (defaultClients), as the presigner and the SAML entry make it.
        const access = new AccessTables(defaultClients().dynamo, "users", "lobs");
        const signal = new AbortController().signal;
        const read: string[] = [];
        for (let i = 0; i < SENDS; i++) {
          const user = users[i % users.length]!;
          const { entitlements } = await access.entitlementsAndLob(
            user,
            "lob-a",
            undefined,
            signal,
          );
          read.push(entitlements.map((e) => e.profileName).join());
        }
        expect(read).toEqual(
          Array.from({ length: SENDS }, (_, i) => `p-${users[i % users.length]!}`),
        );
        expect(tables.calls.get("DynamoDB.BatchGetItem")).toBe(SENDS);
      } finally {
        process.env = saved;
      }
    });
  });
});

describe("a bounded call is aborted when its signal fires, with no per-call options", () => {
  let server: Server;
  let url: string;
  let closed = 0;
  beforeAll(async () => {
    // Accepts each request and never answers; counts the sockets the client closes.
    server = createServer((req) => {
      req.socket.on("close", () => closed++);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [
      "the SDK's client",
      () =>
        new SageMakerClient({
          ...SDK_OPTIONS,
          ...CACHED_MIDDLEWARE,
          endpoint: url,
          region: "us-east-1",
        }).send(presign("user")),
    ],
    [
      "the sign-in's own client",
      () =>
        new LeanSageMaker({ endpoint: url, region: "us-east-1" }).send(
          new LeanPresign({ DomainId: "d-abc", UserProfileName: "user" }),
        ),
    ],
  ])(
    "%s: aborts the stalled call at 300 ms (its timeouts are 3 s), closing its socket",
    async (_client, send) => {
      closed = 0;
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => {
        controller.abort(new Error("deadline"));
      }, 300);
      const error = await bounded(controller.signal, send).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      const ms = Date.now() - started;
      expect(error?.name).toBe("AbortError");
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(2_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed).toBe(1);
    },
  );

  it("leaves a call outside bounded to its own timeouts (the control: the signal comes from bounded)", async () => {
    const client = new SageMakerClient({
      ...SDK_OPTIONS,
      ...CACHED_MIDDLEWARE,
      maxAttempts: 1,
      endpoint: url,
      region: "us-east-1",
    });
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort(new Error("deadline"));
    }, 300);
    const started = Date.now();
    const error = await client.send(presign("user")).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
  });
});
