import {
  DeleteAppCommand,
  DeleteSpaceCommand,
  DeleteUserProfileCommand,
  DescribeUserProfileCommand,
  ListAppsCommand,
  ListSpacesCommand,
  ListTagsCommand,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { TAGS } from "../shared/teams";
import { bounded } from "../shared/sdk";

/** Apps in these states are on their way out, or gone. */
const GONE = new Set(["Deleted", "Failed"]);

/** Where a drain stands after one look: `done`, or what remains (to look again shortly). */
export type DrainStep =
  | { readonly done: true }
  | {
      readonly done: false;
      readonly apps: number;
      readonly spaces: number;
      readonly profile: string;
    };

/** What a drain pass asks of its caller around the deletions that lose data. */
export interface DrainHooks {
  /**
   * Runs immediately before each deletion that cannot be undone (a space, the home directory, the
   * profile), naming it: it throws to stop the drain there, e.g. when the user was granted again
   * while it drained. Deleting apps only stops them, so they are not asked about.
   */
  readonly confirm: (what: string) => Promise<void>;
  /** Called once `what` (as named to `confirm`) is deleted. */
  readonly deleted: (what: string) => void;
  /**
   * Removes the profile's home directory, by its UID on the domain's EFS (DescribeUserProfile's
   * HomeEfsFileSystemUid), once nothing of the profile runs any more, before it is deleted.
   * Absent: the LOB keeps home directories.
   */
  readonly removeHome?: (homeUid: string) => Promise<void>;
}

/** Whose profile the caller means to offboard: the entitlement's key, never a row's body. */
export interface ProfileOwner {
  readonly lob: string;
  readonly username: string;
  readonly team: string;
}

/**
 * The profile is not the one studio-access made for this user, team and LOB (untagged, or tagged
 * for someone else): nothing of it is touched, and a retry would find the same.
 */
export class ProfileNotOwned extends Error {
  constructor(profileName: string, found: string) {
    super(`profile ${profileName} is not this entitlement's (${found})`);
    this.name = "ProfileNotOwned";
  }
}

/**
 * Refuses a profile whose tags do not name exactly this user, team and LOB. A profile name is
 * derived from the username, so it can collide (shortened names, an admin-made profile of the same
 * name, a `default`-team name that is any user's plain name); the tags the provisioning role had
 * to set at creation are what binds the profile to its user.
 */
async function checkOwner(
  client: SageMakerClient,
  profileArn: string | undefined,
  profileName: string,
  owner: ProfileOwner,
  signal: AbortSignal,
): Promise<void> {
  if (!profileArn) throw new ProfileNotOwned(profileName, "no ARN to read its tags");
  const tags = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await bounded(signal, () =>
      client.send(new ListTagsCommand({ ResourceArn: profileArn, NextToken: nextToken })),
    );
    for (const tag of page.Tags ?? []) if (tag.Key) tags.set(tag.Key, tag.Value ?? "");
    nextToken = page.NextToken;
  } while (nextToken);
  const expected: [string, string][] = [
    [TAGS.username, owner.username],
    [TAGS.team, owner.team],
    [TAGS.lob, owner.lob],
  ];
  const wrong = expected.filter(([key, value]) => tags.get(key) !== value);
  if (wrong.length > 0)
    throw new ProfileNotOwned(
      profileName,
      wrong.map(([key]) => `${key}=${tags.get(key) ?? "(none)"}`).join(", "),
    );
}

/**
 * One pass of offboarding a user profile: check that its tags name `owner` (else ProfileNotOwned,
 * before anything is deleted); delete its running apps (its own, and those of the spaces it owns);
 * once none remain, delete the spaces it owns; once none remain, remove the home directory
 * (`hooks.removeHome`) and delete the profile, each of these deletions only once `hooks.confirm`
 * allowed it. Every pass checks the owner again, since a profile
 * of the same name could be made between passes. SageMaker refuses each
 * later step while the earlier ones remain (ResourceInUse), so the caller repeats passes until
 * `done` or its time runs out. A profile that never existed (a user who never signed in) is done
 * at once.
 */
export async function drainPass(
  client: SageMakerClient,
  domainId: string,
  profileName: string,
  owner: ProfileOwner,
  signal: AbortSignal,
  hooks: DrainHooks,
): Promise<DrainStep> {
  let status: string | undefined;
  let homeUid: string | undefined;
  let profileArn: string | undefined;
  try {
    ({
      Status: status,
      HomeEfsFileSystemUid: homeUid,
      UserProfileArn: profileArn,
    } = await bounded(signal, () =>
      client.send(
        new DescribeUserProfileCommand({ DomainId: domainId, UserProfileName: profileName }),
      ),
    ));
  } catch (error) {
    if ((error as Error).name === "ResourceNotFound") return { done: true };
    throw error;
  }
  await checkOwner(client, profileArn, profileName, owner, signal);
  const spaces = [];
  let nextToken: string | undefined;
  do {
    const page = await bounded(signal, () =>
      client.send(new ListSpacesCommand({ DomainIdEquals: domainId, NextToken: nextToken })),
    );
    spaces.push(
      ...(page.Spaces ?? []).filter(
        (s) => s.OwnershipSettingsSummary?.OwnerUserProfileName === profileName,
      ),
    );
    nextToken = page.NextToken;
  } while (nextToken);
  const apps = [];
  for (const filter of [
    { UserProfileNameEquals: profileName },
    ...spaces.map((s) => ({ SpaceNameEquals: s.SpaceName })),
  ]) {
    do {
      const page = await bounded(signal, () =>
        client.send(
          new ListAppsCommand({ DomainIdEquals: domainId, ...filter, NextToken: nextToken }),
        ),
      );
      apps.push(...(page.Apps ?? []).filter((a) => !GONE.has(a.Status ?? "")));
      nextToken = page.NextToken;
    } while (nextToken);
  }
  for (const app of apps.filter((a) => a.Status !== "Deleting"))
    await bounded(signal, () =>
      client.send(
        new DeleteAppCommand({
          DomainId: domainId,
          AppType: app.AppType,
          AppName: app.AppName,
          UserProfileName: app.UserProfileName,
          SpaceName: app.SpaceName,
        }),
      ),
    );
  if (apps.length === 0) {
    for (const space of spaces.filter((s) => s.Status !== "Deleting")) {
      const what = `space ${String(space.SpaceName)}`;
      await hooks.confirm(what);
      await bounded(signal, () =>
        client.send(new DeleteSpaceCommand({ DomainId: domainId, SpaceName: space.SpaceName })),
      );
      hooks.deleted(what);
    }
    if (spaces.length === 0 && status !== "Deleting") {
      if (hooks.removeHome && homeUid !== undefined) {
        const what = `home directory ${homeUid}`;
        await hooks.confirm(what);
        await hooks.removeHome(homeUid);
        hooks.deleted(what);
      }
      const what = `profile ${profileName}`;
      await hooks.confirm(what);
      await bounded(signal, () =>
        client.send(
          new DeleteUserProfileCommand({ DomainId: domainId, UserProfileName: profileName }),
        ),
      );
      hooks.deleted(what);
    }
  }
  return { done: false, apps: apps.length, spaces: spaces.length, profile: status ?? "unknown" };
}
