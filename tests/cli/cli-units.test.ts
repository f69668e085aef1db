import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { AccessApi, describePolicy, passwordPolicyLine } from "../../cli/api";
import { main, USAGE, type Io } from "../../cli/main";
import { BrowserNotOpened, openBrowser } from "../../cli/terminal";
import { ANSWER_TRIES, otpauthUri, signIn, type Prompter } from "../../cli/cognito";
import {
  apiUrlWarning,
  configDir,
  loadConfig,
  saveConfig,
  validate,
  type CliConfig,
} from "../../cli/config";
import { CliError, EXIT } from "../../cli/errors";
import { TokenCache } from "../../cli/session";
import { SrpServer } from "../helpers/srp-server";
import { totpCode } from "../helpers/totp";

const cognito = mockClient(CognitoIdentityProviderClient);
const client = () => new CognitoIdentityProviderClient({ region: "us-east-1" });

/** A prompter that answers from a script and records what it was asked. */
function scripted(answers: { newPassword?: string; code?: string } = {}) {
  const asked: string[] = [];
  const prompter: Prompter = {
    newPassword: () => {
      asked.push("newPassword");
      return Promise.resolve(answers.newPassword ?? "N3w-password!");
    },
    enrolTotp: (secret, uri) => {
      asked.push(`enrolTotp ${secret} ${uri}`);
      return Promise.resolve(answers.code ?? "123456");
    },
    totpCode: () => {
      asked.push("totpCode");
      return Promise.resolve(answers.code ?? "123456");
    },
  };
  return { prompter, asked };
}

const TOKENS = { AccessToken: "access", RefreshToken: "refresh", ExpiresIn: 900 };
/** A pool signed in to with USER_PASSWORD_AUTH (as the sandbox's cognito-local needs). */
const PASSWORD = { clientId: "c", userPoolId: "us-east-1_AbC123", authFlow: "password" } as const;
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

beforeEach(() => {
  cognito.reset();
});

describe("RFC 6238 test helper", () => {
  it("gives RFC 6238's SHA-1 test vector (T = 59 s: 94287082, last 6 digits)", () => {
    // The RFC's key is the ASCII "12345678901234567890", here in base32.
    expect(totpCode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59_000)).toBe("287082");
    expect(totpCode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 1_111_111_109_000)).toBe("081804");
  });
});

describe("signIn: SRP, the default", () => {
  const SRP = { ...PASSWORD, authFlow: "srp" } as const;
  /** What Cognito's USER_SRP_AUTH answers: its SRP_B, the salt and a secret block. */
  const verifier = {
    ChallengeName: "PASSWORD_VERIFIER",
    Session: "srp-session",
    ChallengeParameters: {
      USER_ID_FOR_SRP: "jane",
      SRP_B: "b1".repeat(192),
      SALT: "5a1e".repeat(8),
      SECRET_BLOCK: Buffer.from("secret block").toString("base64"),
      USERNAME: "jane",
    },
  } as const;

  it("proves the password with SRP and never sends it", async () => {
    cognito.on(InitiateAuthCommand).resolves(verifier);
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: "PASSWORD_VERIFIER" })
      .resolves({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s2" });
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: "SOFTWARE_TOKEN_MFA" })
      .resolves({ AuthenticationResult: TOKENS });
    const { prompter } = scripted();
    await signIn(client(), SRP, { username: "jane", password: "Very-Secret-Pw1" }, prompter);
    const initiate = cognito.commandCalls(InitiateAuthCommand)[0]!.args[0].input;
    expect(initiate).toMatchObject({
      ClientId: "c",
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: { USERNAME: "jane", CHALLENGE_NAME: "SRP_A" },
    });
    expect(initiate.AuthParameters?.SRP_A).toMatch(/^[0-9a-f]{256,}$/);
    const proof = cognito.commandCalls(RespondToAuthChallengeCommand)[0]!.args[0].input;
    expect(proof).toMatchObject({
      ClientId: "c",
      ChallengeName: "PASSWORD_VERIFIER",
      Session: "srp-session",
      ChallengeResponses: {
        USERNAME: "jane",
        PASSWORD_CLAIM_SECRET_BLOCK: verifier.ChallengeParameters.SECRET_BLOCK,
      },
    });
    expect(proof.ChallengeResponses?.PASSWORD_CLAIM_SIGNATURE).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(proof.ChallengeResponses?.TIMESTAMP).toMatch(
      /^\w{3} \w{3} \d{1,2} \d\d:\d\d:\d\d UTC \d{4}$/,
    );
    // The password is in no request at all.
    expect(JSON.stringify(cognito.calls().map((c) => c.args[0].input))).not.toContain(
      "Very-Secret-Pw1",
    );
  });

  it("answers with a proof Cognito's side of SRP verifies, and which another password fails", async () => {
    const proofFor = async (password: string) => {
      const server = new SrpServer(SRP.userPoolId, "jane", "Right-Passw0rd!");
      cognito.reset();
      cognito.on(InitiateAuthCommand).resolves({
        ChallengeName: "PASSWORD_VERIFIER",
        Session: "srp",
        ChallengeParameters: server.challenge(),
      });
      cognito.on(RespondToAuthChallengeCommand).resolves({ AuthenticationResult: TOKENS });
      cognito.on(GetUserCommand).resolves({ UserMFASettingList: ["SOFTWARE_TOKEN_MFA"] });
      await signIn(client(), SRP, { username: "jane", password }, scripted().prompter);
      const srpA =
        cognito.commandCalls(InitiateAuthCommand)[0]!.args[0].input.AuthParameters?.SRP_A;
      const responses = cognito.commandCalls(RespondToAuthChallengeCommand)[0]!.args[0].input
        .ChallengeResponses;
      return server.verifies(srpA ?? "", responses ?? {});
    };
    expect(await proofFor("Right-Passw0rd!")).toBe(true);
    expect(await proofFor("Wrong-Passw0rd!")).toBe(false);
  });
});

