import { requireEnv } from "../shared/log";
import type { PasswordPolicy } from "../shared/password-policy";

export type { PasswordPolicy };

/** What the browser needs to sign in to the pool and open Studio (GET /settings, the page's meta). */
export interface PortalSettings {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Where the browser calls Cognito: an absolute URL, its origin the CSP's connect-src. */
  readonly cognitoEndpoint: string;
  readonly passwordPolicy: PasswordPolicy;
  readonly urlExpiresSeconds: number;
}

/** The hosts plain http may name: this machine's loopback (WHATWG URL's hostname spelling). */
const LOOPBACK = ["127.0.0.1", "[::1]", "localhost"];

const FLAGS = ["requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"] as const;

function passwordPolicyOf(raw: string): PasswordPolicy {
  const bad = () =>
    new Error(
      "environment variable PASSWORD_POLICY: expected {minimumLength, requireLowercase, requireUppercase, requireNumbers, requireSymbols}",
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw bad();
  }
  if (typeof parsed !== "object" || parsed === null) throw bad();
  const p = parsed as Record<string, unknown>;
  const { minimumLength } = p;
  if (typeof minimumLength !== "number" || !Number.isInteger(minimumLength) || minimumLength < 6)
    throw bad();
  if (!FLAGS.every((flag) => typeof p[flag] === "boolean")) throw bad();
  return {
    minimumLength,
    requireLowercase: p.requireLowercase === true,
    requireUppercase: p.requireUppercase === true,
    requireNumbers: p.requireNumbers === true,
    requireSymbols: p.requireSymbols === true,
  };
}

/**
 * Reads the portal's environment; a bad value fails the cold start with its name. COGNITO_ENDPOINT
 * is the endpoint the stack was given (as the CLI's configure line has it); unset, Cognito's
 * regional one, https://cognito-idp.<region>.amazonaws.com ("Amazon Cognito endpoints and quotas",
 * https://docs.aws.amazon.com/general/latest/gr/cognito_identity.html).
 */
export function loadPortalSettings(env: NodeJS.ProcessEnv): PortalSettings {
  const region = requireEnv(env, "AWS_REGION");
  const cognitoEndpoint =
    env.COGNITO_ENDPOINT?.trim() || `https://cognito-idp.${region}.amazonaws.com`;
  let url: URL;
  try {
    url = new URL(cognitoEndpoint);
  } catch {
    throw new Error(`environment variable COGNITO_ENDPOINT is "${cognitoEndpoint}": not a URL`);
  }
  // https anywhere; plain http only on this machine (the sandbox), as the CLI (cli/config.ts):
  // the browser sends passwords' proofs and tokens there.
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.includes(url.hostname)))
    throw new Error(
      `environment variable COGNITO_ENDPOINT (${url.protocol}//${url.host}): must be an https:// URL (plain http only on 127.0.0.1, [::1] or localhost)`,
    );
  const urlExpiresSeconds = Number(requireEnv(env, "URL_EXPIRES_SECONDS"));
  if (!Number.isInteger(urlExpiresSeconds) || urlExpiresSeconds < 5 || urlExpiresSeconds > 300)
    throw new Error("environment variable URL_EXPIRES_SECONDS: expected 5 to 300 seconds");
  return {
    region,
    userPoolId: requireEnv(env, "USER_POOL_ID"),
    clientId: requireEnv(env, "USER_POOL_CLIENT_ID"),
    cognitoEndpoint,
    passwordPolicy: passwordPolicyOf(requireEnv(env, "PASSWORD_POLICY")),
    urlExpiresSeconds,
  };
}
