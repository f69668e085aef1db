import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  SetUserPoolMfaConfigCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildCli } from "../../cli/build";
import { SANDBOX_START_MS, SANDBOX_TEARDOWN_MS } from "../helpers/kept-sandbox";
import { processesUsing } from "../helpers/processes";
import { Terminal } from "../helpers/tmux";
import { describeWith } from "../helpers/tools";
import { totpCode } from "../helpers/totp";

const ROOT = path.join(__dirname, "../..");

/**
 * In a real terminal (tmux): `npm run sandbox -- --keep` as a person starts it, a data scientist's
 * first `studio-access login` at its prompts (new password, authenticator enrolment) and a later
 * one (code), then Ctrl-C, twice, in the sandbox's terminal.
 */
describeWith("tmux")("studio-access and the sandbox in a terminal", () => {
  const terminal = new Terminal();
  let work: string;
  let bundle: string;
  let settings: string;
  let cognito: CognitoIdentityProviderClient | undefined;
  let poolId: string;
  /** The sandbox's state folder, from its first step's line. */
  let stateDir = "";
  const ended = /\[exit \d+\]/;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "studio-access-tty-"));
    bundle = path.join(work, "studio-access.cjs");
    await buildCli(bundle);
    terminal.start("sandbox", `cd ${ROOT} && npm run sandbox -- --keep`);
    // Its banner, or its end if it failed (then the test says why, with the screen).
    const screen = await terminal.waitFor("sandbox", /Press Ctrl-C|\[exit \d+\]/, SANDBOX_START_MS);
    if (!screen.includes("Press Ctrl-C")) throw new Error(`the sandbox did not start:\n${screen}`);
    stateDir = /state in (\S+)/.exec(screen)?.[1] ?? "";
    settings = /npx studio-access (configure \S.*)$/m.exec(screen)?.[1]?.trim() ?? "";
    poolId = /--user-pool-id (\S+)/.exec(settings)?.[1] ?? "";
    const endpoint = /--cognito-endpoint (\S+)/.exec(settings)?.[1] ?? "";
    // A colleague joins: an administrator creates their account with a temporary password.
    const client = new CognitoIdentityProviderClient({
      region: "us-east-1",
      endpoint,
      credentials: { accessKeyId: "admin", secretAccessKey: "admin" },
    });
    cognito = client;
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: "new-scientist",
        TemporaryPassword: "Temp-Passw0rd!",
        UserAttributes: [
          { Name: "email", Value: "new-scientist@example.com" },
          { Name: "email_verified", Value: "true" },
        ],
        MessageAction: "SUPPRESS",
      }),
    );
  }, SANDBOX_START_MS + 60_000);

  afterAll(async () => {
    // A test that failed before its Ctrl-C: the sandbox is torn down as a person would, and waited
    // for; closing the terminal (SIGHUP) then ends anything left, and the sandbox's exit hooks clean.
    try {
      if (!terminal.shows("sandbox", ended)) {
        terminal.key("sandbox", "C-c");
        await terminal.waitFor("sandbox", ended, SANDBOX_TEARDOWN_MS);
      }
    } finally {
      terminal.close();
      cognito?.destroy();
      rmSync(work, { recursive: true, force: true });
    }
  }, SANDBOX_TEARDOWN_MS + 30_000);

  const cli = (args: string) =>
    `STUDIO_ACCESS_CONFIG_DIR=${work}/config ${process.execPath} ${bundle} ${args}`;

  it("first login: asks the username, hides the passwords, sets a new one, enrols the authenticator", async () => {
    // cognito-local cannot issue MFA_SETUP, so, as the rehearsal does for first sign-ins, the pool
    // asks for MFA optionally while the user enrols (the CLI then offers enrolment itself).
    await cognito!.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: "OPTIONAL",
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    terminal.start("first", `${cli(settings)} && ${cli("login")}`);
    await terminal.waitFor("first", /Username: $/m);
    terminal.type("first", "new-scientist");
    await terminal.waitFor("first", /Password: $/m);
    terminal.type("first", "Temp-Passw0rd!");
    await terminal.waitFor("first", /must choose a new password[\s\S]*New password: $/m);
    terminal.type("first", "Chosen-Passw0rd!");
    await terminal.waitFor("first", /New password again: $/m);
    terminal.type("first", "Chosen-Passw0rd?");
    await terminal.waitFor("first", /the two passwords differ[\s\S]*New password: $/m);
    terminal.type("first", "Chosen-Passw0rd!");
    await terminal.waitFor("first", /New password again: $/m);
    terminal.type("first", "Chosen-Passw0rd!");
    const enrol = await terminal.waitFor("first", /Code the app shows: $/m);
    const grouped = /add an account with this key.*\n {2}([A-Z2-7 ]+)\n/.exec(enrol)?.[1] ?? "";
    const secret = grouped.replace(/ /g, "");
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(enrol).toContain(`otpauth://totp/studio-access%3Anew-scientist?secret=${secret}`);
    terminal.type("first", "12");
    await terminal.waitFor("first", /an authenticator code is 6 digits\nCode the app shows: $/m);
    terminal.type("first", totpCode(secret));
    const done = await terminal.waitFor("first", /\[exit \d+\]/);
    expect(done).toContain("Signed in as new-scientist.");
    expect(done).toContain("[exit 0]");
    // Nothing typed at a password prompt was shown.
    expect(done).not.toContain("Temp-Passw0rd");
    expect(done).not.toContain("Chosen-Passw0rd");
    await cognito!.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: "ON",
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );

    // A later sign-in: password, then the code the app shows.
    terminal.start("later", `${cli("logout")} && ${cli("login --username new-scientist")}`);
    await terminal.waitFor("later", /Password: $/m);
    terminal.type("later", "Chosen-Passw0rd!");
    // A wrong code is asked for again (#20), not the end of the sign-in.
    await terminal.waitFor("later", /Authenticator code: $/m);
    terminal.type("later", totpCode(secret) === "000000" ? "111111" : "000000");
    await terminal.waitFor(
      "later",
      /Cognito did not accept that code \(wrong, or already used\): wait for the app's next code \(2 more tries\)\nAuthenticator code: $/m,
    );
    terminal.type("later", totpCode(secret));
    const later = await terminal.waitFor("later", /\[exit \d+\]/);
    expect(later).toContain("Signed out new-scientist; the session is revoked.");
    expect(later).toContain("Signed in as new-scientist.");
    expect(later).toContain("[exit 0]");

    terminal.start("list", cli("list"));
    expect(await terminal.waitFor("list", /\[exit \d+\]/)).toMatch(
      /You have no Studio yet: ask your platform team for an entitlement\.\n\[exit 0\]/,
    );
  }, 300_000);

  it(
    "Ctrl-C, twice, in the sandbox's terminal tears everything down with no failed step",
    async () => {
      expect(existsSync(stateDir)).toBe(true);
      // (tmux shows a typed Ctrl-C as ^C, before the next line.) The first Ctrl-C starts the teardown; the second, while lob-a is still to be destroyed, is
      // answered and not obeyed: the teardown runs to its end and the sandbox exits 0.
      terminal.key("sandbox", "C-c");
      const first = await terminal.waitFor(
        "sandbox",
        /✓ +[\d.]+ s {2}destroy lob-b/,
        SANDBOX_TEARDOWN_MS,
      );
      // The first Ctrl-C (which npm forwards a second time) says it tears down, not "still" (#20).
      const afterFirst = first.slice(first.indexOf("Press Ctrl-C"));
      expect(afterFirst).toContain("tearing down: destroying the stacks and stopping the services");
      expect(afterFirst).not.toContain("still tearing down");
      terminal.key("sandbox", "C-c");
      const screen = await terminal.waitFor("sandbox", ended, SANDBOX_TEARDOWN_MS);
      const teardown = screen.slice(screen.indexOf("Press Ctrl-C"));
      expect(teardown).toContain("still tearing down");
      expect(teardown).not.toContain("✗");
      expect([...teardown.matchAll(/✓ +[\d.]+ s {2}(.+)$/gm)].map(([, name]) => name)).toEqual([
        "destroy lob-b",
        "destroy lob-a",
        "lift the deletion protection of the user pool and tables (as npm run destroy does before the hub)",
        "destroy shared",
        "the emulators hold nothing",
      ]);
      // The sandbox exits 0 (the e2e test asserts it on the process itself); through npm, the
      // status depends on npm's shell: Debian's sh (dash), having seen the Ctrl-C, ends with SIGINT
      // once the sandbox has ended, and npm reports 130 (bash as sh reports the sandbox's 0).
      expect(teardown).toMatch(/\[exit (0|130)\]/);
      // Nothing outlives it: cognito-local, the functions' processes, the state and EFS folders.
      expect(existsSync(stateDir)).toBe(false);
      expect(processesUsing(stateDir)).toEqual([]);
    },
    2 * SANDBOX_TEARDOWN_MS + 30_000,
  );
});
