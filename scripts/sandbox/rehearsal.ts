import {
  InitiateAuthCommand,
  ListUserPoolsCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { cognitoClient, poolClient, signIn as cliSignIn } from "../../cli/cognito";
import type { CliConfig } from "../../cli/config";
import { DeleteItemCommand, ListTablesCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreatePresignedDomainUrlCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import type { PolicyDocument } from "../../components/policies/document";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { seedKey } from "../../functions/shared/tables";
import { readHubLobs } from "../../stacks/config/lobs-file";
import { teamProfileName } from "../../functions/shared/teams";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { inspect } from "node:util";
import { buildFunctions, REPO_ROOT, SANDBOX_OUT_DIR } from "../../functions/build";
import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type RecordedResource,
  type StackRun,
} from "../lib/mock-stack";
import { reachabilityMatrix } from "../lib/reachability";
import { apiFromResources, domainsFromResources, PrivateApi } from "./api-gateway";
import { domainSteps, type DomainAddress } from "./custom-domain";
import { AwsEmulator, type Listener } from "./aws-emulator";
import { Deployer } from "./deployer";
import { LambdaHost } from "./lambda-host";
import { playedUser } from "./played-user";
import { serveIdp, TestIdp } from "./saml-idp";
import { startLocalServices, type LocalServices } from "./services";
import { DISABLED_MARK, markDisabled, type AdminListing } from "./users";

/**
 * Users (Pulumi.shared.yaml) the rehearsal creates but never signs in: a kept sandbox hands them
 * to a person for a real first sign-in (temporary password, new password, authenticator).
 */
export const NEVER_SIGNED_IN: readonly string[] = ["new.scientist"];

export interface Step {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: string;
}

export interface SignedInUser {
  readonly username: string;
  readonly password: string;
  /** The user's TOTP secret, as their authenticator app holds it (sandbox only). */
  readonly totpSecret: string;
  readonly accessToken: string;
  /** Set when the rehearsal disabled them (`admin disable`): they cannot sign in. */
  readonly disabled?: { readonly lobs: readonly string[] };
}

/** A deployed sandbox: what a person needs to use it, and how to take it down. */
export interface RunningSandbox {
  readonly apiUrl: string;
  /** The portal's page: the API's root, through the hub execute-api endpoint. */
  readonly portalUrl: string;
  readonly cognitoUrl: string;
  readonly userPoolClientId: string;
  /** The CLI's settings for this sandbox (its configure line is printed from these). */
  readonly cliConfig: CliConfig;
  /** The file holding every function log line. */
  readonly logFile: string;
  /** The IdP's tile page: GET /sso?user=NAME posts a signed SAML response to POST /saml. */
  readonly idpUrl: string;
  /** The hub Studio endpoint over TLS (self-signed), for a browser following a presigned URL. */
  readonly studioTls: string;
  /** The API's private custom domain name, when the hub config sets one, and where it answers. */
  readonly apiDomain?: DomainAddress;
  /** Every user, those the rehearsal disabled marked (`disabled`), as its admin list says. */
  readonly users: readonly SignedInUser[];
  /**
   * Users the rehearsal created and never signed in (NEVER_SIGNED_IN): their temporary password,
   * no authenticator yet, for a person to try a first sign-in in the portal or the CLI.
   */
  readonly newcomers: readonly { readonly username: string; readonly temporaryPassword: string }[];
  /**
   * A platform engineer's session for `studio-access admin`: the environment (sandbox credentials
   * of a configured admin, the STS, DynamoDB and Cognito endpoints) and the configure arguments.
   */
  readonly admin: { readonly env: Record<string, string>; readonly configure: string };
  readonly emulator: AwsEmulator;
  readonly functions: ReadonlyMap<string, LambdaHost>;
  signIn(username: string, password: string, totpSecret?: string): Promise<string>;
  /** Destroys lob-b, lob-a and shared, then stops every service. */
  teardown(step?: StepRunner): Promise<void>;
}

export type StepRunner = <T>(
  name: string,
  run: () => Promise<{ detail: string; value: T }>,
) => Promise<T>;

export class StepFailed extends Error {}

/** A LOB pipeline's trust (outside the program): its CI system, here anyone in the sandbox. */
const PIPELINE_TRUST = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
} as const;
/** A LOB pipeline's rights: administrator of its own account. */
const ADMINISTRATOR = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
} as const;

/** Runs steps in order, timing each, and reports each as it ends; the first failure stops the run. */
export function stepRunner(report: (step: Step) => void, steps: Step[]): StepRunner {
  return async (name, run) => {
    const started = performance.now();
    try {
      const { detail, value } = await run();
      const step = { name, ok: true, ms: performance.now() - started, detail };
      steps.push(step);
      report(step);
      return value;
    } catch (error) {
      // SANDBOX_STACKS=1: the failing call's stack (and its cause), to find which call failed.
      if (process.env.SANDBOX_STACKS) console.error(inspect(error, { depth: 6 }));
      const step = {
        name,
        ok: false,
        ms: performance.now() - started,
        detail: error instanceof Error ? error.message : String(error),
      };
      steps.push(step);
      report(step);
      throw new StepFailed(name);
    }
  };
}

/** Hub DNS: a name resolves through the program's private zones and alias records to an endpoint's listener. */
function hubResolver(shared: StackRun, emulator: AwsEmulator): (hostname: string) => Listener {
  const zones = shared.resources.filter((r) => r.type === "aws:route53/zone:Zone");
  const records = shared.resources.filter((r) => r.type === "aws:route53/record:Record");
  const endpoints = shared.resources.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint");
  return (hostname) => {
    const zone = zones.find(
      (z) => hostname === z.inputs.name || hostname.endsWith(`.${String(z.inputs.name)}`),
    );
    const record = records.find(
      (r) =>
        r.inputs.zoneId === zone?.id &&
        (r.inputs.name === hostname ||
          (String(r.inputs.name).startsWith("*.") &&
            hostname.split(".").slice(1).join(".") === String(r.inputs.name).slice(2))),
    );
    const alias = (record?.inputs.aliases as { name: string }[] | undefined)?.[0]?.name;
    const endpoint = endpoints.find((e) =>
      (e.state.dnsEntries as { dnsName: string }[] | undefined)?.some((d) => d.dnsName === alias),
    );
    const listener = endpoint ? emulator.endpoints.get(endpoint.id)?.listener : undefined;
    if (!listener)
      throw new Error(
        `${hostname} does not resolve to a hub endpoint through the hub's private zones`,
      );
    return listener;
  };
}

const REGION_OF = (run: StackRun) => String(run.outputs.region);
/** Where the functions' log lines go while the sandbox runs (JSON Lines). */
const logFileOf = (services: LocalServices) => path.join(services.stateDir, "function-logs.jsonl");

/**
 * Writes a function's archive as the program declared it into a folder: the program's files (the
 * LOB registry) as they are, and each bundle file from the rehearsal's build of the same function,
 * which differs from the deployed one only by the local Cognito issuer branch (functions/build.ts).
 */
async function materialize(code: unknown, dir: string): Promise<void> {
  const assets = (await (code as { assets?: unknown }).assets) as
    Record<string, { path?: Promise<string>; text?: Promise<string> }> | undefined;
  if (!assets) throw new Error("the function's code is not an asset archive");
  mkdirSync(dir, { recursive: true });
  for (const [file, asset] of Object.entries(assets)) {
    const deployed = await asset.path;
    if (deployed !== undefined) {
      const fn = path.basename(path.dirname(deployed));
      copyFileSync(path.join(SANDBOX_OUT_DIR, fn, path.basename(deployed)), path.join(dir, file));
    } else {
      writeFileSync(path.join(dir, file), (await asset.text) ?? "");
    }
  }
}

async function startFunctions(
  shared: StackRun,
  lobs: readonly StackRun[],
  emulator: AwsEmulator,
  services: LocalServices,
  dynamoGateway: string,
  resolve: (hostname: string) => Listener,
): Promise<Map<string, LambdaHost>> {
  const region = REGION_OF(shared);
  const hosts = new Map<string, LambdaHost>();
  await buildFunctions(SANDBOX_OUT_DIR, "sandbox");
  for (const fn of [shared, ...lobs].flatMap((run) =>
    run.resources.filter((r: RecordedResource) => r.type === "aws:lambda/function:Function"),
  )) {
    const inVpc = fn.inputs.vpcConfig !== undefined;
    // Lambda mounts an access point's file system at the function's path: here, its folder.
    const mount = fn.inputs.fileSystemConfig as { arn: string; localMountPath: string } | undefined;
    const mounted = mount ? emulator.mountOf(mount.arn) : undefined;
    if (mount && !mounted) throw new Error(`${fn.name}: no file system behind ${mount.arn}`);
    const credentials = emulator.issueCredentials(String(fn.inputs.role));
    // What Lambda's runtime provides, and where the function's network sends each service's calls.
    const runtime: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      // cognito-local stands for Cognito (through the hub's cognito-idp endpoint, for the presigner).
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: services.cognitoUrl,
      ...(inVpc
        ? {
            AWS_ENDPOINT_URL_STS: resolve(`sts.${region}.amazonaws.com`).url,
            AWS_ENDPOINT_URL_SAGEMAKER: resolve(`api.sagemaker.${region}.amazonaws.com`).url,
            AWS_ENDPOINT_URL_DYNAMODB: dynamoGateway,
            AWS_ENDPOINT_URL_LAMBDA: resolve(`lambda.${region}.amazonaws.com`).url,
          }
        : {}),
    };
    const variables = Object.fromEntries(
      Object.entries(
        (fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ??
          {},
      ).map(([k, v]) => [
        k,
        mount && mounted && v.startsWith(mount.localMountPath)
          ? mounted + v.slice(mount.localMountPath.length)
          : v,
      ]),
    );
    const code = path.join(services.stateDir, "functions", fn.name);
    await materialize(fn.inputs.code, code);
    const host = new LambdaHost(
      fn.name,
      code,
      { ...variables, ...runtime },
      Number(fn.inputs.timeout ?? 3),
      logFileOf(services),
    );
    await host.start();
    hosts.set(String(fn.state.arn), host);
    // Lambda decides an Invoke with the function's tags (the homes function's LOB tag).
    emulator.functionTags.set(
      String(fn.state.arn),
      (fn.inputs.tags as Record<string, string> | undefined) ?? {},
    );
  }
  return hosts;
}

/** The AWS SDK's environment credentials for a session the emulator issued. */
function awsCredentialsEnv(c: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
  };
}

/** Runs the studio-access CLI from source in its own process, as an engineer's terminal would. */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(REPO_ROOT, "cli", "index.ts"), ...args],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          AWS_EC2_METADATA_DISABLED: "true",
          ...env,
        },
        cwd: REPO_ROOT,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`the CLI did not run: ${error.message}`));
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

interface HttpAnswer {
  readonly status: number;
  readonly location?: string;
  readonly retryAfter?: string;
  /** Every Set-Cookie of the answer, as sent. */
  readonly setCookies?: string[];
  readonly body: string;
}

/** A form POST, as a browser sends the IdP's auto-posting page (or a chooser's button). */
async function post(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: "manual",
  });
  return {
    status: response.status,
    location: response.headers.get("location") ?? undefined,
    retryAfter: response.headers.get("retry-after") ?? undefined,
    setCookies: response.headers.getSetCookie(),
    body: await response.text(),
  };
}

