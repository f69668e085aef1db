import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { endChild } from "./processes";

const ROOT = path.join(__dirname, "../..");
/** What `npm run sandbox` runs: node with tsx's loader, no tsx process relaying signals between. */
export const SANDBOX_COMMAND = ["--import", "tsx", path.join(ROOT, "scripts/sandbox.ts")];

/**
 * Sized for a 2-core machine doing other work: there, on 2026-12-04, a whole --keep run (banner,
 * a call, teardown) took 120 s and the rehearsal 133 s (docs/offline-and-aws.md, "Tests on a busy machine").
 */
export const SANDBOX_START_MS = 420_000;
export const SANDBOX_TEARDOWN_MS = 180_000;

export interface SandboxUser {
  readonly username: string;
  readonly password: string;
  readonly totpSecret: string;
  /** The banner's mark of a user the rehearsal disabled: they cannot sign in. */
  readonly disabled?: string;
}

/** `npm run sandbox -- --keep`, as a person starts it, and what it printed for them. */
export interface KeptSandbox {
  readonly child: ChildProcess;
  /** The arguments of the printed `npx studio-access configure …` line. */
  readonly configureArgs: string[];
  readonly users: SandboxUser[];
  /** Users the rehearsal never signed in: their temporary password, no authenticator yet. */
  readonly newcomers: { readonly username: string; readonly temporaryPassword: string }[];
  /** The portal's address (`GET /` of the API through the hub execute-api endpoint), if printed. */
  readonly portalUrl: string;
  readonly cognitoUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly studioEndpoint: string;
  /** The hub Studio endpoint over TLS, `host:port` (for a browser's host resolver rules). */
  readonly studioTls: string;
  /** The IdP's tile page, `…/sso?user=NAME`. */
  readonly idpUrl: string;
  readonly logFile: string;
  /** The sandbox's state folder (cognito-local's, the functions', the EFS folders), from step 1. */
  readonly stateDir: string;
  /** The printed admin session: its environment and the `admin configure …` arguments. */
  readonly admin: { readonly env: Record<string, string>; readonly configureArgs: string[] };
  output(): string;
  /**
   * Ctrl-C: tears down; resolves with the exit code once the sandbox has ended. If it has not
   * ended within `graceMs`, it is killed and this rejects with its output.
   */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * The users a kept sandbox's banner lists. A user the rehearsal disabled is printed as such
 * (`disabled` holds the mark), their password and secret for after `admin grant … --enable`.
 */
export function usersOf(stdout: string): SandboxUser[] {
  return [
    ...stdout.matchAll(
      /^ {2}user {8}(\S+) {2}(?:(disabled by the rehearsal \(offboarding\): cannot sign in) \(after [^:]*: )?password (\S+) {2}TOTP secret ([A-Z2-7]+)/gm,
    ),
  ].map(([, username = "", disabled, password = "", totpSecret = ""]) => ({
    username,
    password,
    totpSecret,
    ...(disabled === undefined ? {} : { disabled }),
  }));
}

const flag = (args: string[], name: string) => {
  const value = args[args.indexOf(name) + 1];
  if (!args.includes(name) || value === undefined)
    throw new Error(`no ${name} in ${args.join(" ")}`);
  return value;
};

/**
 * Starts `npm run sandbox -- --keep` and waits for its banner. If the banner does not come within
 * `timeoutMs`, the sandbox is sent Ctrl-C (which stops what it started) and waited for, then this
 * rejects with its output.
 */
export async function startKeptSandbox(
  timeoutMs = SANDBOX_START_MS,
  extraArgs: readonly string[] = [],
): Promise<KeptSandbox> {
  const child = spawn(process.execPath, [...SANDBOX_COMMAND, "--keep", ...extraArgs], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const deadline = Date.now() + timeoutMs;
  while (!stdout.includes("Press Ctrl-C") && Date.now() < deadline && child.exitCode === null)
    await new Promise((resolve) => setTimeout(resolve, 200));
  if (!stdout.includes("Press Ctrl-C")) {
    const ended = await endChild(child, "SIGINT", 60_000);
    throw new Error(
      `the sandbox did not print its banner within ${String(timeoutMs)} ms (then ${ended.killed ? "killed" : `exit ${String(ended.code ?? ended.signal)}`}):\n${stdout}`,
    );
  }
  const configureArgs = (/npx studio-access (configure .+)/.exec(stdout)?.[1] ?? "").split(" ");
  const users = usersOf(stdout);
  const newcomers = [
    ...stdout.matchAll(/user {8}(\S+) {2}never signed in: temporary password (\S+),/g),
  ].map(([, username = "", temporaryPassword = ""]) => ({ username, temporaryPassword }));
  return {
    child,
    configureArgs,
    users,
    newcomers,
    portalUrl: /^ *Portal +(https?:\/\/\S+)/m.exec(stdout)?.[1] ?? "",
    cognitoUrl: flag(configureArgs, "--cognito-endpoint"),
    userPoolId: flag(configureArgs, "--user-pool-id"),
    clientId: flag(configureArgs, "--client-id"),
    studioEndpoint: flag(configureArgs, "--studio-endpoint"),
    logFile: /^ {2}logs {8}(\S+)$/m.exec(stdout)?.[1] ?? "",
    admin: {
      env: Object.fromEntries(
        (/^ {2}export (.+)$/m.exec(stdout)?.[1] ?? "")
          .split(" ")
          .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
      ),
      configureArgs: (
        /^ {2}npx studio-access (admin configure .+)$/m.exec(stdout)?.[1] ?? ""
      ).split(" "),
    },
    studioTls: /^ {2}Studio TLS {2}https:\/\/(\S+)/m.exec(stdout)?.[1] ?? "",
    idpUrl: /^ {2}SSO {9}(\S+)\/sso\?/m.exec(stdout)?.[1] ?? "",
    stateDir: /state in (\S+)/.exec(stdout)?.[1] ?? "",
    output: () => stdout,
    async stop(graceMs = SANDBOX_TEARDOWN_MS) {
      const ended = await endChild(child, "SIGINT", graceMs);
      if (ended.killed)
        throw new Error(
          `the sandbox's teardown did not end within ${String(graceMs)} ms:\n${stdout}`,
        );
      return ended.code;
    },
  };
}
