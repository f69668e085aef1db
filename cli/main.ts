import { parseArgs } from "node:util";
import { LANDING_APPS, isLandingApp } from "../functions/shared/landing";
import { AccessApi } from "./api";
import { cognitoClient, poolClient, signIn } from "./cognito";
import { configDir, loadConfig, saveConfig, SETTINGS, type CliConfig } from "./config";
import { CliError, EXIT, type ExitCode } from "./errors";
import { TokenCache } from "./session";
import {
  ask,
  openBrowser,
  readStdin,
  scriptPrompter,
  terminalPrompter,
  withProgress,
} from "./terminal";

export const USAGE = `studio-access: open your Amazon SageMaker Studio from the command line

  studio-access configure --api-url URL --user-pool-id ID --client-id ID --region REGION
                          [--auth-flow srp|password] [--cognito-endpoint URL] [--studio-endpoint URL]
      save the settings your platform team gave you (the shared stack's cliConfigure line)
  studio-access login [--username NAME [--password-stdin] [--totp-code CODE]]
      sign in (a new password and an authenticator app on first sign-in); the session is kept
      in your config folder and renewed silently for the day
  studio-access logout          end the session and forget it on this machine
  studio-access list [--json]   your Studios
  studio-access open LOB [--team TEAM] [--app ${Object.keys(LANDING_APPS).join("|")}] [--space NAME] [--print]
      open a Studio in your browser (--print: print the one-time link instead); --team when
      you are in several of the LOB's teams. Your first sign-in to a team creates your profile
      there, which can take a minute.

Environment: STUDIO_ACCESS_API_URL, _USER_POOL_ID, _CLIENT_ID, _REGION, _AUTH_FLOW,
_COGNITO_ENDPOINT and _STUDIO_ENDPOINT override the saved settings; STUDIO_ACCESS_CONFIG_DIR moves the config folder;
BROWSER names the browser to start.
Exit codes: 0 ok, 2 usage or configuration, 3 sign-in needed or refused, 4 not entitled or
unknown, 5 the API, Cognito or the network failed.`;

export interface Io {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], options: Record<string, { type: "string" | "boolean" }>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's message names the offending option ("Unknown option '--x'").
    throw new CliError(EXIT.usage, `${(error as Error).message}; see studio-access --help`);
  }
}

const str = (values: Values, key: string) =>
  typeof values[key] === "string" ? values[key] : undefined;

function expectNoPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0)
    throw new CliError(
      EXIT.usage,
      `${command} takes no argument ${JSON.stringify(positionals[0])}`,
    );
}

class Cli {
  private readonly dir: string;

  constructor(private readonly io: Io) {
    this.dir = configDir(io.env);
  }

