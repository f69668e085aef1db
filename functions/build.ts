import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { build, type Metafile, type OutputFile, type Plugin } from "esbuild";
import { portalAssetModules, portalAssets, type PortalAssets } from "./portal-assets";
import { NODE_MAJOR } from "./runtime";

/** Every Lambda function in the repository: `functions/<name>/index.ts`, exporting `handler`. */
export const FUNCTION_NAMES = [
  "authorizer",
  "presigner",
  "saml",
  "lifecycle",
  "homes",
  "portal",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const REPO_ROOT = path.resolve(__dirname, "..");
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, "dist", "functions");
/** The rehearsal's bundles: the same code, with the local Cognito issuer branch compiled in. */
export const SANDBOX_OUT_DIR = path.join(REPO_ROOT, "dist", "sandbox-functions");

/**
 * `lambda` bundles are what `pulumi up` deploys; `sandbox` bundles also accept a Cognito-compatible
 * local issuer (the rehearsal's cognito-local). The flag is a compile-time constant, so esbuild
 * drops the local branch, and every mention of a local endpoint, from the deployed bundles.
 */
export type Flavour = "lambda" | "sandbox";

export interface BuiltFunction {
  readonly name: FunctionName;
  /** Folder holding `index.js` (the Lambda handler is `index.handler`) and its source map. */
  readonly dir: string;
  readonly bundleBytes: number;
  /** Repository-relative paths of every source file that went into the bundle. */
  readonly inputs: readonly string[];
}

/**
 * The portal's browser assets as modules a function bundle imports (functions/portal-assets.ts):
 * the portal embeds them whole, the SAML entry only the stylesheet's name and integrity. Built
 * once per build, so every function of one build links the same stylesheet.
 */
function portalAssetsPlugin(assets: PortalAssets): Plugin {
  const modules = portalAssetModules(assets);
  return {
    name: "portal-assets",
    setup(b) {
      b.onResolve({ filter: /^portal-assets:/ }, (args) => {
        if (!(args.path in modules)) throw new Error(`no module ${args.path}`);
        return { path: args.path, namespace: "portal-assets" };
      });
      b.onLoad({ filter: /.*/, namespace: "portal-assets" }, (args) => ({
        contents: JSON.stringify(modules[args.path as keyof typeof modules]),
        loader: "json",
      }));
    },
  };
}

/** The modules a bundle must never hold: the SDK's default credential chain (see envCredentialsOnly). */
export const CREDENTIAL_CHAIN_MODULES = [
  "@aws-sdk/credential-provider-node",
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/credential-provider-http",
  "@aws-sdk/credential-provider-login",
  "@aws-sdk/nested-clients",
  "@aws-sdk/token-providers",
  "@aws-sdk/client-sso",
  "@smithy/credential-provider-imds",
] as const;

/**
 * Every client's runtime config imports the SDK's default credential chain
 * (@aws-sdk/credential-provider-node) statically, so esbuild keeps it, with the STS, SSO and OIDC
 * clients nested in it, even where every client is given its credentials. The functions take their
 * credentials from the environment only (functions/shared/env-credentials.ts), so the chain is
 * replaced by that module at build time.
 */
function envCredentialsOnly(): Plugin {
  return {
    name: "env-credentials-only",
    setup(b) {
      b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
        path: path.join(REPO_ROOT, "functions", "shared", "env-credentials.ts"),
      }));
    },
  };
}

/**
 * No function calls an event-stream operation, yet every client's HTTP protocol imports
 * @smithy/core/event-streams (a lazy `import()`, which esbuild bundles all the same) and the Lambda
 * client's config its marshaller: replaced by functions/shared/no-event-streams.ts, which fails at
 * once, naming why, should one ever be called.
 */
function withoutEventStreams(): Plugin {
  return {
    name: "without-event-streams",
    setup(b) {
      b.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () => ({
        path: path.join(REPO_ROOT, "functions", "shared", "no-event-streams.ts"),
      }));
    },
  };
}

