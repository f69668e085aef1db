import { AssumeRoleCommand, type STSClient } from "../shared/aws/sts";
import { abortable } from "../shared/deadline";

/**
 * Each hub function's AssumeRole session name, so a LOB's CloudTrail tells which function acted
 * (an offboarding's deletes apart from a sign-in's presigns) even where two assume the same role.
 */
export const ROLE_SESSION_NAMES = {
  presigner: "studio-access-presigner",
  saml: "studio-access-saml",
  lifecycle: "studio-access-lifecycle",
} as const;
/** The presigner's session name, the default. */
export const ROLE_SESSION_NAME = ROLE_SESSION_NAMES.presigner;
/** Asked-for lifetime of assumed-role credentials (the role's default maximum). */
export const SESSION_DURATION_SECONDS = 3600;
/** Credentials are replaced this long before they expire, so no call runs on a dying session. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Temporary credentials in the shape the SDK clients accept. */
export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

interface Entry {
  readonly credentials: Promise<RoleCredentials>;
}

/**
 * Assumed-role credentials per role ARN, shared by all requests of a container. Concurrent cold
 * requests for one role wait on the same AssumeRole (single flight); a failure is not cached.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();

  private readonly roleSessionName: string;

  constructor(
    private readonly sts: STSClient,
    private readonly now: () => number,
    options: { readonly roleSessionName?: string } = {},
  ) {
    this.roleSessionName = options.roleSessionName ?? ROLE_SESSION_NAME;
  }

  /**
   * The role's credentials; `signal` (the caller's deadline) aborts the AssumeRole this call makes,
   * and its wait on one another request is making.
   */
  async get(roleArn: string, signal: AbortSignal): Promise<RoleCredentials> {
    const cached = this.entries.get(roleArn);
    if (cached) {
      const credentials = await abortable(cached.credentials, signal);
      if (credentials.expiration.getTime() - REFRESH_MARGIN_MS > this.now()) return credentials;
      // Another request may already have replaced the stale entry while this one waited.
      if (this.entries.get(roleArn) !== cached) return this.get(roleArn, signal);
    }
    const entry: Entry = { credentials: this.assume(roleArn, signal) };
    this.entries.set(roleArn, entry);
    try {
      return await entry.credentials;
    } catch (error) {
      if (this.entries.get(roleArn) === entry) this.entries.delete(roleArn);
      throw error;
    }
  }

  /** Forgets a role's credentials, e.g. after the service said they expired. */
  invalidate(roleArn: string): void {
    this.entries.delete(roleArn);
  }

  private async assume(roleArn: string, signal: AbortSignal): Promise<RoleCredentials> {
    const { Credentials: c } = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: this.roleSessionName,
        DurationSeconds: SESSION_DURATION_SECONDS,
      }),
      { abortSignal: signal },
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error("AssumeRole returned no credentials");
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }
}
