import type {
  APIGatewayAuthorizerResult,
  APIGatewayTokenAuthorizerEvent,
  Context,
} from "aws-lambda";
import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { FetchError } from "aws-jwt-verify/error";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
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
import { log, requireEnv } from "../shared/log";

/** Longest Authorization header we read; API Gateway allows 10 KiB, Cognito access tokens are ~1 KiB. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

// arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<resource path>
const METHOD_ARN =
  /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]+)\/([^/]+)\/[A-Z*]+\/.*$/;

/** What the handler needs of a verifier; both constructions below provide it. */
export interface AccessTokenVerifier {
  verify(token: string): Promise<{ sub: string; username?: unknown }>;
  cacheJwks(jwks: { keys: readonly unknown[] }): void;
}

/** Fetches the JWKS with Node's fetch, which (unlike the library's HTTPS-only fetcher) speaks http too. */
const fetchJwks = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new FetchError(uri, `status ${String(response.status)}`);
    return response.arrayBuffer();
  },
};

/**
 * Cognito's issuer is its endpoint followed by the pool id. With no endpoint override that is
 * https://cognito-idp.<region>.amazonaws.com/<pool>, which CognitoJwtVerifier derives itself. When
 * the standard SDK setting names another Cognito-compatible endpoint, the issuer and JWKS live
 * there, and the same Cognito claim checks (token_use, client_id) apply.
 */
export function createVerifier(env: NodeJS.ProcessEnv): AccessTokenVerifier {
  const userPoolId = requireEnv(env, "USER_POOL_ID");
  const clientId = requireEnv(env, "USER_POOL_CLIENT_ID");
  const endpoint = env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER ?? env.AWS_ENDPOINT_URL;
  if (endpoint === undefined || endpoint === "") {
    return CognitoJwtVerifier.create({
      userPoolId,
      clientId,
      tokenUse: "access",
    });
  }
  const issuer = `${endpoint.replace(/\/+$/, "")}/${userPoolId}`;
  return JwtVerifier.create(
    {
      issuer,
      audience: null,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }) => {
        validateCognitoJwtFields(payload, { tokenUse: "access", clientId });
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: fetchJwks }) },
  ) as unknown as AccessTokenVerifier;
}

/** Created once per container so the JWKS download and its cache are shared by all invocations. */
export const verifier = createVerifier(process.env);

/** The API Gateway contract for a 401: any other error message becomes a 500. */
class Unauthorized extends Error {
  constructor(readonly reason: string) {
    super("Unauthorized");
  }
}

/**
 * Allows every method and route of the API stage the request came for. API Gateway caches the
 * decision per token, so a policy naming only the first route would deny the user's next route.
 */
export function stageWideResource(methodArn: string): string {
  const match = METHOD_ARN.exec(methodArn);
  if (!match) throw new Unauthorized("malformed methodArn");
  const [, apiArn, stage] = match as unknown as [string, string, string];
  return `${apiArn}/${stage}/*/*`;
}

function bearerToken(header: string | undefined): string {
  if (header === undefined || header === "") throw new Unauthorized("missing Authorization header");
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw new Unauthorized("oversized header");
  const match = BEARER.exec(header);
  if (!match?.[1]) throw new Unauthorized("not a Bearer JWT");
  return match[1];
}

export async function handler(
  event: APIGatewayTokenAuthorizerEvent,
  context?: Pick<Context, "awsRequestId">,
): Promise<APIGatewayAuthorizerResult> {
  const requestId = context?.awsRequestId;
  try {
    const resource = stageWideResource(event.methodArn);
    const payload = await verifier.verify(bearerToken(event.authorizationToken));
    const username = payload.username;
    if (typeof username !== "string" || username === "") {
      throw new Unauthorized("token has no username");
    }
    log("info", "authorized", { requestId, username, outcome: "allow" });
    return {
      principalId: payload.sub,
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: resource }],
      },
      context: { username },
    };
  } catch (error) {
    // The error's class names the failed check (JwtExpiredError, JwtInvalidSignatureError, ...);
    // its message could quote token content, so only the class is logged.
    const reason = error instanceof Unauthorized ? error.reason : rejectionReason(error);
    log("warn", "denied", { requestId, outcome: "deny", reason });
    throw new Error("Unauthorized");
  }
}

// Checked in order: the subclasses come before their parents. Class names do not survive
// minification, so each check is an instanceof against the library's own error classes.
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
