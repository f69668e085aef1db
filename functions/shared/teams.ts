import { profileNameFor } from "./profile-name";

/**
 * Teams inside a LOB. Each team has its own execution role, and a user gets one Studio user
 * profile per team they are in. A LOB whose config names no teams is one team, `default`, whose
 * profiles have no team prefix (`jane-doe-2sdsf7bol2unf5fv`).
 */
export const DEFAULT_TEAM = "default";

/**
 * A team's name: lower-case letters and digits in dash-separated words, at most 20 characters.
 * It never holds "--", which separates it from the user in a profile name, so names cannot meet.
 */
export const TEAM_NAME = /^(?=.{1,20}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** The tags studio-access puts on what it creates; ABAC reads the team tag. */
export const TAGS = {
  lob: "studio-access:lob",
  team: "studio-access:team",
  username: "studio-access:username",
} as const;

/** IAM path of every role studio-access makes in a LOB account for its teams. */
export const TEAM_ROLE_PATH = "/studio-access/";

/** A team's execution role name: IAM role names are unique per account, whatever the path. */
export function teamRoleName(team: string): string {
  return `studio-access-team-${team}`;
}

/** The ARN of a team's execution role, which the presigner passes to the profiles it creates. */
export function teamRoleArn(accountId: string, team: string, partition = "aws"): string {
  return `arn:${partition}:iam::${accountId}:role${TEAM_ROLE_PATH}${teamRoleName(team)}`;
}

/**
 * The user's profile in a team: `<team>--<user>` (the default team: `<user>`), where `<user>` is
 * the user's profile name (`profileNameFor`: readable part and hash suffix), shortened to fit
 * SageMaker's 63 characters. The
 * provisioning role may create `<team>--*` only with that team's tag and role, so the name binds
 * the profile to its team. Undefined for a username with no letter or digit, or a bad team.
 */
export function teamProfileName(username: string, team: string): string | undefined {
  if (team === DEFAULT_TEAM) return profileNameFor(username);
  if (!TEAM_NAME.test(team)) return undefined;
  const user = profileNameFor(username, 63 - team.length - 2);
  return user === undefined ? undefined : `${team}--${user}`;
}

/** The entitlements table's sort key: one row per user and team (team names hold no "#"). */
export function userTeamKey(username: string, team: string): string {
  return `${username}#${team}`;
}