/**
 * Each SDK client's runtime config imports its whole package.json (about 2.3 KB: scripts,
 * dependencies, keywords) for one field, the version its user agent names
 * (`createDefaultUserAgentProvider({ clientVersion: packageInfo.version })`, dist-es/runtimeConfig.js):
 * the bundle gets that field alone.
 */
function clientVersionOnly(): Plugin {
  return {
    name: "client-version-only",
    setup(b) {
      b.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]package\.json$/ }, (args) => {
        const { version } = JSON.parse(readFileSync(args.path, "utf8")) as { version: string };
        return { contents: JSON.stringify({ version }), loader: "json" };
      });
    },
  };
}

/**
 * Bundles each function on its own: minified, tree-shaken CommonJS for the Node.js 24 runtime
 * (functions/runtime.ts) with an external source map. The SDK's ES module builds are preferred because only they tree-shake.
 */
export async function buildFunction(
  name: FunctionName,
  outRoot = DEFAULT_OUT_DIR,
  flavour: Flavour = "lambda",
  assets: PortalAssets = portalAssets(),
): Promise<BuiltFunction> {
  const dir = path.join(outRoot, name);
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join("functions", name, "index.ts")],
    outfile: path.join(dir, "index.js"),
    bundle: true,
    platform: "node",
    target: `node${String(NODE_MAJOR)}`,
    format: "cjs",
    mainFields: ["module", "main"],
    minify: true,
    treeShaking: true,
    sourcemap: "external",
    sourcesContent: false,
    legalComments: "linked",
    metafile: true,
    define: {
      "process.env.STUDIO_ACCESS_SANDBOX": flavour === "sandbox" ? '"1"' : "undefined",
    },
    plugins: [
      portalAssetsPlugin(assets),
      envCredentialsOnly(),
      withoutEventStreams(),
      clientVersionOnly(),
    ],
    write: false,
    logLevel: "warning",
  });
  mkdirSync(dir, { recursive: true });
  for (const file of result.outputFiles) {
    // Written aside and renamed into place: a process loading the bundle (another build, a test,
    // the sandbox) never sees half a file. Builds are reproducible, so the content is the same.
    const aside = `${file.path}.${String(process.pid)}.tmp`;
    writeFileSync(
      aside,
      file.path.endsWith(".map") ? repositoryRelativeMap(file, dir) : file.contents,
    );
    renameSync(aside, file.path);
  }
  const output = outputFor(result.metafile, "index.js");
  return {
    name,
    dir,
    bundleBytes: output.bytes,
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}

/**
 * esbuild writes map sources relative to the output folder, which puts the machine's path in the map
 * when that folder is outside the repository. Sources are made repository-relative instead.
 */
function repositoryRelativeMap(file: OutputFile, dir: string): string {
  const map = JSON.parse(file.text) as { sources: string[] };
  map.sources = map.sources.map((source) =>
    // The portal's assets come from the module that builds them, not from a file.
    source.includes("portal-assets:")
      ? "functions/portal-assets.ts"
      : path.relative(REPO_ROOT, path.resolve(dir, source)).split(path.sep).join("/"),
  );
  return JSON.stringify(map);
}

function outputFor(metafile: Metafile, file: string): Metafile["outputs"][string] {
  const entry = Object.entries(metafile.outputs).find(([key]) => key.endsWith(`/${file}`));
  if (!entry) throw new Error(`esbuild produced no ${file}`);
  return entry[1];
}

export async function buildFunctions(
  outRoot = DEFAULT_OUT_DIR,
  flavour: Flavour = "lambda",
): Promise<Record<FunctionName, BuiltFunction>> {
  const assets = portalAssets();
  const built = await Promise.all(
    FUNCTION_NAMES.map((name) => buildFunction(name, outRoot, flavour, assets)),
  );
  return Object.fromEntries(FUNCTION_NAMES.map((name, i) => [name, built[i]])) as Record<
    FunctionName,
    BuiltFunction
  >;
}

if (require.main === module) {
  buildFunctions()
    .then((built) => {
      for (const fn of Object.values(built)) {
        console.log(
          `${fn.name}: ${fn.bundleBytes} bytes -> ${path.relative(REPO_ROOT, fn.dir)}/index.js`,
        );
      }
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
