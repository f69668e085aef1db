import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/**
 * The floors of the program: functions/ and components/ are built on by stacks/, never the
 * reverse, and none of them reaches into scripts/ (the offline tools). A component that imported
 * its argument types from stacks/config would tie the lower floor to the upper one.
 */
const root = path.join(__dirname, "..", "..");
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  functions: ["stacks", "scripts"],
  components: ["stacks", "scripts"],
  stacks: ["scripts"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The top-level folder each relative import of `file` lands in, as `<file> imports <target>`. */
function crossings(file: string, text: string, forbidden: readonly string[]): string[] {
  // TypeScript's own scanner: imports, re-exports, require() and import() alike.
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .filter(({ fileName }) => fileName.startsWith("."))
    .filter(({ fileName }) => {
      const target = path.relative(root, path.resolve(path.dirname(file), fileName));
      return forbidden.includes(target.split(path.sep)[0] ?? "");
    })
    .map(({ fileName }) => `${path.relative(root, file)} imports ${fileName}`);
}

describe("import boundaries", () => {
  it.each(Object.entries(FORBIDDEN))("nothing under %s/ imports from %j", (floor, forbidden) => {
    const files = sourceFiles(path.join(root, floor));
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((file) => crossings(file, readFileSync(file, "utf8"), forbidden))).toEqual(
      [],
    );
  });

  it("sees an import, a re-export, a type import and a require across the line", () => {
    const file = path.join(root, "components", "lib", "example.ts");
    const text = [
      'import { parseStackConfig } from "../../stacks/config";',
      'export type { TeamConfig } from "../../stacks/config";',
      'import type { CliConfig } from "../../cli/config";',
      'const mocks = require("../../scripts/lib/mock-stack");',
    ].join("\n");
    expect(crossings(file, text, ["stacks", "scripts"])).toEqual([
      "components/lib/example.ts imports ../../stacks/config",
      "components/lib/example.ts imports ../../stacks/config",
      "components/lib/example.ts imports ../../scripts/lib/mock-stack",
    ]);
  });
});
