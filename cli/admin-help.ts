/**
 * What each `studio-access admin` subcommand takes and does: the admin section of the top-level
 * usage, and what `admin SUB --help` prints for that subcommand alone.
 */
export const ADMIN_COMMANDS = {
  configure: `  studio-access admin configure --role-arn ARN --entitlements-table T --lobs-table T --region R
                                [--user-pool-id ID] [--profile AWS_PROFILE]
      save the shared stack's adminConfigure line`,
  grant: `  studio-access admin grant USER LOB [--team TEAM] [--enable]
      entitle a user (their profile comes on first sign-in); --enable lifts an admin disable`,
  revoke: `  studio-access admin revoke USER LOB [--team TEAM]
      end it: their apps and spaces are drained and the profile deleted; for a user with no
      entitlement there, a revoked one is written, which blocks their IdP group mapping too`,
  disable: `  studio-access admin disable USER [--idp-only]
      every entry refuses them (IdP users too), Cognito refuses their sign-in, and every
      entitlement they have is revoked (config seeds too); --idp-only for a user with no
      Cognito user and no entitlement (usernames are case-sensitive)`,
  list: `  studio-access admin list [--lob LOB] [--user USER] [--json]
      entitlements and their state (offboarded rows stay, as revocations), and disabled users`,
  usage: `  studio-access admin usage [--lob LOB] [--idle-over 2h] [--json]
      running Studio apps by LOB, team, user, app type, instance type, age and idle time
      (read-only); --idle-over keeps apps idle longer than that (90m, 2h, 1d)`,
} as const;

export type AdminCommand = keyof typeof ADMIN_COMMANDS;

export const isAdminCommand = (sub: string | undefined): sub is AdminCommand =>
  sub !== undefined && Object.hasOwn(ADMIN_COMMANDS, sub);

/** Every admin subcommand, as the top-level usage lists them. */
export const ADMIN_SECTION = Object.values(ADMIN_COMMANDS).join("\n");

const FOOTER =
  "Run with AWS credentials among the hub's admins (the shared stack's adminConfigure line first).\n" +
  "Exit codes: see studio-access --help.";

/** What `studio-access admin SUB --help` prints; `admin --help` (no subcommand) lists them all. */
export function adminHelp(sub?: AdminCommand): string {
  return sub === undefined
    ? `studio-access admin: entitlements and usage, through the hub's admin role\n\n${ADMIN_SECTION}\n\n${FOOTER}`
    : `Usage:\n${ADMIN_COMMANDS[sub]}\n\n${FOOTER}`;
}

/** Whether the arguments ask for help: --help or -h before any `--` (after it, they are values). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}