describe("signIn: Cognito's challenges", () => {
  it("answers a first sign-in on a pool that requires MFA: new password, then MFA_SETUP", async () => {
    cognito
      .on(InitiateAuthCommand)
      .resolves({ ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s1" });
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: "NEW_PASSWORD_REQUIRED" })
      .resolves({ ChallengeName: "MFA_SETUP", Session: "s2" });
    cognito.on(AssociateSoftwareTokenCommand).resolves({ SecretCode: "JBSWY3DP", Session: "s3" });
    cognito.on(VerifySoftwareTokenCommand).resolves({ Status: "SUCCESS", Session: "s4" });
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: "MFA_SETUP" })
      .resolves({ AuthenticationResult: TOKENS });
    const { prompter, asked } = scripted({ code: "654321" });
    const tokens = await signIn(
      client(),
      { ...PASSWORD, clientId: "client1" },
      { username: "jane", password: "Temp-1" },
      prompter,
      () => 1000,
    );
    expect(tokens).toEqual({ accessToken: "access", refreshToken: "refresh", expiresAt: 901_000 });
    expect(asked).toEqual([
      "newPassword",
      "enrolTotp JBSWY3DP otpauth://totp/studio-access%3Ajane?secret=JBSWY3DP&issuer=studio-access",
    ]);
    expect(cognito.commandCalls(InitiateAuthCommand)[0]!.args[0].input).toEqual({
      ClientId: "client1",
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "jane", PASSWORD: "Temp-1" },
    });
    expect(cognito.commandCalls(RespondToAuthChallengeCommand).map((c) => c.args[0].input)).toEqual(
      [
        {
          ClientId: "client1",
          ChallengeName: "NEW_PASSWORD_REQUIRED",
          Session: "s1",
          ChallengeResponses: { USERNAME: "jane", NEW_PASSWORD: "N3w-password!" },
        },
        {
          ClientId: "client1",
          ChallengeName: "MFA_SETUP",
          Session: "s4",
          ChallengeResponses: { USERNAME: "jane" },
        },
      ],
    );
    expect(cognito.commandCalls(AssociateSoftwareTokenCommand)[0]!.args[0].input).toEqual({
      Session: "s2",
    });
    expect(cognito.commandCalls(VerifySoftwareTokenCommand)[0]!.args[0].input).toEqual({
      Session: "s3",
      UserCode: "654321",
      FriendlyDeviceName: "studio-access",
    });
    // The second factor was just set up: no second enrolment offered.
    expect(cognito.commandCalls(GetUserCommand)).toHaveLength(0);
  });

  it("asks for the authenticator code on a later sign-in, and chooses TOTP when asked to select", async () => {
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: "SELECT_MFA_TYPE", Session: "s1" });
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: "SELECT_MFA_TYPE" })
      .resolves({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s2" });
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: "SOFTWARE_TOKEN_MFA" })
      .resolves({ AuthenticationResult: TOKENS });
    const { prompter, asked } = scripted();
    await signIn(client(), PASSWORD, { username: "jane", password: "p" }, prompter);
    expect(asked).toEqual(["totpCode"]);
    expect(
      cognito
        .commandCalls(RespondToAuthChallengeCommand)
        .map((c) => c.args[0].input.ChallengeResponses),
    ).toEqual([
      { USERNAME: "jane", ANSWER: "SOFTWARE_TOKEN_MFA" },
      { USERNAME: "jane", SOFTWARE_TOKEN_MFA_CODE: "123456" },
    ]);
  });

  it("offers enrolment with the access token to a user signed in without a second factor", async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: TOKENS });
    cognito.on(GetUserCommand).resolves({ Username: "jane", UserMFASettingList: [] });
    cognito.on(AssociateSoftwareTokenCommand).resolves({ SecretCode: "SECRET" });
    cognito.on(VerifySoftwareTokenCommand).resolves({ Status: "SUCCESS" });
    cognito.on(SetUserMFAPreferenceCommand).resolves({});
    const { prompter, asked } = scripted();
    await signIn(client(), PASSWORD, { username: "jane", password: "p" }, prompter);
    expect(asked).toHaveLength(1);
    expect(cognito.commandCalls(SetUserMFAPreferenceCommand)[0]!.args[0].input).toEqual({
      AccessToken: "access",
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    });
  });

  it("does not offer enrolment to a user who has an authenticator", async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: TOKENS });
    cognito.on(GetUserCommand).resolves({ UserMFASettingList: ["SOFTWARE_TOKEN_MFA"] });
    const { prompter, asked } = scripted();
    await signIn(client(), PASSWORD, { username: "jane", password: "p" }, prompter);
    expect(asked).toEqual([]);
    expect(cognito.commandCalls(AssociateSoftwareTokenCommand)).toHaveLength(0);
  });

  it("refuses a challenge it does not support, naming it (exit 3)", async () => {
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: "SMS_MFA", Session: "s" });
    await expect(
      signIn(client(), PASSWORD, { username: "jane", password: "p" }, scripted().prompter),
    ).rejects.toEqual(
      new CliError(
        EXIT.signIn,
        "Cognito asked for SMS_MFA, which studio-access does not support: ask your platform team",
      ),
    );
  });

  it.each([
    ["NotAuthorizedException", EXIT.signIn, "incorrect username or password"],
    ["UserNotFoundException", EXIT.signIn, "incorrect username or password"],
    ["CodeMismatchException", EXIT.signIn, "that authenticator code is wrong or has expired"],
    [
      "PasswordResetRequiredException",
      EXIT.signIn,
      "your password must be reset: ask your platform team",
    ],
    [
      "TooManyRequestsException",
      EXIT.upstream,
      "Cognito is refusing for now (too many attempts): wait a minute",
    ],
    [
      "InternalErrorException",
      EXIT.upstream,
      "Cognito refused the sign-in (InternalErrorException)",
    ],
  ])("maps %s to exit %i with one line", async (name, code, message) => {
    cognito.on(InitiateAuthCommand).rejects(named(name, "secret detail eyJhbGc"));
    await expect(
      signIn(client(), PASSWORD, { username: "jane", password: "p" }, scripted().prompter),
    ).rejects.toEqual(new CliError(code, message));
  });

  it("states the pool's policy when a new password is refused", async () => {
    cognito
      .on(InitiateAuthCommand)
      .resolves({ ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" });
    cognito
      .on(RespondToAuthChallengeCommand)
      .rejects(named("InvalidPasswordException", "Password must have symbol characters"));
    await expect(
      signIn(client(), PASSWORD, { username: "jane", password: "p" }, scripted().prompter),
    ).rejects.toEqual(
      new CliError(
        EXIT.signIn,
        "the new password was refused: Password must have symbol characters",
      ),
    );
  });

  it("names the account in the otpauth URI, escaped", () => {
    expect(otpauthUri("jane doe", "ABC")).toBe(
      "otpauth://totp/studio-access%3Ajane%20doe?secret=ABC&issuer=studio-access",
    );
  });
});

