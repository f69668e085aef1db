import type { APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { SimpleFetcher } from "aws-jwt-verify/https";
import {
  handler,
  MAX_AUTHORIZATION_LENGTH,
  stageWideResource,
  verifier,
} from "../../functions/authorizer";
import { accessTokenClaims, makeSigningKey, signJwt, unsignedJwt } from "../helpers/jwt";
import { captureLogs } from "../helpers/logs";

const USER_POOL_ID = process.env.USER_POOL_ID!;
const CLIENT_ID = process.env.USER_POOL_CLIENT_ID!;
const METHOD_ARN = "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/prod/GET/studios/lob-a";

const poolKey = makeSigningKey("pool-key-1");
const strangerKey = makeSigningKey("stranger-key");
const jwks = { keys: [poolKey.jwk] };

const claims = (overrides: Record<string, unknown> = {}) =>
  accessTokenClaims(
    { userPoolId: USER_POOL_ID, clientId: CLIENT_ID, username: "user-lob-a" },
    overrides,
  );
const header = { alg: "RS256", kid: poolKey.kid, typ: "JWT" };
const validToken = () => signJwt(header, claims(), poolKey.privateKey);

const event = (authorizationToken: string | undefined, methodArn = METHOD_ARN) =>
  ({ type: "TOKEN", authorizationToken, methodArn }) as APIGatewayTokenAuthorizerEvent;

let fetchJwks: jest.SpiedFunction<SimpleFetcher["fetch"]>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(() => {
  verifier.cacheJwks(jwks);
});

beforeEach(() => {
  // No test may reach the network; the one that expects a JWKS refresh serves it itself.
  fetchJwks = jest
    .spyOn(SimpleFetcher.prototype, "fetch")
    .mockRejectedValue(new Error("network is not allowed in tests"));
  logs = captureLogs();
});

afterEach(() => {
  logs.restore();
  fetchJwks.mockRestore();
});

/** Runs the handler expecting a refusal, and returns the reason it logged. */
async function refusalReason(
  authorizationToken: string | undefined,
  methodArn?: string,
): Promise<unknown> {
  await expect(handler(event(authorizationToken, methodArn))).rejects.toEqual(
    new Error("Unauthorized"),
  );
  const denial = logs.lines().find((line) => line.message === "denied");
  expect(denial).toMatchObject({ outcome: "deny" });
  return denial?.reason;
}

describe("authorizer: a valid Cognito access token", () => {
  it("is allowed on every route and method of the same API stage, as the token's user", async () => {
    const result = await handler(event(`Bearer ${validToken()}`), { awsRequestId: "req-1" });
    expect(result).toEqual({
      principalId: "sub-user-lob-a",
      policyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "execute-api:Invoke",
            Resource: "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/prod/*/*",
          },
        ],
      },
      context: { username: "user-lob-a" },
    });
    expect(logs.lines()).toEqual([
      expect.objectContaining({
        message: "authorized",
        requestId: "req-1",
        username: "user-lob-a",
      }),
    ]);
  });

  it("accepts the Bearer scheme in any letter case (RFC 7235)", async () => {
    const result = await handler(event(`bearer ${validToken()}`));
    expect(result.context).toEqual({ username: "user-lob-a" });
  });

  it("never writes the token to the logs, allowed or refused", async () => {
    const token = validToken();
    await handler(event(`Bearer ${token}`));
    await expect(handler(event(`Bearer ${token}x`))).rejects.toThrow("Unauthorized");
    const [, payload, signature] = token.split(".");
    expect(logs.raw()).not.toContain(payload);
    expect(logs.raw()).not.toContain(signature);
  });
});

