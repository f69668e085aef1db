import { FetchError } from "aws-jwt-verify/error";
import { SimpleFetcher } from "aws-jwt-verify/https";
import {
  createVerifier,
  JWKS_FETCH_BACKOFF_MS,
  JWKS_VARIABLE,
  parseJwks,
  Unauthorized,
  verifyBearer,
} from "../../functions/shared/access-token";
import { makeSigningKey, signedAccessToken, type SigningKey } from "../helpers/jwt";

// The pool's keys as the program embeds them at `pulumi up` (USER_POOL_JWKS), and what a fetch of
// the pool's JWKS URL answers at run time: through the hub's cognito-idp endpoint for the
// presigner, which AWS does not document to serve that path.
const poolKey = makeSigningKey("pool-key-1");
const rotatedKey = makeSigningKey("pool-key-2");
const JWKS_URI = `https://cognito-idp.us-east-1.amazonaws.com/${process.env.USER_POOL_ID!}/.well-known/jwks.json`;

const embedded = (...keys: SigningKey[]) => JSON.stringify({ keys: keys.map((k) => k.jwk) });
const bearer = (key: SigningKey) => `Bearer ${signedAccessToken(key, "user-lob-a")}`;

let fetches: jest.SpiedFunction<SimpleFetcher["fetch"]>;
afterEach(() => {
  fetches.mockRestore();
  jest.useRealTimers();
});

/** The endpoint does not serve the JWKS path (what an unlisted PrivateLink path may do). */
function endpointServesNothing() {
  fetches = jest
    .spyOn(SimpleFetcher.prototype, "fetch")
    .mockRejectedValue(new FetchError(JWKS_URI, "Status code is 403, expected 200"));
}

/** The endpoint serves the pool's current JWKS. */
function endpointServes(...keys: SigningKey[]) {
  fetches = jest
    .spyOn(SimpleFetcher.prototype, "fetch")
    .mockResolvedValue(new TextEncoder().encode(embedded(...keys)).buffer);
}

const verifier = (jwks?: string) => createVerifier({ ...process.env, [JWKS_VARIABLE]: jwks ?? "" });

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Unauthorized) return error.reason;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("JWKS embedded at pulumi up (USER_POOL_JWKS)", () => {
  it("verifies with the embedded keys while the endpoint serves no JWKS: no fetch at all", async () => {
    endpointServesNothing();
    const v = verifier(embedded(poolKey));
    await expect(verifyBearer(v, bearer(poolKey))).resolves.toEqual({
      sub: "sub-user-lob-a",
      username: "user-lob-a",
    });
    await expect(verifyBearer(v, bearer(poolKey))).resolves.toMatchObject({
      username: "user-lob-a",
    });
    expect(fetches).not.toHaveBeenCalled();
  });

  it("still refuses a token signed by a key of the same kid that is not the pool's", async () => {
    endpointServesNothing();
    const forger = makeSigningKey(poolKey.kid);
    expect(await refusal(verifyBearer(verifier(embedded(poolKey)), bearer(forger)))).toBe(
      "bad signature",
    );
    expect(fetches).not.toHaveBeenCalled();
  });

  it("fetches the pool's JWKS once for a kid it lacks (a key Cognito added since), then verifies", async () => {
    endpointServes(poolKey, rotatedKey);
    const v = verifier(embedded(poolKey));
    await expect(verifyBearer(v, bearer(rotatedKey))).resolves.toMatchObject({
      username: "user-lob-a",
    });
    await expect(verifyBearer(v, bearer(rotatedKey))).resolves.toMatchObject({
      username: "user-lob-a",
    });
    await expect(verifyBearer(v, bearer(poolKey))).resolves.toMatchObject({
      username: "user-lob-a",
    });
    expect(fetches.mock.calls.map(([uri]) => uri)).toEqual([JWKS_URI]);
  });

  it("refuses an unknown kid the endpoint cannot serve, fetching once per 10 s, and keeps the embedded keys", async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 4, 9, 0, 0), doNotFake: ["nextTick"] });
    endpointServesNothing();
    const v = verifier(embedded(poolKey));
    expect(await refusal(verifyBearer(v, bearer(rotatedKey)))).toBe("JWKS unavailable");
    expect(await refusal(verifyBearer(v, bearer(rotatedKey)))).toBe("JWKS unavailable");
    expect(fetches).toHaveBeenCalledTimes(1);
    await expect(verifyBearer(v, bearer(poolKey))).resolves.toMatchObject({
      username: "user-lob-a",
    });
    jest.setSystemTime(Date.now() + JWKS_FETCH_BACKOFF_MS);
    expect(await refusal(verifyBearer(v, bearer(rotatedKey)))).toBe("JWKS unavailable");
    expect(fetches).toHaveBeenCalledTimes(2);
  });
});

