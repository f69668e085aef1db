import * as path from "node:path";
import { build, type Metafile } from "esbuild";

/** Every Lambda function in the repository: `functions/<name>/index.ts`, exporting `handler`. */
export const FUNCTION_NAMES = ["authorizer", "presigner"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const REPO_ROOT = path.resolve(__dirname, "..");
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, "dist", "functions");

export interface BuiltFunction {
  readonly name: FunctionName;
  /** Folder holding `index.js` (the Lambda handler is `index.handler`) and its source map. */
  readonly dir: string;
  readonly bundleBytes: number;
  /** Repository-relative paths of every source file that went into the bundle. */
  readonly inputs: readonly string[];
}

/**
 * Bundles each function on its own: minified, tree-shaken CommonJS for the Node.js 22 runtime with
 * an external source map. The SDK's ES module builds are preferred because only they tree-shake.
 */
export async function buildFunction(
  name: FunctionName,
  outRoot = DEFAULT_OUT_DIR,
): Promise<BuiltFunction> {
  const dir = path.join(outRoot, name);
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join("functions", name, "index.ts")],
    outfile: path.join(dir, "index.js"),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    mainFields: ["module", "main"],
    minify: true,
    treeShaking: true,
    sourcemap: "external",
    sourcesContent: false,
    legalComments: "linked",
    metafile: true,
    logLevel: "warning",
  });
  const output = outputFor(result.metafile, "index.js");
  return {
    name,
    dir,
    bundleBytes: output.bytes,
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}

function outputFor(metafile: Metafile, file: string): Metafile["outputs"][string] {
  const entry = Object.entries(metafile.outputs).find(([key]) => key.endsWith(`/${file}`));
  if (!entry) throw new Error(`esbuild produced no ${file}`);
  return entry[1];
}

export async function buildFunctions(outRoot = DEFAULT_OUT_DIR): Promise<BuiltFunction[]> {
  return Promise.all(FUNCTION_NAMES.map((name) => buildFunction(name, outRoot)));
}

if (require.main === module) {
  buildFunctions()
    .then((built) => {
      for (const fn of built) {
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
