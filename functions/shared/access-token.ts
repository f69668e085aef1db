import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksNotAvailableInCacheError,
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
} from "aws-jwt-verify/error";
import { SimpleFetcher } from "aws-jwt-verify/https";
import { assertIsJwks, assertIsSignatureJwk, SimpleJwksCache, type Jwks } from "aws-jwt-verify/jwk";
import { requireEnv } from "./log";

/**
 * Cognito access tokens, verified the same way by every function that accepts one: the authorizer,
 * and the presigner, which checks the caller's token again so that invoking it directly, past the
 * authorizer, gets nobody anything.
 */

/** Longest Authorization header we read; API Gateway allows 10 KiB, Cognito access tokens are ~1 KiB. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/** What a handler needs of a verifier; both constructions below provide it. */
type VerifiedPayload = Readonly<{ sub: string; username?: unknown }>;

export interface AccessTokenVerifier {
  verify(token: string): Promise<VerifiedPayload>;
  cacheJwks(jwks: { keys: readonly unknown[] }): void;
}

/**
 * The pool's signing keys as the program read them at `pulumi up` (Cognito's public JWKS URL,
 * https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json), so no function needs
 * that path at run time: the hub's cognito-idp interface endpoint is not documented to serve it
 * (AWS PrivateLink for Amazon Cognito lists the API operations it serves). A token signed by a key
 * this JWKS lacks (Cognito "might rotate signing keys in your user pool", Verifying JSON web
 * tokens, Cognito developer guide) makes the verifier fetch the JWKS once, as it would without one.
 */
export const JWKS_VARIABLE = "USER_POOL_JWKS";

/** After a failed JWKS fetch, the verifier fetches none for this long: an unknown kid is refused. */
export const JWKS_FETCH_BACKOFF_MS = 10_000;

/**
 * The JWKS text `source` holds, checked as aws-jwt-verify checks a fetched one and reduced to what
 * verification reads (kid, kty, alg, use, n, e), so that it fits Lambda's 4 KB environment.
 * A bad one is an error naming `source`.
 */
