import { parseArgs } from "node:util";
import { LANDING_APPS, isLandingApp } from "../functions/shared/landing";
import { AdminApi, loadAdminConfig, saveAdminConfig, type EntitlementRow } from "./admin";
import { adminUsage } from "./usage";
import { ADMIN_SECTION, adminHelp, asksForHelp, isAdminCommand } from "./admin-help";
import { AccessApi, NotEntitled, passwordPolicyLine, refusalNextStep } from "./api";
import { cognitoClient, poolClient, signIn } from "./cognito";
import {
  apiUrlWarning,
  configDir,
  loadConfig,
  saveConfig,
  SETTINGS,
  type CliConfig,
} from "./config";
import { CliError, EXIT, type ExitCode } from "./errors";
import { printable, printableJson } from "./printable";
import { TokenCache } from "./session";
import {
  ask,
  BrowserNotOpened,
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

Platform engineers, with AWS credentials among the hub's admins:
${ADMIN_SECTION}

Environment: STUDIO_ACCESS_API_URL, _USER_POOL_ID, _CLIENT_ID, _REGION, _AUTH_FLOW,
_COGNITO_ENDPOINT and _STUDIO_ENDPOINT override the saved settings; STUDIO_ACCESS_CONFIG_DIR moves the config folder;
BROWSER names the browser to start.
Exit codes: 0 ok, 2 usage or configuration (a wrong API address too), 3 sign-in needed or
refused, 4 not entitled or unknown, 5 the API, Cognito or the network failed, 6 no browser could
be opened (open --print prints the link instead).`;

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
    lineTo(this.io.stdout, line);
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
    const doubt = settings.apiUrl === undefined ? undefined : apiUrlWarning(settings.apiUrl);
    if (doubt) lineTo(this.io.stderr, `warning: ${doubt}`);
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
      prompter = terminalPrompter(stdin, stderr, () => passwordPolicyLine(config.apiUrl));
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
      jsonTo(this.io.stdout, { studios });
      return EXIT.ok;
    }
    if (studios.length === 0) {
      this.out("You have no Studio yet: ask your platform team for an entitlement.");
      return EXIT.ok;
    }
    table(
      (line) => {
        this.out(line);
      },
      [
        ["LOB", "TEAM", "PROFILE", "STATUS"],
        ...studios.map((s) => [s.lob, s.team, s.profileName, s.enabled ? "enabled" : "disabled"]),
      ],
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
    ).catch(async (error: unknown) => {
      if (!(error instanceof NotEntitled)) throw error;
      // The refusal, then a next step from the user's own Studios (if they can be listed).
      const studios = await api.list().catch(() => undefined);
      if (studios === undefined) throw error;
      throw new CliError(
        error.exitCode,
        `${error.message}: ${refusalNextStep(lob, landing.team, studios)}`,
      );
    });
    const until = new Date(opened.expiresAt).toLocaleTimeString();
    if (values.print) {
      this.out(opened.url);
      lineTo(this.io.stderr, `The link works once, until ${until}.`);
      return EXIT.ok;
    }
    try {
      await openBrowser(opened.url, this.io.env);
    } catch (error) {
      if (!(error instanceof BrowserNotOpened)) throw error;
      // The link is still unused: shown, so this run is not wasted; the exit code says it failed.
      lineTo(
        this.io.stderr,
        `studio-access: could not open a browser: ${error.message}. Open this link yourself before ${until} (it works once), or next time run studio-access open ${lob} --print (set BROWSER to choose the browser):`,
      );
      this.out(opened.url);
      return EXIT.noBrowser;
    }
    this.out(`Opened ${lob} in your browser.`);
    return EXIT.ok;
  }
}

/**
 * Writes one line. Everything the CLI prints goes through here or `jsonTo`, so no row, API answer
 * or AWS error reaches the terminal with a control character in it: one line printed is one line
 * shown, and a line break inside a value shows as \u000a.
 */
function lineTo(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${printable(line)}\n`);
}

