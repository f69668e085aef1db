import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { accessTokenClaims, makeSigningKey, signJwt } from "../helpers/jwt";
import { captureLogs } from "../helpers/logs";

// A Cognito-compatible endpoint (cognito-local, say) named by the standard SDK setting.
const POOL = "local_Ab12Cd34";
const CLIENT = process.env.USER_POOL_CLIENT_ID!;
const key = makeSigningKey("CognitoLocal");
let server: Server;
let endpoint: string;
let jwksRequests: string[];
let handler: (event: APIGatewayTokenAuthorizerEvent) => Promise<{ context?: unknown }>;

beforeAll(async () => {
  jwksRequests = [];
  server = createServer((req, res) => {
    jwksRequests.push(req.url ?? "");
    if (req.url === `/${POOL}/.well-known/jwks.json`) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ keys: [key.jwk] }));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const saved = { ...process.env };
  process.env.USER_POOL_ID = POOL;
  process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = endpoint;
  // What the rehearsal's bundles have compiled in (functions/build.ts, flavour "sandbox").
  process.env.STUDIO_ACCESS_SANDBOX = "1";
  jest.isolateModules(() => {
    ({ handler } = require("../../functions/authorizer") as { handler: typeof handler });
  });
  process.env = saved;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const token = (overrides: Record<string, unknown> = {}) =>
  signJwt(
    { alg: "RS256", kid: key.kid },
    {
      ...accessTokenClaims({ userPoolId: POOL, clientId: CLIENT, username: "user-lob-a" }),
      iss: `${endpoint}/${POOL}`,
      ...overrides,
    },
    key.privateKey,
  );
const event = (t: string) =>
  ({
    type: "TOKEN",
    authorizationToken: `Bearer ${t}`,
    methodArn: "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/v1/GET/studios",
  }) as APIGatewayTokenAuthorizerEvent;

async function reason(t: string): Promise<unknown> {
  const logs = captureLogs();
  try {
    await expect(handler(event(t))).rejects.toEqual(new Error("Unauthorized"));
    return logs.lines().at(-1)?.reason;
  } finally {
    logs.restore();
  }
}

describe("authorizer in a rehearsal bundle, with a Cognito-compatible endpoint (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER)", () => {
  it("accepts the endpoint's access tokens, fetching its JWKS once over the endpoint's own scheme", async () => {
    const logs = captureLogs();
    try {
      expect((await handler(event(token()))).context).toEqual({ username: "user-lob-a" });
      expect((await handler(event(token()))).context).toEqual({ username: "user-lob-a" });
    } finally {
      logs.restore();
    }
    expect(jwksRequests).toEqual([`/${POOL}/.well-known/jwks.json`]);
  });

  it("refuses a token whose issuer is AWS's Cognito rather than the configured endpoint", async () => {
    expect(
      await reason(token({ iss: `https://cognito-idp.us-east-1.amazonaws.com/${POOL}` })),
    ).toBe("wrong issuer");
  });

  it("still refuses a token for another app client", async () => {
    expect(await reason(token({ client_id: "another-client" }))).toBe("wrong client");
  });

  it("still refuses an ID token", async () => {
    expect(await reason(token({ token_use: "id" }))).toBe("wrong token use");
  });

  it("still refuses a token signed by another key", async () => {
    const stranger = makeSigningKey("CognitoLocal");
    const forged = signJwt(
      { alg: "RS256", kid: key.kid },
      JSON.parse(Buffer.from(token().split(".")[1]!, "base64url").toString()) as object,
      stranger.privateKey,
    );
    expect(await reason(forged)).toBe("bad signature");
  });
});