export function parseJwks(text: string, source: string): Jwks {
  let parsed: Parameters<typeof assertIsJwks>[0];
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`${source} is not JSON: expected a JWKS, {"keys": [...]}`);
  }
  try {
    assertIsJwks(parsed);
    const keys = parsed.keys.map((jwk) => {
      assertIsSignatureJwk(jwk);
      if (jwk.kty !== "RSA" || typeof jwk.kid !== "string")
        throw new Error(`key ${JSON.stringify(jwk.kid)} is not an RSA key with a kid`);
      const { kid, kty, alg, use, n, e } = jwk as Record<string, string | undefined>;
      return { kid, kty, alg, use, n, e };
    });
    if (keys.length === 0) throw new Error("it has no keys");
    return JSON.parse(JSON.stringify({ keys })) as Jwks;
  } catch (error) {
    throw new Error(
      `${source} is not a Cognito JWKS: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** What fetches a JWKS: aws-jwt-verify's fetcher interface. */
interface JwksFetcher {
  fetch(uri: string): Promise<ArrayBuffer>;
}

/**
 * A fetcher that, after a failure, refuses to fetch again for JWKS_FETCH_BACKOFF_MS: a stream of
 * tokens with unknown kids costs one fetch, not one each (aws-jwt-verify backs off only after a
 * fetch that succeeded without the kid).
 */
function backingOff(fetcher: JwksFetcher, now: () => number = Date.now): JwksFetcher {
  let failedAt: number | undefined;
  return {
    async fetch(uri: string): Promise<ArrayBuffer> {
      if (failedAt !== undefined && now() - failedAt < JWKS_FETCH_BACKOFF_MS)
        throw new FetchError(uri, "the last fetch failed less than 10 s ago");
      try {
        const body = await fetcher.fetch(uri);
        failedAt = undefined;
        return body;
      } catch (error) {
        failedAt = now();
        throw error;
      }
    },
  };
}

/** A refused token. `reason` is for the log; the caller only ever learns "Unauthorized". */
export class Unauthorized extends Error {
  constructor(readonly reason: string) {
    super("Unauthorized");
  }
}

/**
 * The verifier for the pool and app client named by `USER_POOL_ID` and `USER_POOL_CLIENT_ID`:
 * aws-jwt-verify's CognitoJwtVerifier, issuer https://cognito-idp.<region>.amazonaws.com/<pool>.
 *
 * Rehearsal bundles (built with the `sandbox` flavour) instead accept the Cognito-compatible
 * endpoint named by the standard SDK setting `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, whose
 * issuer is `<endpoint>/<pool>`, with the same Cognito claim checks. Deployed bundles are built
 * with that branch compiled out.
 */
export function createVerifier(env: NodeJS.ProcessEnv): AccessTokenVerifier {
  const userPoolId = requireEnv(env, "USER_POOL_ID");
  const clientId = requireEnv(env, "USER_POOL_CLIENT_ID");
  const embedded = env[JWKS_VARIABLE];
  const jwks =
    embedded === undefined || embedded === ""
      ? undefined
      : parseJwks(embedded, `environment variable ${JWKS_VARIABLE}`);
  // Whatever keys the library fetches, the remembered tokens are forgotten (rememberingVerified).
  let keysFetched: () => void = () => undefined;
  // Forgets once the library has STORED the fetched keys (not when the fetch answers): a
  // verification begun before that reads the old keys and must not be remembered.
  const forgetting = (fetcher: JwksFetcher): SimpleJwksCache =>
    new (class extends SimpleJwksCache {
      override async getJwks(uri: string): Promise<Jwks> {
        try {
          return await super.getJwks(uri);
        } finally {
          keysFetched();
        }
      }
    })({ fetcher });
  let verifier: AccessTokenVerifier;
  if (process.env.STUDIO_ACCESS_SANDBOX === "1") {
    verifier = localVerifier(
      requireEnv(env, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"),
      userPoolId,
      clientId,
      forgetting,
    );
  } else {
    verifier = CognitoJwtVerifier.create(
      { userPoolId, clientId, tokenUse: "access" },
      {
        jwksCache: forgetting(backingOff(new SimpleFetcher())),
      },
    );
  }
  if (jwks) verifier.cacheJwks(jwks);
  const remembering = rememberingVerified(verifier);
  keysFetched = () => {
    remembering.forget();
  };
  return remembering;
}

/** How many verified tokens a container remembers (the oldest is forgotten first). */
export const VERIFIED_TOKENS_KEPT = 512;

/**
 * `verifier`, remembering the tokens it verified, by their exact text, until each one's `exp`: a
 * user's next sign-ins with the same token cost a map lookup instead of an RSA verification (a
 * median of 0.03 to 0.06 ms on the benchmark's machine, docs/functions.md). Only a token that
 * verified is remembered; a token differing in any byte is verified afresh; a remembered token is refused from its `exp` on, as the library
 * refuses it (aws-jwt-verify `validateJwtFields`: expired when `exp < now`, no grace configured).
 * Nothing weaker than the library's own check: the verification is stateless either way (a
 * revoked Cognito access token verifies until it expires, remembered or not). New keys forget
 * every remembered token, whether given (`cacheJwks`) or fetched by the library for an unknown
 * kid (`forget`, called by the fetcher `createVerifier` gives it), so a key the pool withdrew
 * stops verifying remembered tokens too; a verification that began before the keys changed is not
 * remembered. The payload is kept frozen through and through, so no caller changes what the next
 * one is given.
 */
export function rememberingVerified(
  verifier: AccessTokenVerifier,
  now: () => number = Date.now,
): AccessTokenVerifier & { forget(): void } {
  const verified = new Map<string, { readonly payload: VerifiedPayload; readonly expMs: number }>();
  // Counts key changes: a verification remembers its token only if none happened meanwhile.
  let keys = 0;
  const forget = () => {
    keys += 1;
    verified.clear();
  };
  return {
    forget,
    cacheJwks(jwks) {
      forget();
      verifier.cacheJwks(jwks);
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expMs > now()) return known.payload;
        verified.delete(token);
      }
      const keysBefore = keys;
      const payload = deepFreeze(await verifier.verify(token));
      const exp = (payload as { exp?: unknown }).exp;
      if (keysBefore === keys && typeof exp === "number" && Number.isFinite(exp)) {
        if (verified.size >= VERIFIED_TOKENS_KEPT) {
          const oldest = verified.keys().next();
          if (!oldest.done) verified.delete(oldest.value);
        }
        verified.set(token, { payload, expMs: exp * 1000 });
      }
      return payload;
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function localVerifier(
  endpoint: string,
  userPoolId: string,
  clientId: string,
  wrap: (fetcher: JwksFetcher) => SimpleJwksCache,
) {
  const issuer = `${endpoint.replace(/\/+$/, "")}/${userPoolId}`;
  // Node's fetch, which (unlike the library's HTTPS-only fetcher) speaks http to a local endpoint.
  const fetcher = {
    async fetch(uri: string): Promise<ArrayBuffer> {
      const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) throw new FetchError(uri, `status ${String(response.status)}`);
      return response.arrayBuffer();
    },
  };
  return JwtVerifier.create(
    {
      issuer,
      audience: null,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }) => {
        validateCognitoJwtFields(payload, { tokenUse: "access", clientId });
      },
    },
    { jwksCache: wrap(backingOff(fetcher)) },
  ) as unknown as AccessTokenVerifier;
}

/** The token of an `Authorization: Bearer <jwt>` header, or Unauthorized naming what is wrong. */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header === "") throw new Unauthorized("missing Authorization header");
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw new Unauthorized("oversized header");
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new Unauthorized("not a Bearer JWT");
  return match[1];
}