/** A chooser page's buttons: each one's label and the hidden fields its form posts. */
function chooserForms(page: string): { label: string; fields: Record<string, string> }[] {
  return [...page.matchAll(/<form method="post"[^>]*>(.*?)<\/form>/g)].map(([, form = ""]) => ({
    label: /<button type="submit">([^<]*)<\/button>/.exec(form)?.[1] ?? "",
    fields: Object.fromEntries(
      [...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map(
        ([, name = "", value = ""]) => [name, value],
      ),
    ),
  }));
}

async function get(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const response = await fetch(url, { headers, redirect: "manual" });
  return {
    status: response.status,
    location: response.headers.get("location") ?? undefined,
    retryAfter: response.headers.get("retry-after") ?? undefined,
    body: await response.text(),
  };
}

function expectStatus(answer: HttpAnswer, status: number, what: string): void {
  if (answer.status !== status)
    throw new Error(
      `${what}: expected ${String(status)}, got ${String(answer.status)} ${answer.body.slice(0, 200)}`,
    );
}

/** Where a presigned Studio URL goes when opened through the given listener (its host kept as a header). */
function throughListener(presigned: string, listener: Listener): [string, Record<string, string>] {
  const url = new URL(presigned);
  return [`${listener.url}${url.pathname}${url.search}`, { Host: url.host }];
}

/**
 * The whole lifecycle offline: start the emulators, deploy shared, lob-a and lob-b with the real
 * program, sign a user in and open Studio, show the refusals, destroy in reverse, and check that
 * nothing is left. With `keep`, it stops after the use steps and returns the running sandbox.
 */
export async function rehearse(
  opts: { keep?: boolean; report?: (step: Step) => void } = {},
): Promise<{ steps: Step[]; sandbox?: RunningSandbox }> {
  const steps: Step[] = [];
  const step = stepRunner(opts.report ?? (() => undefined), steps);
  const cleanups: (() => Promise<void>)[] = [];
  let keep = false;
  try {
    const { services, emulator, deployer, dynamoGateway } = await step(
      "start cognito-local, dynalite and the AWS endpoint emulator",
      async () => {
        const services = await startLocalServices();
        cleanups.push(() => services.stop());
        const emulator = new AwsEmulator(loadStackConfig("shared")["aws:region"] ?? "us-east-1");
        // Everything the sandbox writes lives in one folder, which goes even if it is killed outright.
        emulator.fileSystemsDir = services.stateDir;
        await emulator.start();
        cleanups.push(() => emulator.stop());
        const dynamoGateway = await emulator.dynamoGateway(services.dynamoUrl);
        const deployer = new Deployer(
          emulator,
          services.cognitoUrl,
          services.dynamoUrl,
          dynamoGateway,
        );
        return {
          detail: `cognito-local ${services.cognitoUrl}, dynalite ${services.dynamoUrl}, state in ${services.stateDir}`,
          value: { services, emulator, deployer, dynamoGateway },
        };
      },
    );

    // The organization and the LOB accounts' pipelines: outside the program, so set up here. Each
    // pipeline role is an administrator of its own account, and nothing in the hub.
    const sharedConfig = loadStackConfig("shared");
    // The hub's LOBs as the program reads them (inline lobs or lobsFile).
    const lobs = (readHubLobs(sharedConfig, REPO_ROOT).lobs ?? {}) as Record<
      string,
      { accountId: string; deployer: string }
    >;
    emulator.organization = {
      id: sharedConfig["studio-access:organizationId"] ?? "",
      accounts: new Set([
        sharedConfig["studio-access:hubAccountId"] ?? "",
        ...Object.values(lobs).map((l) => l.accountId),
      ]),
    };
    for (const { deployer: pipeline } of Object.values(lobs)) {
      emulator.createRole(pipeline, PIPELINE_TRUST);
      emulator.putRolePolicy(pipeline, "administrator", ADMINISTRATOR);
    }
    const pipelineOf = (stack: string) => {
      const lob = loadStackConfig(stack)["studio-access:lob"];
      return lob === undefined ? undefined : lobs[lob]?.deployer;
    };

    const outputs: Record<string, Record<string, unknown>> = {};
    // The company's identity provider, for the SAML entry: a key and certificate made now.
    const idp = await TestIdp.create();
    /** The stack files, and for the hub the SAML entry trusting the sandbox's IdP. */
    /** Config a block changed for the rest of the run (the hub's dnsSharing, #22), by stack. */
    const kept: Record<string, Record<string, string>> = {};
    const configOf = (stack: string) =>
      stack === "shared"
        ? {
            ...loadStackConfig(stack),
            ...kept[stack],
            "studio-access:saml": JSON.stringify({
              idpCertificates: [idp.certificate],
              idpEntityId: idp.entityId,
              groupsAttribute: "groups",
              groupLobs: { "lob-b-scientists": ["lob-b"] },
            }),
          }
        : loadStackConfig(stack);
    const deploy = (stack: string) =>
      step(`deploy ${stack}`, async () => {
        const run = await runStackUnderMocks({
          stack,
          config: configOf(stack),
          stackOutputs: outputs,
          onCreate: deployer.hook(stack, pipelineOf(stack)),
          onLookup: deployer.lookup.bind(deployer),
          // The pools live in cognito-local: the program reads each one's JWKS there.
          cognitoEndpoint: services.cognitoUrl,
        });
        deployer.completeDeployments(stack);
        outputs[fullStackName(stack)] = run.outputs;
        const count = run.resources.filter((r) => r.custom).length;
        return {
          detail: `${String(count)} resources, ${String(deployer.emulated(stack))} of them created in the emulators`,
          value: run,
        };
      });
    /**
     * `pulumi up` of a stack already up, with `change` applied to its config (a member added to a
     * team, or removed): the deployer updates what changed as the providers do, creates what is
     * new and deletes what the program no longer declares.
     */
    const redeploy = async (
      stack: string,
      change: (config: Record<string, string>) => Record<string, string>,
    ) => {
      const { hook, finish } = deployer.update(stack, pipelineOf(stack));
      let run: StackRun;
      try {
        run = await runStackUnderMocks({
          stack,
          config: change(configOf(stack)),
          stackOutputs: outputs,
          onCreate: hook,
          onLookup: deployer.lookup.bind(deployer),
          // The hub's pool lives in cognito-local: its program reads the JWKS there (as deploy).
          ...(stack === "shared" ? { cognitoEndpoint: services.cognitoUrl } : {}),
        });
      } catch (error) {
        await finish(true);
        throw new Error(`pulumi up -s ${stack} failed: ${(error as Error).message}`);
      }
      const changes = await finish();
      outputs[fullStackName(stack)] = run.outputs;
      const named = (what: string, names: string[]) =>
        names.length > 0 ? [`${what} ${names.join(", ")}`] : [];
      return {
        run,
        changes,
        summary:
          [
            ...named("created", changes.created),
            ...named("updated", changes.updated),
            ...named("replaced", changes.replaced),
            ...named("deleted", changes.deleted),
          ].join("; ") || "no changes",
      };
    };
    /** A LOB config's teams with `member` added to (or removed from) `team`'s members. */
    const withMember =
      (team: string, member: string, present: boolean) => (config: Record<string, string>) => {
        const teams = JSON.parse(config["studio-access:teams"] ?? "{}") as Record<
          string,
          { members?: string[] }
        >;
        const members = (teams[team]?.members ?? []).filter((m) => m !== member);
        teams[team] = { ...teams[team], members: present ? [...members, member] : members };
        return { ...config, "studio-access:teams": JSON.stringify(teams) };
      };
    const shared = await deploy("shared");
    // The organization's management account attaches the hub's SCP to the LOB accounts, as the
    // deployment guide's step does (docs/deploying.md); from here IAM evaluates it with every
    // call their principals make.
    emulator.attachServiceControlPolicy(
      Object.values(lobs).map((l) => l.accountId),
      JSON.parse(String(shared.outputs.lobAccountScp)) as PolicyDocument,
    );
    const lobA = await deploy("lob-a");
    const lobB = await deploy("lob-b");

    const region = REGION_OF(shared);
    const resolve = hubResolver(shared, emulator);
    const { functions, apiUrl, apiListener, api } = await step(
      "start the functions and serve the private API on the hub execute-api endpoint",
      async () => {
        const functions = await startFunctions(
          shared,
          [lobA, lobB],
          emulator,
          services,
          dynamoGateway,
          resolve,
        );
        cleanups.unshift(async () => {
          await Promise.all([...functions.values()].map((f) => f.stop()));
        });
        // Lambda's poller: stream records go to the function the event source mapping names; a
        // batch with failed items is delivered again (the emulator retries).
        emulator.deliver = async (functionArn, records) => {
          const host = functions.get(functionArn);
          if (!host) throw new Error(`no function ${functionArn}`);
          const result = await host.invoke<{ batchItemFailures?: unknown[] }>({ Records: records });
          if ((result.batchItemFailures ?? []).length > 0) throw new Error("batch item failures");
        };
        // Lambda's Invoke, once IAM allowed it: the function's host runs the request.
        emulator.invokeFunction = async (functionArn, payload) => {
          const host = functions.get(functionArn);
          if (!host) return undefined;
          return host.invoke(payload).then(
            (answer) => ({ payload: answer }),
            (error: unknown) => ({ payload: undefined, error: (error as Error).message }),
          );
        };
        const definition = apiFromResources(shared.resources, deployer.deployments);
        const api = new PrivateApi(definition, functions, domainsFromResources(shared.resources));
        emulator.apiHandler = api.handle.bind(api);
        const apiListener = resolve(`${definition.apiId}.execute-api.${region}.amazonaws.com`);
        const apiUrl = `${apiListener.url}/${definition.stage}`;
        return {
          detail: `${[...functions.values()].map((f) => f.name).join(", ")}; API ${apiUrl}`,
          value: { functions, apiUrl, apiListener, api },
        };
      },
    );

    await step("the portal is served through the hub execute-api endpoint", async () => {
      const cognitoOrigin = new URL(services.cognitoUrl).origin;
      const csp = `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${cognitoOrigin}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
      const expectHeaders = (
        response: Response,
        what: string,
        expected: Record<string, string>,
      ) => {
        for (const [name, value] of Object.entries({ "content-security-policy": csp, ...expected }))
          if (response.headers.get(name) !== value)
            throw new Error(
              `${what}: ${name} is ${String(response.headers.get(name))}, expected ${value}`,
            );
      };
      const details: string[] = [];
      // The stage with and without its slash: both are the root resource, and link the same files.
      for (const pageUrl of [`${apiUrl}/`, apiUrl]) {
        const page = await fetch(pageUrl);
        const html = await page.text();
        if (page.status !== 200) throw new Error(`GET ${pageUrl}: ${String(page.status)}`);
        expectHeaders(page, pageUrl, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        });
        const links = [...html.matchAll(/(?:href|src)="([^"]+)" integrity="([^"]+)"/g)];
        if (links.length !== 2)
          throw new Error(`the page links ${String(links.length)} assets, not 2`);
        for (const [, href = "", integrity = ""] of links) {
          if (!href.startsWith(`${new URL(apiUrl).pathname}/assets/`))
            throw new Error(`the page links ${href}, not under the stage's /assets/`);
          const asset = await fetch(`${apiListener.url}${href}`);
          const bytes = Buffer.from(await asset.arrayBuffer());
          if (asset.status !== 200) throw new Error(`GET ${href}: ${String(asset.status)}`);
          expectHeaders(asset, href, { "cache-control": "public, max-age=31536000, immutable" });
          const sri = `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
          if (sri !== integrity)
            throw new Error(`${href}: integrity ${sri}, the page says ${integrity}`);
          if (pageUrl === apiUrl) details.push(`${href} ${String(bytes.length)} bytes, SRI ok`);
        }
      }
      const settings = await fetch(`${apiUrl}/settings`);
      const body = (await settings.json()) as { userPoolId?: string };
      expectHeaders(settings, "/settings", {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
      });
      if (body.userPoolId !== String(shared.outputs.userPoolId))
        throw new Error(`/settings names pool ${String(body.userPoolId)}`);
      return {
        detail: `200 ${apiUrl}/ and ${apiUrl}, CSP as set; ${details.join("; ")}; /settings 200`,
        value: undefined,
      };
    });

    const clientId = String(shared.outputs.userPoolClientId);
    // The CLI's own settings and sign-in code, with cognito-local as the pool's endpoint.
    const cliConfig: CliConfig = {
      apiUrl,
      userPoolId: String(shared.outputs.userPoolId),
      clientId,
      region,
      // cognito-local has no SRP (USER_SRP_AUTH); Cognito does, and the CLI uses it by default.
      authFlow: "password",
      cognitoEndpoint: services.cognitoUrl,
      // Every domain's Studio name (d-….studio.<region>.sagemaker.aws) resolves to this endpoint.
      studioEndpoint: resolve(`d-000000000000.studio.${region}.sagemaker.aws`).url,
    };
    const cognito = cognitoClient(cliConfig);
    const pool = poolClient(cliConfig);
    /** A sign-in as `studio-access login` makes it, by a user whose authenticator app is played here. */
    const signIn = async (username: string, password: string, totpSecret?: string) =>
      (await cliSignIn(cognito, pool, { username, password }, playedUser({ totpSecret }).prompter))
        .accessToken;
    const users = await step(
      "first sign-in of every user: NEW_PASSWORD_REQUIRED, then TOTP enrolment",
      async () => {
        const enrolled: { username: string; password: string; totpSecret: string }[] = [];
        // In name order: the deployer records users as their creation completes, which varies.
        const byName = [...deployer.users]
          .filter((u) => !NEVER_SIGNED_IN.includes(u.username))
          .sort((a, b) => a.username.localeCompare(b.username));
        for (const user of byName) {
          const password = `${user.temporaryPassword}X9`;
          const { prompter, asked, secret } = playedUser({ newPassword: password });
          await cliSignIn(
            cognito,
            pool,
            { username: user.username, password: user.temporaryPassword },
            prompter,
          );
          if (asked.join(",") !== "newPassword,enrolTotp")
            throw new Error(
              `${user.username}: expected a new password, then enrolment; got ${asked.join(", ")}`,
            );
          enrolled.push({ username: user.username, password, totpSecret: secret() });
        }
        const pools = await deployer.requireMfa();
        return {
          detail: `${enrolled.map((u) => u.username).join(", ")} enrolled with studio-access login's code; MFA required on ${String(pools)} pool`,
          value: enrolled,
        };
      },
    );
    const signedIn = await step("every user signs in with password and TOTP code", async () => {
      const all: SignedInUser[] = [];
      for (const user of users)
        all.push({
          ...user,
          accessToken: await signIn(user.username, user.password, user.totpSecret),
        });
      return { detail: all.map((u) => u.username).join(", "), value: all };
    });
    await step("refused: a sign-in with the password alone (MFA required)", async () => {
      const user = users[0];
      if (!user) throw new Error("no user");
      const auth = await deployer.cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
        }),
      );
      if (auth.AuthenticationResult) throw new Error("tokens without a second factor");
      const wrong = await deployer.cognito
        .send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: "SOFTWARE_TOKEN_MFA",
            Session: auth.Session,
            ChallengeResponses: { USERNAME: user.username, SOFTWARE_TOKEN_MFA_CODE: "000000" },
          }),
        )
        .then(
          () => "accepted",
          (error: unknown) => (error instanceof Error ? error.name : "refused"),
        );
      if (wrong === "accepted") throw new Error("a wrong TOTP code was accepted");
      return {
        detail: `challenge ${String(auth.ChallengeName)}, no tokens; a wrong code: ${wrong}`,
        value: undefined,
      };
    });
    const tokenOf = (username: string) => {
      const user = signedIn.find((u) => u.username === username);
      if (!user) throw new Error(`no user ${username}`);
      return user.accessToken;
    };
    const bearer = (username: string) => ({ Authorization: `Bearer ${tokenOf(username)}` });

    await step("user-lob-a: GET /studios lists lob-a only", async () => {
      const answer = await get(`${apiUrl}/studios`, bearer("user-lob-a"));
      expectStatus(answer, 200, "GET /studios");
      const lobs = (JSON.parse(answer.body) as { studios: { lob: string }[] }).studios.map(
        (s) => s.lob,
      );
      if (lobs.join(",") !== "lob-a") throw new Error(`expected [lob-a], got [${lobs.join(", ")}]`);
      return { detail: `200 ${answer.body}`, value: undefined };
    });
    const profileOf = (name: string) => emulator.allProfiles().find((p) => p.name === name);
    const presigned = await step(
      "user-lob-a: first sign-in to lob-a creates the analytics profile, then redirects to Studio",
      async () => {
        if (profileOf(teamProfileName("user-lob-a", "analytics") ?? ""))
          throw new Error("the profile exists already");
        const started = Date.now();
        const answer = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-a"));
        const latencyMs = Date.now() - started;
        expectStatus(answer, 302, "GET /studios/lob-a");
        if (!answer.location) throw new Error("302 without Location");
        const made = profileOf(teamProfileName("user-lob-a", "analytics") ?? "");
        if (made?.executionRole?.endsWith("/studio-access/studio-access-team-analytics") !== true)
          throw new Error(`profile made with role ${String(made?.executionRole)}`);
        const tags = JSON.stringify(made.tags);
        return {
          detail: `${String(latencyMs)} ms with the profile's creation (Pending ${String(emulator.profileStartMs)} ms); role ${made.executionRole}, tags ${tags}\n302 Location: ${answer.location}`,
          value: answer.location,
        };
      },
    );
    await step("the presigned URL opens Studio through the hub Studio endpoint", async () => {
      const [url, headers] = throughListener(presigned, resolve(new URL(presigned).host));
      const answer = await get(url, headers);
      expectStatus(answer, 200, "Studio");
      return { detail: `200 ${answer.body.replace(/<[^>]+>/g, " ").trim()}`, value: undefined };
    });

    await step("user-lob-a: a deep link opens JupyterLab in the user's private space", async () => {
      // The space a data scientist made in Studio; the deep link lands in it.
      const profile = profileOf(teamProfileName("user-lob-a", "analytics") ?? "");
      if (!profile) throw new Error("no domain holds user-lob-a's profile");
      emulator.createSpace(profile.domainId, "churn-model", profile.name);
      const answer = await get(
        `${apiUrl}/studios/lob-a?app=jupyterlab&space=churn-model`,
        bearer("user-lob-a"),
      );
      expectStatus(answer, 302, "deep link");
      const [url, headers] = throughListener(
        answer.location ?? "",
        resolve(new URL(answer.location ?? "").host),
      );
      const opened = await get(url, headers);
      expectStatus(opened, 200, "Studio through the deep link");
      const page = opened.body
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim();
      if (!page.includes("space churn-model")) throw new Error(`landed elsewhere: ${page}`);
      return { detail: `302, then 200 ${page}`, value: undefined };
    });
    await step("refused: a deep link off the list (400)", async () => {
      const answer = await get(`${apiUrl}/studios/lob-a?app=terminal`, bearer("user-lob-a"));
      expectStatus(answer, 400, "app=terminal");
      return { detail: `400 ${answer.body}`, value: undefined };
    });

    // Teams: dana.scientist is in both of lob-a's teams, so gets two profiles, one per team.
    await step("dana.scientist: lob-a without a team names her two teams (409)", async () => {
      const answer = await get(`${apiUrl}/studios/lob-a`, bearer("dana.scientist"));
      expectStatus(answer, 409, "two teams, none named");
      return { detail: `409 ${answer.body}`, value: undefined };
    });
    const danaIn = (team: string) =>
      emulator
        .allProfiles()
        .find(
          (p) =>
            p.tags["studio-access:username"] === "dana.scientist" &&
            p.tags["studio-access:team"] === team,
        );
    await step(
      "dana.scientist: a first sign-in slow to start answers 202 with Retry-After, then opens",
      async () => {
        // Real profiles take seconds to start; past the presigner's 5 s wait it answers 202.
        const usual = emulator.profileStartMs;
        emulator.profileStartMs = 6_000;
        try {
          const started = Date.now();
          const first = await get(`${apiUrl}/studios/lob-a?team=forecasting`, {
            ...bearer("dana.scientist"),
            Accept: "application/json",
          });
          const waited = Date.now() - started;
          expectStatus(first, 202, "slow profile");
          if (first.retryAfter !== "5") throw new Error(`Retry-After ${String(first.retryAfter)}`);
          await new Promise((r) => setTimeout(r, 1_200));
          const second = await get(
            `${apiUrl}/studios/lob-a?team=forecasting`,
            bearer("dana.scientist"),
          );
          expectStatus(second, 302, "once InService");
          return {
            detail: `202 after ${String(waited)} ms, Retry-After: ${first.retryAfter} ${first.body}\nthen 302 once InService`,
            value: undefined,
          };
        } finally {
          emulator.profileStartMs = usual;
        }
      },
    );
    await step(
      "dana.scientist: her second team gets a second profile, with that team's role and tags",
      async () => {
        const started = Date.now();
        const answer = await get(
          `${apiUrl}/studios/lob-a?team=analytics`,
          bearer("dana.scientist"),
        );
        const latencyMs = Date.now() - started;
        expectStatus(answer, 302, "team=analytics");
        const lines = ["analytics", "forecasting"].map((team) => {
          const profile = danaIn(team);
          if (!profile?.executionRole?.endsWith(`/studio-access-team-${team}`))
            throw new Error(`no ${team} profile with the ${team} role`);
          return `${profile.name}: role ${profile.executionRole.split("/").pop() ?? ""}, tags ${JSON.stringify(profile.tags)}`;
        });
        return {
          detail: `analytics: first sign-in ${String(latencyMs)} ms with creation\n${lines.join("\n")}`,
          value: undefined,
        };
      },
    );
    await step(
      "refused by ABAC: analytics deletes forecasting's model; its own is allowed",
      async () => {
        const account = lobs["lob-a"]?.accountId ?? "";
        const role = (team: string) =>
          `arn:aws:iam::${account}:role/studio-access/studio-access-team-${team}`;
        const model = `arn:aws:sagemaker:${emulator.region}:${account}:model/churn`;
        const decide = (team: string, action: string, context: Record<string, string | string[]>) =>
          emulator.decideAsRole(role(team), action, model, context);
        const tagged = (team: string) => ({ "aws:ResourceTag/studio-access:team": team });
        const other = await decide("analytics", "sagemaker:DeleteModel", tagged("forecasting"));
        const own = await decide("analytics", "sagemaker:DeleteModel", tagged("analytics"));
        const untagged = await decide("analytics", "sagemaker:CreateModel", {});
        const asOther = await decide("analytics", "sagemaker:CreateModel", {
          "aws:RequestTag/studio-access:team": "forecasting",
          "aws:TagKeys": ["studio-access:team"],
        });
        if (
          other === "Allowed" ||
          own !== "Allowed" ||
          untagged === "Allowed" ||
          asOther === "Allowed"
        )
          throw new Error(
            `other ${other}, own ${own}, untagged create ${untagged}, create as forecasting ${asOther}`,
          );
        return {
          detail: `DeleteModel of forecasting's model: ${other}; of analytics' own: ${own}; CreateModel untagged: ${untagged}, tagged forecasting: ${asOther}`,
          value: undefined,
        };
      },
    );
    // Issue #21: what a team's Studio may cost. Idle shutdown on the emulator's clock (advanced
    // here, not waited for), and the team's instance types decided by IAM on CreateApp.
    const teamRole = (team: string) =>
      `arn:aws:iam::${lobs["lob-a"]?.accountId ?? ""}:role/studio-access/studio-access-team-${team}`;
    await step(
      "idle shutdown: dana's JupyterLab idle past forecasting's 240 minutes is stopped; her busy Code Editor is kept",
      async () => {
        const profile = danaIn("forecasting");
        if (!profile) throw new Error("no forecasting profile of dana.scientist");
        const idle = profile.idleSettings?.JupyterLab;
        if (idle?.IdleTimeoutInMinutes !== 240 || profile.idleSettings?.CodeEditor === undefined)
          throw new Error(`profile's idle settings: ${JSON.stringify(profile.idleSettings)}`);
        const open = (appType: string, appName: string) =>
          emulator.createAppAs(teamRole("forecasting"), {
            domainId: profile.domainId,
            userProfileName: profile.name,
            appType,
            appName,
            instanceType: "ml.t3.medium",
          });
        const lab = await open("JupyterLab", "idle-lab");
        const editor = await open("CodeEditor", "busy-editor");
        const early = emulator.advanceClock(200);
        emulator.recordActivity(editor);
        const later = emulator.advanceClock(60);
        if (
          early.length > 0 ||
          later.length !== 1 ||
          later[0] !== lab ||
          editor.status !== "InService"
        )
          throw new Error(
            `after 200 min stopped ${String(early.length)}, after 260 min ${later.map((a) => a.appName).join(", ")}; editor ${editor.status}`,
          );
        // She closes her editor herself.
        editor.status = "Deleted";
        return {
          detail: `profile ${profile.name}: IdleSettings ${JSON.stringify(idle)} (from the LOB's row)\nclock +200 min: nothing stopped; +260 min: JupyterLab idle-lab ${lab.status}, CodeEditor busy-editor (active 60 min ago) kept`,
          value: undefined,
        };
      },
    );
    await step(
      "instance types: forecasting is refused ml.p4d.24xlarge (AccessDenied, an explicit deny) and starts ml.g4dn.xlarge",
      async () => {
        const profile = danaIn("forecasting");
        if (!profile) throw new Error("no forecasting profile of dana.scientist");
        const open = (instanceType: string) =>
          emulator.createAppAs(teamRole("forecasting"), {
            domainId: profile.domainId,
            userProfileName: profile.name,
            appType: "JupyterLab",
            appName: instanceType.replace(/\./g, "-"),
            instanceType,
          });
        let refusal = "";
        try {
          await open("ml.p4d.24xlarge");
        } catch (error) {
          refusal = (error as Error).message;
        }
        if (
          !refusal.startsWith("AccessDeniedException") ||
          !refusal.endsWith("with an explicit deny in an identity-based policy")
        )
          throw new Error(`ml.p4d.24xlarge: ${refusal || "started"}`);
        const gpu = await open("ml.g4dn.xlarge");
        gpu.status = "Deleted";
        return {
          detail: `ml.p4d.24xlarge: ${refusal}\nml.g4dn.xlarge: started (${gpu.appName})`,
          value: undefined,
        };
      },
    );
    // The SAML entry: IAM Identity Center's application tile posts a signed response to the ACS.
    const samlOut = shared.outputs.saml as { acsUrl: string; spEntityId: string };
    const sp = { acsUrl: samlOut.acsUrl, spEntityId: samlOut.spEntityId };
    const postSaml = (samlResponse: string, relayState?: string) =>
      post(`${apiUrl}/saml`, {
        SAMLResponse: samlResponse,
        ...(relayState ? { RelayState: relayState } : {}),
      });
    const samlLogged = () =>
      [...functions.values()]
        .filter((f) => f.name.endsWith("saml"))
        .flatMap((f) => f.logs)
        .at(-1);
    const firstSaml = idp.signedResponse(idp.fields(sp, "user-lob-b"));
    await step("SAML: user-lob-b signs in at the IdP and lands in lob-b's Studio", async () => {
      const answer = await postSaml(firstSaml);
      expectStatus(answer, 302, "POST /saml");
      const [url, headers] = throughListener(
        answer.location ?? "",
        resolve(new URL(answer.location ?? "").host),
      );
      const opened = await get(url, headers);
      expectStatus(opened, 200, "Studio from SAML");
      return {
        detail: `302, then 200 ${opened.body
          .replace(/<[^>]+>/g, " ")
          .replace(/\s+/g, " ")
          .trim()}`,
        value: undefined,
      };
    });
    await step(
      "SAML: dana.scientist (two teams of lob-a) signs in with no RelayState, is offered each team, and lands in the one she picks",
      async () => {
        // Before #20: a 403 page, logged team-required at level error (one button per LOB).
        const chooser = await postSaml(idp.signedResponse(idp.fields(sp, "dana.scientist")));
        expectStatus(chooser, 200, "the chooser");
        const forms = chooserForms(chooser.body);
        const labels = forms.map((f) => f.label);
        if (labels.join(", ") !== "lob-a — analytics, lob-a — forecasting")
          throw new Error(`the chooser offers ${labels.join(", ")}`);
        const picked = forms.find((f) => f.label === "lob-a — forecasting")?.fields ?? {};
        const cookie = (chooser.setCookies ?? [])
          .map((c) => c.split(";")[0] ?? "")
          .filter((c) => c.startsWith("__Host-"))
          .join("; ");
        const answer = await post(`${apiUrl}/saml`, picked, { Cookie: cookie });
        expectStatus(answer, 302, "the chosen team");
        const [url, headers] = throughListener(
          answer.location ?? "",
          resolve(new URL(answer.location ?? "").host),
        );
        const opened = await get(url, headers);
        expectStatus(opened, 200, "Studio from the chooser");
        const who = /<p id="who">([^<]*)<\/p>/.exec(opened.body)?.[1] ?? "";
        const profile = teamProfileName("dana.scientist", "forecasting") ?? "";
        if (!who.startsWith(`${profile} in `)) throw new Error(`landed as ${who}, not ${profile}`);
        const line = samlLogged();
        if (line?.team !== "forecasting" || line.level === "error")
          throw new Error(`logged ${JSON.stringify(line)}`);
        return {
          detail: `200 chooser: ${labels.join(" | ")} (one-time choice, cookie ${cookie.split("=")[0] ?? ""})\npicked lob-a — forecasting: 302, then 200 Studio as ${who}`,
          value: undefined,
        };
      },
    );
    const stranger = await TestIdp.create(idp.entityId);
    // For a person (and a browser test): the IdP's tile page, and the Studio endpoint over TLS.
    const idpPage = await serveIdp(idp, sp, `${apiUrl}/saml`);
    cleanups.unshift(() => idpPage.close());
    const studioListener = resolve(`d-000000000000.studio.${region}.sagemaker.aws`);
    const studioTls = await emulator.tlsListener(studioListener.vpceId ?? "");
    const samlRefusals: [string, () => string][] = [
      [
        "an unsigned response",
        () => {
          const f = idp.fields(sp, "user-lob-b");
          return Buffer.from(idp.response(idp.assertion(f), f)).toString("base64");
        },
      ],
      [
        "a response signed by another key",
        () => stranger.signedResponse(idp.fields(sp, "user-lob-b")),
      ],
      ["the same response again (a replay)", () => firstSaml],
      [
        "a response for another audience",
        () => idp.signedResponse({ ...idp.fields(sp, "user-lob-b"), audience: "urn:another:sp" }),
      ],
      [
        "an expired assertion",
        () => {
          const past = new Date(Date.now() - 15 * 60_000);
          return idp.signedResponse({
            ...idp.fields(sp, "user-lob-b", past),
            notOnOrAfter: new Date(Date.now() - 2 * 60_000),
          });
        },
      ],
    ];
    for (const [what, build] of samlRefusals) {
      await step(`refused: SAML, ${what} (403 page, reason logged)`, async () => {
        const answer = await postSaml(build());
        expectStatus(answer, 403, what);
        if (answer.location) throw new Error("a refused response redirected");
        const line = samlLogged();
        if (line?.outcome !== "refused") throw new Error(`logged ${JSON.stringify(line)}`);
        return { detail: `403 page; logged: ${String(line.reason)}`, value: undefined };
      });
    }

    await step("refused: user-lob-b asks for lob-a's Studio (403)", async () => {
      const answer = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-b"));
      expectStatus(answer, 403, "user-lob-b on lob-a");
      return { detail: `403 ${answer.body}`, value: undefined };
    });
    await step("refused: no token (401)", async () => {
      const answer = await get(`${apiUrl}/studios/lob-a`);
      expectStatus(answer, 401, "no token");
      return { detail: `401 ${answer.body}`, value: undefined };
    });
    await step("refused: a tampered token (401)", async () => {
      const [header = "", payload = "", signature = ""] = tokenOf("user-lob-a").split(".");
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
        string,
        unknown
      >;
      const forged = Buffer.from(JSON.stringify({ ...claims, username: "user-lob-b" })).toString(
        "base64url",
      );
      const answer = await get(`${apiUrl}/studios/lob-b`, {
        Authorization: `Bearer ${header}.${forged}.${signature}`,
      });
      expectStatus(answer, 401, "tampered token");
      return {
        detail: `401 ${answer.body} (username changed to user-lob-b after signing)`,
        value: undefined,
      };
    });
    await step("refused: a request from outside the execute-api endpoint (403)", async () => {
      // The same API path, reached from the internet rather than through the hub's endpoint.
      const outside = apiUrl.replace(apiListener.url, emulator.publicListener.url);
      const answer = await get(`${outside}/studios/lob-a`, bearer("user-lob-a"));
      expectStatus(answer, 403, "outside the endpoint");
      return { detail: `403 ${answer.body}`, value: undefined };
    });
    await step("refused: the portal from outside the execute-api endpoint (403)", async () => {
      // The page and its assets, reached from the internet rather than through the hub's endpoint:
      // the resource policy refuses them as it refuses every other route.
      const outside = apiUrl.replace(apiListener.url, emulator.publicListener.url);
      const answers = await Promise.all(
        [`${outside}/`, outside, `${outside}/settings`].map((u) => get(u)),
      );
      for (const answer of answers) expectStatus(answer, 403, "the portal outside the endpoint");
      return { detail: `403 ${answers[0]?.body ?? ""}`, value: undefined };
    });
    // The API's private custom domain name, when the hub config sets one (apiDomain).
    const apiDomain = await domainSteps(step, {
      api,
      emulator,
      resolve,
      bearer: () => bearer("user-lob-a"),
    });
    await step(
      "refused: a presigned URL opened through a non-hub endpoint (IAM denies)",
      async () => {
        const answer = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-a"));
        expectStatus(answer, 302, "GET /studios/lob-a");
        const [url, headers] = throughListener(answer.location ?? "", emulator.foreignListener);
        const opened = await get(url, headers);
        expectStatus(opened, 403, "Studio through a non-hub endpoint");
        return { detail: `403 ${opened.body}`, value: undefined };
      },
    );
    await step(
      "refused: the presigner invoked directly, past the authorizer, with a forged context (401)",
      async () => {
        const presigner = [...functions.values()].find((f) => f.name.endsWith("presigner"));
        if (!presigner) throw new Error("no presigner function");
        const answer = await presigner.invoke<{ statusCode: number; body: string }>({
          resource: "/studios/{lob}",
          path: "/studios/lob-a",
          httpMethod: "GET",
          headers: {},
          pathParameters: { lob: "lob-a" },
          requestContext: { authorizer: { username: "user-lob-a", principalId: "forged" } },
        });
        if (answer.statusCode !== 401)
          throw new Error(`expected 401, got ${String(answer.statusCode)} ${answer.body}`);
        return { detail: `401 ${answer.body}`, value: undefined };
      },
    );
    await step(
      "refused: lob-b's deployer role writes an entitlement to lob-a (DynamoDB denies)",
      async () => {
        const lobB = lobs["lob-b"];
        const roleArn = (shared.outputs.deployerRoleArns as Record<string, string>)["lob-b"];
        if (!lobB || !roleArn) throw new Error("no lob-b deployer");
        const asLobB = await deployer.dynamoAs(lobB.deployer, roleArn);
        const refused = await asLobB
          .send(
            new PutItemCommand({
              TableName: String(shared.outputs.usersTableName),
              Item: {
                lob: { S: "lob-a" },
                userTeam: { S: "user-lob-b#analytics" },
                username: { S: "user-lob-b" },
                team: { S: "analytics" },
                profileName: { S: teamProfileName("user-lob-a", "analytics") ?? "" },
              },
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => (error instanceof Error ? error.name : String(error)),
          );
        if (refused !== "AccessDeniedException")
          throw new Error(`expected AccessDeniedException, got ${refused ?? "success"}`);
        return { detail: `${refused} (dynamodb:LeadingKeys is lob-b only)`, value: undefined };
      },
    );
    await step(
      "refused: lob-a's pipeline, administrator of its account, creates a Studio URL outside the hub (the SCP denies)",
      async () => {
        const pipeline = lobs["lob-a"]?.deployer;
        const profile = profileOf(teamProfileName("user-lob-a", "analytics") ?? "");
        if (!pipeline || !profile) throw new Error("no lob-a pipeline or profile");
        const denials = () =>
          emulator.calls.get("SageMaker.CreatePresignedDomainUrl:ExplicitlyDenied") ?? 0;
        const before = denials();
        // Its identity policy allows everything and the non-hub endpoint has no policy: only the
        // SCP can refuse it.
        const client = new SageMakerClient({
          region,
          endpoint: emulator.foreignListener.url,
          credentials: emulator.issueCredentials(pipeline),
          maxAttempts: 1,
        });
        const refused = await client
          .send(
            new CreatePresignedDomainUrlCommand({
              DomainId: profile.domainId,
              UserProfileName: profile.name,
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => (error instanceof Error ? error.name : String(error)),
          )
          .finally(() => {
            client.destroy();
          });
        if (refused !== "AccessDeniedException" || denials() !== before + 1)
          throw new Error(`expected the SCP's explicit deny, got ${refused ?? "a URL"}`);
        return {
          detail: `${refused} (an explicit deny, the SCP's, through a non-hub endpoint)`,
          value: undefined,
        };
      },
    );
    await step(
      "refused: an entitlement forged with admin rights naming a colleague's profile (no URL)",
      async () => {
        // Written straight to the table, as an administrator of the hub account could.
        const forged = {
          lob: "lob-a",
          userTeam: "user-lob-b#analytics",
          username: "user-lob-b",
          team: "analytics",
          profileName: teamProfileName("user-lob-a", "analytics") ?? "",
        };
        const table = String(shared.outputs.usersTableName);
        await deployer.dynamo.send(
          new PutItemCommand({
            TableName: table,
            Item: Object.fromEntries(Object.entries(forged).map(([k, v]) => [k, { S: v }])),
          }),
        );
        try {
          const answer = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-b"));
          if (answer.status === 302 || answer.location)
            throw new Error(`the forged row opened Studio: ${String(answer.status)}`);
          expectStatus(answer, 502, "forged entitlement");
          return { detail: `${String(answer.status)} ${answer.body}`, value: undefined };
        } finally {
          await deployer.dynamo.send(
            new DeleteItemCommand({
              TableName: table,
              Key: { lob: { S: "lob-a" }, userTeam: { S: "user-lob-b#analytics" } },
            }),
          );
        }
      },
    );
    // Entitlements as data: a platform engineer runs `studio-access admin` (the CLI's own code, in
    // its own process) with their own credentials, through the hub's admin role.
    const adminDir = path.join(services.stateDir, "admin-cli");
    const adminPrincipal = (shared.outputs.adminRoleArn as string | undefined)
      ? "arn:aws:iam::111111111111:role/platform-engineer"
      : "";
    const adminCli = (args: string[], principal = adminPrincipal) =>
      runCli(args, {
        ...awsCredentialsEnv(emulator.issueCredentials(principal)),
        STUDIO_ACCESS_CONFIG_DIR: adminDir,
        // Outside any VPC, as from an engineer's laptop: STS and DynamoDB at their public
        // endpoints, Cognito at cognito-local.
        AWS_ENDPOINT_URL_STS: emulator.publicListener.url,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoGateway,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: services.cognitoUrl,
        // admin usage reads the LOBs' apps at SageMaker's public endpoint (#21).
        AWS_ENDPOINT_URL_SAGEMAKER: emulator.publicListener.url,
      });
    /**
     * Polls `admin list` until the user's row in the LOB is `offboarded` (kept as the marker that
     * keeps them out); returns the states it saw, from `since`.
     */
    const untilOffboarded = async (user: string, lob: string, since = Date.now()) => {
      const states: string[] = [];
      for (;;) {
        const listed = await adminCli(["admin", "list", "--user", user, "--json"]);
        const rows = (
          JSON.parse(listed.stdout) as {
            entitlements: { lob: string; team: string; state: string }[];
          }
        ).entitlements.filter((r) => r.lob === lob);
        const state = rows.map((r) => r.state).join(",") || "gone";
        if (states.at(-1) !== state) states.push(state);
        if (state === "offboarded") return { states, elapsed: Date.now() - since };
        if (state === "gone") throw new Error(`${user}'s ${lob} row was deleted, not kept`);
        if (Date.now() - since > 60_000)
          throw new Error(
            `still ${state} after 60 s; lifecycle ${JSON.stringify([...functions.values()].flatMap((f) => f.logs).filter((l) => l.message === "offboard" || l.message === "record"))}`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await step(
      "admin: a platform engineer grants user-lob-b lob-a's forecasting team; their first sign-in there makes the profile",
      async () => {
        const configured = await adminCli(
          String(shared.outputs.adminConfigure).split(" ").slice(1),
        );
        if (configured.code !== 0) throw new Error(configured.stderr);
        const granted = await adminCli([
          "admin",
          "grant",
          "user-lob-b",
          "lob-a",
          "--team",
          "forecasting",
        ]);
        if (granted.code !== 0) throw new Error(`exit ${String(granted.code)}: ${granted.stderr}`);
        const answer = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-b"));
        expectStatus(answer, 302, "user-lob-b on lob-a after the grant");
        const profile = profileOf(teamProfileName("user-lob-b", "forecasting") ?? "");
        if (profile?.tags["studio-access:team"] !== "forecasting")
          throw new Error("no forecasting profile for user-lob-b");
        return {
          detail: `${granted.stdout.trim()}\nthen GET /studios/lob-a: 302`,
          value: undefined,
        };
      },
    );
    // admin usage (#21): the running apps, by LOB, team and user, through each LOB's usage reader.
    await step(
      "admin usage: a platform engineer lists the running Studio apps by LOB, team and user (--json, --idle-over 2h)",
      async () => {
        // What runs, as the emulator holds it: each app's LOB (its domain's tag) and its profile's
        // team and user tags.
        const expected = emulator.apps
          .filter((a) => a.status === "InService")
          .map((a) => {
            const domain = emulator.domains.get(a.domainId);
            const tags = domain?.profiles.get(a.userProfileName)?.tags ?? {};
            return [
              domain?.tags["studio-access:lob"],
              tags["studio-access:team"],
              tags["studio-access:username"],
              a.appType,
              a.instanceType,
            ].join(" ");
          })
          .sort();
        if (expected.length === 0) throw new Error("no app runs: nothing to list");
        const listed = await adminCli(["admin", "usage", "--json"]);
        if (listed.code !== 0) throw new Error(`exit ${String(listed.code)}: ${listed.stderr}`);
        const { apps } = JSON.parse(listed.stdout) as {
          apps: {
            lob: string;
            team: string;
            user: string;
            appType: string;
            instanceType: string;
            idleSeconds: number | null;
          }[];
        };
        const rows = apps
          .map((a) => [a.lob, a.team, a.user, a.appType, a.instanceType].join(" "))
          .sort();
        if (JSON.stringify(rows) !== JSON.stringify(expected))
          throw new Error(
            `admin usage listed ${JSON.stringify(rows)}, not ${JSON.stringify(expected)}`,
          );
        // One app last used three hours ago: --idle-over 2h keeps it alone.
        const idle = emulator.apps.find((a) => a.status === "InService");
        if (!idle) throw new Error("no app runs");
        const lastUsed = idle.lastActivity;
        idle.lastActivity = Date.now() - 3 * 3600_000;
        try {
          const idleOver = await adminCli(["admin", "usage", "--idle-over", "2h"]);
          if (idleOver.code !== 0)
            throw new Error(`exit ${String(idleOver.code)}: ${idleOver.stderr}`);
          const lines = idleOver.stdout.trimEnd().split("\n");
          const profile = emulator.domains.get(idle.domainId)?.profiles.get(idle.userProfileName);
          if (
            lines.length !== 2 ||
            !lines[1]?.includes(String(profile?.tags["studio-access:username"])) ||
            !/ 3h 00m$/.test(lines[1])
          )
            throw new Error(`admin usage --idle-over 2h printed ${idleOver.stdout}`);
          const table = await adminCli(["admin", "usage"]);
          return {
            detail: `${table.stdout.trimEnd()}\n--idle-over 2h (one app last used 3 hours ago):\n${idleOver.stdout.trimEnd()}`,
            value: undefined,
          };
        } finally {
          idle.lastActivity = lastUsed;
        }
      },
    );
    /** user-lob-b's lob-a/forecasting entitlement as `admin list` shows it (one line). */
    const forecastingOfLeeB = async () => {
      const listed = await adminCli(["admin", "list", "--user", "user-lob-b", "--json"]);
      if (listed.code !== 0) throw new Error(`admin list: ${listed.stderr}`);
      return (
        JSON.parse(listed.stdout) as {
          entitlements: { lob: string; team: string; state: string; source: string }[];
        }
      ).entitlements.find((r) => r.lob === "lob-a" && r.team === "forecasting");
    };
    /** The lifecycle function's decision on a stream record of `userTeam`, once it logged one. */
    const decisionOn = async (userTeam: string, eventName: string, since: number) => {
      const started = Date.now();
      for (;;) {
        const line = [...functions.values()]
          .flatMap((f) => f.logs)
          .find(
            (l) =>
              l.message === "record" &&
              l.userTeam === userTeam &&
              l.eventName === eventName &&
              Number(l.sequence) > since,
          );
        if (line) return line;
        if (Date.now() - started > 30_000)
          throw new Error(`the lifecycle function logged no decision on ${eventName} ${userTeam}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    /** The emulated stream's last sequence number so far: later records are the step's own. */
    const lastSequence = () =>
      Math.max(
        0,
        ...[...functions.values()]
          .flatMap((f) => f.logs)
          .filter((l) => l.message === "record")
          .map((l) => Number(l.sequence)),
      );
    await step(
      "pulumi up -s lob-a with user-lob-b added to forecasting, whom an admin granted it: the config seed and the admin grant stand side by side (config + admin)",
      async () => {
        const { summary } = await redeploy("lob-a", withMember("forecasting", "user-lob-b", true));
        const row = await forecastingOfLeeB();
        if (row?.state !== "active" || row.source !== "config + admin")
          throw new Error(`admin list shows ${JSON.stringify(row)}`);
        const answer = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-b"));
        expectStatus(answer, 302, "user-lob-b on lob-a with both rows");
        return {
          detail: `pulumi up -s lob-a: ${summary}\nadmin list: lob-a/forecasting user-lob-b ${row.state}, ${row.source}; GET /studios/lob-a: 302`,
          value: undefined,
        };
      },
    );
    await step(
      "pulumi up -s lob-a without user-lob-b again: the seed goes, the admin grant stands, and the lifecycle function leaves the profile",
      async () => {
        const since = lastSequence();
        const { summary } = await redeploy("lob-a", (config) => config);
        const decision = await decisionOn(seedKey("user-lob-b", "forecasting"), "REMOVE", since);
        if (decision.decision !== "skip")
          throw new Error(`the seed's removal was acted on: ${JSON.stringify(decision)}`);
        const row = await forecastingOfLeeB();
        if (row?.state !== "active" || row.source !== "admin")
          throw new Error(`admin list shows ${JSON.stringify(row)}`);
        if (!profileOf(teamProfileName("user-lob-b", "forecasting") ?? ""))
          throw new Error("user-lob-b's forecasting profile went");
        const answer = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-b"));
        expectStatus(answer, 302, "user-lob-b on lob-a through the admin grant alone");
        return {
          detail: `pulumi up -s lob-a: ${summary}\nlifecycle function: ${decision.decision} (${String(decision.reason)}); admin list: ${row.state}, ${row.source}; GET /studios/lob-a: 302, profile kept`,
          value: undefined,
        };
      },
    );
    await step(
      "a look-alike username (dana.scientist's profile name), granted by an admin, gets a profile of its own, never dana's",
      async () => {
        const danas = teamProfileName("dana.scientist", "analytics") ?? "";
        const before = JSON.stringify(profileOf(danas));
        const lookAlike = danas;
        const granted = await adminCli([
          "admin",
          "grant",
          lookAlike,
          "lob-a",
          "--team",
          "analytics",
        ]);
        if (granted.code !== 0) throw new Error(`exit ${String(granted.code)}: ${granted.stderr}`);
        // The look-alike signs in through the IdP (no Cognito user needed), naming lob-a/analytics.
        const answer = await postSaml(
          idp.signedResponse(idp.fields(sp, lookAlike)),
          "lob-a/analytics",
        );
        expectStatus(answer, 302, "the look-alike's SAML sign-in");
        const [url, headers] = throughListener(
          answer.location ?? "",
          resolve(new URL(answer.location ?? "").host),
        );
        const opened = await get(url, headers);
        expectStatus(opened, 200, "the look-alike's Studio");
        const own = teamProfileName(lookAlike, "analytics") ?? "";
        const who = /<p id="who">([^<]*) in /.exec(opened.body)?.[1];
        if (who !== own || own === danas) throw new Error(`opened ${String(who)}, not ${own}`);
        if (profileOf(own)?.tags["studio-access:username"] !== lookAlike)
          throw new Error("the look-alike's profile is not tagged with their username");
        if (JSON.stringify(profileOf(danas)) !== before) throw new Error("dana's profile changed");
        return {
          detail: `${granted.stdout.trim()}
SAML sign-in as ${lookAlike}: opened ${own}; dana.scientist's ${danas} untouched`,
          value: undefined,
        };
      },
    );
    await step("refused: admin by a principal not among the hub's admins (exit 3)", async () => {
      const refused = await adminCli(
        ["admin", "grant", "user-lob-b", "lob-a"],
        "arn:aws:iam::222222222222:role/lob-a-admin",
      );
      if (refused.code !== 3) throw new Error(`exit ${String(refused.code)}: ${refused.stderr}`);
      return { detail: `exit 3: ${refused.stderr.trim()}`, value: undefined };
    });
    await step("refused: admin revoke of a member from a stack's config (exit 2)", async () => {
      const refused = await adminCli(["admin", "revoke", "user-lob-a", "lob-a"]);
      if (refused.code !== 2) throw new Error(`exit ${String(refused.code)}: ${refused.stderr}`);
      return { detail: `exit 2: ${refused.stderr.trim()}`, value: undefined };
    });
    await step(
      "admin revoke: user-lob-b leaves lob-a's forecasting; Studio refuses them at once, their app, space and profile are drained and deleted, and the row stays offboarded",
      async () => {
        // Their forecasting Studio in use: an app running (opened) and a space of theirs.
        const opened = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-b"));
        expectStatus(opened, 302, "user-lob-b in forecasting");
        const [url, headers] = throughListener(
          opened.location ?? "",
          resolve(new URL(opened.location ?? "").host),
        );
        expectStatus(await get(url, headers), 200, "user-lob-b's forecasting Studio");
        const profile = profileOf(teamProfileName("user-lob-b", "forecasting") ?? "");
        if (!profile) throw new Error("no forecasting profile for user-lob-b");
        emulator.createSpace(profile.domainId, "demand-model", profile.name);
        // Their home directory on lob-a's EFS, made when the app opened (lob-a removes homes).
        const home = emulator.homeDirectory(profile.domainId, profile.homeUid);
        if (!home || !existsSync(home)) throw new Error("no home directory for their profile");
        const started = Date.now();
        const revoked = await adminCli(["admin", "revoke", "user-lob-b", "lob-a"]);
        if (revoked.code !== 0) throw new Error(`exit ${String(revoked.code)}: ${revoked.stderr}`);
        const refused = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-b"));
        expectStatus(refused, 403, "user-lob-b after the revoke");
        const { states, elapsed } = await untilOffboarded("user-lob-b", "lob-a", started);
        if (profileOf(profile.name)) throw new Error("their forecasting profile remains");
        if (emulator.apps.some((a) => a.userProfileName === profile.name && a.status !== "Deleted"))
          throw new Error("their forecasting app remains");
        if (emulator.domains.get(profile.domainId)?.spaces.has("demand-model"))
          throw new Error("their space remains");
        if (!profileOf(teamProfileName("user-lob-b", "default") ?? ""))
          throw new Error("their lob-b profile went too");
        if (existsSync(home))
          throw new Error("their home directory remains (homeDirectories remove)");
        const removal = [...functions.values()]
          .flatMap((f) => f.logs)
          .find((l) => l.message === "home" && l.uid === profile.homeUid);
        const line = [...functions.values()]
          .flatMap((f) => f.logs)
          .find((l) => l.message === "offboard" && l.profile === profile.name);
        const after = await adminCli(["admin", "list", "--lob", "lob-a"]);
        return {
          detail: `${revoked.stdout.trim()}\nthen 403 ${refused.body}\nadmin list saw ${states.join(" -> ")} within ${String(elapsed)} ms (lifecycle function: ${String(line?.outcome)} in ${String(line?.latencyMs)} ms; the row kept as the marker)\nprofile, app and space gone; home directory /${profile.homeUid} on lob-a's EFS ${String(removal?.outcome)} (${String(removal?.entries)} entries; lob-a's homeDirectories: remove); user-lob-b's lob-b profile kept\n${after.stdout.trimEnd()}`,
          value: undefined,
        };
      },
    );
    await step(
      "pulumi up -s lob-a with the offboarded user-lob-b added to forecasting: the seed opens Studio over the kept admin row, and dropping it again drains the profile",
      async () => {
        const added = await redeploy("lob-a", withMember("forecasting", "user-lob-b", true));
        const row = await forecastingOfLeeB();
        if (row?.state !== "active" || row.source !== "config + admin (offboarded)")
          throw new Error(`admin list shows ${JSON.stringify(row)}`);
        const answer = await get(`${apiUrl}/studios/lob-a`, bearer("user-lob-b"));
        expectStatus(answer, 302, "user-lob-b on lob-a through the seed");
        const profile = teamProfileName("user-lob-b", "forecasting") ?? "";
        if (!profileOf(profile)) throw new Error("no forecasting profile for user-lob-b");
        const since = lastSequence();
        const started = Date.now();
        const dropped = await redeploy("lob-a", (config) => config);
        const decision = await decisionOn(seedKey("user-lob-b", "forecasting"), "REMOVE", since);
        if (decision.decision !== "offboard")
          throw new Error(`the seed's removal was not acted on: ${JSON.stringify(decision)}`);
        while (profileOf(profile)) {
          if (Date.now() - started > 60_000) throw new Error(`${profile} still there after 60 s`);
          await new Promise((r) => setTimeout(r, 200));
        }
        const after = await forecastingOfLeeB();
        if (after?.state !== "offboarded" || after.source !== "admin")
          throw new Error(`admin list shows ${JSON.stringify(after)}`);
        return {
          detail: `pulumi up -s lob-a: ${added.summary}\nadmin list: ${row.state}, ${row.source}; GET /studios/lob-a: 302, profile ${profile} made\npulumi up -s lob-a: ${dropped.summary}\nlifecycle function: ${decision.decision} (${String(decision.reason)}); profile gone within ${String(Date.now() - started)} ms; admin list: ${after.state}, ${after.source}`,
          value: undefined,
        };
      },
    );
    // The replacement guard (#21, stacks/replacement-guard.ts): a change that would replace the
    // Studio domain (and so its home EFS) is refused at plan time, before anything is declared.
    await step(
      "refused: pulumi up -s lob-a with homeEfsRetention Delete would replace the Studio domain and its home EFS (the message names the change and allowReplacement); availabilityZones 3 beyond the hub's 2 zones is refused as invalid config, not as a replacement; nothing changed",
      async () => {
        const snapshot = () =>
          JSON.stringify({
            domains: [...emulator.domains.values()],
            vpcs: [...emulator.vpcs.values()],
            fileSystems: [...emulator.fileSystems.values()],
            profiles: emulator.allProfiles().map((p) => p.name),
            resources: deployer.emulated("lob-a"),
            outputs: outputs[fullStackName("lob-a")],
          });
        const before = snapshot();
        const refusal = (change: Record<string, string>) =>
          redeploy("lob-a", (config) => ({ ...config, ...change })).then(
            () => undefined,
            (error: unknown) => (error as Error).message,
          );
        const refused = await refusal({ "studio-access:homeEfsRetention": "Delete" });
        if (refused === undefined) throw new Error("pulumi up -s lob-a was not refused");
        for (const expected of [
          "would replace stateful resources",
          "(domain): studio-access:homeEfsRetention changed Retain → Delete",
          "the users' home directories",
          "set studio-access:allowReplacement: [domain] for this one update",
        ])
          if (!refused.includes(expected))
            throw new Error(`the refusal lacks "${expected}": ${refused}`);
        // An invalid change is refused for what it is: the config's own checks come first.
        const invalid = await refusal({ "studio-access:availabilityZones": "3" });
        if (
          invalid === undefined ||
          !invalid.includes("studio-access:availabilityZones is 3: expected at most the hub's 2") ||
          invalid.includes("allowReplacement")
        )
          throw new Error(
            `availabilityZones 3 was not refused as invalid config: ${String(invalid)}`,
          );
        if (snapshot() !== before) throw new Error("the refused updates changed the emulator");
        return {
          detail: `${refused}\n${invalid}\nemulator: domains, VPCs, file systems, profiles and lob-a's resources as before`,
          value: undefined,
        };
      },
    );
    await step(
      "a decoy row written and deleted by lob-a's deployer leaves user-lob-a's Studio and home untouched",
      async () => {
        // Issue 17: a row keyed decoy#analytics whose body names user-lob-a. Before, its delete
        // offboarded user-lob-a; the lifecycle now reads whose entitlement it is from the key.
        const profile = profileOf(teamProfileName("user-lob-a", "analytics") ?? "");
        if (!profile) throw new Error("no analytics profile for user-lob-a");
        const home = emulator.homeDirectory(profile.domainId, profile.homeUid);
        if (!home || !existsSync(home)) throw new Error("no home directory for user-lob-a");
        const liveApps = () =>
          emulator.apps.filter((a) => a.userProfileName === profile.name && a.status !== "Deleted")
            .length;
        const appsBefore = liveApps();
        const lobA = lobs["lob-a"];
        const roleArn = (shared.outputs.deployerRoleArns as Record<string, string>)["lob-a"];
        if (!lobA || !roleArn) throw new Error("no lob-a deployer");
        const asLobA = await deployer.dynamoAs(lobA.deployer, roleArn);
        const table = String(shared.outputs.usersTableName);
        const decoy = {
          lob: "lob-a",
          userTeam: "decoy#analytics",
          username: "user-lob-a",
          team: "analytics",
          profileName: profile.name,
        };
        await asLobA.send(
          new PutItemCommand({
            TableName: table,
            Item: Object.fromEntries(Object.entries(decoy).map(([k, v]) => [k, { S: v }])),
          }),
        );
        await asLobA.send(
          new DeleteItemCommand({
            TableName: table,
            Key: { lob: { S: "lob-a" }, userTeam: { S: "decoy#analytics" } },
          }),
        );
        // The lifecycle function logs its decision on the delete's record before it acts.
        const started = Date.now();
        let decision: Record<string, unknown> | undefined;
        while (!decision) {
          decision = [...functions.values()]
            .flatMap((f) => f.logs)
            .find(
              (l) =>
                l.message === "record" &&
                l.userTeam === "decoy#analytics" &&
                l.eventName === "REMOVE",
            );
          if (decision) break;
          if (Date.now() - started > 20_000)
            throw new Error("the lifecycle function logged no decision for the decoy's delete");
          await new Promise((r) => setTimeout(r, 100));
        }
        if (decision.decision !== "skip")
          throw new Error(`the decoy's delete was acted on: ${JSON.stringify(decision)}`);
        if (!profileOf(profile.name)) throw new Error("user-lob-a's analytics profile went");
        if (!existsSync(home)) throw new Error("user-lob-a's home directory went");
        if (liveApps() !== appsBefore) throw new Error("user-lob-a's apps were deleted");
        if (!emulator.domains.get(profile.domainId)?.spaces.has("churn-model"))
          throw new Error("user-lob-a's space went");
        return {
          detail: `PutItem then DeleteItem of lob-a/decoy#analytics (body: user-lob-a, analytics) as lob-a's deployer\nlifecycle function: ${decision.decision} (${String(decision.reason)}) within ${String(Date.now() - started)} ms\nuser-lob-a's profile ${profile.name}, its ${String(appsBefore)} app(s), space churn-model and home directory /${profile.homeUid} untouched`,
          value: undefined,
        };
      },
    );
    // #21, operators hear first: a lifecycle record that fails three times lands in the on-failure
    // queue (Lambda's record of the discarded batch), where an operator reads it.
    await step(
      "a revoke whose LOB lifecycle role lost its permissions fails three times, lands in the on-failure queue, and the operator reads it there and re-drives it",
      async () => {
        const LOB_A_ACCOUNT = lobs["lob-a"]?.accountId ?? "";
        const lifecycleRole = emulator.roleArnByName(LOB_A_ACCOUNT, "StudioAccessRole-lifecycle");
        if (!lifecycleRole) throw new Error("no lob-a lifecycle role");
        const queueArn = String(
          shared.resources.find((r) => r.type === "aws:sqs/queue:Queue")?.state.arn,
        );
        // Realistic failure: lob-a's administrator takes the lifecycle role's permissions away (the
        // function's cached credentials for it still sign, and every SageMaker call is denied).
        const restore = emulator.suspendRolePolicies(lifecycleRole);
        const started = Date.now();
        let states: string[] = [];
        let message: { body: string } | undefined;
        try {
          const granted = await adminCli([
            "admin",
            "grant",
            "new.scientist",
            "lob-a",
            "--team",
            "forecasting",
          ]);
          if (granted.code !== 0) throw new Error(`grant: ${granted.stderr}`);
          const revoked = await adminCli([
            "admin",
            "revoke",
            "new.scientist",
            "lob-a",
            "--team",
            "forecasting",
          ]);
          if (revoked.code !== 0) throw new Error(`revoke: ${revoked.stderr}`);
          // First try and three retries, a second apart in the emulator, then the queue.
          while (!message) {
            [message] = emulator.sqs.receive(queueArn, 1, 30);
            if (message) break;
            if (Date.now() - started > 60_000)
              throw new Error(
                `nothing in the on-failure queue after 60 s: ${JSON.stringify(emulator.sqs.attributes(queueArn))}`,
              );
            await new Promise((r) => setTimeout(r, 200));
          }
          const listed = await adminCli(["admin", "list", "--user", "new.scientist", "--json"]);
          states = (
            JSON.parse(listed.stdout) as {
              entitlements: { lob: string; team: string; state: string }[];
            }
          ).entitlements
            .filter((r) => r.lob === "lob-a" && r.team === "forecasting")
            .map((r) => r.state);
          if (!states.includes("drain-failed"))
            throw new Error(`admin list shows ${states.join(",")}, not drain-failed`);
        } finally {
          restore();
        }
        const record = JSON.parse(message.body) as {
          requestContext: {
            condition: string;
            approximateInvokeCount: number;
            functionArn: string;
          };
          DDBStreamBatchInfo: { startSequenceNumber: string; streamArn: string; batchSize: number };
        };
        if (
          record.requestContext.condition !== "RetryAttemptsExhausted" ||
          record.requestContext.approximateInvokeCount !== 4
        )
          throw new Error(`the queue's record says ${message.body}`);
        const failures = [...functions.values()]
          .flatMap((f) => f.logs)
          .filter(
            (l) =>
              l.message === "offboard" && l.username === "new.scientist" && l.outcome === "failed",
          );
        if (failures.length !== 4)
          throw new Error(`${String(failures.length)} failed offboard lines, not 4`);
        // The runbook: the cause fixed (the permissions restored), revoke again: the row is offboarded.
        const since = Date.now();
        const again = await adminCli([
          "admin",
          "revoke",
          "new.scientist",
          "lob-a",
          "--team",
          "forecasting",
        ]);
        if (again.code !== 0) throw new Error(`revoke again: ${again.stderr}`);
        // new.scientist is in lob-a's analytics too: only the forecasting row is watched.
        const redriven = { states: [] as string[], elapsed: 0 };
        for (;;) {
          const listed = await adminCli(["admin", "list", "--user", "new.scientist", "--json"]);
          const state =
            (
              JSON.parse(listed.stdout) as {
                entitlements: { lob: string; team: string; state: string }[];
              }
            ).entitlements.find((r) => r.lob === "lob-a" && r.team === "forecasting")?.state ??
            "gone";
          if (redriven.states.at(-1) !== state) redriven.states.push(state);
          redriven.elapsed = Date.now() - since;
          if (state === "offboarded") break;
          if (redriven.elapsed > 60_000) throw new Error(`re-driven row still ${state} after 60 s`);
          await new Promise((r) => setTimeout(r, 200));
        }
        return {
          detail: `lob-a's lifecycle role without its permission policies; admin grant then revoke of new.scientist in lob-a\nlifecycle function: ${String(failures.length)} failed offboards (${String(failures[0]?.detail)}); admin list: ${states.join(",")}\non-failure queue, within ${String(Date.now() - started)} ms: ${record.requestContext.condition}, approximateInvokeCount ${String(record.requestContext.approximateInvokeCount)}, stream ${record.DDBStreamBatchInfo.streamArn} sequence ${record.DDBStreamBatchInfo.startSequenceNumber} (metadata only, no row)\npermissions restored, admin revoke again: ${redriven.states.join(" -> ")} within ${String(redriven.elapsed)} ms`,
          value: undefined,
        };
      },
    );
    await step(
      "admin disable: lee.leaving can no longer sign in, their profile is drained and deleted, and the row stays offboarded",
      async () => {
        // Lee has used lob-b's Studio: their profile exists, with an app.
        const opened = await get(`${apiUrl}/studios/lob-b`, bearer("lee.leaving"));
        expectStatus(opened, 302, "lee in lob-b");
        const [url, headers] = throughListener(
          opened.location ?? "",
          resolve(new URL(opened.location ?? "").host),
        );
        expectStatus(await get(url, headers), 200, "lee's Studio");
        const profile = profileOf(teamProfileName("lee.leaving", "default") ?? "");
        if (!profile) throw new Error("no profile for lee.leaving");
        const disabled = await adminCli(["admin", "disable", "lee.leaving"]);
        if (disabled.code !== 0)
          throw new Error(`exit ${String(disabled.code)}: ${disabled.stderr}`);
        const signIn = await deployer.cognito
          .send(
            new InitiateAuthCommand({
              ClientId: clientId,
              AuthFlow: "USER_PASSWORD_AUTH",
              AuthParameters: {
                USERNAME: "lee.leaving",
                PASSWORD: users.find((u) => u.username === "lee.leaving")?.password ?? "",
              },
            }),
          )
          .then(
            () => "accepted",
            (error: unknown) => (error instanceof Error ? error.name : "refused"),
          );
        if (signIn === "accepted") throw new Error("a disabled user signed in");
        const refused = await get(`${apiUrl}/studios/lob-b`, bearer("lee.leaving"));
        expectStatus(refused, 403, "lee's still-valid token after the disable");
        const home = emulator.homeDirectory(profile.domainId, profile.homeUid);
        const { states, elapsed } = await untilOffboarded("lee.leaving", "lob-b");
        if (profileOf(profile.name)) throw new Error("their profile remains");
        if (!home || !existsSync(home))
          throw new Error("their home directory went (lob-b keeps home directories)");
        return {
          detail: `${disabled.stdout.trim()}\nsign-in: ${signIn}; their access token (valid until it expires): 403\nadmin list saw ${states.join(" -> ")} within ${String(elapsed)} ms; profile ${profile.name} and its app gone; home directory /${profile.homeUid} kept (lob-b's homeDirectories: keep)`,
          value: undefined,
        };
      },
    );
    await step(
      "refused: the disabled lee.leaving signs in through the IdP in a group mapped to lob-b (403 page)",
      async () => {
        const answer = await postSaml(
          idp.signedResponse({
            ...idp.fields(sp, "lee.leaving"),
            attributes: { groups: ["lob-b-scientists"] },
          }),
        );
        expectStatus(answer, 403, "a disabled user's SAML sign-in");
        if (answer.location) throw new Error("a disabled user was redirected");
        const line = samlLogged();
        if (line?.outcome !== "user-disabled") throw new Error(`logged ${JSON.stringify(line)}`);
        if (profileOf(teamProfileName("lee.leaving", "default") ?? ""))
          throw new Error("a profile was made for a disabled user");
        return {
          detail: `403 page; logged outcome ${line.outcome}; no profile made`,
          value: undefined,
        };
      },
    );
    // Issue #22: the hub switches to a Route 53 Profile, as a platform engineer migrates (hub first,
    // then each LOB: docs/deploying.md), and nothing a user sees changes.
    const zonesMatrix = reachabilityMatrix(shared, [lobA, lobB]);
    const profileRuns = await step(
      "dnsSharing: profile: pulumi up -s shared puts the hub zones in a Route 53 Profile shared with each LOB account",
      async () => {
        kept.shared = { "studio-access:dnsSharing": "profile" };
        const { run, changes } = await redeploy("shared", (config) => config);
        const zones = Object.keys(run.outputs.zoneIds as Record<string, string>).length;
        const expected = [
          "hub-dns-profile",
          ...Object.keys(run.outputs.zoneIds as Record<string, string>).map(
            (key) => `hub-dns-profile-${key}`,
          ),
          "hub-dns-profile-share",
          "hub-dns-profile-share",
          ...Object.keys(lobs).map((lob) => `hub-dns-profile-share-${lob}`),
        ];
        const deployerPolicies = Object.keys(lobs).map((lob) => `${lob}-deployer`);
        if (
          JSON.stringify([...changes.created].sort()) !== JSON.stringify(expected.sort()) ||
          JSON.stringify([...changes.updated].sort()) !== JSON.stringify(deployerPolicies) ||
          changes.deleted.length + changes.replaced.length > 0 ||
          typeof run.outputs.dnsProfileId !== "string"
        )
          throw new Error(`unexpected changes: ${JSON.stringify(changes)}`);
        return {
          detail: `created the Profile ${run.outputs.dnsProfileId}, its ${String(zones)} zone associations and its RAM share with ${Object.keys(lobs).join(", ")}; updated ${changes.updated.join(", ")} (no new zone authorizations); deleted nothing`,
          value: { shared: run },
        };
      },
    );
    const migrated = await step(
      "dnsSharing: profile: pulumi up -s lob-a and lob-b swap their zone associations for one Profile association each",
      async () => {
        const runs: Record<string, StackRun> = {};
        const lines: string[] = [];
        for (const stack of ["lob-a", "lob-b"]) {
          const { run, changes } = await redeploy(stack, (config) => config);
          const associations = run.resources.filter(
            (r) => r.type === "aws:route53/profilesAssociation:ProfilesAssociation",
          );
          const gone = changes.deleted.length;
          if (
            changes.created.join(",") !== `${stack}-dns-profile` ||
            associations[0]?.inputs.profileId !== profileRuns.shared.outputs.dnsProfileId ||
            run.resources.some((r) => r.type === "aws:route53/zoneAssociation:ZoneAssociation") ||
            gone === 0 ||
            changes.updated.length + changes.replaced.length > 0
          )
            throw new Error(`${stack}: unexpected changes: ${JSON.stringify(changes)}`);
          runs[stack] = run;
          lines.push(
            `${stack}: created ${stack}-dns-profile; deleted ${String(gone)} zone associations and authorizations`,
          );
        }
        return {
          detail: lines.join("\n"),
          value: { lobA: runs["lob-a"] as StackRun, lobB: runs["lob-b"] as StackRun },
        };
      },
    );
    await step(
      "dnsSharing: profile: the reachability matrix is unchanged, and user-lob-a signs in and opens Studio",
      async () => {
        const profileMatrix = reachabilityMatrix(profileRuns.shared, [
          migrated.lobA,
          migrated.lobB,
        ]);
        const answers = (rows: typeof zonesMatrix) =>
          JSON.stringify(rows.map((r) => [r.from, r.to, r.verdict.ok]));
        if (answers(profileMatrix) !== answers(zonesMatrix))
          throw new Error(`the matrix changed: ${answers(profileMatrix)}`);
        const user = users.find((u) => u.username === "user-lob-a");
        if (!user) throw new Error("no user-lob-a");
        const token = await signIn(user.username, user.password, user.totpSecret);
        const answer = await get(`${apiUrl}/studios/lob-a`, { Authorization: `Bearer ${token}` });
        expectStatus(answer, 302, "GET /studios/lob-a");
        if (!answer.location) throw new Error("302 without Location");
        const [url, headers] = throughListener(
          answer.location,
          resolve(new URL(answer.location).host),
        );
        expectStatus(await get(url, headers), 200, "Studio");
        return {
          detail: `${String(zonesMatrix.length)} answers as with zone associations (${String(zonesMatrix.filter((r) => r.verdict.ok).length)} reachable); sign-in, 302 to Studio, 200 through the hub Studio endpoint`,
          value: undefined,
        };
      },
    );
    await step("the function logs hold no token and no presigned URL", () => {
      const logged = JSON.stringify([...functions.values()].flatMap((f) => f.logs));
      const leaks = [
        ...signedIn.map((u) => u.accessToken.split(".")[2] ?? ""),
        ...signedIn.map((u) => u.totpSecret),
        "token=",
      ].filter((secret) => secret !== "" && logged.includes(secret));
      if (leaks.length > 0) throw new Error("a token or URL reached the logs");
      const lines = [...functions.values()].reduce((n, f) => n + f.logs.length, 0);
      return Promise.resolve({
        detail: `${String(lines)} structured log lines checked`,
        value: undefined,
      });
    });

    const teardown = async (run: StepRunner = step) => {
      for (const stack of ["lob-b", "lob-a"]) {
        await run(`destroy ${stack}`, async () => {
          // What the clean-up resources asked AWS for: the only callers of these over HTTP.
          const cleanup = {
            "Studio app": "SageMaker.DeleteApp",
            space: "SageMaker.DeleteSpace",
            "user profile": "SageMaker.DeleteUserProfile",
            "NFS security group": "EC2.DeleteSecurityGroup",
            "EFS mount target": "EFS.DELETE mount-targets",
          };
          const before = Object.values(cleanup).map((c) => emulator.calls.get(c) ?? 0);
          const deleted = await deployer.destroy(stack);
          const swept = Object.entries(cleanup).map(([what, c], i) => {
            const n = (emulator.calls.get(c) ?? 0) - (before[i] ?? 0);
            return `${String(n)} ${what}${n === 1 ? "" : "s"}`;
          });
          return {
            detail: `${String(deleted)} resources deleted from the emulators; clean-up deleted ${swept.join(", ")}`,
            value: undefined,
          };
        });
      }
      await run(
        "lift the deletion protection of the user pool and tables (as npm run destroy does before the hub)",
        async () => {
          // What npm run destroy runs (scripts/orchestrate.ts): pulumi up of the hub with
          // deletionProtection=false, which updates the pool and both tables in place.
          const before = deployer.deletionProtected();
          const { changes } = await redeploy("shared", (config) => ({
            ...config,
            "studio-access:deletionProtection": "false",
          }));
          const after = deployer.deletionProtected();
          if (after.pools + after.tables > 0 || changes.created.length + changes.deleted.length > 0)
            throw new Error(
              `still protected: ${String(after.pools)} pools, ${String(after.tables)} tables; created ${changes.created.join(", ") || "none"}, deleted ${changes.deleted.join(", ") || "none"}`,
            );
          return {
            detail: `${String(before.pools)} pool and ${String(before.tables)} tables unprotected: pulumi up -s shared with deletionProtection=false updated ${changes.updated.join(", ")}`,
            value: undefined,
          };
        },
      );
      await run("destroy shared", async () => {
        await Promise.all([...functions.values()].map((f) => f.stop()));
        // The LOB pipelines' roles were the rehearsal's, not the program's: they go too.
        for (const { deployer: pipeline } of Object.values(lobs)) {
          emulator.deleteRolePolicy(pipeline, "administrator");
          emulator.deleteRole(pipeline);
        }
        return {
          detail: `${String(await deployer.destroy("shared"))} resources deleted from the emulators`,
          value: undefined,
        };
      });
      await run("the emulators hold nothing", async () => {
        const pools =
          (await deployer.cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools ??
          [];
        const tables = (await deployer.dynamo.send(new ListTablesCommand({}))).TableNames ?? [];
        const left = { userPools: pools.length, tables: tables.length, ...emulator.inventory() };
        if (Object.values(left).some((n) => n !== 0))
          throw new Error(`left behind: ${JSON.stringify(left)}`);
        // Kept by design: the users' home EFS, with retention Retain (its mount targets are gone).
        const kept = emulator.fileSystems.size;
        return {
          detail:
            Object.entries(left)
              .map(([k, v]) => `${k} ${String(v)}`)
              .join(", ") + `; kept by design: ${String(kept)} home EFS (homeEfsRetention Retain)`,
          value: undefined,
        };
      });
    };

    if (opts.keep) {
      keep = true;
      // What is printed for a person: the users the rehearsal disabled, read from the table as an
      // admin sees it (any `admin disable` above, not a list kept here), say so.
      const printedUsers = await step(
        "the users as --keep prints them: those admin list shows disabled are marked",
        async () => {
          const listed = await adminCli(["admin", "list", "--json"]);
          if (listed.code !== 0)
            throw new Error(`admin list: exit ${String(listed.code)}: ${listed.stderr}`);
          const marked = markDisabled(signedIn, JSON.parse(listed.stdout) as AdminListing);
          const disabled = marked.filter((u) => u.disabled);
          return {
            detail:
              disabled
                .map(
                  (u) =>
                    `${u.username}: ${DISABLED_MARK} (rows in ${u.disabled?.lobs.join(", ") ?? ""})`,
                )
                .join("\n") || "no user disabled",
            value: marked,
          };
        },
      );
      const sandbox: RunningSandbox = {
        apiUrl,
        portalUrl: `${apiUrl}/`,
        cognitoUrl: services.cognitoUrl,
        userPoolClientId: clientId,
        cliConfig,
        logFile: logFileOf(services),
        idpUrl: idpPage.url,
        studioTls,
        ...(apiDomain ? { apiDomain } : {}),
        users: printedUsers,
        newcomers: deployer.users
          .filter((u) => NEVER_SIGNED_IN.includes(u.username))
          .map(({ username, temporaryPassword }) => ({ username, temporaryPassword })),
        admin: {
          env: {
            ...awsCredentialsEnv(emulator.issueCredentials(adminPrincipal, 8 * 3600)),
            AWS_ENDPOINT_URL_STS: emulator.publicListener.url,
            AWS_ENDPOINT_URL_DYNAMODB: dynamoGateway,
            // admin disable and grant --enable call Cognito: cognito-local, as in the steps above.
            AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: services.cognitoUrl,
            // admin usage reads the LOBs' apps at SageMaker's public endpoint.
            AWS_ENDPOINT_URL_SAGEMAKER: emulator.publicListener.url,
          },
          configure: String(shared.outputs.adminConfigure),
        },
        emulator,
        functions,
        signIn,
        async teardown(run) {
          try {
            await teardown(run);
          } finally {
            for (const cleanup of cleanups) await cleanup();
          }
        },
      };
      return { steps, sandbox };
    }
    await teardown();
    return { steps };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    return { steps };
  } finally {
    if (!keep) for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}
