/**
 * Where the hub's LOBs come from: the `lobs` map inline in the stack file, or `lobsFile`, a YAML
 * file in the repository holding that same map. Every reader of the hub's LOBs goes through here:
 * the program's config check, and the scripts that read the stack files (sandbox, stack-set checks).
 *
 * Why a file: Pulumi hands a stack's whole config to the program in one environment variable,
 * `PULUMI_CONFIG` (pulumi/pulumi#8680, https://github.com/pulumi/pulumi/issues/8680), and Linux
 * refuses to start a process with any one variable longer than MAX_ARG_STRLEN, 32 pages (131,072
 * bytes, "NAME=value" and its terminating NUL; execve(2), "Limits on size of arguments and
 * environment"). 1,000 LOBs inline come to about 138 KB; named by a file, the key is a few bytes.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { NAMESPACE, Problems } from "./common";

/** The inline key and the file key, as the stack files write them (without the namespace). */
export const LOBS_KEY = "lobs";
export const LOBS_FILE_KEY = "lobsFile";

/** Where the lobs file's JSON Schema lives, relative to the project; `npm run schema` writes it. */
export const LOBS_FILE_SCHEMA_PATH = "schema/lobs.schema.json";

/** Linux's bound on one environment variable (MAX_ARG_STRLEN: 32 pages of 4,096 bytes). */
export const MAX_ARG_STRLEN = 131072;

export const LOBS_FILE_EXPECTED =
  "a YAML file in the repository, its path relative to the project root (where Pulumi.yaml is), such as lobs.yaml";

/** The hub's LOB map as read: the text its schema decodes, and the file it came from, if any. */
export interface LobsSource {
  /** The map as JSON text, the form Pulumi hands an inline `lobs` over in. */
  readonly text: string;
  /** The file, as the stack file names it (relative), when the map came from `lobsFile`. */
  readonly file?: string;
}

/** The path a stack file gives, if it stays inside the project; a problem otherwise. */
function relativePath(file: string, problems: Problems): string | undefined {
  const normal = path.posix.normalize(file.replaceAll("\\", "/"));
  if (path.isAbsolute(file) || path.win32.isAbsolute(file))
    problems.at(LOBS_FILE_KEY, file, `${LOBS_FILE_EXPECTED}, not an absolute path`);
  else if (normal === ".." || normal.startsWith("../"))
    problems.at(LOBS_FILE_KEY, file, `${LOBS_FILE_EXPECTED}, not a path out of the project`);
  else return normal;
  return undefined;
}

/** Far more than 1,000 LOBs' entries (about 150 bytes each); a larger file is not a LOB list. */
export const MAX_LOBS_FILE_BYTES = 4 * 1024 * 1024;

/**
 * The hub's LOB map from its config keys (without the namespace): exactly one of `lobs` and
 * `lobsFile`. A file that is missing, unreadable or not YAML is a problem naming its relative path
 * (never the machine's). `projectDir` is the project root (PROJECT_ROOT, not the working directory).
 */
