import { CreatePresignedDomainUrlCommand, type SageMakerClient } from "@aws-sdk/client-sagemaker";
import type { STSClient } from "@aws-sdk/client-sts";
import type { Landing } from "../shared/landing";
import { profileNameFor } from "../shared/profile-name";
import type { StudioClients } from "../shared/clients";
import type { PresignerConfig, RegisteredLob } from "./config";
import { CredentialCache, type RoleCredentials } from "./credentials";
import {
  fromAwsError,
  LobDisabled,
  NotEntitled,
  RecordMismatch,
  SpaceNotFound,
  UnknownLob,
  UpstreamFailure,
} from "./errors";
import { AccessTables, type Entitlement, type LobRecord } from "./tables";

export interface StudioSignerOptions {
  readonly sts: STSClient;
  readonly sageMaker: (region: string, credentials: RoleCredentials) => SageMakerClient;
  readonly now: () => number;
  /** The LOBs as the hub deployed them; records are checked against these. */
  readonly lobs: ReadonlyMap<string, RegisteredLob>;
  readonly urlExpiresSeconds: number;
  readonly sessionExpiresSeconds: number;
}

/** What a checked request may presign: the LOB's record and the user's own profile. */
export interface StudioTarget {
  readonly record: LobRecord;
  readonly profileName: string;
}

/** The table reads and the signer of an entry that opens Studio, from its clients and settings. */
export function studioAccess(
  clients: StudioClients,
  config: PresignerConfig,
): { tables: AccessTables; signer: StudioSigner } {
  return {
    tables: new AccessTables(clients.dynamo, config.usersTable, config.lobsTable),
    signer: new StudioSigner({
      sts: clients.sts,
      sageMaker: clients.sageMaker,
      now: clients.now,
      lobs: config.lobs,
      urlExpiresSeconds: config.urlExpiresSeconds,
      sessionExpiresSeconds: config.sessionExpiresSeconds,
    }),
  };
}

/**
 * Decides whether a user may open a LOB's Studio from what the tables say, checks what they say
 * against what the hub deployed, and presigns. Shared by every entry that opens Studio.
 */
export class StudioSigner {
  private readonly credentials: CredentialCache;
  private readonly clients = new WeakMap<RoleCredentials, SageMakerClient>();

  constructor(private readonly options: StudioSignerOptions) {
    this.credentials = new CredentialCache(options.sts, options.now);
  }

  /**
   * The user's Studio in the LOB, or the refusal. Unknown LOBs and LOBs the user is not entitled to
   * are refused alike. A record that contradicts the hub's deployment is refused as a mismatch.
   */
  target(
    username: string,
    lob: string,
    entitlement: Entitlement | undefined,
    record: LobRecord | undefined,
  ): StudioTarget {
    const registered = this.options.lobs.get(lob);
    if (!record || !registered) throw new UnknownLob();
    if (!entitlement) throw new NotEntitled();
    if (record.accountId !== registered.accountId) {
      throw new RecordMismatch(
        `lobs table: ${lob} names account ${record.accountId}, the hub deployed ${registered.accountId}`,
      );
    }
    if (record.accessRoleArn !== registered.accessRoleArn) {
      throw new RecordMismatch(
        `lobs table: ${lob} names role ${record.accessRoleArn}, the hub deployed ${registered.accessRoleArn}`,
      );
    }
    const own = profileNameFor(username);
    if (entitlement.username !== username || entitlement.profileName !== own) {
      throw new RecordMismatch(
        `users table: ${username}'s entitlement to ${lob} names profile ${entitlement.profileName}, not ${String(own)}`,
      );
    }
    if (!record.enabled) throw new LobDisabled();
    return { record, profileName: own };
  }

  /** A presigned URL for the target, landing where `landing` says (Studio's default if empty). */
  async presign(target: StudioTarget, signal: AbortSignal, landing: Landing = {}): Promise<string> {
    const { record, profileName } = target;
    const command = new CreatePresignedDomainUrlCommand({
      DomainId: record.domainId,
      UserProfileName: profileName,
      ExpiresInSeconds: this.options.urlExpiresSeconds,
      SessionExpirationDurationInSeconds: this.options.sessionExpiresSeconds,
      ...(landing.landingUri !== undefined ? { LandingUri: landing.landingUri } : {}),
      ...(landing.spaceName !== undefined ? { SpaceName: landing.spaceName } : {}),
    });
    for (let attempt = 1; ; attempt++) {
      const client = await this.client(record);
      try {
        const { AuthorizedUrl } = await client.send(command, { abortSignal: signal });
        if (!AuthorizedUrl) throw new UpstreamFailure("CreatePresignedDomainUrl: no URL returned");
        return AuthorizedUrl;
      } catch (error) {
        // Credentials can be revoked or expire early; one fresh AssumeRole is worth a try.
        if (attempt === 1 && (error as Error).name === "ExpiredTokenException") {
          this.credentials.invalidate(record.accessRoleArn);
          continue;
        }
        // SageMaker names a missing space ResourceNotFound; the profile itself is checked above.
        if (landing.spaceName !== undefined && (error as Error).name === "ResourceNotFound")
          throw new SpaceNotFound("SageMaker.CreatePresignedDomainUrl: ResourceNotFound");
        throw fromAwsError(error, "SageMaker.CreatePresignedDomainUrl");
      }
    }
  }

  private async client(record: LobRecord): Promise<SageMakerClient> {
    let creds: RoleCredentials;
    try {
      creds = await this.credentials.get(record.accessRoleArn);
    } catch (error) {
      throw fromAwsError(error, "STS.AssumeRole");
    }
    let client = this.clients.get(creds);
    if (!client) {
      client = this.options.sageMaker(record.region, creds);
      this.clients.set(creds, client);
    }
    return client;
  }
}
