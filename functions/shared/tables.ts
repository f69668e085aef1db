import { TEAM_NAME, userTeamKey } from "./teams";

/**
 * The hub tables' layout, shared by the program that creates them and the functions that read them.
 *
 * Both tables are keyed by LOB first, so that IAM's `dynamodb:LeadingKeys` can confine each LOB's
 * deployer role to its own rows. A user's entitlements across LOBs are read through the
 * `by-username` index. An entitlement is a user in one team of a LOB, and it may come from two
 * places, each with a row of its own that also carries `username`, `team` and `profileName`:
 *
 * - an admin row, `<username>#<team>` (`userTeamKey`), written by `studio-access admin` (grant,
 *   revoke, disable) and by the lifecycle function's state changes (active, revoked, draining,
 *   drain-failed, offboarded);
 * - a config seed, `<username>#config:<team>` (`seedKey`), owned by the LOB's stack: `pulumi up`
 *   creates it for each member its config names and deletes it when the member goes.
 *
 * Two keys, so that neither writer meets the other's row: the AWS provider creates a table item
 * with a conditional PutItem that fails on any item at its key, and an admin's write must never
 * be undone (or re-created) by a stack. The seed moved and the admin row kept its form, because
 * admin rows are data no stack's provider rewrites (offboarded rows are kept for good; IAM's
 * LeadingKeys confines a LOB's deployer to its partition, not to seed keys within it), while a stack's
 * next `pulumi up` moves its own seeds (the provider updates an item whose key changed: it writes
 * the new key, then deletes the old). Both forms split unambiguously at the LAST `#`, as every
 * reader does (usernames may hold `#`, team names never): after it comes either a team name
 * (admin) or `config:` and a team name (seed), and a team name holds no `:`.
 */
export const ENTITLEMENTS_KEY = { partition: "lob", sort: "userTeam" } as const;
export const LOBS_KEY = { partition: "lob" } as const;
export const ENTITLEMENTS_BY_USERNAME = {
  name: "by-username",
  partition: "username",
  sort: "lob",
} as const;

/**
 * A LOB's name: a table key, a URL path segment and part of resource names, so kept plain. The
 * config, the presigner and the CLI all check names against this one pattern.
 */
export const LOB_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Where an entitlement is in its life. A row without `state` is active. `admin revoke` sets
 * `revoked` (and writes a `revoked` row for a user who had none, to outvote an IdP group); the
 * lifecycle function sets `draining` while it stops the profile's apps and spaces and deletes it,
 * then `offboarded` (or `drain-failed`, with a `detail`, and retries). An `offboarded` row stays:
 * it is the durable marker that keeps the user out of that LOB's team, group mapping included,
 * until `admin grant` writes the row again. Only an active row opens Studio.
 */
export const ENTITLEMENT_STATES = [
  "active",
  "revoked",
  "draining",
  "drain-failed",
  "offboarded",
] as const;
export type EntitlementState = (typeof ENTITLEMENT_STATES)[number];

/**
 * A disabled user's marker, in the entitlements table under a partition no LOB can have (LOB names
 * start with a letter or digit, and `dynamodb:LeadingKeys` keeps each deployer to its own LOB):
 * `{lob: "#disabled", userTeam: "<username>#", username, state: "disabled" | "enabled", ...}`.
 * `admin disable` writes it (state `disabled`), whether or not the pool has the user (an IdP-only
 * user); `admin grant --enable` sets it to `enabled`. Every entry that opens Studio reads it in the
 * same call as the entitlement and refuses a `disabled` user, group mapping included.
 */
export const DISABLED_PARTITION = "#disabled";

/**
 * The disabled marker's key for a user: their username in Unicode NFC and lower case. A marker
 * denies, so folding is safe, and it catches the same person named by an IdP in another form
 * (`José` composed or decomposed, `Jane.Doe` for `jane.doe`), which would otherwise be a username
 * of its own, with its own group-mapped profile.
 */
export function disabledMarkerKey(username: string): { lob: string; userTeam: string } {
  return { lob: DISABLED_PARTITION, userTeam: `${username.normalize("NFC").toLowerCase()}#` };
}

/** Where a row came from: a stack's config (`members`) or `studio-access admin`. */
export type EntitlementSource = "config" | "admin";

/** What a seed's sort key holds after the user's last `#`, before the team. */
const SEED_MARK = "config:";

/** A config seed's sort key: `<username>#config:<team>` (an admin row's is `userTeamKey`). */
export function seedKey(username: string, team: string): string {
  return `${username}#${SEED_MARK}${team}`;
}

/** The sort key of a user's row in a team, from `source`. */
export function entitlementKey(username: string, team: string, source: EntitlementSource): string {
  return source === "config" ? seedKey(username, team) : userTeamKey(username, team);
}

/**
 * Whose row a sort key names, split at its LAST `#`: the user, the team and the source (an admin
 * row or a config seed); undefined for a key of neither form (no user, or no team name after it).
 */
export function parseEntitlementKey(
  userTeam: string,
): { username: string; team: string; source: EntitlementSource } | undefined {
  const split = userTeam.lastIndexOf("#");
  if (split <= 0) return undefined;
  const username = userTeam.slice(0, split);
  const rest = userTeam.slice(split + 1);
  const seed = rest.startsWith(SEED_MARK);
  const team = seed ? rest.slice(SEED_MARK.length) : rest;
  if (!TEAM_NAME.test(team)) return undefined;
  return { username, team, source: seed ? "config" : "admin" };
}

/** A row's state as the rule reads it: absent is active. */
const stateOf = (row: { readonly state?: unknown }) =>
  typeof row.state === "string" ? row.state : "active";

/** What the rows of one user in one team of a LOB say, by `entitlementOf`. */
export interface Entitled {
  /** The user is in the team: a row of theirs is active, and they are not disabled. */
  readonly entitled: boolean;
  /** The sources whose row is active (config first): who keeps them in the team. */
  readonly by: readonly EntitlementSource[];
  /**
   * Whether the rows outvote an IdP group mapped to the team: a row exists and none is active (an
   * admin row revoked, being offboarded or offboarded, with no seed), or the user is disabled.
   */
  readonly outvotesGroups: boolean;
}

/**
 * THE rule of entitlement, for every reader (the presigner, GET /studios, the SAML entry, the
 * lifecycle function, `admin list`), over the rows of one user in one team of a LOB: the UNION of
 * the two sources. The user is in the team when the stack's config names them (their seed is
 * there) OR an admin granted them (their admin row is active); each is removed where it was made.
 * When neither is active, a row that is there (revoked, draining, drain-failed, offboarded) still
 * outvotes an IdP group mapping; with no row at all, the group decides. A disabled user (`admin
 * disable`'s marker) is in no team, whatever the rows say: the emergency stop over both.
 */
export function entitlementOf(
  rows: readonly { readonly source: EntitlementSource; readonly state?: unknown }[],
  disabled = false,
): Entitled {
  const by = (["config", "admin"] as const).filter((source) =>
    rows.some((r) => r.source === source && stateOf(r) === "active"),
  );
  if (disabled) return { entitled: false, by: [], outvotesGroups: true };
  return { entitled: by.length > 0, by, outvotesGroups: by.length === 0 && rows.length > 0 };
}