/** Verifies the header's token; resolves to its subject and username, or throws Unauthorized. */
export async function verifyBearer(
  verifier: AccessTokenVerifier,
  header: string | undefined,
): Promise<{ sub: string; username: string }> {
  let payload: { sub: string; username?: unknown };
  try {
    payload = await verifier.verify(bearerToken(header));
  } catch (error) {
    if (error instanceof Unauthorized) throw error;
    throw new Unauthorized(rejectionReason(error));
  }
  const username = payload.username;
  if (typeof username !== "string" || username === "") {
    throw new Unauthorized("token has no username");
  }
  return { sub: payload.sub, username };
}

// Checked in order: the subclasses come before their parents. Class names do not survive
// minification, so each check is an instanceof against the library's own error classes. The
// error's message could quote token content, so only the mapped reason is ever logged.
const REASONS: readonly [abstract new (...args: never[]) => Error, string][] = [
  [JwtExpiredError, "expired"],
  [JwtNotBeforeError, "not yet valid"],
  [CognitoJwtInvalidTokenUseError, "wrong token use"],
  [CognitoJwtInvalidClientIdError, "wrong client"],
  [JwtInvalidIssuerError, "wrong issuer"],
  [JwtInvalidSignatureAlgorithmError, "signature algorithm not allowed"],
  [JwtInvalidSignatureError, "bad signature"],
  [KidNotFoundInJwksError, "unknown kid"],
  [JwtWithoutValidKidError, "no kid"],
  [JwksNotAvailableInCacheError, "JWKS unavailable"],
  [FetchError, "JWKS unavailable"],
  [JwtParseError, "malformed token"],
  // The verifier keeps one configuration per issuer; a token naming any other issuer lands here.
  [ParameterValidationError, "unknown issuer"],
];

function rejectionReason(error: unknown): string {
  return REASONS.find(([type]) => error instanceof type)?.[1] ?? "verification failed";
}
