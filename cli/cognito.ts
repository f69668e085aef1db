import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
  type InitiateAuthCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  createSrpSession,
  signSrpSession,
  wrapAuthChallenge,
  wrapInitiateAuth,
} from "cognito-srp-helper";
import { cognitoRefusal } from "../functions/shared/cognito-messages";
import type { CliConfig } from "./config";
import { CliError, EXIT, isNetworkError } from "./errors";

/**
 * What a sign-in asks the person for. The terminal asks them; scripts pass flags; the rehearsal
 * plays a user with an authenticator app.
 */
export interface Prompter {
  /** Cognito wants a new password (first sign-in with a temporary one). */
  newPassword(username: string): Promise<string>;
  /**
   * An authenticator app is being set up: show the secret (and its otpauth URI), and return the
   * first code the app shows.
   */
  enrolTotp(secret: string, otpauthUri: string): Promise<string>;
  /** The code the user's authenticator app shows now. */
  totpCode(): Promise<string>;
  /**
   * Cognito refused an answer the person can correct (a wrong or expired code, a new password its
   * policy refuses): tell them why; the same prompt comes again. Without it, the refusal ends the
   * sign-in (flags cannot be typed again).
   */
  refused?(what: "code" | "password", message: string, triesLeft: number): void;
}

/** How many times a code or a new password is asked for, in all, before the sign-in ends. */
export const ANSWER_TRIES = 3;

/** Cognito's refusals of an answer the person typed, by what they typed. */
const REFUSED_CODE = new Set([
  "CodeMismatchException",
  "ExpiredCodeException",
  "EnableSoftwareTokenMFAException",
]);

/**
 * Whether Cognito refused the challenge session itself (spent by the refused answer, or expired),
 * not the answer: NotAuthorizedException "Invalid session for the user…". Cognito documents the
 * session as what "should pass both ways in challenge-response calls" (RespondToAuthChallenge,
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html)
 * but not whether a refused answer spends it; cognito-local keeps it. Both are handled: the same
 * session first, and when it is refused, the sign-in starts again with the password in memory.
 */
function sessionRefused(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "NotAuthorizedException" &&
    /session/i.test(error.message)
  );
}

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the access token expires, in ms since the epoch. */
  readonly expiresAt: number;
}

/** A Cognito client for the configured pool: the region's endpoint, or the configured one. */
export function cognitoClient(config: CliConfig): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: config.region,
    ...(config.cognitoEndpoint ? { endpoint: config.cognitoEndpoint } : {}),
    maxAttempts: 2,
  });
}

/** The sign-in settings of a configuration: SRP unless it says password. */
export function poolClient(config: CliConfig): PoolClient {
  return {
    clientId: config.clientId,
    userPoolId: config.userPoolId,
    authFlow: config.authFlow ?? "srp",
  };
}

/** One line for a Cognito failure: what the person can do about it, never a token or code. */
export function cognitoFailure(error: unknown, during: "sign-in" | "refresh"): CliError {
  if (error instanceof CliError) return error;
  if (isNetworkError(error))
    return new CliError(
      EXIT.upstream,
      "cannot reach Cognito: check your network connection and try again",
    );
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : "";
  // The wording is the portal's too (functions/shared/cognito-messages.ts).
  const refusal = cognitoRefusal(name, message, during, "run studio-access login");
  return new CliError(refusal.kind === "upstream" ? EXIT.upstream : EXIT.signIn, refusal.text);
}

function tokensOf(
  result: AuthenticationResultType | undefined,
  now: number,
  refresh?: string,
): Tokens {
  const refreshToken = result?.RefreshToken ?? refresh;
  if (!result?.AccessToken || !refreshToken)
    throw new CliError(EXIT.upstream, "Cognito answered the sign-in without tokens");
  return {
    accessToken: result.AccessToken,
    refreshToken,
    expiresAt: now + (result.ExpiresIn ?? 3600) * 1000,
  };
}

