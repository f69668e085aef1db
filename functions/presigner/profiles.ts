import {
  CreateUserProfileCommand,
  DescribeUserProfileCommand,
  ListTagsCommand,
  type SageMakerClient,
} from "../shared/aws/sagemaker";
import { idleUserSettings, type IdleShutdown } from "../shared/idle-shutdown";
import { spaceStorageUserSettings, type SpaceStorage } from "../shared/space-storage";
import { TAGS, teamRoleArn } from "../shared/teams";
import { fromAwsError, ProfileNotOwned, ProfilePending, UpstreamFailure } from "./errors";

/** How long a first sign-in waits for its new profile before answering 202. */
export const PROFILE_WAIT_MS = 5_000;
/** How often it asks SageMaker meanwhile. */
export const PROFILE_POLL_MS = 500;

/** The profile a first sign-in needs: whose, in which team, where. */
export interface ProfileRequest {
  readonly username: string;
  readonly lob: string;
  readonly team: string;
  readonly accountId: string;
  readonly domainId: string;
  readonly profileName: string;
  /** The team's idle shutdown, from the LOB's row; absent, the profile takes the domain's. */
  readonly idleShutdown?: IdleShutdown;
  /** The team's space storage, from the LOB's row; absent, the profile takes the domain's. */
  readonly spaceStorage?: SpaceStorage;
}

/** SageMaker's answer for a profile that is not there (any more). */
const isMissing = (error: unknown) => (error as Error).name === "ResourceNotFound";

/**
 * Creates a user's profile on first sign-in, through the LOB's provisioning role (not the access
 * role): with exactly the team's execution role and the username, team and LOB tags, which is all
 * that role may create (`provisionerPolicy`). A profile of that name that exists already is never
 * adopted: its tags and execution role must say this user, team and LOB (`ProfileNotOwned`, 409,
 * otherwise). Waits up to PROFILE_WAIT_MS for it to be InService; past that, ProfilePending (202),
 * and the next request finds it. A profile being deleted meanwhile (an offboarding racing the
 * sign-in) is also ProfilePending: the next request reads the entitlement again.
 */
export class ProfileProvisioner {
  constructor(
    private readonly options: {
      readonly now: () => number;
      readonly sleep: (ms: number) => Promise<void>;
      readonly waitMs: number;
      readonly pollMs: number;
    },
  ) {}

  async provision(
    client: SageMakerClient,
    request: ProfileRequest,
    signal: AbortSignal,
    /** Called once SageMaker created the profile (not when it was there already): a first sign-in. */
    onCreated?: () => void,
  ): Promise<void> {
    const { domainId, profileName } = request;
    try {
      await client.send(
        new CreateUserProfileCommand({
          DomainId: domainId,
          UserProfileName: profileName,
          // The team's idle shutdown on its JupyterLab and Code Editor apps (issue #21; UserSettings
          // of API_CreateUserProfile, "Idle shutdown" in the SageMaker AI Developer Guide:
          // https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateUserProfile.html,
          // https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-idle-shutdown.html).
          UserSettings: {
            ExecutionRole: teamRoleArn(request.accountId, request.team),
            ...(request.idleShutdown !== undefined ? idleUserSettings(request.idleShutdown) : {}),
            // Its space storage: a new space's volume and the most a user may give one
            // (DefaultEbsStorageSettings, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DefaultEbsStorageSettings.html).
            ...(request.spaceStorage !== undefined
              ? spaceStorageUserSettings(request.spaceStorage)
              : {}),
          },
          Tags: [
            { Key: TAGS.lob, Value: request.lob },
            { Key: TAGS.team, Value: request.team },
            { Key: TAGS.username, Value: request.username },
          ],
        }),
        { abortSignal: signal },
      );
      onCreated?.();
    } catch (error) {
      if ((error as Error).name !== "ResourceInUse")
        throw fromAwsError(error, "SageMaker.CreateUserProfile");
      // It exists: another request of this user is creating it (a second tab, a retry), or it is
      // not theirs at all. Only theirs is waited for.
      await this.checkOwner(client, request, signal);
    }
    await this.waitInService(client, request, signal);
  }

