import { disabledMarkerKey } from "../../functions/shared/tables";

/** How what the kept sandbox prints marks a user the rehearsal disabled (`admin disable`). */
export const DISABLED_MARK = "disabled by the rehearsal (offboarding): cannot sign in";

/** A user as the kept sandbox prints them. */
export interface PrintedUser {
  readonly username: string;
  readonly password: string;
  readonly totpSecret: string;
  /** Set when the rehearsal disabled them: the LOBs of their rows (where `--enable` grants). */
  readonly disabled?: { readonly lobs: readonly string[] };
}

/** What `studio-access admin list --json` prints, as far as the marks need it. */
export interface AdminListing {
  readonly entitlements: readonly { readonly lob: string; readonly username: string }[];
  readonly disabled: readonly { readonly username: string; readonly state: string }[];
}

/** The same person however the username is spelt, as the disabled marker's key folds it. */
const folded = (username: string) => disabledMarkerKey(username).userTeam;

/**
 * `users` with the ones the listing says are disabled marked (their marker, matched as the
 * marker's key folds names), each with the LOBs their rows are in.
 */
export function markDisabled<T extends PrintedUser>(
  users: readonly T[],
  listing: AdminListing,
): T[] {
  const disabled = new Set(
    listing.disabled.filter((m) => m.state === "disabled").map((m) => folded(m.username)),
  );
  return users.map((user) => {
    if (!disabled.has(folded(user.username))) return user;
    const lobs = [
      ...new Set(
        listing.entitlements.filter((r) => r.username === user.username).map((r) => r.lob),
      ),
    ].sort();
    return { ...user, disabled: { lobs } };
  });
}

/**
 * A user's line in the kept sandbox's banner. A disabled user's says so first; their password and
 * TOTP secret follow for after `admin grant … --enable`, which lets them in again.
 */
export function userLine(user: PrintedUser): string {
  const credentials = `password ${user.password}  TOTP secret ${user.totpSecret}`;
  if (!user.disabled) return `  user        ${user.username}  ${credentials} (sandbox only)`;
  const grant = `admin grant ${user.username} ${user.disabled.lobs[0] ?? "LOB"} --enable`;
  return `  user        ${user.username}  ${DISABLED_MARK} (after ${grant}: ${credentials}, sandbox only)`;
}
