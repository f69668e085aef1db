import {
  DeleteAppCommand,
  DeleteSpaceCommand,
  DeleteUserProfileCommand,
  DescribeUserProfileCommand,
  ListAppsCommand,
  ListSpacesCommand,
  type SageMakerClient,
} from "@aws-sdk/client-sagemaker";

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

/**
 * Called once nothing of the profile runs any more, just before it is deleted, with the profile's
 * home directory UID on the domain's EFS (DescribeUserProfile's HomeEfsFileSystemUid).
 */
export type BeforeProfileDelete = (homeUid: string | undefined) => Promise<void>;

/**
 * One pass of offboarding a user profile: delete its running apps (its own, and those of the
 * spaces it owns); once none remain, delete the spaces it owns; once none remain, run
 * `beforeDelete` (the home directory's removal) and delete the profile. SageMaker refuses each
 * later step while the earlier ones remain (ResourceInUse), so the caller repeats passes until
 * `done` or its time runs out. A profile that never existed (a user who never signed in) is done
 * at once.
 */
export async function drainPass(
  client: SageMakerClient,
  domainId: string,
  profileName: string,
  signal?: AbortSignal,
  beforeDelete?: BeforeProfileDelete,
): Promise<DrainStep> {
  const options = signal ? { abortSignal: signal } : {};
  let status: string | undefined;
  let homeUid: string | undefined;
  try {
    ({ Status: status, HomeEfsFileSystemUid: homeUid } = await client.send(
      new DescribeUserProfileCommand({ DomainId: domainId, UserProfileName: profileName }),
      options,
    ));
  } catch (error) {
    if ((error as Error).name === "ResourceNotFound") return { done: true };
    throw error;
  }
  const spaces = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSpacesCommand({ DomainIdEquals: domainId, NextToken: nextToken }),
      options,
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
      const page = await client.send(
        new ListAppsCommand({ DomainIdEquals: domainId, ...filter, NextToken: nextToken }),
        options,
      );
      apps.push(...(page.Apps ?? []).filter((a) => !GONE.has(a.Status ?? "")));
      nextToken = page.NextToken;
    } while (nextToken);
  }
  for (const app of apps.filter((a) => a.Status !== "Deleting"))
    await client.send(
      new DeleteAppCommand({
        DomainId: domainId,
        AppType: app.AppType,
        AppName: app.AppName,
        UserProfileName: app.UserProfileName,
        SpaceName: app.SpaceName,
      }),
      options,
    );
  if (apps.length === 0) {
    for (const space of spaces.filter((s) => s.Status !== "Deleting"))
      await client.send(
        new DeleteSpaceCommand({ DomainId: domainId, SpaceName: space.SpaceName }),
        options,
      );
    if (spaces.length === 0 && status !== "Deleting") {
      await beforeDelete?.(homeUid);
      await client.send(
        new DeleteUserProfileCommand({ DomainId: domainId, UserProfileName: profileName }),
        options,
      );
    }
  }
  return { done: false, apps: apps.length, spaces: spaces.length, profile: status ?? "unknown" };
}
