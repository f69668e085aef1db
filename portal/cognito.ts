import { startSrp } from "./srp";

/**
 * Cognito from the browser: its JSON 1.1 protocol by fetch (no AWS SDK in the page), with the same
 * sign-in flows as the CLI (cli/cognito.ts). Every call is unauthenticated by AWS signature, as
 * Cognito's user-pool sign-in operations are ("Amazon Cognito user pools API, unauthenticated
 * operations": https://docs.aws.amazon.com/cognito/latest/developerguide/user-pools-API-operations.html).
 */

/** A refusal by Cognito: its exception name (`__type`) and message. */
export class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Cognito could not be reached at all (network, CORS, proxy). */
export class CognitoUnreachable extends Error {}

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the access token expires, in ms since the epoch. */
  readonly expiresAt: number;
}

/** What a sign-in asks the person for; the page shows a form for each. */
export interface Prompter {
  newPassword(): Promise<string>;
  /** An authenticator is being set up: show the key and QR code; the first code it shows. */
  enrolTotp(secret: string, otpauthUri: string, retry: boolean): Promise<string>;
  /** The code the authenticator shows now (`retry` after a wrong one). */
  totpCode(retry: boolean): Promise<string>;
}

type Json = Record<string, unknown>;
interface Answer {
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
  AuthenticationResult?: {
    AccessToken?: string;
    RefreshToken?: string;
    ExpiresIn?: number;
  };
}

