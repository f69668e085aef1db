import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { lambdaNode, locateLambdaNode, NODE24_ENV } from "../../scripts/lib/node24";
import { LambdaHost } from "../../scripts/sandbox/lambda-host";

const REPO_ROOT = path.join(__dirname, "../..");
/** Each test starts a Node.js 24 process: seen past jest's 5 s default on a loaded 2-core machine. */
const TIMEOUT_MS = 60_000;

let work: string;
const hosts: LambdaHost[] = [];

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "studio-access-host-"));
});

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  rmSync(work, { recursive: true, force: true });
});

function host(name: string, code: string): LambdaHost {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, "index.js"), code);
  const started = new LambdaHost(name, dir, { GREETING: "hello" }, 10);
  hosts.push(started);
  return started;
}

describe("the rehearsal's Lambda host", () => {
  it(
    "runs a bundle on Node.js 24 with the environment it was given, and keeps its log lines",
    async () => {
      const fn = host(
        "async-fn",
        [
          "exports.handler = async (event, context) => {",
          '  console.log(JSON.stringify({ message: "invoked", n: event.n }));',
          "  return { node: process.versions.node, greeting: process.env.GREETING,",
          "    n: event.n + 1, left: context.getRemainingTimeInMillis() > 0 };",
          "};",
        ].join("\n"),
      );
      await fn.start();
      const result = await fn.invoke<{ node: string; greeting: string; n: number; left: boolean }>({
        n: 41,
      });
      expect(result.node.split(".")[0]).toBe("24");
      expect(result).toMatchObject({ greeting: "hello", n: 42, left: true });
      // The log line comes over stdout, the result over IPC: either may arrive first.
      for (let waited = 0; fn.logs.length === 0 && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(fn.logs).toEqual([{ message: "invoked", n: 41 }]);
    },
    TIMEOUT_MS,
  );

  it(
    "fails to start a callback-style handler, naming the Node.js 24 runtime's refusal",
    async () => {
      const fn = host(
        "callback-fn",
        "exports.handler = function (event, context, callback) { callback(null, 1); };",
      );
      await expect(fn.start()).rejects.toThrow(
        /callback-fn failed to start \(exit 1\): [\s\S]*AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24[\s\S]*declares 3 parameters/,
      );
    },
    TIMEOUT_MS,
  );
});

describe("finding Node.js 24", () => {
  it("uses the registry package's binary, never the machine's Node.js", () => {
    expect(locateLambdaNode({}, REPO_ROOT)).toBe(lambdaNode());
    expect(lambdaNode()).not.toBe(process.execPath);
  });

  it("fails naming `npm ci` and the devDependency when the package is not installed", () => {
    expect(() => locateLambdaNode({}, work)).toThrow(
      /Node\.js 24 \(the functions' Lambda runtime, nodejs24\.x\) is not installed: node_modules\/node-linux-(x64|arm64) is missing\. Run `npm ci` in the repository: the devDependency @studio-access\/node24 \(tools\/node24\) installs it/,
    );
  });

  it(
    `takes ${NODE24_ENV} only when it names a Node.js 24 binary`,
    () => {
      expect(locateLambdaNode({ [NODE24_ENV]: lambdaNode() }, work)).toBe(lambdaNode());
      expect(() => locateLambdaNode({ [NODE24_ENV]: process.execPath }, REPO_ROOT)).toThrow(
        `${NODE24_ENV}=${process.execPath} is Node.js ${process.version}, not Node.js 24`,
      );
      const missing = path.join(work, "no-such-node");
      expect(() => locateLambdaNode({ [NODE24_ENV]: missing }, REPO_ROOT)).toThrow(
        `${NODE24_ENV}=${missing} does not run`,
      );
    },
    TIMEOUT_MS,
  );
});