  /**
   * Whether the user's profile exists and is still starting (`Pending`, or `Updating`), read
   * through the provisioning role. Undefined when that cannot be told (missing, or the read
   * failed): the caller then keeps the error it had.
   */
  async starting(
    client: SageMakerClient,
    request: ProfileRequest,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    try {
      const { Status: status } = await client.send(
        new DescribeUserProfileCommand({
          DomainId: request.domainId,
          UserProfileName: request.profileName,
        }),
        { abortSignal: signal },
      );
      return status === "Pending" || status === "Updating" ? status : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Waits for a profile that exists and is starting, as a first sign-in waits for the one it
   * created: only if it is the user's own (tags and execution role, as for ResourceInUse).
   */
  async awaitExisting(
    client: SageMakerClient,
    request: ProfileRequest,
    signal: AbortSignal,
  ): Promise<void> {
    await this.checkOwner(client, request, signal);
    await this.waitInService(client, request, signal);
  }

  private async waitInService(
    client: SageMakerClient,
    request: ProfileRequest,
    signal: AbortSignal,
  ): Promise<void> {
    const { domainId, profileName } = request;
    const deadline = this.options.now() + this.options.waitMs;
    for (;;) {
      let status: string | undefined;
      try {
        ({ Status: status } = await client.send(
          new DescribeUserProfileCommand({ DomainId: domainId, UserProfileName: profileName }),
          { abortSignal: signal },
        ));
      } catch (error) {
        if (isMissing(error)) throw new ProfilePending(`profile ${profileName} was deleted`);
        throw fromAwsError(error, "SageMaker.DescribeUserProfile");
      }
      if (status === "InService") return;
      if (status === "Deleting") throw new ProfilePending(`profile ${profileName} is Deleting`);
      if (status !== "Pending" && status !== "Updating")
        throw new UpstreamFailure(`SageMaker.DescribeUserProfile: Profile${String(status)}`);
      if (this.options.now() + this.options.pollMs > deadline)
        throw new ProfilePending(`profile ${profileName} is ${status}`);
      await this.options.sleep(this.options.pollMs);
    }
  }

  /**
   * Refuses an existing profile unless its tags and execution role are exactly what this request
   * would have created: the same user, team and LOB, the team's role. Read from the profile itself
   * (DescribeUserProfile, ListTags), never from a name or a row.
   */
  private async checkOwner(
    client: SageMakerClient,
    request: ProfileRequest,
    signal: AbortSignal,
  ): Promise<void> {
    const { domainId, profileName } = request;
    let arn: string | undefined;
    let role: string | undefined;
    try {
      const described = await client.send(
        new DescribeUserProfileCommand({ DomainId: domainId, UserProfileName: profileName }),
        { abortSignal: signal },
      );
      arn = described.UserProfileArn;
      role = described.UserSettings?.ExecutionRole;
    } catch (error) {
      if (isMissing(error)) throw new ProfilePending(`profile ${profileName} was deleted`);
      throw fromAwsError(error, "SageMaker.DescribeUserProfile");
    }
    if (!arn) throw new UpstreamFailure("SageMaker.DescribeUserProfile: no UserProfileArn");
    const tags = new Map<string, string>();
    let nextToken: string | undefined;
    try {
      do {
        const page = await client.send(
          new ListTagsCommand({ ResourceArn: arn, NextToken: nextToken }),
          { abortSignal: signal },
        );
        for (const { Key, Value } of page.Tags ?? []) if (Key) tags.set(Key, Value ?? "");
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      if (isMissing(error)) throw new ProfilePending(`profile ${profileName} was deleted`);
      throw fromAwsError(error, "SageMaker.ListTags");
    }
    const expected: [string, string | undefined, string][] = [
      [TAGS.username, tags.get(TAGS.username), request.username],
      [TAGS.team, tags.get(TAGS.team), request.team],
      [TAGS.lob, tags.get(TAGS.lob), request.lob],
      ["execution role", role, teamRoleArn(request.accountId, request.team)],
    ];
    const differ = expected.filter(([, found, wanted]) => found !== wanted);
    if (differ.length > 0)
      throw new ProfileNotOwned(
        `profile ${profileName} exists and is not this user's: ${differ
          .map(
            ([what, found]) =>
              `${what} ${found === undefined ? "absent" : JSON.stringify(found.slice(0, 64))}`,
          )
          .join(", ")}`,
      );
  }
}
