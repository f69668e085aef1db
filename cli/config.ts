import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { CliError, EXIT } from "./errors";

/** What the CLI needs to sign a user in and call the API: the `shared` stack's outputs. */
export interface CliConfig {
  /** The private API's stage URL, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/v1 */
  readonly apiUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly region: string;
  /** Cognito's endpoint, when not the region's own (a sandbox's cognito-local). */
  readonly cognitoEndpoint?: string;
  /** Where Studio URLs are opened, when not at their own host name (a sandbox's Studio endpoint). */
  readonly studioEndpoint?: string;
  /** srp (the default: the password never leaves this machine) or password (USER_PASSWORD_AUTH). */
  readonly authFlow?: "srp" | "password";
}

type Key = keyof CliConfig;

/** Each setting: its flag, the environment variable that overrides the file, and its check. */
export const SETTINGS: Record<
  Key,
  { flag: string; env: string; required: boolean; check: (v: string) => string | undefined }
> = {
  apiUrl: { flag: "--api-url", env: "STUDIO_ACCESS_API_URL", required: true, check: checkUrl },
  userPoolId: {
    flag: "--user-pool-id",
    env: "STUDIO_ACCESS_USER_POOL_ID",
    required: true,
    // Cognito's documented pattern for a user pool id: [\w-]+_[0-9a-zA-Z]+
    check: (v) =>
      /^[\w-]+_[0-9a-zA-Z]+$/.test(v)
        ? undefined
        : "is not a user pool id (like us-east-1_AbCdEf123)",
  },
  clientId: {
    flag: "--client-id",
    env: "STUDIO_ACCESS_CLIENT_ID",
    required: true,
    check: (v) => (/^[\w+]{1,128}$/.test(v) ? undefined : "is not an app client id"),
  },
  region: {
    flag: "--region",
    env: "STUDIO_ACCESS_REGION",
    required: true,
    check: (v) =>
      /^[a-z]{2}(-[a-z]+)+-\d$/.test(v) ? undefined : "is not an AWS region (like us-east-1)",
  },
  cognitoEndpoint: {
    flag: "--cognito-endpoint",
    env: "STUDIO_ACCESS_COGNITO_ENDPOINT",
    required: false,
    check: checkUrl,
  },
  studioEndpoint: {
    flag: "--studio-endpoint",
    env: "STUDIO_ACCESS_STUDIO_ENDPOINT",
    required: false,
    check: checkUrl,
  },
  authFlow: {
    flag: "--auth-flow",
    env: "STUDIO_ACCESS_AUTH_FLOW",
    required: false,
    check: (v) => (v === "srp" || v === "password" ? undefined : "is not srp or password"),
  },
};

/** https anywhere; plain http only on this machine (a sandbox), never across a network. */
function checkUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname))
    return undefined;
  return "must be an https:// URL (plain http only on 127.0.0.1 or localhost)";
}

/**
 * A doubt about an API URL that is valid but may be wrong: an execute-api address (the API's own,
 * `{api-id}.execute-api.{region}.amazonaws.com`, or through a VPC endpoint,
 * `{api-id}-{vpce-id}.execute-api…`) is the stage's only with the stage as its path ("Invoking a
 * REST API in API Gateway": https://{restapi-id}.execute-api.{region}.amazonaws.com/{stage_name}/,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html). A custom
 * domain's root maps the stage, so other hosts are not doubted.
 */
export function apiUrlWarning(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!/\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(url.hostname)) return undefined;
  if (url.pathname.replace(/\/+$/, "") !== "") return undefined;
  return `--api-url ${value} has no stage: an execute-api address ends in the API's stage, such as ${url.origin}/v1 (the shared stack's cliConfigure output has it); saved as given`;
}

/**
 * The folder holding the CLI's settings and cached tokens: STUDIO_ACCESS_CONFIG_DIR, else the
 * platform's per-user config folder.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STUDIO_ACCESS_CONFIG_DIR) return path.resolve(env.STUDIO_ACCESS_CONFIG_DIR);
  if (process.platform === "win32" && env.APPDATA) return path.join(env.APPDATA, "studio-access");
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : path.join(homedir(), ".config");
  return path.join(base, "studio-access");
}

const CONFIG_FILE = "config.json";

/** Every problem with a set of values, each naming the setting, its flag and the value. */
export function validate(values: Partial<Record<Key, string>>): string[] {
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(SETTINGS) as [Key, (typeof SETTINGS)[Key]][]) {
    const value = values[key];
    if (value === undefined || value === "") {
      if (setting.required) problems.push(`${setting.flag} is missing`);
      continue;
    }
    const problem = setting.check(value);
    if (problem) problems.push(`${setting.flag} ${JSON.stringify(value)} ${problem}`);
  }
  // A pool's id starts with its region: a pool in another region than --region is a paste error.
  const { userPoolId, region } = values;
  const poolRegion = /^([a-z]{2}(-[a-z]+)+-\d)_/.exec(userPoolId ?? "")?.[1];
  if (poolRegion && region && poolRegion !== region && problems.length === 0)
    problems.push(
      `--user-pool-id ${JSON.stringify(userPoolId)} is not in --region ${JSON.stringify(region)}`,
    );
  return problems;
}

/** Writes a file only this user may read (0600), in a folder only this user may enter (0700). */
export function writePrivate(dir: string, file: string, text: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = path.join(dir, file);
  const aside = `${target}.${String(process.pid)}.tmp`;
  writeFileSync(aside, text, { mode: 0o600 });
  chmodSync(aside, 0o600);
  renameSync(aside, target);
}

/** Saves settings given on the command line; refuses, writing nothing, if any is wrong. */
export function saveConfig(dir: string, values: Partial<Record<Key, string>>): CliConfig {
  const problems = validate(values);
  if (problems.length > 0) throw new CliError(EXIT.usage, problems.join("; "));
  const config = Object.fromEntries(
    (Object.keys(SETTINGS) as Key[]).flatMap((k) => (values[k] ? [[k, values[k]]] : [])),
  ) as unknown as CliConfig;
  writePrivate(dir, CONFIG_FILE, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

/** The settings: the file written by `configure`, with any environment variable overriding it. */
export function loadConfig(dir: string, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const file = path.join(dir, CONFIG_FILE);
  let saved: Partial<Record<Key, string>> = {};
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as Partial<Record<Key, string>>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new CliError(EXIT.usage, `${file} cannot be read: run studio-access configure again`);
  }
  const values: Partial<Record<Key, string>> = { ...saved };
  for (const [key, setting] of Object.entries(SETTINGS) as [Key, (typeof SETTINGS)[Key]][]) {
    const override = env[setting.env];
    if (override !== undefined && override !== "") values[key] = override;
  }
  if (!values.apiUrl && !values.userPoolId && !values.clientId)
    throw new CliError(
      EXIT.usage,
      "not configured: run the studio-access configure line your platform team gave you (the shared stack's cliConfigure output)",
    );
  const problems = validate(values);
  if (problems.length > 0) throw new CliError(EXIT.usage, `configuration: ${problems.join("; ")}`);
  return values as unknown as CliConfig;
}