export function lobsSource(
  values: Readonly<Record<string, string | undefined>>,
  projectDir: string,
  problems: Problems,
): LobsSource | undefined {
  const inline = values[LOBS_KEY];
  const file = values[LOBS_FILE_KEY];
  if (inline !== undefined && file !== undefined) {
    problems.line(
      LOBS_KEY,
      `and ${NAMESPACE}:${LOBS_FILE_KEY} are both set: expected exactly one of them (lobs, the map inline; lobsFile, a YAML file in the repository holding that map)`,
    );
    return undefined;
  }
  if (inline !== undefined) return { text: inline };
  if (file === undefined) {
    problems.missing(
      LOBS_KEY,
      `exactly one of lobs (a map of LOB name to {accountId, vpcCidr, deployer}, such as lob-a: {accountId: "222222222222", ...}) and lobsFile (${LOBS_FILE_EXPECTED}, holding that map)`,
    );
    return undefined;
  }
  const relative = relativePath(file, problems);
  if (relative === undefined) return undefined;
  let text: string;
  try {
    // The file itself, inside the repository: a symbolic link out of it (or to a device) is
    // refused, and so is a file too large to be a LOB list.
    const full = path.join(projectDir, relative);
    const real = realpathSync(full);
    const root = realpathSync(projectDir);
    if (path.relative(root, real).startsWith("..") || path.isAbsolute(path.relative(root, real))) {
      problems.at(
        LOBS_FILE_KEY,
        file,
        `${LOBS_FILE_EXPECTED}: ${relative} leads outside the repository`,
      );
      return undefined;
    }
    const stat = statSync(real);
    if (!stat.isFile() || stat.size > MAX_LOBS_FILE_BYTES) {
      problems.at(
        LOBS_FILE_KEY,
        file,
        `${LOBS_FILE_EXPECTED}: ${relative} is ${stat.isFile() ? `${String(stat.size)} bytes, over ${String(MAX_LOBS_FILE_BYTES)}` : "not a regular file"}`,
      );
      return undefined;
    }
    text = readFileSync(real, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.at(
      LOBS_FILE_KEY,
      file,
      `${LOBS_FILE_EXPECTED}: ${relative} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "error"})`}`,
    );
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    // yaml's bound on aliases (a "billion laughs" file) is a ReferenceError.
    if (!(error instanceof YAMLParseError) && !(error instanceof ReferenceError)) throw error;
    const at = error instanceof YAMLParseError ? error.linePos?.[0] : undefined;
    // The parser's first line says what is wrong; its code frame follows, which is left out.
    const what = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    problems.at(
      LOBS_FILE_KEY,
      file,
      `${LOBS_FILE_EXPECTED}: ${relative}${at ? ` line ${String(at.line)}, column ${String(at.col)}` : ""} is not YAML: ${what}`,
    );
    return undefined;
  }
  // An empty file is an empty map's absence: the map's own check says what it expects.
  return { text: JSON.stringify(doc ?? {}), file: relative };
}

/**
 * The hub's LOBs from a stack's flat config (`studio-access:<key>`, as `loadStackConfig` and Pulumi
 * give it), unchecked beyond being a map: for the scripts that read the stack files. Undefined,
 * with the problem lines, when neither form gives a map.
 */
export function readHubLobs(
  config: Readonly<Record<string, string>>,
  projectDir: string,
): { lobs?: Record<string, Record<string, unknown>>; problems: readonly string[] } {
  const problems = new Problems();
  const source = lobsSource(
    {
      [LOBS_KEY]: config[`${NAMESPACE}:${LOBS_KEY}`],
      [LOBS_FILE_KEY]: config[`${NAMESPACE}:${LOBS_FILE_KEY}`],
    },
    projectDir,
    problems,
  );
  if (source === undefined) return { problems: problems.list };
  try {
    const lobs: unknown = JSON.parse(source.text);
    if (typeof lobs === "object" && lobs !== null && !Array.isArray(lobs))
      return { lobs: lobs as Record<string, Record<string, unknown>>, problems: [] };
  } catch {
    // Not JSON: the config check names the value.
  }
  return { problems: [`${NAMESPACE}:${source.file ? LOBS_FILE_KEY : LOBS_KEY} is not a map`] };
}

/**
 * A hub's flat config with its LOBs inline: `lobsFile` read and replaced by `lobs` (for scripts
 * that rewrite the map, such as the scale runs). Unchanged when the file cannot be read.
 */
export function withLobsInline(
  config: Readonly<Record<string, string>>,
  projectDir: string,
): Record<string, string> {
  const { lobs } = readHubLobs(config, projectDir);
  if (lobs === undefined) return { ...config };
  const { [`${NAMESPACE}:${LOBS_FILE_KEY}`]: _, ...rest } = config;
  return { ...rest, [`${NAMESPACE}:${LOBS_KEY}`]: JSON.stringify(lobs) };
}

/**
 * The size of `PULUMI_CONFIG` as the language host sets it for these keys (every key namespaced,
 * each value as Pulumi's text, one JSON object), with `PULUMI_CONFIG=` and the terminating NUL that
 * MAX_ARG_STRLEN counts.
 */
export function pulumiConfigBytes(config: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(`PULUMI_CONFIG=${JSON.stringify(config)}`) + 1;
}
