import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";

const REPO_ROOT = path.resolve(__dirname, "..");
/** The CLI as one file that needs only Node.js: what `npx studio-access` runs, and what to share. */
export const CLI_BUNDLE = path.join(REPO_ROOT, "dist", "cli", "studio-access.cjs");

export async function buildCli(outfile = CLI_BUNDLE): Promise<{ bytes: number }> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join("cli", "index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "linked",
    banner: { js: "#!/usr/bin/env node" },
    write: false,
    logLevel: "warning",
  });
  mkdirSync(path.dirname(outfile), { recursive: true });
  let bytes = 0;
  for (const file of result.outputFiles) {
    // Renamed into place: a test running the CLI never loads half a file.
    const aside = `${file.path}.${String(process.pid)}.tmp`;
    writeFileSync(aside, file.contents);
    chmodSync(aside, 0o755);
    renameSync(aside, file.path);
    if (file.path === outfile) bytes = file.contents.length;
  }
  return { bytes };
}

if (require.main === module) {
  buildCli().then(
    ({ bytes }) => {
      console.log(`${path.relative(REPO_ROOT, CLI_BUNDLE)}: ${String(bytes)} bytes`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