describe("authorizer: refusals, each answered exactly Unauthorized", () => {
  it("refuses a request with no Authorization header", async () => {
    expect(await refusalReason(undefined)).toBe("missing Authorization header");
  });

  it("refuses another scheme (Basic)", async () => {
    expect(await refusalReason(`Basic ${Buffer.from("user:pw").toString("base64")}`)).toBe(
      "not a Bearer JWT",
    );
  });

  it("refuses an empty bearer token", async () => {
    expect(await refusalReason("Bearer ")).toBe("not a Bearer JWT");
  });

  it("refuses a token that is not a JWT", async () => {
    expect(await refusalReason("Bearer not-a-jwt")).toBe("not a Bearer JWT");
  });

  it("refuses a malformed JWT whose parts are not JSON", async () => {
    expect(await refusalReason("Bearer aGVsbG8.d29ybGQ.c2ln")).toBe("malformed token");
  });

  it("refuses an unsigned token (alg: none, empty signature)", async () => {
    const token = unsignedJwt({ alg: "none", kid: poolKey.kid, typ: "JWT" }, claims());
    expect(await refusalReason(`Bearer ${token}`)).toBe("malformed token");
  });

  it("refuses alg: none even when a signature part is present", async () => {
    const token = `${unsignedJwt({ alg: "none", kid: poolKey.kid, typ: "JWT" }, claims())}c2ln`;
    expect(await refusalReason(`Bearer ${token}`)).toBe("signature algorithm not allowed");
  });

  it("refuses a token signed by another key under the pool's kid (bad signature)", async () => {
    const token = signJwt(header, claims(), strangerKey.privateKey);
    expect(await refusalReason(`Bearer ${token}`)).toBe("bad signature");
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const [h, , s] = validToken().split(".");
    const forged = Buffer.from(JSON.stringify(claims({ username: "admin" }))).toString("base64url");
    expect(await refusalReason(`Bearer ${h}.${forged}.${s}`)).toBe("bad signature");
  });

  it("refuses an expired token", async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    const token = signJwt(
      header,
      claims({ iat: past, auth_time: past, exp: past + 3600 }),
      poolKey.privateKey,
    );
    expect(await refusalReason(`Bearer ${token}`)).toBe("expired");
  });

  it("refuses a token that is not yet valid (nbf in the future)", async () => {
    const future = Math.floor(Date.now() / 1000) + 600;
    const token = signJwt(header, claims({ nbf: future }), poolKey.privateKey);
    expect(await refusalReason(`Bearer ${token}`)).toBe("not yet valid");
  });

  it("refuses an ID token of the same pool and client", async () => {
    const token = signJwt(
      header,
      claims({
        token_use: "id",
        aud: CLIENT_ID,
        client_id: undefined,
        "cognito:username": "user-lob-a",
      }),
      poolKey.privateKey,
    );
    expect(await refusalReason(`Bearer ${token}`)).toBe("wrong token use");
  });

  it("refuses a token issued for another app client", async () => {
    const token = signJwt(
      header,
      claims({ client_id: "anotherclient987654321" }),
      poolKey.privateKey,
    );
    expect(await refusalReason(`Bearer ${token}`)).toBe("wrong client");
  });

  it("refuses a token from another user pool (issuer)", async () => {
    const iss = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool9";
    const token = signJwt(header, claims({ iss }), poolKey.privateKey);
    expect(await refusalReason(`Bearer ${token}`)).toBe("unknown issuer");
  });

  it("refuses a token whose kid is not in the pool's JWKS, after one refresh of the JWKS", async () => {
    fetchJwks.mockResolvedValue(new TextEncoder().encode(JSON.stringify(jwks)).buffer);
    const token = signJwt({ ...header, kid: strangerKey.kid }, claims(), strangerKey.privateKey);
    expect(await refusalReason(`Bearer ${token}`)).toBe("unknown kid");
    expect(fetchJwks).toHaveBeenCalledTimes(1);
    expect(fetchJwks.mock.calls[0]?.[0]).toBe(
      `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}/.well-known/jwks.json`,
    );
  });

  it("refuses an oversized Authorization header before parsing it", async () => {
    const huge = `Bearer ${validToken()}${"A".repeat(MAX_AUTHORIZATION_LENGTH)}`;
    expect(await refusalReason(huge)).toBe("oversized header");
  });

  it("refuses a valid token presented for a malformed methodArn", async () => {
    expect(
      await refusalReason(`Bearer ${validToken()}`, "arn:aws:execute-api:us-east-1:111111111111:*"),
    ).toBe("malformed methodArn");
  });

  it("refuses a validly signed access token that carries no username", async () => {
    const token = signJwt(header, claims({ username: undefined }), poolKey.privateKey);
    expect(await refusalReason(`Bearer ${token}`)).toBe("token has no username");
  });
});

describe("stageWideResource", () => {
  it.each([
    [METHOD_ARN, "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/prod/*/*"],
    [
      "arn:aws:execute-api:eu-west-1:111111111111:a1b2c3d4e5/dev/GET/studios",
      "arn:aws:execute-api:eu-west-1:111111111111:a1b2c3d4e5/dev/*/*",
    ],
    [
      "arn:aws-us-gov:execute-api:us-gov-west-1:111111111111:a1b2c3d4e5/prod/POST/x/y/z",
      "arn:aws-us-gov:execute-api:us-gov-west-1:111111111111:a1b2c3d4e5/prod/*/*",
    ],
  ])("keeps the API and stage of %s", (methodArn, expected) => {
    expect(stageWideResource(methodArn)).toBe(expected);
  });

  it.each([
    "",
    "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5",
    "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/prod",
    "arn:aws:lambda:us-east-1:111111111111:a1b2c3d4e5/prod/GET/studios",
    "arn:aws:execute-api:us-east-1:1111:a1b2c3d4e5/prod/GET/studios",
  ])("rejects %p", (methodArn) => {
    expect(() => stageWideResource(methodArn)).toThrow("Unauthorized");
  });
});
