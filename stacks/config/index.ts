/**
 * The stack config: each section's schema (hub.ts, lob.ts, teams.ts, saml.ts, corporate.ts,
 * iam-quotas.ts) and the checks between its keys. Why zod: see common.ts.
 */
import * as path from "node:path";
import { closest } from "fastest-levenshtein";
import { ConfigError, NAMESPACE, Problems, REGION, show } from "./common";
import { parseShared, type SharedConfig } from "./hub";
import { emptyTeamWarnings, parseLob, type LobConfig } from "./lob";

export type { SamlEntryConfig } from "../../components/lib/saml";
export type { TeamConfig } from "../../components/studio-spoke";
export { ConfigError, NAMESPACE } from "./common";
export {
  LOG_RETENTION_DAYS,
  type LobEntry,
  type MfaMode,
  type SharedConfig,
  type UserConfig,
} from "./hub";
export type { LobConfig } from "./lob";
export {
  LOBS_FILE_KEY,
  MAX_ARG_STRLEN,
  pulumiConfigBytes,
  readHubLobs,
  withLobsInline,
} from "./lobs-file";

export type StackConfig = SharedConfig | LobConfig;

const KIND = "shared (the hub stack) or lob (a LOB's stack)";

/**
 * The project root (where Pulumi.yaml is), which `lobsFile` is relative to: found from this
 * module's place in the repository, not the working directory, which `pulumi up` sets to the
 * project's `main` folder (`stacks/`; pulumi/pulumi pkg/engine/project.go, the Node.js host's
 * `--pwd`).
 */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
/** The namespaces whose keys the program reads; a key in any other is a typo. */
export const CONFIG_NAMESPACES = [NAMESPACE, "aws", "pulumi"] as const;

function checkStackConfig(
  values: Readonly<Record<string, string>>,
  aws: { region?: string; profile?: string },
  problems: Problems,
  projectDir: string,
): StackConfig | undefined {
  const region = aws.region ?? "";
  if (aws.region === undefined)
    problems.list.push(
      "aws:region is not set: expected the AWS region of this stack, such as us-east-1",
    );
  else if (!REGION.test(aws.region))
    problems.list.push(
      `aws:region is ${show(aws.region)}: expected an AWS region such as us-east-1`,
    );
  const kind = values.kind;
  if (kind === "shared") return parseShared(values, region, aws.profile, problems, projectDir);
  if (kind === "lob") return parseLob(values, region, aws.profile, problems);
  if (kind === undefined) problems.missing("kind", KIND);
  else problems.at("kind", kind, KIND);
  return undefined;
}

/**
 * Validates a stack's configuration before any resource is declared.
 * @param values the `studio-access:` keys, without the prefix, as Pulumi hands them over
 * @param aws the stack's `aws:region` and `aws:profile`
 * @param projectDir the project root (where Pulumi.yaml is), which `lobsFile` is relative to
 */
export function parseStackConfig(
  values: Readonly<Record<string, string>>,
  aws: { region?: string; profile?: string },
  projectDir = PROJECT_ROOT,
): StackConfig {
  const problems = new Problems();
  const config = checkStackConfig(values, aws, problems, projectDir);
  if (problems.list.length > 0 || !config) throw new ConfigError(problems.list);
  return config;
}

/**
 * Keys in a namespace the program does not read (`studioaccess:mfa`, `studio_access:users`):
 * Pulumi would hand them over and nothing would read them, so the setting would silently not
 * apply. Each is refused with the nearest known namespace.
 */
export function unknownNamespaceProblems(keys: readonly string[]): string[] {
  const known: readonly string[] = CONFIG_NAMESPACES;
  return keys.flatMap((key) => {
    const colon = key.indexOf(":");
    const namespace = colon < 0 ? "" : key.slice(0, colon);
    if (known.includes(namespace)) return [];
    const suggestion = `${closest(namespace, [...known])}:${key.slice(colon + 1)}`;
    return [
      `${key} is not read by this program: "${namespace}" is not one of its config namespaces (${known.join(", ")}); did you mean ${suggestion}?`,
    ];
  });
}

/** The running stack's config, validated as a whole, and what is worth a warning. */
export interface ProgramConfig {
  readonly config: StackConfig;
  readonly warnings: readonly string[];
}

/**
 * Validates every config key of the running stack (as `pulumi.runtime.allConfig()` gives them,
 * `namespace:key`): the namespaces, then the `studio-access:` keys and `aws:region`/`aws:profile`.
 * @param file the stack file, named in the error
 * @param projectDir the project root (where Pulumi.yaml is), which `lobsFile` is relative to:
 *   the repository root wherever the process runs (PROJECT_ROOT)
 */
export function parseProgramConfig(
  all: Readonly<Record<string, string>>,
  file?: string,
  projectDir = PROJECT_ROOT,
): ProgramConfig {
  const problems = new Problems();
  problems.list.push(...unknownNamespaceProblems(Object.keys(all)));
  const prefix = `${NAMESPACE}:`;
  const values = Object.fromEntries(
    Object.entries(all)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
  const config = checkStackConfig(
    values,
    { region: all["aws:region"], profile: all["aws:profile"] },
    problems,
    projectDir,
  );
  if (problems.list.length > 0 || !config) throw new ConfigError(problems.list, file);
  return { config, warnings: config.kind === "lob" ? emptyTeamWarnings(config) : [] };
}
