import { types } from "node:util";
import { JWKS_VARIABLE, parseJwks } from "../../functions/shared/access-token";
import { QUOTAS } from "./quotas";

/**
 * The user pool's signing keys, read by the program at `pulumi up` and handed to the functions
 * that verify its tokens (USER_POOL_JWKS), so that none of them needs the JWKS path at run time:
 * the presigner runs in the isolated hub VPC, whose cognito-idp interface endpoint AWS documents
 * for user pool SDK and REST API requests, not for `/.well-known/jwks.json` ("Access Amazon
 * Cognito using an interface endpoint (AWS PrivateLink)", https://docs.aws.amazon.com/cognito/latest/developerguide/vpc-interface-endpoints.html).
 */

/**
 * Where a pool publishes its JWKS: Cognito's public URL
 * (https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json, "Verifying JSON web
 * tokens", https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html),
 * or under `endpoint`, the service-specific endpoint the standard SDK setting
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER names (AWS SDKs and Tools reference guide,
 * "Service-specific endpoints", https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
 */
export function userPoolJwksUrl(region: string, userPoolId: string, endpoint?: string): string {
  // The keys fetched here are the keys every token is checked with: an endpoint setting left on
  // the operator's machine must not hand them over a network anyone can answer on. Plain HTTP is
  // accepted only on the machine itself (a local emulator), named by a loopback literal: a name
  // such as localhost is resolved by whatever resolver the machine has, which may not be local.
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new Error(`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER "${endpoint}" is not a URL`);
    }
    const loopback = ["127.0.0.1", "[::1]"].includes(url.hostname);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
      throw new Error(
        `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER "${endpoint}" would fetch the user pool's signing keys without TLS: use https:// (plain http is accepted only for localhost), as 127.0.0.1 or [::1]`,
      );
  }
  const base = endpoint?.replace(/\/+$/, "") ?? `https://cognito-idp.${region}.amazonaws.com`;
  return `${base}/${userPoolId}/.well-known/jwks.json`;
}

/** Tries and time allowed for the JWKS fetch at `pulumi up`. */
export const JWKS_FETCH = { attempts: 3, timeoutMs: 10_000, pauseMs: 2_000 } as const;

/**
 * The pool's JWKS as compact JSON (only what verification reads), fetched from `url`. A pool just
 * made may take a moment to publish it, so a failure is tried again (JWKS_FETCH); the last one
 * fails the `pulumi up` with the URL and the reason.
 */
export async function fetchUserPoolJwks(
  url: string,
  options: { attempts: number; timeoutMs: number; pauseMs: number } = JWKS_FETCH,
): Promise<string> {
  let reason = "";
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    try {
      // A redirect would take the keys from a place the endpoint check above never saw (plain
      // HTTP, another host): the keys are read from the URL that was checked or not at all.
      const response = await fetch(url, {
        redirect: "error",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      if (!response.ok) {
        reason = `HTTP ${String(response.status)}`;
        continue;
      }
      return JSON.stringify(parseJwks(text, `the JWKS at ${url}`));
    } catch (error) {
      // isNativeError, not instanceof: fetch's errors come from Node's own realm.
      reason = types.isNativeError(error) ? error.message : String(error);
      // fetch reports every network failure as "fetch failed"; its cause says which.
      if (types.isNativeError(error) && types.isNativeError(error.cause))
        reason = `${reason} (${error.cause.message})`;
      // A JWKS that is there and malformed will not get better.
      if (reason.startsWith("the JWKS at")) throw error;
    }
  }
  throw new Error(
    `the user pool's signing keys (${JWKS_VARIABLE}) could not be read from ${url} after ${String(options.attempts)} tries: ${reason}`,
  );
}

/**
 * Lambda's limit on a function's environment: "4 KB, for all environment variables associated
 * with the function, in aggregate" (Lambda quotas,
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
export const LAMBDA_ENVIRONMENT_BYTES = QUOTAS.lambdaEnvironmentBytes.limit;

/** The bytes Lambda counts for a function's variables: each name and value, in UTF-8. */
export function environmentBytes(variables: Readonly<Record<string, string>>): number {
  return Object.entries(variables).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value),
    0,
  );
}

/** Refuses, before Lambda does, an environment over LAMBDA_ENVIRONMENT_BYTES, naming its largest. */
export function checkEnvironmentSize(
  fn: string,
  variables: Readonly<Record<string, string>>,
): void {
  const bytes = environmentBytes(variables);
  if (bytes <= LAMBDA_ENVIRONMENT_BYTES) return;
  const [largest, value] = Object.entries(variables).sort(
    ([, a], [, b]) => Buffer.byteLength(b) - Buffer.byteLength(a),
  )[0] ?? ["", ""];
  throw new Error(
    `function ${fn}: its environment variables take ${String(bytes)} bytes, over Lambda's ${String(LAMBDA_ENVIRONMENT_BYTES)}; the largest is ${largest} (${String(Buffer.byteLength(value))} bytes)`,
  );
}
