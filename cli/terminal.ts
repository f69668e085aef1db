import { spawn } from "node:child_process";
import type { Prompter } from "./cognito";
import { CliError, EXIT } from "./errors";
import { printable } from "./printable";

type Input = NodeJS.ReadStream;
type Output = NodeJS.WriteStream;

/**
 * Reads one line from a terminal; with `hidden`, nothing typed is echoed (passwords). Ctrl-C ends
 * the program (exit code 130, as a shell reports SIGINT).
 */
export function ask(
  question: string,
  hidden: boolean,
  input: Input,
  output: Output,
): Promise<string> {
  output.write(question);
  return new Promise((resolve) => {
    let line = "";
    const raw = input.isTTY;
    if (raw) input.setRawMode(true);
    input.resume();
    input.setEncoding("utf8");
    const done = (value: string) => {
      input.removeListener("data", onData);
      if (raw) input.setRawMode(false);
      input.pause();
      output.write("\n");
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          done(line);
          return;
        }
        if (ch === "\u0003") {
          output.write("\n");
          process.exit(130);
        }
        if (ch === "\u007f" || ch === "\b") {
          if (line.length > 0) {
            line = line.slice(0, -1);
            if (!hidden) output.write("\b \b");
          }
          continue;
        }
        if (ch < " ") continue;
        line += ch;
        if (!hidden) output.write(ch);
      }
    };
    input.on("data", onData);
  });
}

const SIX_DIGITS = /^\d{6}$/;

/** Asks until the answer is six digits (an authenticator code). */
async function askCode(question: string, input: Input, output: Output): Promise<string> {
  for (;;) {
    const code = (await ask(question, false, input, output)).replace(/\s/g, "");
    if (SIX_DIGITS.test(code)) return code;
    output.write("  an authenticator code is 6 digits\n");
  }
}

/**
 * The person at the terminal answers Cognito's challenges. `passwordPolicy` says what a new
 * password needs (the API's /settings), shown before the new-password prompt.
 */
export function terminalPrompter(
  input: Input,
  output: Output,
  passwordPolicy?: () => Promise<string>,
): Prompter {
  return {
    async newPassword(username) {
      output.write(
        `${printable(username)} must choose a new password (the one given was temporary).\n`,
      );
      if (passwordPolicy) output.write(`${printable(await passwordPolicy())}\n`);
      for (;;) {
        const first = await ask("New password: ", true, input, output);
        const second = await ask("New password again: ", true, input, output);
        if (first === second && first !== "") return first;
        output.write("  the two passwords differ, or are empty; try again\n");
      }
    },
    async enrolTotp(secret, uri) {
      // Both come from Cognito's answer: printed as data, never as terminal controls.
      output.write(
        [
          "Set up your authenticator app (this account requires one).",
          "In the app, add an account with this key (time-based, 6 digits):",
          `  ${printable(secret.replace(/(.{4})/g, "$1 ").trim())}`,
          "or open this URI on a device that has the app:",
          `  ${printable(uri)}`,
          "",
        ].join("\n"),
      );
      return askCode("Code the app shows: ", input, output);
    },
    totpCode: () => askCode("Authenticator code: ", input, output),
    refused(what, message, triesLeft) {
      const more = `${String(triesLeft)} more ${triesLeft === 1 ? "try" : "tries"}`;
      output.write(
        what === "code"
          ? `  Cognito did not accept that code (wrong, or already used): wait for the app's next code (${more})\n`
          : // Cognito's message states what the pool's policy wants; it never holds the password.
            `  Cognito refused the new password: ${printable(message)} (${more})\n`,
      );
    },
  };
}

/** Flags stand in for the person: no prompt is ever shown, a missing answer is an error. */
export function scriptPrompter(totpCode: string | undefined): Prompter {
  return {
    newPassword: () =>
      Promise.reject(
        new CliError(
          EXIT.signIn,
          "a new password is required (first sign-in): run studio-access login in a terminal once",
        ),
      ),
    enrolTotp: () =>
      Promise.reject(
        new CliError(
          EXIT.signIn,
          "an authenticator app must be set up first: run studio-access login in a terminal once",
        ),
      ),
    totpCode: () =>
      totpCode !== undefined && SIX_DIGITS.test(totpCode)
        ? Promise.resolve(totpCode)
        : Promise.reject(
            new CliError(
              totpCode === undefined ? EXIT.signIn : EXIT.usage,
              totpCode === undefined
                ? "this account needs an authenticator code: pass --totp-code CODE"
                : "--totp-code must be the 6 digits your authenticator app shows",
            ),
          ),
  };
}

/** Reads all of standard input (a password piped in), without its final line break. */
export async function readStdin(input: Input): Promise<string> {
  let text = "";
  input.setEncoding("utf8");
  for await (const chunk of input) text += chunk as string;
  return text.replace(/\r?\n$/, "");
}

/** The opener could not open the browser: which command, and how it ended. */
export class BrowserNotOpened extends Error {
  constructor(
    readonly command: string,
    /** "exited with status 3", "was killed by SIGTERM", "could not be started (ENOENT)". */
    readonly how: string,
  ) {
    super(`${command} ${how}`);
    this.name = "BrowserNotOpened";
  }
}

/**
 * How long an opener has to fail. xdg-open, open and rundll32 hand the URL to the browser and end
 * (non-zero when they could not: xdg-open exits 3 when no tool was found to open it); a browser
 * named by $BROWSER may run on: one still running after this long has started.
 */
export const OPENER_GRACE_MS = 3_000;

/**
 * Opens a URL in the system browser: $BROWSER if set, else the platform's opener. Resolves once
 * the opener has ended with status 0, or is still running after `graceMs` (a browser started
 * directly); rejects with BrowserNotOpened if it could not be started or ended otherwise.
 */
export function openBrowser(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  graceMs = OPENER_GRACE_MS,
): Promise<void> {
  const [command, ...args] = env.BROWSER
    ? [env.BROWSER, url]
    : process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["rundll32", "url.dll,FileProtocolHandler", url]
        : ["xdg-open", url];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    let timer: NodeJS.Timeout | undefined;
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new BrowserNotOpened(command, `could not be started (${error.code ?? error.name})`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new BrowserNotOpened(
            command,
            code === null ? `was ended by ${String(signal)}` : `exited with status ${String(code)}`,
          ),
        );
    });
    child.once("spawn", () => {
      timer = setTimeout(() => {
        // Still running: a browser, started. It outlives this process.
        child.removeAllListeners("exit");
        child.unref();
        resolve();
      }, graceMs);
    });
  });
}

/**
 * Runs `work` with a spinner on a terminal; `work` may change what the spinner says. Elsewhere
 * (a pipe, a script) each change of label is one line, so a long wait is not silent.
 */
export async function withProgress<T>(
  output: Output,
  label: string,
  work: (show: (label: string) => void) => Promise<T>,
): Promise<T> {
  // A label names a LOB: printed as data, never as terminal controls.
  let current = printable(label);
  let widest = current.length;
  if (!output.isTTY)
    return work((shown) => {
      const next = printable(shown);
      if (next !== current) output.write(`${next}\n`);
      current = next;
    });
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let i = 0;
  const draw = () =>
    output.write(`\r${frames[i++ % frames.length] ?? ""} ${current.padEnd(widest)}`);
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await work((next) => {
      current = printable(next);
      widest = Math.max(widest, current.length);
    });
  } finally {
    clearInterval(timer);
    output.write(`\r${" ".repeat(widest + 2)}\r`);
  }
}
