import {
  CreateUserProfileCommand,
  DescribeUserProfileCommand,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { TAGS, teamRoleArn } from "../shared/teams";
import { fromAwsError, ProfilePending, UpstreamFailure } from "./errors";

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
}

/**
 * Creates a user's profile on first sign-in, through the LOB's provisioning role (not the access
 * role): with exactly the team's execution role and the username, team and LOB tags, which is all
 * that role may create (`provisionerPolicy`). Waits up to PROFILE_WAIT_MS for it to be InService;
 * past that, ProfilePending (202), and the next request finds it.
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
  ): Promise<void> {
    const { domainId, profileName } = request;
    try {
      await client.send(
        new CreateUserProfileCommand({
          DomainId: domainId,
          UserProfileName: profileName,
          UserSettings: { ExecutionRole: teamRoleArn(request.accountId, request.team) },
          Tags: [
            { Key: TAGS.lob, Value: request.lob },
            { Key: TAGS.team, Value: request.team },
            { Key: TAGS.username, Value: request.username },
          ],
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      // Another request (a second tab, a retry) is creating it already: wait for that one.
      if ((error as Error).name !== "ResourceInUse")
        throw fromAwsError(error, "SageMaker.CreateUserProfile");
    }
    const deadline = this.options.now() + this.options.waitMs;
    for (;;) {
      let status: string | undefined;
      try {
        ({ Status: status } = await client.send(
          new DescribeUserProfileCommand({ DomainId: domainId, UserProfileName: profileName }),
          { abortSignal: signal },
        ));
      } catch (error) {
        throw fromAwsError(error, "SageMaker.DescribeUserProfile");
      }
      if (status === "InService") return;
      if (status !== "Pending" && status !== "Updating")
        throw new UpstreamFailure(`SageMaker.DescribeUserProfile: Profile${String(status)}`);
      if (this.options.now() + this.options.pollMs > deadline)
        throw new ProfilePending(`profile ${profileName} is ${status}`);
      await this.options.sleep(this.options.pollMs);
    }
  }
}
