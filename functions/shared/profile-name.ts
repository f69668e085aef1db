import { createHash } from "node:crypto";

/** SageMaker's rule for user profile names (and space and app names). */
export const PROFILE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** Cognito's rule for usernames: no white space, 1 to 128 characters. */
export const COGNITO_USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/**
 * The one user profile a user may open in a LOB's domain. The presigner presigns this name and no
 * other, whatever a table row says, so a forged row cannot open a colleague's profile; the program
 * creates the profiles with it, so both agree.
 *
 * A username that is a valid profile name is its own profile name. Any other (jane.doe,
 * j@example.com) keeps its letters and digits, dashes for the rest, and a suffix from its SHA-256
 * (jane-doe-6f1c2a), so it cannot take the name of a user called jane-doe. Undefined for a username
 * with no letter or digit. The config refuses two users whose names would meet. `maxLength`
 * (at least 8) leaves room for a team prefix: a longer name is shortened the same way.
 */
export function profileNameFor(username: string, maxLength = 63): string | undefined {
  if (PROFILE_NAME.test(username) && username.length <= maxLength) return username;
  if (!COGNITO_USERNAME.test(username)) return undefined;
  const base = username
    .replace(/[^a-zA-Z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, maxLength - 7)
    .replace(/-+$/, "");
  if (base === "") return undefined;
  const suffix = createHash("sha256").update(username, "utf8").digest("hex").slice(0, 6);
  return `${base}-${suffix}`;
}
