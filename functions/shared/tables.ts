/**
 * The hub tables' layout, shared by the program that creates them and the functions that read them.
 *
 * Both tables are keyed by LOB first, so that IAM's `dynamodb:LeadingKeys` can confine each LOB's
 * deployer role to its own rows. A user's entitlements across LOBs are read through the
 * `by-username` index. An entitlement is a user in one team of a LOB: its sort key is
 * `<username>#<team>` (see `userTeamKey`), and it also carries `username`, `team` and `profileName`.
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

/** Where a row came from: a stack's config (`members`) or `studio-access admin grant`. */
export type EntitlementSource = "config" | "admin";
