import { requireEnv } from "../shared/log";

export interface PresignerConfig {
  /** Entitlements table: partition key `username`, sort key `lob`. */
  readonly usersTable: string;
  /** LOB registry: partition key `lob`. */
  readonly lobsTable: string;
  /** Lifetime of a presigned URL (CreatePresignedDomainUrl ExpiresInSeconds), 5–300. */
  readonly urlExpiresSeconds: number;
  /** Lifetime of the Studio session it opens (SessionExpirationDurationInSeconds), 1800–43200. */
  readonly sessionExpiresSeconds: number;
}

function integerInRange(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number {
  const raw = requireEnv(env, name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `environment variable ${name} is "${raw}": expected a whole number of seconds from ${min} to ${max}`,
    );
  }
  return value;
}

/** Reads and checks the presigner's environment; a bad value fails the cold start with its name. */
export function loadConfig(env: NodeJS.ProcessEnv): PresignerConfig {
  return {
    usersTable: requireEnv(env, "USERS_TABLE"),
    lobsTable: requireEnv(env, "LOBS_TABLE"),
    urlExpiresSeconds: integerInRange(env, "URL_EXPIRES_SECONDS", 5, 300),
    sessionExpiresSeconds: integerInRange(env, "SESSION_EXPIRES_SECONDS", 1800, 43200),
  };
}