/** The URI an authenticator app reads (RFC 6238 key URI, as Google Authenticator defines it). */
export function otpauthUri(username: string, secret: string): string {
  const label = encodeURIComponent(`studio-access:${username}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=studio-access`;
}

/** How the password is proven: SRP (it never leaves this machine) or USER_PASSWORD_AUTH. */
export type AuthFlow = "srp" | "password";

/** The pool and app client a sign-in goes to, and how. */
export interface PoolClient {
  readonly clientId: string;
  readonly userPoolId: string;
  readonly authFlow: AuthFlow;
}

type Answer = Pick<InitiateAuthCommandOutput, "ChallengeName" | "Session" | "AuthenticationResult">;

/**
 * The password step. With SRP (USER_SRP_AUTH), Cognito learns a proof of the password, never the
 * password: cognito-srp-helper computes SRP_A and answers PASSWORD_VERIFIER. USER_PASSWORD_AUTH
 * sends the password over TLS; it is for pools or emulators without SRP (cognito-local).
 */
async function provePassword(
  cognito: CognitoIdentityProviderClient,
  pool: PoolClient,
  username: string,
  password: string,
): Promise<Answer> {
  if (pool.authFlow === "password")
    return cognito.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
  const session = createSrpSession(username, password, pool.userPoolId, false);
  const started = await cognito.send(
    new InitiateAuthCommand(
      wrapInitiateAuth(session, {
        ClientId: pool.clientId,
        AuthFlow: "USER_SRP_AUTH",
        AuthParameters: { USERNAME: username, CHALLENGE_NAME: "SRP_A" },
      }),
    ),
  );
  if (started.ChallengeName !== "PASSWORD_VERIFIER") return started;
  return cognito.send(
    new RespondToAuthChallengeCommand(
      wrapAuthChallenge(signSrpSession(session, started), {
        ClientId: pool.clientId,
        ChallengeName: "PASSWORD_VERIFIER",
        Session: started.Session,
        ChallengeResponses: {
          USERNAME: started.ChallengeParameters?.USER_ID_FOR_SRP ?? username,
        },
      }),
    ),
  );
}

/**
 * Signs a user in, answering Cognito's challenges: a new password, authenticator enrolment
 * (MFA_SETUP) and its codes (SOFTWARE_TOKEN_MFA). A user who signed in without a second factor (a
 * pool where MFA is optional) is offered enrolment once signed in, with the access token.
 */
export async function signIn(
  cognito: CognitoIdentityProviderClient,
  pool: PoolClient,
  credentials: { username: string; password: string },
  prompter: Prompter,
  now: () => number = Date.now,
): Promise<Tokens> {
  const { username } = credentials;
  const clientId = pool.clientId;
  // The password the pool holds now: the temporary one, then the new one once Cognito took it.
  let password = credentials.password;
  try {
    let answer: Answer = await provePassword(cognito, pool, username, password);
    let secondFactor = false;
    const respond = (name: string, responses: Record<string, string>, session = answer.Session) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: name as never,
          Session: session,
          ChallengeResponses: { USERNAME: username, ...responses },
        }),
      );
    /**
     * Answers `name` with what `ask` gets from the person; a refusal they can correct (`what`) is
     * told and asked again, up to ANSWER_TRIES in all. A refused session is started afresh with
     * the password, and the same answer given to the same challenge there.
     */
    const answerTyped = async (
      name: string,
      what: "code" | "password",
      ask: () => Promise<Record<string, string>>,
    ): Promise<Answer> => {
      /** The same answer on the session; on a fresh one if Cognito refuses the session. */
      const give = async (responses: Record<string, string>): Promise<Answer> => {
        try {
          return await respond(name, responses);
        } catch (error) {
          if (!sessionRefused(error)) throw error;
          answer = await provePassword(cognito, pool, username, password);
          if (answer.ChallengeName !== name) throw error;
          return await respond(name, responses);
        }
      };
      let responses = await ask();
      for (let tries = 1; ;) {
        try {
          return await give(responses);
        } catch (error) {
          const correctable =
            what === "code"
              ? error instanceof Error && REFUSED_CODE.has(error.name)
              : error instanceof Error && error.name === "InvalidPasswordException";
          if (!correctable || tries >= ANSWER_TRIES || !prompter.refused) throw error;
          prompter.refused(what, (error as Error).message, ANSWER_TRIES - tries);
          tries += 1;
          responses = await ask();
        }
      }
    };
    for (let round = 0; answer.ChallengeName && round < 6; round++) {
      switch (answer.ChallengeName) {
        case "NEW_PASSWORD_REQUIRED": {
          let chosen = "";
          answer = await answerTyped("NEW_PASSWORD_REQUIRED", "password", async () => {
            chosen = await prompter.newPassword(username);
            return { NEW_PASSWORD: chosen };
          });
          password = chosen;
          break;
        }
        case "MFA_SETUP": {
          const { SecretCode, Session } = await cognito.send(
            new AssociateSoftwareTokenCommand({ Session: answer.Session }),
          );
          if (!SecretCode)
            throw new CliError(EXIT.upstream, "Cognito gave no authenticator secret");
          const verified = await verifyTyped(
            (UserCode) =>
              cognito.send(
                new VerifySoftwareTokenCommand({
                  Session,
                  UserCode,
                  FriendlyDeviceName: "studio-access",
                }),
              ),
            () => prompter.enrolTotp(SecretCode, otpauthUri(username, SecretCode)),
            prompter,
          );
          if (verified === "session-refused") {
            // The enrolment's session is spent: sign in again, which asks for MFA_SETUP again
            // (with a new key, which the prompter shows).
            answer = await provePassword(cognito, pool, username, password);
            break;
          }
          answer = await respond("MFA_SETUP", {}, verified.Session);
          secondFactor = true;
          break;
        }
        case "SELECT_MFA_TYPE":
          answer = await respond("SELECT_MFA_TYPE", { ANSWER: "SOFTWARE_TOKEN_MFA" });
          break;
        case "SOFTWARE_TOKEN_MFA":
          answer = await answerTyped("SOFTWARE_TOKEN_MFA", "code", async () => ({
            SOFTWARE_TOKEN_MFA_CODE: await prompter.totpCode(),
          }));
          secondFactor = true;
          break;
        default:
          throw new CliError(
            EXIT.signIn,
            `Cognito asked for ${answer.ChallengeName}, which studio-access does not support: ask your platform team`,
          );
      }
    }
    const tokens = tokensOf(answer.AuthenticationResult, now());
    if (!secondFactor) await offerEnrolment(cognito, tokens.accessToken, username, prompter);
    return tokens;
  } catch (error) {
    throw cognitoFailure(error, "sign-in");
  }
}

