/**
 * The user pool's password rules, as the API's `GET /settings` serves them, and the one sentence
 * the portal and the CLI state before asking for a new password (so both say the same).
 */
export interface PasswordPolicy {
  readonly minimumLength: number;
  readonly requireLowercase: boolean;
  readonly requireUppercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
}

/** What a new password needs: "at least 14 characters, with a lower-case letter, … and a symbol". */
export function passwordNeeds(policy: PasswordPolicy): string {
  const needs = [
    policy.requireLowercase && "a lower-case letter",
    policy.requireUppercase && "an upper-case letter",
    policy.requireNumbers && "a digit",
    policy.requireSymbols && "a symbol (such as ! or -)",
  ].filter((n): n is string => typeof n === "string");
  const list =
    needs.length <= 1 ? (needs[0] ?? "") : `${needs.slice(0, -1).join(", ")} and ${needs.at(-1)}`;
  return `at least ${String(policy.minimumLength)} characters${list ? `, with ${list}` : ""}`;
}
