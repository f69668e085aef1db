import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  checkEnvironmentSize,
  environmentBytes,
  fetchUserPoolJwks,
  userPoolJwksUrl,
} from "../../components/lib/jwks";
import { makeSigningKey } from "../helpers/jwt";

const key = makeSigningKey("pool-key-1");
const FAST = { attempts: 3, timeoutMs: 2_000, pauseMs: 10 };

let server: Server;
let base: string;
/** What the server answers, request by request; the last answer repeats. */
let answers: { status: number; body: string }[];
let requests: string[];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    res.writeHead(answer.status, { "Content-Type": "application/json" }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = [];
});

describe("userPoolJwksUrl", () => {
  it("is Cognito's public JWKS URL of the pool", () => {
    expect(userPoolJwksUrl("eu-west-1", "eu-west-1_Abc123")).toBe(
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123/.well-known/jwks.json",
    );
  });

  it("is under the endpoint AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER names, when set", () => {
    expect(userPoolJwksUrl("eu-west-1", "local_1", "http://127.0.0.1:9229/")).toBe(
      "http://127.0.0.1:9229/local_1/.well-known/jwks.json",
    );
    expect(userPoolJwksUrl("eu-west-1", "p_1", "https://cognito.example.internal")).toBe(
      "https://cognito.example.internal/p_1/.well-known/jwks.json",
    );
  });

  it("refuses an endpoint that would fetch the signing keys without TLS, off this machine", () => {
    expect(() => userPoolJwksUrl("eu-west-1", "p_1", "http://10.0.0.5:9229")).toThrow(
      'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER "http://10.0.0.5:9229" would fetch the user pool\'s signing keys without TLS: use https:// (plain http is accepted only for localhost)',
    );
    // A name is resolved by whatever resolver the machine has; only loopback literals are local.
    for (const name of ["http://localhost:9229", "http://localhost.evil.com", "http://127.0.0.2"])
      expect(() => userPoolJwksUrl("eu-west-1", "p_1", name)).toThrow(
        `"${name}" would fetch the user pool's signing keys without TLS`,
      );
    expect(userPoolJwksUrl("eu-west-1", "p_1", "http://[::1]:9229")).toBe(
      "http://[::1]:9229/p_1/.well-known/jwks.json",
    );
    expect(() => userPoolJwksUrl("eu-west-1", "p_1", "not a url")).toThrow(
      'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER "not a url" is not a URL',
    );
  });
});

describe("fetchUserPoolJwks", () => {
  const jwks = JSON.stringify({ keys: [{ ...key.jwk, x5c: ["unused"] }] });

  it("returns the JWKS as compact JSON of what verification reads", async () => {
    answers = [{ status: 200, body: jwks }];
    const text = await fetchUserPoolJwks(`${base}/p1/.well-known/jwks.json`, FAST);
    expect(JSON.parse(text)).toEqual({
      keys: [{ kid: key.kid, kty: "RSA", alg: "RS256", use: "sig", n: key.jwk.n, e: key.jwk.e }],
    });
    expect(text).not.toContain(" ");
    expect(requests).toEqual(["/p1/.well-known/jwks.json"]);
  });

  it("tries again while a new pool's JWKS is not there yet", async () => {
    answers = [
      { status: 404, body: "" },
      { status: 200, body: jwks },
    ];
    await expect(fetchUserPoolJwks(`${base}/p2/.well-known/jwks.json`, FAST)).resolves.toContain(
      key.kid,
    );
    expect(requests).toHaveLength(2);
  });

  it("fails the pulumi up after its tries, naming the URL and the last answer", async () => {
    answers = [{ status: 503, body: "" }];
    const url = `${base}/p3/.well-known/jwks.json`;
    await expect(fetchUserPoolJwks(url, FAST)).rejects.toThrow(
      `the user pool's signing keys (USER_POOL_JWKS) could not be read from ${url} after 3 tries: HTTP 503`,
    );
    expect(requests).toHaveLength(3);
  });

  it("gives up at once on a malformed JWKS, naming the URL", async () => {
    answers = [{ status: 200, body: '{"keys": []}' }];
    const url = `${base}/p4/.well-known/jwks.json`;
    await expect(fetchUserPoolJwks(url, FAST)).rejects.toThrow(
      `the JWKS at ${url} is not a Cognito JWKS: it has no keys`,
    );
    expect(requests).toHaveLength(1);
  });

  it("does not follow a redirect away from the checked URL", async () => {
    const planted = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end(jwks);
    });
    await new Promise<void>((resolve) => planted.listen(0, "127.0.0.1", resolve));
    const elsewhere = `http://127.0.0.1:${String((planted.address() as AddressInfo).port)}/keys`;
    const redirecting = createServer((_req, res) => {
      res.writeHead(302, { Location: elsewhere }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${String((redirecting.address() as AddressInfo).port)}/p6/.well-known/jwks.json`;
    try {
      await expect(
        fetchUserPoolJwks(url, { attempts: 1, timeoutMs: 2_000, pauseMs: 10 }),
      ).rejects.toThrow(
        `could not be read from ${url} after 1 tries: fetch failed (unexpected redirect)`,
      );
    } finally {
      await new Promise((resolve) => redirecting.close(resolve));
      await new Promise((resolve) => planted.close(resolve));
    }
  });

  it("gives up on a server that does not answer in time", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${String((silent.address() as AddressInfo).port)}/p5/.well-known/jwks.json`;
    try {
      await expect(
        fetchUserPoolJwks(url, { attempts: 2, timeoutMs: 200, pauseMs: 10 }),
      ).rejects.toThrow(`could not be read from ${url} after 2 tries`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe("checkEnvironmentSize (Lambda: 4 KB for all variables, in aggregate)", () => {
  it("counts each name and value in UTF-8 bytes", () => {
    expect(environmentBytes({ AB: "cd", É: "é" })).toBe(8);
  });

  it("accepts 4,096 bytes and refuses 4,097, naming the function and the largest variable", () => {
    const at = (bytes: number) => ({ A: "x".repeat(bytes - 2), B: "" });
    expect(() => {
      checkEnvironmentSize("access-presigner", at(4096));
    }).not.toThrow();
    expect(() => {
      checkEnvironmentSize("access-presigner", at(4097));
    }).toThrow(
      "function access-presigner: its environment variables take 4097 bytes, over Lambda's 4096; the largest is A (4095 bytes)",
    );
  });

  it("fits two 2048-bit Cognito keys beside the presigner's other variables", () => {
    const two = JSON.stringify({
      keys: [makeSigningKey("a".repeat(44)).jwk, makeSigningKey("b".repeat(44)).jwk],
    });
    const presigner = {
      NODE_OPTIONS: "--enable-source-maps",
      USERS_TABLE: "access-entitlements-1234567",
      LOBS_TABLE: "access-lobs-1234567",
      URL_EXPIRES_SECONDS: "300",
      SESSION_EXPIRES_SECONDS: "43200",
      USER_POOL_ID: "ap-southeast-2_AbCdEfGhI",
      USER_POOL_CLIENT_ID: "abcdefghijklmnopqrstuvwxyz",
      USER_POOL_JWKS: two,
      LOB_REGISTRY: "lobs.json",
    };
    expect(environmentBytes(presigner)).toBeLessThan(2048);
  });
});