/**
 * An enrolment's first code (VerifySoftwareToken): the first from `first` (which shows the key),
 * then, after a wrong one, from the prompter's code prompt, up to ANSWER_TRIES in all. With a
 * session (MFA_SETUP) that Cognito refuses, "session-refused": the caller signs in again.
 */
async function verifyTyped<T>(
  verify: (code: string) => Promise<T>,
  first: () => Promise<string>,
  prompter: Prompter,
): Promise<T | "session-refused"> {
  let code = await first();
  for (let tries = 1; ; tries++) {
    try {
      return await verify(code);
    } catch (error) {
      if (sessionRefused(error)) return "session-refused";
      if (
        !(error instanceof Error && REFUSED_CODE.has(error.name)) ||
        tries >= ANSWER_TRIES ||
        !prompter.refused
      )
        throw error;
      prompter.refused("code", error.message, ANSWER_TRIES - tries);
      code = await prompter.totpCode();
    }
  }
}

/** Sets up an authenticator for a user who has none, with their access token. */
async function offerEnrolment(
  cognito: CognitoIdentityProviderClient,
  AccessToken: string,
  username: string,
  prompter: Prompter,
): Promise<void> {
  const user = await cognito.send(new GetUserCommand({ AccessToken }));
  if (user.UserMFASettingList?.includes("SOFTWARE_TOKEN_MFA")) return;
  const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken }));
  if (!SecretCode) throw new CliError(EXIT.upstream, "Cognito gave no authenticator secret");
  const verified = await verifyTyped(
    (UserCode) =>
      cognito.send(
        new VerifySoftwareTokenCommand({
          AccessToken,
          UserCode,
          FriendlyDeviceName: "studio-access",
        }),
      ),
    () => prompter.enrolTotp(SecretCode, otpauthUri(username, SecretCode)),
    prompter,
  );
  if (verified === "session-refused")
    throw new CliError(EXIT.signIn, "Cognito refused the enrolment: run studio-access login again");
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
}

/** New tokens from the refresh token (Cognito keeps the refresh token the same). */
export async function refresh(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  refreshToken: string,
  now: () => number = Date.now,
): Promise<Tokens> {
  try {
    const { AuthenticationResult } = await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    );
    return tokensOf(AuthenticationResult, now(), refreshToken);
  } catch (error) {
    throw cognitoFailure(error, "refresh");
  }
}

/** Revokes a refresh token (and the access tokens it issued). */
export async function revoke(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  refreshToken: string,
): Promise<void> {
  await cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: refreshToken }));
}