describe("signIn: a wrong code or a refused new password is asked for again (#20)", () => {
  /** A person who types `codes` (and `passwords`) in turn and is told of each refusal. */
  function retrying(answers: { codes?: string[]; passwords?: string[] }) {
    const codes = [...(answers.codes ?? [])];
    const passwords = [...(answers.passwords ?? [])];
    const asked: string[] = [];
    const prompter: Prompter = {
      newPassword: () => {
        asked.push("newPassword");
        return Promise.resolve(passwords.shift() ?? "none-left");
      },
      enrolTotp: () => {
        asked.push("enrolTotp");
        return Promise.resolve(codes.shift() ?? "000000");
      },
      totpCode: () => {
        asked.push("totpCode");
        return Promise.resolve(codes.shift() ?? "000000");
      },
      refused: (what, message, left) => asked.push(`refused ${what}: ${message} (${String(left)})`),
    };
    return { prompter, asked };
  }
  const mismatch = () => named("CodeMismatchException", "Invalid code received for user");
  const mfaCalls = () =>
    cognito
      .commandCalls(RespondToAuthChallengeCommand)
      .map((c) => [c.args[0].input.Session, c.args[0].input.ChallengeResponses]);

  it("asks again after a wrong code and answers the same session, as cognito-local keeps it", async () => {
    cognito
      .on(InitiateAuthCommand)
      .resolves({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s1" });
    cognito
      .on(RespondToAuthChallengeCommand)
      .rejectsOnce(mismatch())
      .resolves({ AuthenticationResult: TOKENS });
    const { prompter, asked } = retrying({ codes: ["111111", "222222"] });
    const tokens = await signIn(client(), PASSWORD, { username: "jane", password: "p" }, prompter);
    expect(tokens.accessToken).toBe("access");
    expect(asked).toEqual([
      "totpCode",
      "refused code: Invalid code received for user (2)",
      "totpCode",
    ]);
    expect(mfaCalls()).toEqual([
      ["s1", { USERNAME: "jane", SOFTWARE_TOKEN_MFA_CODE: "111111" }],
      ["s1", { USERNAME: "jane", SOFTWARE_TOKEN_MFA_CODE: "222222" }],
    ]);
    expect(cognito.commandCalls(InitiateAuthCommand)).toHaveLength(1);
  });

  it("signs in again with the password in memory when Cognito refuses the spent session, and gives the new code there", async () => {
    cognito
      .on(InitiateAuthCommand)
      .resolvesOnce({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s1" })
      .resolves({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s2" });
    cognito
      .on(RespondToAuthChallengeCommand, { Session: "s1" })
      .rejectsOnce(mismatch())
      .rejects(
        named("NotAuthorizedException", "Invalid session for the user, session is expired."),
      );
    cognito
      .on(RespondToAuthChallengeCommand, { Session: "s2" })
      .resolves({ AuthenticationResult: TOKENS });
    const { prompter, asked } = retrying({ codes: ["111111", "222222"] });
    await signIn(client(), PASSWORD, { username: "jane", password: "Pw-1" }, prompter);
    expect(asked).toEqual([
      "totpCode",
      "refused code: Invalid code received for user (2)",
      "totpCode",
    ]);
    expect(mfaCalls()).toEqual([
      ["s1", { USERNAME: "jane", SOFTWARE_TOKEN_MFA_CODE: "111111" }],
      ["s1", { USERNAME: "jane", SOFTWARE_TOKEN_MFA_CODE: "222222" }],
      ["s2", { USERNAME: "jane", SOFTWARE_TOKEN_MFA_CODE: "222222" }],
    ]);
    expect(
      cognito.commandCalls(InitiateAuthCommand).map((c) => c.args[0].input.AuthParameters),
    ).toEqual([
      { USERNAME: "jane", PASSWORD: "Pw-1" },
      { USERNAME: "jane", PASSWORD: "Pw-1" },
    ]);
  });

  it(`ends the sign-in after ${String(ANSWER_TRIES)} wrong codes (exit 3)`, async () => {
    cognito
      .on(InitiateAuthCommand)
      .resolves({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s1" });
    cognito.on(RespondToAuthChallengeCommand).rejects(mismatch());
    const { prompter, asked } = retrying({ codes: ["111111", "222222", "333333", "444444"] });
    await expect(
      signIn(client(), PASSWORD, { username: "jane", password: "p" }, prompter),
    ).rejects.toEqual(new CliError(EXIT.signIn, "that authenticator code is wrong or has expired"));
    expect(asked.filter((a) => a === "totpCode")).toHaveLength(ANSWER_TRIES);
    expect(mfaCalls()).toHaveLength(ANSWER_TRIES);
  });

  it("asks again for the enrolment's first code, with the access token (a pool where MFA is optional)", async () => {
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: TOKENS });
    cognito.on(GetUserCommand).resolves({ Username: "jane", UserMFASettingList: [] });
    cognito.on(AssociateSoftwareTokenCommand).resolves({ SecretCode: "SECRET" });
    cognito
      .on(VerifySoftwareTokenCommand)
      .rejectsOnce(named("EnableSoftwareTokenMFAException", "Code mismatch"))
      .resolves({ Status: "SUCCESS" });
    cognito.on(SetUserMFAPreferenceCommand).resolves({});
    const { prompter, asked } = retrying({ codes: ["111111", "222222"] });
    await signIn(client(), PASSWORD, { username: "jane", password: "p" }, prompter);
    expect(asked).toEqual(["enrolTotp", "refused code: Code mismatch (2)", "totpCode"]);
    expect(
      cognito.commandCalls(VerifySoftwareTokenCommand).map((c) => c.args[0].input.UserCode),
    ).toEqual(["111111", "222222"]);
    expect(cognito.commandCalls(SetUserMFAPreferenceCommand)).toHaveLength(1);
  });

  it("asks again for MFA_SETUP's first code on the same session; a refused session signs in again and enrols afresh", async () => {
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: "MFA_SETUP", Session: "s1" });
    cognito
      .on(AssociateSoftwareTokenCommand)
      .resolvesOnce({ SecretCode: "KEY1", Session: "a1" })
      .resolves({ SecretCode: "KEY2", Session: "a2" });
    cognito
      .on(VerifySoftwareTokenCommand, { Session: "a1" })
      .rejectsOnce(mismatch())
      .rejects(named("NotAuthorizedException", "Invalid session for the user."));
    cognito.on(VerifySoftwareTokenCommand, { Session: "a2" }).resolves({ Session: "v2" });
    cognito.on(RespondToAuthChallengeCommand).resolves({ AuthenticationResult: TOKENS });
    const { prompter, asked } = retrying({ codes: ["111111", "222222", "333333"] });
    await signIn(client(), PASSWORD, { username: "jane", password: "p" }, prompter);
    expect(asked).toEqual([
      "enrolTotp",
      "refused code: Invalid code received for user (2)",
      "totpCode",
      "enrolTotp",
    ]);
    expect(
      cognito
        .commandCalls(VerifySoftwareTokenCommand)
        .map((c) => [c.args[0].input.Session, c.args[0].input.UserCode]),
    ).toEqual([
      ["a1", "111111"],
      ["a1", "222222"],
      ["a2", "333333"],
    ]);
    expect(mfaCalls()).toEqual([["v2", { USERNAME: "jane" }]]);
  });

  it("shows Cognito's refusal of a new password and asks for another, then signs in with it", async () => {
    cognito
      .on(InitiateAuthCommand)
      .resolvesOnce({ ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s1" })
      .resolves({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s3" });
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: "NEW_PASSWORD_REQUIRED" })
      .rejectsOnce(
        named(
          "InvalidPasswordException",
          "Password does not conform to policy: Password not long enough",
        ),
      )
      .resolves({ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s2" });
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: "SOFTWARE_TOKEN_MFA" })
      .rejectsOnce(named("NotAuthorizedException", "Invalid session for the user."))
      .resolves({ AuthenticationResult: TOKENS });
    const { prompter, asked } = retrying({
      passwords: ["short", "Long-Enough-Pw1!"],
      codes: ["111111"],
    });
    await signIn(client(), PASSWORD, { username: "jane", password: "Temp-1" }, prompter);
    expect(asked).toEqual([
      "newPassword",
      "refused password: Password does not conform to policy: Password not long enough (2)",
      "newPassword",
      "totpCode",
    ]);
    // The spent session after the new password: signing in again uses the new password.
    expect(
      cognito
        .commandCalls(InitiateAuthCommand)
        .map((c) => c.args[0].input.AuthParameters?.PASSWORD),
    ).toEqual(["Temp-1", "Long-Enough-Pw1!"]);
  });
});

describe("configuration", () => {
  const good = {
    apiUrl: "https://abc123.execute-api.us-east-1.amazonaws.com/v1",
    userPoolId: "us-east-1_AbC123",
    clientId: "4r83ignv2agu3llwx6nhztsh3",
    region: "us-east-1",
  };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "studio-access-config-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports every problem at once, naming the flag and the value", () => {
    expect(
      validate({ apiUrl: "ftp://x", userPoolId: "nope", clientId: "a b", region: "moon" }),
    ).toEqual([
      '--api-url "ftp://x" must be an https:// URL (plain http only on 127.0.0.1 or localhost)',
      '--user-pool-id "nope" is not a user pool id (like us-east-1_AbCdEf123)',
      '--client-id "a b" is not an app client id',
      '--region "moon" is not an AWS region (like us-east-1)',
    ]);
    expect(validate({})).toEqual([
      "--api-url is missing",
      "--user-pool-id is missing",
      "--client-id is missing",
      "--region is missing",
    ]);
    expect(validate(good)).toEqual([]);
  });

  it("lets environment variables override the saved file, and checks them too", () => {
    saveConfig(dir, good);
    expect(loadConfig(dir, {})).toEqual(good);
    expect(loadConfig(dir, { STUDIO_ACCESS_API_URL: "http://127.0.0.1:8080/v1" }).apiUrl).toBe(
      "http://127.0.0.1:8080/v1",
    );
    expect(() => loadConfig(dir, { STUDIO_ACCESS_REGION: "eu-west-1" })).toThrow(
      'configuration: --user-pool-id "us-east-1_AbC123" is not in --region "eu-west-1"',
    );
  });

  it("writes nothing when a value is wrong", () => {
    expect(() => saveConfig(dir, { ...good, apiUrl: "http://example.com" })).toThrow(CliError);
    expect(() => loadConfig(dir, {})).toThrow("not configured");
  });

  it("doubts an execute-api URL with no stage path, and no other (a custom domain's root maps the stage) (#20)", () => {
    const bare = "https://abc123-vpce-0a1b2c3d.execute-api.us-east-1.amazonaws.com/";
    expect(apiUrlWarning(bare)).toBe(
      `--api-url ${bare} has no stage: an execute-api address ends in the API's stage, such as https://abc123-vpce-0a1b2c3d.execute-api.us-east-1.amazonaws.com/v1 (the shared stack's cliConfigure output has it); saved as given`,
    );
    expect(apiUrlWarning("https://abc123.execute-api.us-east-1.amazonaws.com")).toMatch(
      /has no stage/,
    );
    expect(apiUrlWarning(good.apiUrl)).toBeUndefined();
    expect(apiUrlWarning("https://studio.example.com/")).toBeUndefined();
    expect(apiUrlWarning("http://127.0.0.1:8080/v1")).toBeUndefined();
  });

  it("configure warns on stderr, and saves, an execute-api URL with no stage", async () => {
    let stdout = "";
    let stderr = "";
    const io = {
      stdin: process.stdin,
      stdout: { write: (text: string) => ((stdout += text), true), isTTY: false },
      stderr: { write: (text: string) => ((stderr += text), true), isTTY: false },
      env: { STUDIO_ACCESS_CONFIG_DIR: dir },
    } as unknown as Io;
    const bare = "https://abc123.execute-api.us-east-1.amazonaws.com";
    const args = ["configure", "--api-url", bare, "--user-pool-id", good.userPoolId];
    const code = await main([...args, "--client-id", good.clientId, "--region", good.region], io);
    expect({ code, stdout, stderr }).toEqual({
      code: EXIT.ok,
      stdout: `Saved to ${dir}. Next: studio-access login\n`,
      stderr: `warning: --api-url ${bare} has no stage: an execute-api address ends in the API's stage, such as ${bare}/v1 (the shared stack's cliConfigure output has it); saved as given\n`,
    });
    expect(loadConfig(dir, {}).apiUrl).toBe(bare);
  });

  it("lives in STUDIO_ACCESS_CONFIG_DIR, else XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configDir({ STUDIO_ACCESS_CONFIG_DIR: "/x/y" })).toBe("/x/y");
    expect(configDir({ XDG_CONFIG_HOME: "/cfg" })).toBe("/cfg/studio-access");
    expect(configDir({})).toMatch(/\.config\/studio-access$/);
  });
});

describe("AccessApi: answers the API can give", () => {
  let server: Server;
  let answers: { status: number; body: string; headers?: Record<string, string> }[];
  let seen: string[];
  let config: CliConfig;
  let dir: string;

  beforeEach(async () => {
    answers = [];
    seen = [];
    server = createServer((req, res) => {
      seen.push(`${req.url ?? ""} ${req.headers.authorization ?? ""}`);
      const next = answers.shift() ?? { status: 500, body: "" };
      res.writeHead(next.status, { "Content-Type": "application/json", ...next.headers });
      res.end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    config = {
      apiUrl: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/v1`,
      userPoolId: "us-east-1_AbC123",
      clientId: "client1",
      region: "us-east-1",
      studioEndpoint: "http://127.0.0.1:9999",
    };
    dir = mkdtempSync(path.join(tmpdir(), "studio-access-api-"));
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const api = () => {
    const cache = new TokenCache(dir, config, client(), () => 0);
    cache.save("jane", { accessToken: "old", refreshToken: "r", expiresAt: 10 * 60_000 });
    return new AccessApi(config, cache);
  };

  it("asks for JSON with the deep link, and opens through the configured Studio endpoint", async () => {
    answers.push({
      status: 200,
      body: JSON.stringify({
        url: "https://d-abc.studio.us-east-1.sagemaker.aws/auth?token=T",
        expiresAt: "2026-11-21T12:00:20.000Z",
      }),
    });
    expect(await api().open("lob-a", { app: "jupyterlab", space: "s1" })).toEqual({
      url: "http://127.0.0.1:9999/auth?token=T",
      expiresAt: "2026-11-21T12:00:20.000Z",
    });
    expect(seen).toEqual(["/v1/studios/lob-a?app=jupyterlab&space=s1 Bearer old"]);
  });

  it("names the team, then the deep link, in the query", async () => {
    answers.push({
      status: 200,
      body: JSON.stringify({ url: "https://x/auth?token=T", expiresAt: "" }),
    });
    await api().open("lob-a", { team: "risk-models", app: "jupyterlab" });
    expect(seen).toEqual(["/v1/studios/lob-a?team=risk-models&app=jupyterlab Bearer old"]);
  });

  it("refuses a bad team name before any call (exit 2)", async () => {
    await expect(api().open("lob-a", { team: "Risk Models" })).rejects.toEqual(
      new CliError(
        EXIT.usage,
        '--team "Risk Models" is not a team name (lower-case letters, digits and hyphens)',
      ),
    );
    expect(seen).toEqual([]);
  });

  it("says which teams to choose from when the user is in several (exit 2)", async () => {
    answers.push({
      status: 409,
      body: JSON.stringify({ message: "…", teams: ["analytics", "forecasting"] }),
    });
    await expect(api().open("lob-a", {})).rejects.toEqual(
      new CliError(
        EXIT.usage,
        "lob-a: you are in several of its teams (analytics, forecasting): choose one with --team",
      ),
    );
  });

  it("waits out 202s (a first sign-in's profile being created), asking again after each Retry-After", async () => {
    const pending = {
      status: 202,
      body: '{"message":"Your Studio profile is being created: try again shortly"}',
      headers: { "Retry-After": "5" },
    };
    answers.push(pending, { ...pending, headers: { "Retry-After": "999" } });
    answers.push({
      status: 200,
      body: JSON.stringify({ url: "https://x/auth?token=T", expiresAt: "" }),
    });
    const told: number[] = [];
    const slept: number[] = [];
    const opened = await api().open(
      "lob-a",
      {},
      {
        onPending: (seconds) => told.push(seconds),
        sleep: (ms) => {
          slept.push(ms);
          return Promise.resolve();
        },
      },
    );
    expect(opened.url).toBe("http://127.0.0.1:9999/auth?token=T");
    // A proxy's outlandish Retry-After is held to a minute.
    expect([told, slept]).toEqual([
      [5, 60],
      [5_000, 60_000],
    ]);
    expect(seen).toHaveLength(3);
  });

  it("gives up after ten minutes of 202s (exit 5)", async () => {
    let clock = 0;
    for (let i = 0; i < 4; i++)
      answers.push({ status: 202, body: "{}", headers: { "Retry-After": "60" } });
    await expect(
      api().open(
        "lob-a",
        {},
        {
          now: () => clock,
          sleep: (ms) => {
            clock += ms * 4;
            return Promise.resolve();
          },
        },
      ),
    ).rejects.toEqual(
      new CliError(
        EXIT.upstream,
        "lob-a: your Studio profile is still being created after 10 minutes; try again later",
      ),
    );
  });

  it("refreshes once when the API refuses the token, then retries", async () => {
    cognito
      .on(InitiateAuthCommand)
      .resolves({ AuthenticationResult: { ...TOKENS, AccessToken: "new" } });
    answers.push({ status: 401, body: '{"message":"Unauthorized"}' });
    answers.push({ status: 200, body: '{"studios":[]}' });
    expect(await api().list()).toEqual([]);
    expect(seen).toEqual(["/v1/studios Bearer old", "/v1/studios Bearer new"]);
    expect(cognito.commandCalls(InitiateAuthCommand)[0]!.args[0].input).toEqual({
      ClientId: "client1",
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: "r" },
    });
  });

  it.each([
    [
      403,
      '{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke"}',
      EXIT.upstream,
      "the API refused the call from this network: are you on the corporate network?",
    ],
    [
      403,
      '{"message":"You are not entitled to this Studio"}',
      EXIT.notEntitled,
      "lob-a: You are not entitled to this Studio",
    ],
    [404, '{"message":"Not found"}', EXIT.notEntitled, "lob-a: Not found"],
    [400, '{"message":"app given more than once"}', EXIT.usage, "app given more than once"],
    [
      502,
      '{"message":"Studio could not be opened"}',
      EXIT.upstream,
      "the API failed (502: Studio could not be opened); try again shortly",
    ],
    [503, "<html>busy</html>", EXIT.upstream, "the API failed (503); try again shortly"],
  ])("maps %i %s to exit %i", async (status, body, code, message) => {
    answers.push({ status, body });
    await expect(api().open("lob-a", {})).rejects.toEqual(new CliError(code, message));
  });

  it.each([
    ["Forbidden", "a stage the API does not have (no /v1, or another)", {}],
    ["Missing Authentication Token", "a path the API does not have", {}],
    [
      "Forbidden",
      "ForbiddenException named in x-amzn-ErrorType",
      { "x-amzn-ErrorType": "ForbiddenException" },
    ],
  ])(
    "says the address looks wrong for API Gateway's 403 %j (%s): exit 2, not 4 (#20)",
    async (message, _why, headers) => {
      answers.push({ status: 403, body: JSON.stringify({ message }), headers });
      const refused = api().list();
      await expect(refused).rejects.toMatchObject({ exitCode: EXIT.usage });
      await expect(refused).rejects.toThrow(
        `the API address looks wrong: ${config.apiUrl} answered 403 ${JSON.stringify(message)} (API Gateway's answer for a stage or path the API does not have). It must be the API's stage URL, ending in the stage (such as /v1): check it against the studio-access configure line your platform team gave you (the shared stack's cliConfigure output) and run that line again`,
      );
    },
  );

  /** Runs the CLI in-process against this server, signed in; returns what it printed. */
  async function run(args: string[], env: Record<string, string> = {}) {
    saveConfig(dir, config);
    new TokenCache(dir, config, client()).save("jane", {
      accessToken: "t",
      refreshToken: "r",
      expiresAt: Date.now() + 10 * 60_000,
    });
    let stdout = "";
    let stderr = "";
    const io = {
      stdin: process.stdin,
      stdout: { write: (text: string) => ((stdout += text), true), isTTY: false },
      stderr: { write: (text: string) => ((stderr += text), true), isTTY: false },
      env: { STUDIO_ACCESS_CONFIG_DIR: dir, ...env },
    } as unknown as Io;
    const code = await main(args, io);
    return { code, stdout, stderr };
  }
  const notEntitled = { status: 403, body: '{"message":"You are not entitled to this Studio"}' };
  const studios = (...rows: [string, string][]) => ({
    status: 200,
    body: JSON.stringify({
      studios: rows.map(([lob, team]) => ({
        lob,
        team,
        domainId: "d-1",
        profileName: "p",
        enabled: true,
      })),
    }),
  });

  it("open of a mistyped LOB says not entitled, lists the user's Studios and the nearest name (#20)", async () => {
    answers.push(notEntitled, studios(["lob-a", "analytics"], ["lob-b", "default"]));
    expect(await run(["open", "lob-aa"])).toEqual({
      code: EXIT.notEntitled,
      stdout: "",
      stderr:
        "studio-access: lob-aa: You are not entitled to this Studio: if you meant lob-a: studio-access open lob-a; to get lob-aa, ask your platform team. your Studios: lob-a/analytics, lob-b/default (studio-access list)\n",
    });
    expect(seen.map((line) => line.split(" ")[0])).toEqual(["/v1/studios/lob-aa", "/v1/studios"]);
  });

  it("open of a far-off LOB lists the user's Studios without guessing; with none, says how to get one", async () => {
    answers.push(notEntitled, studios(["lob-a", "analytics"]));
    expect((await run(["open", "marketing"])).stderr).toBe(
      "studio-access: marketing: You are not entitled to this Studio: your Studios: lob-a/analytics (studio-access list)\n",
    );
    answers.push(notEntitled, studios());
    expect((await run(["open", "lob-a"])).stderr).toBe(
      "studio-access: lob-a: You are not entitled to this Studio: you have no Studio yet: ask your platform team for an entitlement\n",
    );
  });

  it("open --team of a team the user is not in says so and lists their teams in that LOB (#20)", async () => {
    answers.push(
      notEntitled,
      studios(["lob-a", "analytics"], ["lob-a", "risk"], ["lob-b", "default"]),
    );
    expect(await run(["open", "lob-a", "--team", "forecasting"])).toEqual({
      code: EXIT.notEntitled,
      stdout: "",
      stderr:
        "studio-access: lob-a: You are not entitled to this Studio: you are not in team forecasting of lob-a; your teams there: analytics, risk (studio-access open lob-a --team analytics)\n",
    });
  });

  it("keeps the refusal as it was when the Studios cannot be listed", async () => {
    answers.push(notEntitled, { status: 503, body: "" });
    expect(await run(["open", "lob-aa"])).toEqual({
      code: EXIT.notEntitled,
      stdout: "",
      stderr: "studio-access: lob-aa: You are not entitled to this Studio\n",
    });
  });

  describe("open when the browser cannot be opened (#20)", () => {
    const opened = {
      status: 200,
      body: JSON.stringify({
        url: "https://d-abc.studio.us-east-1.sagemaker.aws/auth?token=T",
        expiresAt: "2026-11-21T12:00:20.000Z",
      }),
    };
    let openers = 0;
    /** An opener script running `body`, each in a file of its own. */
    const opener = (body: string) => {
      const file = path.join(dir, `opener-${String((openers += 1))}.sh`);
      writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      return file;
    };

    it("says it could not, naming the opener and its status, prints the link, suggests --print and exits 6", async () => {
      answers.push(opened);
      const browser = opener("exit 3");
      const ran = await run(["open", "lob-a"], { BROWSER: browser });
      expect(ran.code).toBe(EXIT.noBrowser);
      expect(ran.stdout).toBe("http://127.0.0.1:9999/auth?token=T\n");
      expect(ran.stderr).toMatch(
        new RegExp(
          `^studio-access: could not open a browser: ${browser} exited with status 3\\. Open this link yourself before .+ \\(it works once\\), or next time run studio-access open lob-a --print \\(set BROWSER to choose the browser\\):\\n$`,
        ),
      );
      expect(ran.stderr).not.toContain("Opened");
    });

    it("says so for a missing opener too", async () => {
      answers.push(opened);
      const ran = await run(["open", "lob-a"], { BROWSER: path.join(dir, "no-such-browser") });
      expect(ran.code).toBe(EXIT.noBrowser);
      expect(ran.stderr).toContain("no-such-browser could not be started (ENOENT)");
    });

    it("says Opened when the opener ends with 0, or is still running (a browser) after the grace", async () => {
      answers.push(opened);
      expect(await run(["open", "lob-a"], { BROWSER: opener("exit 0") })).toEqual({
        code: EXIT.ok,
        stdout: "Opened lob-a in your browser.\n",
        stderr: "",
      });
      // A browser started directly runs on; the test ends it.
      const pidFile = path.join(dir, "browser.pid");
      const browser = opener(`echo $$ > ${pidFile}; exec sleep 30`);
      await expect(openBrowser("https://x/", { BROWSER: browser }, 300)).resolves.toBeUndefined();
      process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
      const killed = opener("kill -TERM $$");
      await expect(openBrowser("https://x/", { BROWSER: killed }, 5_000)).rejects.toEqual(
        new BrowserNotOpened(killed, "was ended by SIGTERM"),
      );
    });
  });

  it("the help text names every exit code", () => {
    expect(USAGE).toContain("6 no browser could\nbe opened (open --print prints the link instead)");
  });
});

describe("the new-password prompt's policy line, from the API's GET /settings (#20)", () => {
  let server: Server;
  let answer: { status: number; body: string };
  let base: string;
  beforeEach(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === "/v1/settings" ? answer.status : 404, {
        "Content-Type": "application/json",
      });
      res.end(req.url === "/v1/settings" ? answer.body : "{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/v1`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("states the pool's policy", async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        passwordPolicy: {
          minimumLength: 14,
          requireLowercase: true,
          requireUppercase: true,
          requireNumbers: true,
          requireSymbols: true,
        },
      }),
    };
    expect(await passwordPolicyLine(base)).toBe(
      "A new password needs at least 14 characters, with a lower-case letter, an upper-case letter, a digit and a symbol (such as ! or -).",
    );
    expect(
      describePolicy({
        minimumLength: 8,
        requireLowercase: false,
        requireUppercase: false,
        requireNumbers: true,
        requireSymbols: false,
      }),
    ).toBe("A new password needs at least 8 characters, with a digit.");
  });

  it.each([
    [{ status: 403, body: '{"message":"Forbidden"}' }, "it answered 403"],
    [{ status: 200, body: '{"other":1}' }, "it names no password policy"],
    [{ status: 200, body: "<html>" }, "its answer is not JSON"],
  ])("says where the policy can be found when /settings answers %j", async (given, why) => {
    answer = given;
    expect(await passwordPolicyLine(base)).toBe(
      `(The password policy could not be read from ${base}/settings: ${why}. Your platform team has it: the hub's user pool, shown on npm run plan's access-users line. If Cognito refuses a password, it says what is missing.)`,
    );
  });

  it("says where when the API cannot be reached", async () => {
    expect(await passwordPolicyLine("http://127.0.0.1:1/v1")).toContain(
      "could not be read from http://127.0.0.1:1/v1/settings: it could not be reached.",
    );
  });
});