/** Writes a value as indented JSON, made printable without changing what it parses to. */
function jsonTo(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${printableJson(value)}\n`);
}

/** Prints rows as aligned columns; each cell made printable first, so the widths hold. */
function table(out: (line: string) => void, cells: string[][]): void {
  const rows = cells.map((row) => row.map(printable));
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  for (const row of rows)
    out(
      row
        .map((cell, c) => cell.padEnd((widths[c] ?? 0) + 2))
        .join("")
        .trimEnd(),
    );
}

/** `studio-access admin …`: entitlements, through the hub's admin role. */
async function admin(io: Io, args: string[]): Promise<ExitCode> {
  const [sub, ...rest] = args;
  const dir = configDir(io.env);
  const out = (line: string) => {
    lineTo(io.stdout, line);
  };
  const describe = (r: EntitlementRow) =>
    `${r.username} in ${r.lob}/${r.team} (profile ${r.profileName})`;
  // Help before anything is parsed or read: `admin SUB --help` is that subcommand's usage,
  // `admin --help` (or `admin help`) every subcommand's; written as is, like USAGE (lineTo
  // would escape its line breaks).
  if (sub === "help" || sub === "--help" || sub === "-h") {
    io.stdout.write(`${adminHelp()}\n`);
    return EXIT.ok;
  }
  if (isAdminCommand(sub) && asksForHelp(rest)) {
    io.stdout.write(`${adminHelp(sub)}\n`);
    return EXIT.ok;
  }
  switch (sub) {
    case "configure": {
      const { values, positionals } = parse(rest, {
        "role-arn": { type: "string" },
        "entitlements-table": { type: "string" },
        "lobs-table": { type: "string" },
        region: { type: "string" },
        profile: { type: "string" },
        "user-pool-id": { type: "string" },
      });
      expectNoPositionals(positionals, "admin configure");
      saveAdminConfig(dir, {
        roleArn: str(values, "role-arn"),
        entitlementsTable: str(values, "entitlements-table"),
        lobsTable: str(values, "lobs-table"),
        region: str(values, "region"),
        profile: str(values, "profile"),
        userPoolId: str(values, "user-pool-id"),
      });
      out(`Saved to ${dir}. Next: studio-access admin list`);
      return EXIT.ok;
    }
    case "grant":
    case "revoke": {
      const { values, positionals } = parse(rest, {
        team: { type: "string" },
        ...(sub === "grant" ? { enable: { type: "boolean" as const } } : {}),
      });
      const [user, lob, extra] = positionals;
      if (user === undefined || lob === undefined || extra !== undefined)
        throw new CliError(
          EXIT.usage,
          `admin ${sub} takes a user and a LOB: studio-access admin ${sub} USER LOB [--team TEAM]${sub === "grant" ? " [--enable]" : ""}`,
        );
      const api = await AdminApi.connect(loadAdminConfig(dir));
      const team = str(values, "team");
      if (sub === "grant") {
        const granted = await api.grant(user, lob, team, new Date(), {
          enable: values.enable === true,
        });
        const { row, created, again, lifted, inPool, poolUser } = granted;
        if (values.enable)
          out(
            `${lifted ? `Lifted the disable of ${user} (admin disable, ${lifted.stateAt}).` : `${user} was not disabled.`} ${inPool ? "Their Cognito user is enabled." : `No Cognito user ${user}: they sign in through the IdP.`}`,
          );
        out(
          created
            ? `Granted ${describe(row)}${again ? " again (it was offboarded)" : ""}. The profile is created on their first sign-in.`
            : `${describe(row)} is already granted.`,
        );
        if (poolUser === false)
          lineTo(
            io.stderr,
            `warning: the user pool has no user ${user}. That is right for a user who signs in only through the IdP (SAML); if it is a typo, check the spelling (studio-access admin list shows the names entitled so far; the IdP's directory has its users) and undo it with studio-access admin revoke ${user} ${row.lob} --team ${row.team}`,
          );
        else if (typeof poolUser === "object")
          lineTo(
            io.stderr,
            `warning: could not check that the user pool has ${user} (${poolUser.unchecked}); granted anyway`,
          );
      } else {
        const { row, outcome, seedRemains } = await api.revoke(user, lob, team, new Date());
        if (seedRemains) {
          out(
            `Revoked the admin grant of ${describe(row)}; the ${row.lob} stack's config still names them, so Studio still lets them in.`,
          );
          throw new CliError(
            EXIT.usage,
            `${user} stays in ${row.lob}/${row.team} through the ${row.lob} stack's config: remove ${user} from ${row.team} in Pulumi.${row.lob}.yaml (${row.team === "default" ? "members" : `teams.${row.team}.members`}) and run pulumi up -s ${row.lob}`,
          );
        }
        out(
          outcome === "revoked"
            ? `Revoked ${describe(row)}: Studio refuses them now; their apps and spaces are drained and the profile deleted (see studio-access admin list).`
            : outcome === "blocked"
              ? `Revoked ${describe(row)}: they had no entitlement there, so a revoked one is written. It blocks their IdP group mapping to ${row.lob}/${row.team} too; a profile they made through it is drained and deleted.`
              : row.state === "offboarded"
                ? `${describe(row)} is offboarded already: nothing to do.`
                : `${describe(row)} is already being offboarded (${row.state}).`,
        );
      }
      return EXIT.ok;
    }
    case "disable": {
      const { values, positionals } = parse(rest, { "idp-only": { type: "boolean" } });
      const [user, extra] = positionals;
      if (user === undefined || extra !== undefined)
        throw new CliError(
          EXIT.usage,
          "admin disable takes a user: studio-access admin disable USER",
        );
      const api = await AdminApi.connect(loadAdminConfig(dir));
      const { revoked, seeds, inPool, skipped } = await api.disable(user, new Date(), {
        idpOnly: values["idp-only"] === true,
      });
      const count = `${String(revoked.length)} ${revoked.length === 1 ? "entitlement" : "entitlements"}`;
      out(
        inPool
          ? `Disabled ${user}: Cognito refuses their sign-ins; ${revoked.length === 0 ? "they had no active entitlement." : `revoked ${revoked.map((r) => `${r.lob}/${r.team}`).join(", ")}: ${revoked.length === 1 ? "its profile is" : "each profile is"} drained and deleted.`}`
          : `No Cognito user ${user} to disable: they sign in through the IdP; marked disabled and ${count} revoked${revoked.length === 0 ? "" : ` (${revoked.map((r) => `${r.lob}/${r.team}`).join(", ")})`}. Every entry refuses them, IdP group mappings included.`,
      );
      // The marker folds case and Unicode form; the rows and the pool do not. A spelling no row
      // has, other than the folded one, may be a mistyped name for someone else's rows.
      const folded = user.normalize("NFC").toLowerCase();
      if (!inPool && revoked.length === 0 && user !== folded)
        out(
          `No entitlement is spelt exactly ${user}, and the disable also refuses every spelling that differs only by letter case or Unicode form (${folded}): if you meant another user, check admin list for their spelling; their rows and Cognito user are untouched.`,
        );
      for (const seed of seeds)
        out(
          `The ${seed.lob} stack's config still names ${user} (${seed.team === "default" ? "members" : `teams.${seed.team}.members`}): remove them from ${seed.team} in Pulumi.${seed.lob}.yaml too, or lifting the disable lets them in there again.`,
        );
      if (skipped.length > 0)
        out(
          `Skipped ${skipped.join(", ")}: the key does not name ${user} in a valid team as the item's attributes say, so it is not an entitlement; check it and delete it by hand.`,
        );
      return EXIT.ok;
    }
    case "list": {
      const { values, positionals } = parse(rest, {
        lob: { type: "string" },
        user: { type: "string" },
        json: { type: "boolean" },
      });
      expectNoPositionals(positionals, "admin list");
      const api = await AdminApi.connect(loadAdminConfig(dir));
      const { rows, disabled } = await api.listing({
        lob: str(values, "lob"),
        user: str(values, "user"),
      });
      if (values.json) {
        jsonTo(io.stdout, { entitlements: rows, disabled });
        return EXIT.ok;
      }
      if (rows.length === 0) out("No entitlements.");
      else
        table(out, [
          ["LOB", "TEAM", "USER", "PROFILE", "STATE", "SOURCE"],
          ...rows.map((r) => [
            r.lob,
            r.team,
            r.username,
            r.profileName,
            r.detail ? `${r.state} (${r.detail})` : r.state,
            r.source,
          ]),
        ]);
      for (const m of disabled)
        out(
          `${m.username} is disabled since ${m.stateAt}${m.by ? ` (by ${m.by})` : ""}: every entry refuses them; admin grant USER LOB --enable lifts it.`,
        );
      return EXIT.ok;
    }
    case "usage": {
      const { values, positionals } = parse(rest, {
        lob: { type: "string" },
        "idle-over": { type: "string" },
        json: { type: "boolean" },
      });
      expectNoPositionals(positionals, "admin usage");
      return adminUsage(
        { lob: str(values, "lob"), idleOver: str(values, "idle-over"), json: values.json === true },
        {
          config: () => loadAdminConfig(dir),
          out,
          err: (line) => {
            lineTo(io.stderr, line);
          },
          json: (value) => {
            jsonTo(io.stdout, value);
          },
          table: (cells) => {
            table(out, cells);
          },
        },
      );
    }
    default:
      throw new CliError(
        EXIT.usage,
        `admin needs configure, grant, revoke, disable, list or usage; see studio-access --help`,
      );
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
      case "admin":
        return await admin(io, args);
      default:
        throw new CliError(
          EXIT.usage,
          `unknown command ${JSON.stringify(command)}; see studio-access --help`,
        );
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`studio-access: ${printable(error.message)}\n`);
      return error.exitCode;
    }
    // A bug: its kind only, never its message (it could quote a response holding a token).
    io.stderr.write(
      `studio-access: unexpected ${printable(error instanceof Error ? error.name : "failure")}; please report it\n`,
    );
    return EXIT.upstream;
  }
}