describe("no JWKS embedded", () => {
  it("fetches the pool's JWKS on first use when the endpoint serves it", async () => {
    endpointServes(poolKey);
    const v = verifier();
    await expect(verifyBearer(v, bearer(poolKey))).resolves.toMatchObject({
      username: "user-lob-a",
    });
    await expect(verifyBearer(v, bearer(poolKey))).resolves.toMatchObject({
      username: "user-lob-a",
    });
    expect(fetches).toHaveBeenCalledTimes(1);
  });

  it("refuses every token, clearly and without a crash, when the endpoint serves none either", async () => {
    endpointServesNothing();
    const v = verifier();
    expect(await refusal(verifyBearer(v, bearer(poolKey)))).toBe("JWKS unavailable");
    expect(await refusal(verifyBearer(v, bearer(poolKey)))).toBe("JWKS unavailable");
    // The second token within 10 s of a failed fetch is refused without another.
    expect(fetches).toHaveBeenCalledTimes(1);
  });
});

describe("the functions read USER_POOL_JWKS at cold start", () => {
  it.each(["authorizer", "presigner"])(
    "the %s verifies with the embedded keys and never fetches",
    async (fn) => {
      const saved = { ...process.env };
      process.env[JWKS_VARIABLE] = embedded(poolKey);
      let isolated: { verifier: { verify(t: string): Promise<unknown> } } | undefined;
      let fetch: jest.Mock | undefined;
      try {
        jest.isolateModules(() => {
          // The function's own copy of the library, as its bundle has.
          const https = require("aws-jwt-verify/https") as { SimpleFetcher: typeof SimpleFetcher };
          fetch = jest.fn().mockRejectedValue(new FetchError(JWKS_URI, "not served"));
          https.SimpleFetcher.prototype.fetch = fetch;
          isolated = require(`../../functions/${fn}`) as typeof isolated;
        });
      } finally {
        process.env = saved;
      }
      endpointServesNothing();
      await expect(
        isolated!.verifier.verify(signedAccessToken(poolKey, "user-lob-a")),
      ).resolves.toMatchObject({
        username: "user-lob-a",
      });
      expect(fetch).not.toHaveBeenCalled();
    },
  );

  it("fails the cold start naming the variable when it is not a JWKS", () => {
    for (const [bad, why] of [
      ["{", "is not JSON"],
      ['{"keys": []}', "it has no keys"],
      ['{"keys": [{"kty": "RSA", "kid": "k", "n": 1, "e": "AQAB"}]}', "should be a string"],
      ['{"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0", "alg": "HS256"}]}', "kty"],
    ]) {
      expect(() => verifier(bad)).toThrow(`environment variable ${JWKS_VARIABLE} `);
      expect(() => verifier(bad)).toThrow(why);
    }
  });
});

describe("parseJwks", () => {
  it("keeps only what verification reads, so the environment stays small", () => {
    const jwk = { ...poolKey.jwk, x5c: ["MIIB..."], extra: "ignored" };
    expect(parseJwks(JSON.stringify({ keys: [jwk] }), "test")).toEqual({
      keys: [
        {
          kid: poolKey.kid,
          kty: "RSA",
          alg: "RS256",
          use: "sig",
          n: poolKey.jwk.n,
          e: poolKey.jwk.e,
        },
      ],
    });
  });
});
