/**
 * What to tell a person when Cognito refuses a sign-in or a refresh: one line they can act on,
 * never a token or a code. Shared by the `studio-access` CLI and the portal, so both say the same.
 * The exception names are Cognito's ("InitiateAuth", "RespondToAuthChallenge" errors:
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html).
 */
export type CognitoRefusalKind = "sign-in" | "again" | "upstream";

export interface CognitoRefusal {
  readonly kind: CognitoRefusalKind;
  readonly text: string;
}

/**
 * `name` is the exception's name, `message` Cognito's own message (used only where it states a
 * policy, never a secret); `signInAgain` is how the person signs in again where they are.
 */
export function cognitoRefusal(
  name: string,
  message: string,
  during: "sign-in" | "refresh",
  signInAgain: string,
): CognitoRefusal {
  switch (name) {
    case "NotAuthorizedException":
    case "UserNotFoundException":
      return during === "refresh"
        ? { kind: "sign-in", text: `your session has expired: ${signInAgain}` }
        : { kind: "sign-in", text: "incorrect username or password" };
    case "CodeMismatchException":
    case "ExpiredCodeException":
    case "EnableSoftwareTokenMFAException":
      return { kind: "again", text: "that authenticator code is wrong or has expired" };
    case "InvalidPasswordException":
      // Cognito's message states the pool's password policy; it never holds the password.
      return { kind: "again", text: `the new password was refused: ${message}` };
    case "PasswordResetRequiredException":
      return { kind: "sign-in", text: "your password must be reset: ask your platform team" };
    case "UserNotConfirmedException":
      return { kind: "sign-in", text: "your account is not confirmed: ask your platform team" };
    case "TooManyRequestsException":
    case "LimitExceededException":
    case "TooManyFailedAttemptsException":
      return {
        kind: "upstream",
        text: "Cognito is refusing for now (too many attempts): wait a minute",
      };
    default:
      return {
        kind: "upstream",
        text: `Cognito refused the ${during}${name ? ` (${name})` : ""}`,
      };
  }
}
