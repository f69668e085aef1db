import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  buildFunction,
  buildFunctions,
  CREDENTIAL_CHAIN_MODULES,
  FUNCTION_NAMES,
  type BuiltFunction,
  type FunctionName,
} from "../../functions/build";
import { portalAssets } from "../../functions/portal-assets";
import { LAMBDA_RUNTIME, NODE_MAJOR } from "../../functions/runtime";
import { startFakeAws, type FakeAws } from "../../scripts/lib/fake-aws";
import { lambdaNode } from "../../scripts/lib/node24";
import { makeSigningKey, signedAccessToken } from "../helpers/jwt";
import { P, userLobATables } from "../helpers/fixtures";

const execFileAsync = promisify(execFile);
const { Runtime } = require("@pulumi/aws/types/enums/lambda") as {
  Runtime: Record<string, string>;
};
const { CALLBACK_REFUSED } = require("../../scripts/sandbox/lambda-handler") as {
  CALLBACK_REFUSED: string;
};
const REPO_ROOT = path.join(__dirname, "../..");
/** Tests that start Node.js 24 processes: seen past jest's 5 s default on a loaded 2-core machine. */
const SUBPROCESS_TIMEOUT_MS = 60_000;

const packageJson = JSON.parse(
  readFileSync(path.join(__dirname, "../../package.json"), "utf8"),
) as {
  devDependencies: Record<string, string>;
};

let dirs: string[];
let first: Record<FunctionName, BuiltFunction>;
let second: Record<FunctionName, BuiltFunction>;

async function buildInto(): Promise<Record<FunctionName, BuiltFunction>> {
  const dir = mkdtempSync(path.join(tmpdir(), "studio-access-build-"));
  dirs.push(dir);
  return buildFunctions(dir);
}

beforeAll(async () => {
  dirs = [];
  first = await buildInto();
  second = await buildInto();
}, 60_000);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const read = (fn: BuiltFunction, file: string) => readFileSync(path.join(fn.dir, file));
const built = () => first;