/** The RFC 6238 key URI an authenticator app reads, as the CLI writes it. */
export function otpauthUri(username: string, secret: string): string {
  const label = encodeURIComponent(`studio-access:${username}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=studio-access`;
}

const wrongCode = new Set([
  "CodeMismatchException",
  "EnableSoftwareTokenMFAException",
  "ExpiredCodeException",
]);

export class Cognito {
  constructor(
    private readonly endpoint: string,
    private readonly clientId: string,
    private readonly userPoolId: string,
  ) {}

  /**
   * One operation: POST with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>` and
   * `Content-Type: application/x-amz-json-1.1`; a refusal's `__type` names the exception
   * ("Making API requests": https://docs.aws.amazon.com/cognito/latest/developerguide/user-pools-making-API-requests.html).
   */
  async call<T = Json>(operation: string, body: Json): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
        },
        body: JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
    } catch {
      throw new CognitoUnreachable("cannot reach Cognito");
    }
    let json: Json = {};
    try {
      json = (await response.json()) as Json;
    } catch {
      // Not JSON: a proxy's page; the status decides.
    }
    if (!response.ok) {
      const type =
        typeof json.__type === "string"
          ? json.__type
          : (response.headers.get("x-amzn-errortype") ?? "");
      const code = type.split("#").pop()?.split(":")[0] ?? "";
      const message = json.message ?? json.Message;
      throw new CognitoError(code, typeof message === "string" ? message : "");
    }
    return json as T;
  }

  private respond(name: string, session: string | undefined, responses: Record<string, string>) {
    return this.call<Answer>("RespondToAuthChallenge", {
      ClientId: this.clientId,
      ChallengeName: name,
      Session: session,
      ChallengeResponses: responses,
    });
  }

  /** The password step, by SRP: Cognito gets a proof of the password, never the password. */
  private async provePassword(username: string, password: string): Promise<Answer> {
    const srp = await startSrp(this.userPoolId);
    const started = await this.call<Answer>("InitiateAuth", {
      ClientId: this.clientId,
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: { USERNAME: username, SRP_A: srp.srpA },
    });
    if (started.ChallengeName !== "PASSWORD_VERIFIER") return started;
    const responses = await srp.answer(started.ChallengeParameters ?? {}, password);
    return this.respond("PASSWORD_VERIFIER", started.Session, responses);
  }

  /**
   * Signs a user in, answering Cognito's challenges as the CLI does: a new password,
   * authenticator enrolment (MFA_SETUP) and its codes (SOFTWARE_TOKEN_MFA). A wrong code asks
   * again with the same session.
   */
  async signIn(
    username: string,
    password: string,
    prompter: Prompter,
    now: () => number = Date.now,
  ): Promise<Tokens> {
    let answer = await this.provePassword(username, password);
    const userId = answer.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
    let secondFactor = false;
    for (let round = 0; answer.ChallengeName && round < 12; round++) {
      switch (answer.ChallengeName) {
        case "NEW_PASSWORD_REQUIRED":
          answer = await this.respond("NEW_PASSWORD_REQUIRED", answer.Session, {
            USERNAME: userId,
            NEW_PASSWORD: await prompter.newPassword(),
          });
          break;
        case "MFA_SETUP": {
          const associated = await this.call<{ SecretCode?: string; Session?: string }>(
            "AssociateSoftwareToken",
            { Session: answer.Session },
          );
          if (!associated.SecretCode)
            throw new CognitoError("", "Cognito gave no authenticator secret");
          let session = associated.Session;
          for (let retry = false; ; retry = true) {
            const code = await prompter.enrolTotp(
              associated.SecretCode,
              otpauthUri(username, associated.SecretCode),
              retry,
            );
            try {
              const verified = await this.call<{ Session?: string }>("VerifySoftwareToken", {
                Session: session,
                UserCode: code,
                FriendlyDeviceName: "studio-access",
              });
              session = verified.Session;
              break;
            } catch (error) {
              if (!(error instanceof CognitoError && wrongCode.has(error.code))) throw error;
            }
          }
          answer = await this.respond("MFA_SETUP", session, { USERNAME: userId });
          secondFactor = true;
          break;
        }
        case "SELECT_MFA_TYPE":
          answer = await this.respond("SELECT_MFA_TYPE", answer.Session, {
            USERNAME: userId,
            ANSWER: "SOFTWARE_TOKEN_MFA",
          });
          break;
        case "SOFTWARE_TOKEN_MFA": {
          const session = answer.Session;
          for (let retry = false; ; retry = true) {
            try {
              answer = await this.respond("SOFTWARE_TOKEN_MFA", session, {
                USERNAME: userId,
                SOFTWARE_TOKEN_MFA_CODE: await prompter.totpCode(retry),
              });
              break;
            } catch (error) {
              if (!(error instanceof CognitoError && wrongCode.has(error.code))) throw error;
            }
          }
          secondFactor = true;
          break;
        }
        default:
          throw new CognitoError(
            "UnsupportedChallenge",
            `Cognito asked for ${answer.ChallengeName}, which this page does not support: ask your platform team`,
          );
      }
    }
    const tokens = tokensOf(answer, now());
    if (!secondFactor) await this.offerEnrolment(tokens.accessToken, username, prompter);
    return tokens;
  }

  /** Sets up an authenticator for a user who has none (a pool where MFA is optional). */
  private async offerEnrolment(AccessToken: string, username: string, prompter: Prompter) {
    const user = await this.call<{ UserMFASettingList?: string[] }>("GetUser", { AccessToken });
    if (user.UserMFASettingList?.includes("SOFTWARE_TOKEN_MFA")) return;
    const { SecretCode } = await this.call<{ SecretCode?: string }>("AssociateSoftwareToken", {
      AccessToken,
    });
    if (!SecretCode) throw new CognitoError("", "Cognito gave no authenticator secret");
    for (let retry = false; ; retry = true) {
      const code = await prompter.enrolTotp(SecretCode, otpauthUri(username, SecretCode), retry);
      try {
        await this.call("VerifySoftwareToken", {
          AccessToken,
          UserCode: code,
          FriendlyDeviceName: "studio-access",
        });
        break;
      } catch (error) {
        if (!(error instanceof CognitoError && wrongCode.has(error.code))) throw error;
      }
    }
    await this.call("SetUserMFAPreference", {
      AccessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    });
  }

  /** New tokens from the refresh token (REFRESH_TOKEN_AUTH keeps the refresh token). */
  async refresh(refreshToken: string, now: () => number = Date.now): Promise<Tokens> {
    const answer = await this.call<Answer>("InitiateAuth", {
      ClientId: this.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    return tokensOf(answer, now(), refreshToken);
  }

  /** Revokes a refresh token and the access tokens it issued (RevokeToken). */
  async revoke(refreshToken: string): Promise<void> {
    await this.call("RevokeToken", { ClientId: this.clientId, Token: refreshToken });
  }
}

function tokensOf(answer: Answer, now: number, refresh?: string): Tokens {
  const result = answer.AuthenticationResult;
  const refreshToken = result?.RefreshToken ?? refresh;
  if (!result?.AccessToken || !refreshToken)
    throw new CognitoError("", "Cognito answered the sign-in without tokens");
  return {
    accessToken: result.AccessToken,
    refreshToken,
    expiresAt: now + (result.ExpiresIn ?? 3600) * 1000,
  };
}
