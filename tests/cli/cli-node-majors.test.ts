import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { buildCli } from "../../cli/build";
import { lambdaNode } from "../../scripts/lib/node24";

/**
 * The CLI bundle, as it ships, on the oldest Node.js it supports (the machine's, 20) and on Node.js
 * 24 (the functions' runtime major, from the npm registry): the same commands answer the same.
 * The commands that need a Cognito and an API run in cli-sandbox.test.ts, on the machine's Node.js.
 */
const MAJORS: readonly (readonly [string, () => string, string])[] = [
  ["the machine's Node.js", () => process.execPath, process.versions.node.split(".")[0] ?? ""],
  ["Node.js 24", lambdaNode, "24"],
];
/** Building the bundle and starting a dozen Node processes, on a loaded 2-core machine. */
const TIMEOUT_MS = 120_000;

let work: string;
let bundle: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "studio-access-cli-majors-"));
  bundle = path.join(work, "studio-access.cjs");
  await buildCli(bundle);
}, TIMEOUT_MS);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(node: string, configDir: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      node,
      [bundle, ...args],
      { env: { PATH: process.env.PATH ?? "", STUDIO_ACCESS_CONFIG_DIR: configDir } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const CONFIGURE = [
  "configure",
  "--api-url",
  "https://abc.execute-api.us-east-1.amazonaws.com/v1",
  "--user-pool-id",
  "us-east-1_Abc",
  "--client-id",
  "abc",
  "--region",
  "us-east-1",
];

describe.each(MAJORS)("the CLI bundle on %s", (_name, node, major) => {
  it(
    "prints its help, refuses an unknown command and an unconfigured list (2), and configures",
    async () => {
      const bin = node();
      const { stdout: version } = await promisify(execFile)(bin, ["-p", "process.versions.node"]);
      expect(version.split(".")[0]).toBe(major);
      const dir = mkdtempSync(path.join(work, "config-"));
      const config = path.join(dir, "config");

      const help = await run(bin, config, ["--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(
        "studio-access: open your Amazon SageMaker Studio from the command line",
      );
      expect(await run(bin, config, ["frobnicate"])).toEqual({
        code: 2,
        stdout: "",
        stderr: 'studio-access: unknown command "frobnicate"; see studio-access --help\n',
      });
      const unconfigured = await run(bin, config, ["list"]);
      expect(unconfigured.code).toBe(2);
      expect(unconfigured.stderr).toContain("not configured: run the studio-access configure line");

      expect(await run(bin, config, CONFIGURE)).toEqual({
        code: 0,
        stdout: `Saved to ${config}. Next: studio-access login\n`,
        stderr: "",
      });
      expect(statSync(config).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(config, "config.json")).mode & 0o777).toBe(0o600);
      const http = await run(bin, config, [
        ...CONFIGURE.slice(0, 2),
        "http://api.example.com/v1",
        ...CONFIGURE.slice(3),
      ]);
      expect(http).toEqual({
        code: 2,
        stdout: "",
        stderr:
          'studio-access: --api-url "http://api.example.com/v1" must be an https:// URL (plain http only on 127.0.0.1 or localhost)\n',
      });
    },
    TIMEOUT_MS,
  );
});