  private out(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  private session(config: CliConfig): TokenCache {
    return new TokenCache(this.dir, config, cognitoClient(config));
  }

  configure(args: string[]): ExitCode {
    const flags = Object.fromEntries(
      Object.values(SETTINGS).map((s) => [s.flag.slice(2), { type: "string" as const }]),
    );
    const { values, positionals } = parse(args, flags);
    expectNoPositionals(positionals, "configure");
    const settings = Object.fromEntries(
      Object.entries(SETTINGS).map(([key, s]) => [key, str(values, s.flag.slice(2))]),
    );
    saveConfig(this.dir, settings);
    this.out(`Saved to ${this.dir}. Next: studio-access login`);
    return EXIT.ok;
  }

  async login(args: string[]): Promise<ExitCode> {
    const { values, positionals } = parse(args, {
      username: { type: "string" },
      "password-stdin": { type: "boolean" },
      "totp-code": { type: "string" },
    });
    expectNoPositionals(positionals, "login");
    const config = loadConfig(this.dir, this.io.env);
    const { stdin, stderr } = this.io;
    let username = str(values, "username");
    let password: string;
    let prompter;
    if (values["password-stdin"]) {
      if (!username) throw new CliError(EXIT.usage, "--password-stdin needs --username");
      password = await readStdin(stdin);
      prompter = scriptPrompter(str(values, "totp-code"));
    } else {
      if (!stdin.isTTY)
        throw new CliError(
          EXIT.usage,
          "login asks for a password in a terminal; from a script use --username NAME --password-stdin",
        );
      username ??= (await ask("Username: ", false, stdin, stderr)).trim();
      password = await ask("Password: ", true, stdin, stderr);
      prompter = terminalPrompter(stdin, stderr);
    }
    if (!username) throw new CliError(EXIT.usage, "a username is needed");
    const cognito = cognitoClient(config);
    const tokens = await signIn(cognito, poolClient(config), { username, password }, prompter);
    new TokenCache(this.dir, config, cognito).save(username, tokens);
    this.out(`Signed in as ${username}. Next: studio-access list, or studio-access open LOB`);
    return EXIT.ok;
  }

  async logout(args: string[]): Promise<ExitCode> {
    const { positionals } = parse(args, {});
    expectNoPositionals(positionals, "logout");
    const { username } = await this.session(loadConfig(this.dir, this.io.env)).logout();
    this.out(username ? `Signed out ${username}; the session is revoked.` : "Not signed in.");
    return EXIT.ok;
  }

  async list(args: string[]): Promise<ExitCode> {
    const { values, positionals } = parse(args, { json: { type: "boolean" } });
    expectNoPositionals(positionals, "list");
    const config = loadConfig(this.dir, this.io.env);
    const studios = await new AccessApi(config, this.session(config)).list();
    if (values.json) {
      this.out(JSON.stringify({ studios }, null, 2));
      return EXIT.ok;
    }
    if (studios.length === 0) {
      this.out("You have no Studio yet: ask your platform team for an entitlement.");
      return EXIT.ok;
    }
    const rows = [
      ["LOB", "TEAM", "PROFILE", "STATUS"],
      ...studios.map((s) => [s.lob, s.team, s.profileName, s.enabled ? "enabled" : "disabled"]),
    ];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
    for (const row of rows)
      this.out(
        row
          .map((cell, c) => cell.padEnd((widths[c] ?? 0) + 2))
          .join("")
          .trimEnd(),
      );
    return EXIT.ok;
  }

  async open(args: string[]): Promise<ExitCode> {
    const { values, positionals } = parse(args, {
      team: { type: "string" },
      app: { type: "string" },
      space: { type: "string" },
      print: { type: "boolean" },
    });
    const [lob, extra] = positionals;
    if (lob === undefined)
      throw new CliError(EXIT.usage, "open needs a LOB: studio-access open LOB");
    if (extra !== undefined)
      throw new CliError(EXIT.usage, `open takes one LOB, not also ${JSON.stringify(extra)}`);
    const app = str(values, "app");
    if (app !== undefined && !isLandingApp(app))
      throw new CliError(
        EXIT.usage,
        `--app ${JSON.stringify(app)} is not one of ${Object.keys(LANDING_APPS).join(", ")}`,
      );
    const config = loadConfig(this.dir, this.io.env);
    const api = new AccessApi(config, this.session(config));
    const landing = { team: str(values, "team"), app, space: str(values, "space") };
    const opened = await withProgress(this.io.stderr, `Opening ${lob}…`, (show) =>
      api.open(lob, landing, {
        onPending: (seconds) => {
          show(
            `Creating your Studio profile in ${lob} (your first sign-in there); asking again every ${String(seconds)} s…`,
          );
        },
      }),
    );
    const until = new Date(opened.expiresAt).toLocaleTimeString();
    if (values.print) {
      this.out(opened.url);
      this.io.stderr.write(`The link works once, until ${until}.\n`);
      return EXIT.ok;
    }
    try {
      await openBrowser(opened.url, this.io.env);
      this.out(`Opened ${lob} in your browser.`);
    } catch {
      this.io.stderr.write(`Could not start a browser; open this link before ${until}:\n`);
      this.out(opened.url);
    }
    return EXIT.ok;
  }
}

/** Runs one command; every failure is one line on stderr and an exit code. */
export async function main(argv: string[], io: Io): Promise<ExitCode | 130> {
  const [command, ...args] = argv;
  const cli = new Cli(io);
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case "configure":
        return cli.configure(args);
      case "login":
        return await cli.login(args);
      case "logout":
        return await cli.logout(args);
      case "list":
        return await cli.list(args);
      case "open":
        return await cli.open(args);
      default:
        throw new CliError(
          EXIT.usage,
          `unknown command ${JSON.stringify(command)}; see studio-access --help`,
        );
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`studio-access: ${error.message}\n`);
      return error.exitCode;
    }
    // A bug: its kind only, never its message (it could quote a response holding a token).
    io.stderr.write(
      `studio-access: unexpected ${error instanceof Error ? error.name : "failure"}; please report it\n`,
    );
    return EXIT.upstream;
  }
}
