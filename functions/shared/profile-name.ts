import { createHash } from "node:crypto";

/** SageMaker's rule for user profile names (and space and app names). */
export const PROFILE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** Cognito's rule for usernames: no white space, 1 to 128 characters. */
export const COGNITO_USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/**
 * Characters of a profile name's hash suffix: 16 base32 characters, 80 bits of the username's
 * SHA-256. Finding a second username for someone's profile name is a second preimage of those 80
 * bits (2^80 hashes); two usernames of an attacker's choosing meet after about 2^40.
 */
export const PROFILE_SUFFIX_LENGTH = 16;

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** RFC 4648 base32 (lower case, no padding) of the first 10 bytes of a digest: 80 bits. */
function suffixOf(username: string): string {
  const digest = createHash("sha256").update(username, "utf8").digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 10)) bits = (bits << 8n) | BigInt(byte);
  let out = "";
  for (let i = PROFILE_SUFFIX_LENGTH - 1; i >= 0; i--)
    out += BASE32.charAt(Number((bits >> BigInt(i * 5)) & 31n));
  return out;
}

/**
 * The one user profile a user may open in a LOB's domain. The presigner presigns this name and no
 * other, whatever a table row says, so a forged row cannot open a colleague's profile; the program
 * creates the profiles with it, so both agree.
 *
 * Every username, even one that is already a valid profile name, becomes its letters and digits
 * (dashes for the rest, shortened to fit) followed by a suffix from the SHA-256 of the exact
 * username: `jane.doe` → `jane-doe-<16 characters>`. There is no pass-through, so no username can
 * be another user's profile name: the username `jane-doe-<suffix>` gets a suffix of its own. Two
 * usernames share a profile only if 80 bits of their hashes agree. Undefined for a username that is
 * not a Cognito username or has no letter or digit. `maxLength` (at least 24) leaves room for a
 * team prefix.
 */
export function profileNameFor(username: string, maxLength = 63): string | undefined {
  if (!COGNITO_USERNAME.test(username)) return undefined;
  const base = username
    .replace(/[^a-zA-Z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, maxLength - PROFILE_SUFFIX_LENGTH - 1)
    .replace(/-+$/, "");
  if (base === "") return undefined;
  return `${base}-${suffixOf(username)}`;
}
