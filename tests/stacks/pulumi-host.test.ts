import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { parse as parseYaml } from "yaml";

/**
 * What the real Pulumi Node.js host needs to run the program, checked offline: the host compiles
 * TypeScript with the project's `typescript` and `ts-node` when they are installed (otherwise with a
 * vendored TypeScript 3.8 that cannot compile this code), reads ./tsconfig.json, and skips type
 * checking when that file sets `noCheck`. A deployment installs production dependencies only.
 */
const ROOT = path.join(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const pkg = JSON.parse(read("package.json")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("the program under the Pulumi Node.js host", () => {
  it("is a TypeScript nodejs project whose entry point is stacks/", () => {
    expect(parseYaml(read("Pulumi.yaml"))).toMatchObject({
      runtime: { name: "nodejs", options: { typescript: true } },
      main: "stacks/",
    });
  });

  it("gives the host its TypeScript compiler and ts-node as production dependencies", () => {
    expect(Object.keys(pkg.dependencies)).toEqual(
      expect.arrayContaining(["typescript", "ts-node"]),
    );
    expect(Object.keys(pkg.devDependencies)).not.toContain("typescript");
  });

  it("compiles with a tsconfig.json of the program's folders, no test types, transpile only", () => {
    const tsconfig = JSON.parse(read("tsconfig.json")) as {
      compilerOptions: Record<string, unknown>;
      include: string[];
    };
    expect(tsconfig.compilerOptions).toMatchObject({ noCheck: true, types: [] });
    expect(tsconfig.include.sort()).toEqual(["components", "functions", "stacks"]);
  });

  it("imports production dependencies only", async () => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ["stacks/index.ts"],
      bundle: true,
      platform: "node",
      packages: "external",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const packages = new Set(
      Object.values(result.metafile.inputs)
        .flatMap((input) => input.imports)
        .filter((i) => i.external && !i.path.startsWith("node:"))
        .map((i) =>
          i.path
            .split("/")
            .slice(0, i.path.startsWith("@") ? 2 : 1)
            .join("/"),
        ),
    );
    expect(packages.size).toBeGreaterThan(0);
    expect([...packages].filter((p) => !(p in pkg.dependencies)).sort()).toEqual([]);
  });

  it("loads through ts-node with the host's settings, without type checking or test types", async () => {
    const script = `
      const ts = require("typescript");
      const { config } = ts.readConfigFile("tsconfig.json", ts.sys.readFile);
      require("ts-node").register({ project: "tsconfig.json", transpileOnly: config.compilerOptions.noCheck });
      const program = require("./stacks");
      process.stdout.write(typeof program);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(stdout).toBe("function");
  }, 60_000);
});
