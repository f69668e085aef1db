import { CreatePresignedDomainUrlCommand, type SageMakerClient } from "../shared/aws/sagemaker";
import type { STSClient } from "../shared/aws/sts";
import type { Landing } from "../shared/landing";
import { teamProfileName } from "../shared/teams";
import type { StudioClients } from "../shared/clients";
import type { PresignerConfig, RegisteredLob } from "./config";
import { CredentialCache, ROLE_SESSION_NAMES, type RoleCredentials } from "./credentials";
import {
  fromAwsError,
  HttpError,
  LobDisabled,
  NotEntitled,
  ProfilePending,
  RecordMismatch,
  SpaceNotFound,
  TeamRequired,
  UnknownLob,
  UpstreamFailure,
} from "./errors";
import { PROFILE_POLL_MS, PROFILE_WAIT_MS, ProfileProvisioner } from "./profiles";
import { AccessTables, byTeam, type Entitlement, type LobRecord, type TeamRows } from "./tables";

export interface StudioSignerOptions {
  readonly sts: STSClient;
  readonly sageMaker: (region: string, credentials: RoleCredentials) => SageMakerClient;
  readonly now: () => number;
  /** The LOBs as the hub deployed them; records are checked against these. */
  readonly lobs: ReadonlyMap<string, RegisteredLob>;
  readonly urlExpiresSeconds: number;
  readonly sessionExpiresSeconds: number;
  /** How long a first sign-in waits for its new profile. @default PROFILE_WAIT_MS */
  readonly profileWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Its AssumeRole session name (each entry its own). @default ROLE_SESSION_NAMES.presigner */
  readonly roleSessionName?: string;
}

/** What a checked request may presign: the LOB's record and the user's own profile in one team. */
export interface StudioTarget {
  readonly username: string;
  readonly team: string;
  readonly record: LobRecord;
  readonly registered: RegisteredLob;
  readonly profileName: string;
}

/**
 * Whether a user's rows in a team open Studio: the rule says they are in it (a config seed or an
 * active admin grant; `entitlementOf`), and the LOB has the team.
 */
export function opens(team: TeamRows, record: LobRecord): boolean {
  return team.entitled.entitled && team.lob === record.lob && record.teams.includes(team.team);
}

/** The user has no profile in the team yet: their first sign-in, which creates it. */
class ProfileMissing extends Error {}

/** A first CreatePresignedDomainUrl refused, for a reason other than a missing profile. */
class PresignRefused extends Error {
  constructor(readonly refusal: HttpError) {
    super(refusal.message);
  }
}