describe("function bundles", () => {
  it.each(FUNCTION_NAMES)(
    "builds %s byte for byte the same twice (code and source map)",
    (name) => {
      expect(read(first[name], "index.js").equals(read(second[name], "index.js"))).toBe(true);
      expect(read(first[name], "index.js.map").equals(read(second[name], "index.js.map"))).toBe(
        true,
      );
    },
  );

  it("keeps the authorizer within 150 KB, the presigner within 500 KB and the SAML entry within 1 MB", () => {
    expect(first.authorizer.bundleBytes).toBeLessThanOrEqual(150 * 1024);
    expect(first.presigner.bundleBytes).toBeLessThanOrEqual(150 * 1024);
    // node-saml's XML signature stack (xml-crypto, xmldom, xml2js, xpath) is most of it.
    expect(first.saml.bundleBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(read(first.presigner, "index.js").length).toBe(first.presigner.bundleBytes);
  });

  it("keeps the portal function within 20 KB beside the assets it embeds, and the SAML entry's link to the same stylesheet", () => {
    const code = read(first.portal, "index.js").toString("utf8");
    const { script, stylesheet } = portalAssets();
    // The assets are embedded as JSON strings: their escaped length is what they add.
    const embedded = [script, stylesheet].reduce(
      (bytes, asset) => bytes + Buffer.byteLength(JSON.stringify(asset.body)),
      0,
    );
    const own = first.portal.bundleBytes - embedded;
    console.log(
      `portal bundle: ${String(first.portal.bundleBytes)} bytes, ${String(own)} without its assets (${script.file} ${String(Buffer.byteLength(script.body))} bytes, ${stylesheet.file} ${String(Buffer.byteLength(stylesheet.body))} bytes)`,
    );
    expect(own).toBeLessThanOrEqual(20 * 1024);
    expect(code).toContain(script.integrity);
    expect(code).toContain(stylesheet.file);
    // The SAML entry links the stylesheet by name and integrity, and carries no asset body.
    const saml = read(first.saml, "index.js").toString("utf8");
    expect(saml).toContain(stylesheet.file);
    expect(saml).toContain(stylesheet.integrity);
    expect(saml).not.toContain(script.file);
  });

  it.each(FUNCTION_NAMES)("bundles no devDependency and no test code into %s", (name) => {
    const inputs = first[name].inputs;
    const devDeps = Object.keys(packageJson.devDependencies);
    const offending = inputs.filter(
      (input) =>
        input.startsWith("tests/") || devDeps.some((dep) => input.includes(`node_modules/${dep}/`)),
    );
    expect(offending).toEqual([]);
    expect(inputs).toContain(`functions/${name}/index.ts`);
  });

  // #22: the clients' runtime configs import the default chain statically; functions/build.ts
  // replaces it with the environment's provider, and the event-stream codec with a refusal.
  it.each(FUNCTION_NAMES)(
    "bundles neither the SDK's default credential chain nor event-stream code into %s",
    (name) => {
      const inputs = first[name].inputs;
      const offending = inputs.filter(
        (input) =>
          CREDENTIAL_CHAIN_MODULES.some((module) => input.includes(`node_modules/${module}/`)) ||
          input.includes("/event-streams/"),
      );
      expect(offending).toEqual([]);
      // A function with SDK clients gets the environment's provider in place of the chain.
      const usesSdkClients = inputs.some((input) =>
        input.includes("node_modules/@aws-sdk/client-"),
      );
      expect(inputs.includes("functions/shared/env-credentials.ts")).toBe(usesSdkClients);
    },
  );

  it.each(FUNCTION_NAMES)(
    "writes %s's source map with repository-relative sources only",
    (name) => {
      const map = JSON.parse(read(first[name], "index.js.map").toString("utf8")) as {
        sources: string[];
      };
      expect(map.sources.length).toBeGreaterThan(0);
      expect(map.sources.filter((s) => path.isAbsolute(s) || s.includes(tmpdir()))).toEqual([]);
      expect(map.sources).toContain(`functions/${name}/index.ts`);
      expect(
        map.sources.filter((s) => !s.startsWith("functions/") && !s.startsWith("node_modules/")),
      ).toEqual([]);
    },
  );

  it.each(FUNCTION_NAMES)(
    "compiles the rehearsal's local-issuer branch out of the deployed %s bundle",
    (name) => {
      const code = read(first[name], "index.js").toString("utf8");
      expect(code).not.toContain("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER");
      expect(code).not.toContain("STUDIO_ACCESS_SANDBOX");
    },
  );

  it("keeps the local-issuer branch in the rehearsal's bundles, reading only Cognito's endpoint setting", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "studio-access-build-"));
    dirs.push(dir);
    const sandbox = await buildFunction("authorizer", dir, "sandbox");
    const code = read(sandbox, "index.js").toString("utf8");
    expect(code).toContain("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER");
    expect(code.match(/AWS_ENDPOINT_URL\w*/g)).toEqual([
      "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    ]);
  });

  it.each(["presigner", "saml"] as const)(
    "holds no AWS SDK client in the sign-in path's %s: its calls go through functions/shared/aws",
    (name) => {
      const inputs = first[name].inputs;
      // No SDK client, and not @aws-sdk/core's client index (endpoint rules, the shared-config
      // loader) that @aws-sdk/credential-provider-env would bring (functions/shared/sdk.ts).
      expect(
        inputs.filter((input) => /node_modules\/@aws-sdk\/(client-|lib-|core\/)/.test(input)),
      ).toEqual([]);
      expect(inputs).toContain("functions/shared/aws/call.ts");
      const code = read(first[name], "index.js").toString("utf8");
      expect(code).toContain("CreatePresignedDomainUrl");
      expect(code).not.toContain("DeleteDomain");
      expect(code).not.toContain("ListDomains");
    },
  );

  it("keeps of each SDK client's package.json only the version its user agent names (#22)", () => {
    const code = read(first.lifecycle, "index.js").toString("utf8");
    for (const client of ["client-dynamodb", "client-lambda", "client-sagemaker"]) {
      const { version, description } = JSON.parse(
        readFileSync(require.resolve(`@aws-sdk/${client}/package.json`), "utf8"),
      ) as { version: string; description: string };
      expect(code).toContain(`{version:"${version}"}`);
      expect(code).not.toContain(description);
    }
  });
});

