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