/** The table reads and the signer of an entry that opens Studio, from its clients and settings. */
export function studioAccess(
  clients: StudioClients,
  config: PresignerConfig,
  options: { readonly roleSessionName?: string } = {},
): { tables: AccessTables; signer: StudioSigner } {
  return {
    tables: new AccessTables(clients.dynamo, config.usersTable, config.lobsTable),
    signer: new StudioSigner({
      sts: clients.sts,
      sageMaker: clients.sageMaker,
      now: clients.now,
      ...(clients.sleep ? { sleep: clients.sleep } : {}),
      lobs: config.lobs,
      urlExpiresSeconds: config.urlExpiresSeconds,
      sessionExpiresSeconds: config.sessionExpiresSeconds,
      ...(options.roleSessionName ? { roleSessionName: options.roleSessionName } : {}),
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

  private readonly provisioner: ProfileProvisioner;

  constructor(private readonly options: StudioSignerOptions) {
    this.credentials = new CredentialCache(options.sts, options.now, {
      roleSessionName: options.roleSessionName ?? ROLE_SESSION_NAMES.presigner,
    });
    this.provisioner = new ProfileProvisioner({
      now: options.now,
      sleep:
        options.sleep ??
        ((ms) =>
          new Promise((resolve) => {
            setTimeout(resolve, ms);
          })),
      waitMs: options.profileWaitMs ?? PROFILE_WAIT_MS,
      pollMs: PROFILE_POLL_MS,
    });
  }

  /**
   * The user's Studio in the LOB (in `team`, or their only team there), or the refusal. Unknown
   * LOBs and LOBs the user is not entitled to are refused alike; several teams and none named is
   * TeamRequired. A record that contradicts the hub's deployment is refused as a mismatch.
   */
  target(
    username: string,
    lob: string,
    team: string | undefined,
    entitlements: readonly Entitlement[],
    record: LobRecord | undefined,
  ): StudioTarget {
    const registered = this.options.lobs.get(lob);
    if (!record || !registered) throw new UnknownLob();
    // Rows of teams the LOB no longer has, and teams where no row is active (revoked, being
    // drained or offboarded, with no config seed), open nothing.
    const teams = byTeam(entitlements).filter(
      (t) => opens(t, record) && (team === undefined || t.team === team),
    );
    const [chosen] = teams;
    if (!chosen) throw new NotEntitled();
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
    if (!record.enabled) throw new LobDisabled();
    if (teams.length > 1) throw new TeamRequired(teams.map((t) => t.team).sort());
    const own = teamProfileName(username, chosen.team);
    // Every row that lets them in must name their own profile, whichever source it is.
    for (const e of chosen.rows.filter((r) => (r.state ?? "active") === "active")) {
      if (e.username !== username || e.profileName !== own) {
        throw new RecordMismatch(
          `users table: ${username}'s entitlement to ${lob}/${e.team} (${e.source}) names profile ${e.profileName}, not ${String(own)}`,
        );
      }
    }
    if (own === undefined) throw new NotEntitled();
    return { username, team: chosen.team, record, registered, profileName: own };
  }

  /**
   * A presigned URL for the target. A user's first sign-in to a team finds no profile: it is
   * created through the provisioning role, then presigned (or ProfilePending while it starts).
   */
  async open(
    target: StudioTarget,
    signal: AbortSignal,
    landing: Landing = {},
    /** Told when this request created the user's profile (their first sign-in to the team). */
    onCreated?: () => void,
  ): Promise<string> {
    const { record, registered } = target;
    const request = {
      username: target.username,
      lob: record.lob,
      team: target.team,
      accountId: record.accountId,
      domainId: record.domainId,
      profileName: target.profileName,
      ...(record.spaceStorage?.[target.team] !== undefined
        ? { spaceStorage: record.spaceStorage[target.team] }
        : {}),
      ...(record.idleShutdown?.[target.team] !== undefined
        ? { idleShutdown: record.idleShutdown[target.team] }
        : {}),
    };
    try {
      return await this.presign(target, signal, landing, true);
    } catch (error) {
      if (error instanceof ProfileMissing) {
        const client = await this.client(registered.provisionerRoleArn, record.region, signal);
        await this.provisioner.provision(client, request, signal, onCreated);
      } else {
        // A profile still starting (made by this user's other request, a second tab or a retry):
        // the CreatePresignedDomainUrl API reference names no error for that state, so whatever
        // it answers, a profile the provisioning role reads as Pending (or Updating) is waited
        // for as a first sign-in waits for its own, and answers 202 if it is not ready in time.
        // Any other answer keeps the error it had.
        if (!(error instanceof PresignRefused)) throw error;
        if (signal.aborted) throw error.refusal;
        let client: SageMakerClient;
        try {
          client = await this.client(registered.provisionerRoleArn, record.region, signal);
        } catch {
          throw error.refusal;
        }
        if ((await this.provisioner.starting(client, request, signal)) === undefined)
          throw error.refusal;
        await this.provisioner.awaitExisting(client, request, signal);
      }
    }
    try {
      return await this.presign(target, signal, landing, false);
    } catch (error) {
      // Deleted between its creation and the presign: an offboarding raced this sign-in.
      if (error instanceof ProfileMissing)
        throw new ProfilePending(`profile ${target.profileName} went while it was presigned`);
      throw error;
    }
  }

  /**
   * A presigned URL for the target, landing where `landing` says (Studio's default if empty). On a
   * first try, a profile that may be missing is ProfileMissing: SageMaker's ResourceNotFound, or
   * AccessDeniedException, which the access role's tag condition gives for a profile without its
   * LOB's tag (one that does not exist, or one made outside studio-access, which the provisioner
   * then refuses to adopt).
   */
  private async presign(
    target: StudioTarget,
    signal: AbortSignal,
    landing: Landing,
    firstTry: boolean,
  ): Promise<string> {
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
      const client = await this.client(record.accessRoleArn, record.region, signal);
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
        // SageMaker names a missing space, or a missing profile, ResourceNotFound.
        if ((error as Error).name === "ResourceNotFound") {
          if (landing.spaceName !== undefined)
            throw new SpaceNotFound("SageMaker.CreatePresignedDomainUrl: ResourceNotFound");
          throw new ProfileMissing();
        }
        if (firstTry && (error as Error).name === "AccessDeniedException")
          throw new ProfileMissing();
        const refusal = fromAwsError(error, "SageMaker.CreatePresignedDomainUrl");
        // Expired credentials twice say nothing of the profile (decided before it is looked at).
        if (firstTry && (error as Error).name !== "ExpiredTokenException")
          throw new PresignRefused(refusal);
        throw refusal;
      }
    }
  }

  private async client(
    roleArn: string,
    region: string,
    signal: AbortSignal,
  ): Promise<SageMakerClient> {
    let creds: RoleCredentials;
    try {
      creds = await this.credentials.get(roleArn, signal);
    } catch (error) {
      throw fromAwsError(error, "STS.AssumeRole");
    }
    let client = this.clients.get(creds);
    if (!client) {
      client = this.options.sageMaker(region, creds);
      this.clients.set(creds, client);
    }
    return client;
  }
}
