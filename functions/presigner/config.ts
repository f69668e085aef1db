import { readFileSync } from "node:fs";
import * as path from "node:path";
import { requireEnv } from "../shared/log";

/** What the hub's config says about a LOB: the account and role the presigner may act in. */
export interface RegisteredLob {
  readonly accountId: string;
  readonly accessRoleArn: string;
  /** The role that creates a user's profile on first sign-in (and nothing else). */
  readonly provisionerRoleArn: string;
  /** The role that drains and deletes a revoked user's profile (the lifecycle function's). */
  readonly lifecycleRoleArn: string;
}

export interface PresignerConfig {
  /** Entitlements table: partition key `lob`, sort key `userTeam`, index `by-username`. */
  readonly usersTable: string;
  /** LOB registry: partition key `lob`. */
  readonly lobsTable: string;
  /** Lifetime of a presigned URL (CreatePresignedDomainUrl ExpiresInSeconds), 5–300. */
  readonly urlExpiresSeconds: number;
  /** Lifetime of the Studio session it opens (SessionExpirationDurationInSeconds), 1800–43200. */
  readonly sessionExpiresSeconds: number;
  /**
   * The LOBs as deployed with the hub: a table record whose account or role differs is refused.
   * Read from the JSON file named by `LOB_REGISTRY`, which the program writes into the function's
   * archive (Lambda's 4 KB environment would not hold hundreds of LOBs).
   */
  readonly lobs: ReadonlyMap<string, RegisteredLob>;
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

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,64}$/;

/**
 * Parses the registry file's text:
 * `{"<lob>": {"accountId", "accessRoleArn", "provisionerRoleArn", "lifecycleRoleArn"}}`.
 */
export function parseRegistry(text: string, source: string): ReadonlyMap<string, RegisteredLob> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      `${source}: expected an object of LOB name to {accountId, accessRoleArn, provisionerRoleArn, lifecycleRoleArn}`,
    );
  }
  const lobs = new Map<string, RegisteredLob>();
  for (const [lob, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const { accountId, accessRoleArn, provisionerRoleArn, lifecycleRoleArn } = (entry ??
      {}) as Record<string, unknown>;
    const accountOf = (arn: unknown) =>
      typeof arn === "string" ? ROLE_ARN.exec(arn)?.[1] : undefined;
    if (
      typeof accountId !== "string" ||
      !ACCOUNT_ID.test(accountId) ||
      accountOf(accessRoleArn) !== accountId ||
      accountOf(provisionerRoleArn) !== accountId ||
      accountOf(lifecycleRoleArn) !== accountId
    ) {
      throw new Error(
        `${source}: "${lob}" needs an accountId, and an accessRoleArn, a provisionerRoleArn and a lifecycleRoleArn in that account`,
      );
    }
    lobs.set(lob, {
      accountId,
      accessRoleArn: accessRoleArn as string,
      provisionerRoleArn: provisionerRoleArn as string,
      lifecycleRoleArn: lifecycleRoleArn as string,
    });
  }
  return lobs;
}

/** The registry file `LOB_REGISTRY` names, read and checked (a bad one fails the cold start). */
export function loadRegistry(env: NodeJS.ProcessEnv): ReadonlyMap<string, RegisteredLob> {
  const registry = path.resolve(requireEnv(env, "LOB_REGISTRY"));
  let text: string;
  try {
    text = readFileSync(registry, "utf8");
  } catch {
    throw new Error(`environment variable LOB_REGISTRY names ${registry}, which cannot be read`);
  }
  return parseRegistry(text, `LOB_REGISTRY ${registry}`);
}

/** Reads and checks the presigner's environment; a bad value fails the cold start with its name. */
export function loadConfig(env: NodeJS.ProcessEnv): PresignerConfig {
  const lobs = loadRegistry(env);
  return {
    usersTable: requireEnv(env, "USERS_TABLE"),
    lobsTable: requireEnv(env, "LOBS_TABLE"),
    urlExpiresSeconds: integerInRange(env, "URL_EXPIRES_SECONDS", 5, 300),
    sessionExpiresSeconds: integerInRange(env, "SESSION_EXPIRES_SECONDS", 1800, 43200),
    lobs,
  };
}