interface Invocation {
  node: string;
  results: (Record<string, unknown> & { error?: string })[];
  logs: Record<string, unknown>[];
}

describe("the Lambda runtime", () => {
  it("is nodejs24.x, the newest Node.js runtime the AWS provider names, and the bundles target its major", () => {
    const nodeRuntimes = Object.values(Runtime)
      .filter((runtime) => /^nodejs\d+\.x$/.test(runtime))
      .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]));
    expect(LAMBDA_RUNTIME).toBe("nodejs24.x");
    expect(nodeRuntimes.at(-1)).toBe(LAMBDA_RUNTIME);
    expect(NODE_MAJOR).toBe(24);
  });

  it("comes from the npm registry at a known path, off npm scripts' PATH: jest runs on the machine's Node.js", () => {
    const node24 = lambdaNode();
    expect(node24.startsWith(path.join(REPO_ROOT, "node_modules") + path.sep)).toBe(true);
    expect(node24).not.toBe(process.execPath);
    // npm scripts put node_modules/.bin first on PATH: a `node` there would run jest on Node 24.
    expect(existsSync(path.join(REPO_ROOT, "node_modules", ".bin", "node"))).toBe(false);
  });
});

describe("the bundled functions, each loaded in a fresh Node process as Lambda does", () => {
  let fake: FakeAws;

  beforeAll(async () => {
    fake = await startFakeAws(userLobATables());
  });

  afterAll(async () => {
    await fake.close();
  });

  async function invoke(
    fn: Pick<BuiltFunction, "dir">,
    input: { events: unknown[]; jwks?: unknown },
  ): Promise<Invocation> {
    const { stdout } = await execFileAsync(
      lambdaNode(),
      [
        "--no-warnings",
        path.join(__dirname, "../helpers/invoke-bundle.js"),
        path.join(fn.dir, "index.js"),
        JSON.stringify(input),
      ],
      {
        // The standard SDK endpoint settings: with them unset, the same bundle talks to AWS.
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_DYNAMODB: fake.url,
          AWS_ENDPOINT_URL_STS: fake.url,
          AWS_ENDPOINT_URL_SAGEMAKER: fake.url,
        },
      },
    );
    return JSON.parse(stdout) as Invocation;
  }

  it(
    "portal: serves the page and each asset it links, whose bytes match the page's integrity",
    async () => {
      const page = {
        resource: "/",
        path: "/",
        httpMethod: "GET",
        requestContext: { path: "/v1/" },
      };
      const first = await invoke(built().portal, { events: [page] });
      const html = String(first.results[0]?.body);
      const links = [...html.matchAll(/(?:href|src)="\/v1\/assets\/([^"]+)" integrity="([^"]+)"/g)];
      expect(links).toHaveLength(2);
      const { results } = await invoke(built().portal, {
        events: links.map(([, file]) => ({
          resource: "/assets/{file}",
          path: `/assets/${String(file)}`,
          httpMethod: "GET",
          pathParameters: { file },
          requestContext: { path: `/v1/assets/${String(file)}` },
        })),
      });
      links.forEach(([, , integrity], i) => {
        const body = String(results[i]?.body);
        expect(results[i]?.statusCode).toBe(200);
        expect(`sha384-${createHash("sha384").update(body, "utf8").digest("base64")}`).toBe(
          integrity,
        );
      });
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  it(
    "presigner: verifies the caller's token and signs them in over HTTP with 3 AWS calls cold and 2 warm",
    async () => {
      const key = makeSigningKey("bundle-key");
      const token = signedAccessToken(key, "user-lob-a");
      const event = {
        resource: "/studios/{lob}",
        httpMethod: "GET",
        headers: { Authorization: `Bearer ${token}` },
        pathParameters: { lob: "lob-a" },
        requestContext: { authorizer: { username: "user-lob-a" } },
      };
      const forged = { ...event, headers: {} };
      const { results, logs } = await invoke(first.presigner, {
        jwks: { keys: [key.jwk] },
        events: [event, event, forged],
      });
      const location = `https://d-aaaaaaaaaaaa.studio.us-east-1.sagemaker.aws/auth?token=fake-${P("user-lob-a")}`;
      expect(results.slice(0, 2)).toEqual([
        { statusCode: 302, headers: { Location: location, "Cache-Control": "no-store" }, body: "" },
        { statusCode: 302, headers: { Location: location, "Cache-Control": "no-store" }, body: "" },
      ]);
      expect(results[2]?.statusCode).toBe(401);
      expect(Object.fromEntries(fake.calls)).toEqual({
        "DynamoDB.BatchGetItem": 2,
        "STS.AssumeRole": 1,
        "SageMaker.CreatePresignedDomainUrl": 2,
      });
      expect(logs.map((l) => l.outcome)).toEqual(["ok", "ok", "unauthenticated"]);
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  it(
    "authorizer: allows a valid token and names the refusal of an expired one after minification",
    async () => {
      const key = makeSigningKey("bundle-key");
      const token = (extra: Record<string, unknown>) => signedAccessToken(key, "user-lob-a", extra);
      const methodArn = "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/prod/GET/studios";
      const { results, logs } = await invoke(first.authorizer, {
        jwks: { keys: [key.jwk] },
        events: [
          { type: "TOKEN", authorizationToken: `Bearer ${token({})}`, methodArn },
          { type: "TOKEN", authorizationToken: `Bearer ${token({ exp: 1 })}`, methodArn },
        ],
      });
      expect(results[0]?.context).toEqual({ username: "user-lob-a" });
      expect(results[1]).toEqual({ error: "Unauthorized" });
      expect(logs[1]).toMatchObject({ message: "denied", reason: "expired" });
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  it(
    "runs each bundle on Node.js 24, the Lambda runtime's major, not the machine's Node.js",
    async () => {
      const ran = await Promise.all(
        FUNCTION_NAMES.filter((name) => name !== "saml" && name !== "lifecycle").map(
          async (name) =>
            [
              name,
              (
                await execFileAsync(
                  lambdaNode(),
                  [
                    "--no-warnings",
                    path.join(__dirname, "../helpers/invoke-bundle.js"),
                    path.join(first[name].dir, "index.js"),
                    JSON.stringify({ events: [] }),
                  ],
                  { env: { ...process.env, HOME_ROOT: tmpdir() } },
                )
              ).stdout,
            ] as const,
        ),
      );
      for (const [name, stdout] of ran) {
        expect([name, (JSON.parse(stdout) as Invocation).node.split(".")[0]]).toEqual([name, "24"]);
      }
    },
    SUBPROCESS_TIMEOUT_MS,
  );

  it(
    "refuses a callback-style handler at load, as the Node.js 24 runtime does, and loads an async one",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "studio-access-handler-"));
      dirs.push(dir);
      const bundle = (code: string) => {
        const fn = mkdtempSync(path.join(dir, "fn-"));
        writeFileSync(path.join(fn, "index.js"), code);
        return { dir: fn };
      };
      const asyncFn = bundle("exports.handler = async (event, context) => ({ ok: event.n + 1 });");
      const callbackFn = bundle(
        "exports.handler = function (event, context, callback) { callback(null, { ok: 1 }); };",
      );
      await expect(invoke(asyncFn, { events: [{ n: 1 }] })).resolves.toMatchObject({
        results: [{ ok: 2 }],
      });
      const refused = invoke(callbackFn, { events: [{ n: 1 }] });
      await expect(refused).rejects.toThrow(CALLBACK_REFUSED);
      await expect(refused).rejects.toThrow("declares 3 parameters");
    },
    SUBPROCESS_TIMEOUT_MS,
  );
});
