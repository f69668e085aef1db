/** SageMaker's rule for user profile names (and space and app names). */
export const PROFILE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * The one user profile a user may open in a LOB's domain. The presigner presigns this name and no
 * other, whatever a table row says, so a forged row cannot open a colleague's profile. Usernames
 * are profile names today; the mapping lives here so the program and the functions agree on it.
 */
export function profileNameFor(username: string): string | undefined {
  return PROFILE_NAME.test(username) ? username : undefined;
}
