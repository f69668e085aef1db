import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { REPO_ROOT } from "../../functions/build";

/**
 * Runs the real program of one stack under Pulumi's mock runtime (no engine, no AWS) and records
 * every resource it declares, with the provider (and so the account) each one would land in.
 * Computed attributes (ids, ARNs, endpoint DNS entries) are fabricated in their AWS shapes.
 */
export const PROJECT = "studio-access";
export const ORGANIZATION = "example-org";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  readonly id: string;
  readonly state: Record<string, unknown>;
  /** The logical name of the explicit provider, or undefined when the default one would be used. */
  readonly providerName?: string;
  /** The account the resource lands in: its provider's only allowed account. */
  readonly account?: string;
  readonly region?: string;
  /** The role its provider assumes, if any. */
  readonly assumeRole?: string;
  /** Whether `pulumi destroy` leaves it in place (the `retainOnDelete` option). */
  readonly retainOnDelete?: boolean;
  /** The names of the resources it explicitly depends on (`dependsOn`): they go after it on destroy. */
  readonly dependsOn?: readonly string[];
  /**
   * Every resource it depends on directly, through an input or `dependsOn` (components expanded to
   * their resources), as `type::name` keys: the edges the engine orders creation by.
   */
  readonly dependencies?: readonly string[];
  /** Its URN as the engine forms it (the parents' types joined by `$`, the stack's left out). */
  readonly urn?: string;
  /** The URNs its `aliases` option stands for: the engine moves a resource found at one of them. */
  readonly aliases?: readonly string[];
}

/** The key `dependencies` lists a resource by. */
export const resourceKey = (r: { readonly type: string; readonly name: string }) =>
  `${r.type}::${r.name}`;

export interface StackRun {
  readonly stack: string;
  readonly resources: RecordedResource[];
  readonly providers: RecordedResource[];
  readonly outputs: Record<string, unknown>;
  /** Data-source lookups of things made outside the program: what was asked, what was answered. */
  readonly lookups: { token: string; inputs: Record<string, unknown>; result: unknown }[];
}

/** Reads `Pulumi.<stack>.yaml` into Pulumi's flat config form: namespaced keys, JSON for objects. */
/** A stack file that cannot be read: its message names the file (and line), with no stack trace. */
export class StackFileError extends Error {
  override readonly name = "StackFileError";
}

export function loadStackConfig(stack: string, dir = REPO_ROOT): Record<string, string> {
  const name = `Pulumi.${stack}.yaml`;
  let text: string;
  try {
    text = readFileSync(path.join(dir, name), "utf8");
  } catch {
    throw new StackFileError(`${name} cannot be read: is ${stack} a stack of this project?`);
  }
  let doc: { config?: unknown } | null;
  try {
    doc = parseYaml(text) as { config?: unknown } | null;
  } catch (error) {
    if (error instanceof ReferenceError)
      // yaml's bound on aliases (a "billion laughs" file): its message, without the stack.
      throw new StackFileError(`${name}: ${error.message}`);
    if (!(error instanceof YAMLParseError)) throw error;
    const at = error.linePos?.[0];
    // The parser's first line says what is wrong; its code frame follows, which we leave out.
    const what = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    throw new StackFileError(
      `${name}${at ? ` line ${String(at.line)}, column ${String(at.col)}` : ""}: ${what}`,
    );
  }
  const config = doc?.config ?? {};
  if (typeof config !== "object" || Array.isArray(config))
    throw new StackFileError(`${name}: config must be a map of settings`);
  for (const [key, value] of Object.entries(config as Record<string, unknown>))
    if (isSecret(value))
      throw new StackFileError(
        `${name}: ${key} is a secret ({secure: …}), which the offline runs cannot decrypt; ` +
          "studio-access takes no secret settings: set it with pulumi config set --plaintext",
      );
  return toPulumiConfig(config as Record<string, unknown>);
}

/** A value `pulumi config set --secret` wrote: its ciphertext, as `{secure: v1:…}`. */
const isSecret = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  Object.keys(value).length === 1 &&
  typeof (value as { secure?: unknown }).secure === "string";

export interface StackFile {
  readonly stack: string;
  /** Its `studio-access:kind`: "shared" for the hub, "lob" for a LOB, "" when unset. */
  readonly kind: string;
}

/** Every `Pulumi.<stack>.yaml` of the project, hub stacks first, then by name. */
export function projectStacks(dir = REPO_ROOT): StackFile[] {
  return readdirSync(dir)
    .flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.slice(1, 2) ?? [])
    .map((stack) => ({ stack, kind: loadStackConfig(stack, dir)[`${PROJECT}:kind`] ?? "" }))
    .sort((a, b) =>
      a.kind === b.kind ? a.stack.localeCompare(b.stack) : a.kind === "shared" ? -1 : 1,
    );
}

/** One line per stack file that does not say what it is (kind shared or lob), naming the file. */
export function kindProblems(stacks: readonly StackFile[]): string[] {
  return stacks
    .filter((s) => s.kind !== "shared" && s.kind !== "lob")
    .map(
      ({ stack, kind }) =>
        `Pulumi.${stack}.yaml: ${PROJECT}:kind is ${kind === "" ? "not set" : `"${kind}"`}: expected shared (the hub stack) or lob (a LOB's stack)`,
    );
}

export function toPulumiConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key.includes(":") ? key : `${PROJECT}:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

const hex = (seed: string, length: number) =>
  createHash("sha256").update(seed).digest("hex").slice(0, length);
const alnum = (seed: string, length: number) =>
  BigInt(`0x${hex(seed, 24)}`)
    .toString(36)
    .padStart(length, "0")
    .slice(0, length);

const ID_PREFIX: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "vpc",
  "aws:ec2/subnet:Subnet": "subnet",
  "aws:ec2/routeTable:RouteTable": "rtb",
  "aws:ec2/securityGroup:SecurityGroup": "sg",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
  "aws:ec2transitgateway/transitGateway:TransitGateway": "tgw",
  "aws:ec2transitgateway/routeTable:RouteTable": "tgw-rtb",
  "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "tgw-attach",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
  "aws:route53/resolverEndpoint:ResolverEndpoint": "rslvr-in",
  "aws:ec2/customerGateway:CustomerGateway": "cgw",
  "aws:ec2/vpnConnection:VpnConnection": "vpn",
  // Route 53 Profiles' ids, as the API Reference's examples write them (rp-…, rpassoc-…, rpr-…).
  "aws:route53/profilesProfile:ProfilesProfile": "rp",
  "aws:route53/profilesAssociation:ProfilesAssociation": "rpassoc",
  "aws:route53/profilesResourceAssociation:ProfilesResourceAssociation": "rpr",
};

interface ProviderInfo {
  readonly name: string;
  readonly account?: string;
  readonly region?: string;
  /** The role the provider assumes, when it assumes one. */
  readonly assumeRole?: string;
}

function assumedRole(inputs: Record<string, unknown>): string | undefined {
  const raw = inputs.assumeRoles;
  const list: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  return typeof first === "object" && first !== null
    ? ((first as { roleArn?: string }).roleArn ?? undefined)
    : undefined;
}

function allowedAccount(inputs: Record<string, unknown>): string | undefined {
  const raw = inputs.allowedAccountIds;
  const list: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
  return Array.isArray(list) && list.length === 1 && typeof list[0] === "string"
    ? list[0]
    : undefined;
}

/** The attributes AWS would compute, in their real shapes, for the types the program uses. */
function fabricate(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  account: string,
  region: string,
): { id: string; state: Record<string, unknown> } {
  const seed = `${type}/${name}/${account}`;
  const prefix = ID_PREFIX[type];
  let id = prefix ? `${prefix}-${hex(seed, 17)}` : `${name}-${hex(seed, 8)}`;
  const named =
    (typeof inputs.name === "string" ? inputs.name : undefined) ?? `${name}-${hex(seed, 7)}`;
  const state: Record<string, unknown> = { ...inputs };
  switch (type) {
    case "aws:iam/role:Role":
      id = named;
      Object.assign(state, {
        name: named,
        arn: `arn:aws:iam::${account}:role${typeof inputs.path === "string" ? inputs.path : "/"}${named}`,
        uniqueId: `AROA${hex(seed, 17).toUpperCase()}`,
      });
      break;
    case "aws:iam/policy:Policy":
      Object.assign(state, {
        name: named,
        arn: `arn:aws:iam::${account}:policy${typeof inputs.path === "string" ? inputs.path : "/"}${named}`,
      });
      id = String(state.arn);
      break;
    case "aws:dynamodb/table:Table":
      id = named;
      Object.assign(state, {
        name: named,
        arn: `arn:aws:dynamodb:${region}:${account}:table/${named}`,
        ...(inputs.streamEnabled === true
          ? {
              streamArn: `arn:aws:dynamodb:${region}:${account}:table/${named}/stream/2026-01-01T00:00:00.000`,
            }
          : {}),
      });
      break;
    case "aws:sns/topic:Topic":
      // A topic's id is its ARN.
      id = `arn:aws:sns:${region}:${account}:${named}`;
      Object.assign(state, { name: named, arn: id });
      break;
    case "aws:ec2/vpnConnection:VpnConnection":
      // A VPN on a transit gateway gets an attachment there.
      Object.assign(state, { transitGatewayAttachmentId: `tgw-attach-${hex(`${seed}/tgw`, 17)}` });
      break;
    case "aws:s3/bucket:Bucket":
      id = `${name}-${hex(seed, 12)}`;
      Object.assign(state, { bucket: id, arn: `arn:aws:s3:::${id}` });
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      id = named;
      Object.assign(state, {
        name: named,
        arn: `arn:aws:logs:${region}:${account}:log-group:${named}`,
      });
      break;
    case "aws:sqs/queue:Queue":
      // A queue's id is its URL ("GetQueueUrl"); its name Pulumi's, as autonamed.
      id = `https://sqs.${region}.amazonaws.com/${account}/${named}`;
      Object.assign(state, {
        name: named,
        url: id,
        arn: `arn:aws:sqs:${region}:${account}:${named}`,
      });
      break;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      id = named;
      Object.assign(state, {
        name: named,
        arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${named}`,
      });
      break;
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${region}:${account}:function:${named}`;
      id = named;
      Object.assign(state, {
        name: named,
        arn,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
      });
      break;
    }
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      const service = String(inputs.serviceName)
        .replace(`com.amazonaws.${region}.`, "")
        .replace(`aws.sagemaker.${region}.`, "");
      const suffix = alnum(seed, 8);
      Object.assign(
        state,
        inputs.vpcEndpointType === "Gateway"
          ? { prefixListId: `pl-${hex(seed, 8)}`, dnsEntries: [] }
          : {
              // Zonal entries first, as AWS often lists them: the program must pick by shape.
              dnsEntries: ["a", "b"]
                .map((az) => ({
                  dnsName: `${id}-${suffix}-${region}${az}.${service}.${region}.vpce.amazonaws.com`,
                  hostedZoneId: "Z7HUB22UULQXV",
                }))
                .concat({
                  dnsName: `${id}-${suffix}.${service}.${region}.vpce.amazonaws.com`,
                  hostedZoneId: "Z7HUB22UULQXV",
                }),
            },
      );
      break;
    }
    case "aws:route53/zone:Zone":
      id = `Z${hex(seed, 20).toUpperCase()}`;
      Object.assign(state, { zoneId: id, arn: `arn:aws:route53:::hostedzone/${id}` });
      break;
    case "aws:apigateway/restApi:RestApi":
      id = alnum(seed, 10);
      Object.assign(state, {
        name: named,
        rootResourceId: alnum(`${seed}/root`, 10),
        executionArn: `arn:aws:execute-api:${region}:${account}:${id}`,
        arn: `arn:aws:apigateway:${region}::/restapis/${id}`,
      });
      break;
    case "aws:apigateway/domainName:DomainName": {
      // A private custom domain name: its identifier, and the ARN that names it with it ("Custom
      // domain names for private APIs in API Gateway"); the provider's id is <name>/<identifier>.
      const domainNameId = alnum(seed, 10);
      id = `${String(inputs.domainName)}/${domainNameId}`;
      Object.assign(state, {
        domainNameId,
        arn: `arn:aws:apigateway:${region}:${account}:/domainnames/${String(inputs.domainName)}+${domainNameId}`,
      });
      break;
    }
    case "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation": {
      const domain = /\/domainnames\/(.+)$/.exec(String(inputs.domainNameArn))?.[1] ?? "";
      id = `arn:aws:apigateway:${region}:${account}:/domainnameaccessassociations/domainname/${domain}/vpcesource/${String(inputs.accessAssociationSource)}`;
      Object.assign(state, { arn: id });
      break;
    }
    case "aws:cognito/userPool:UserPool":
      id = `${region}_${alnum(seed, 9)}`;
      Object.assign(state, { arn: `arn:aws:cognito-idp:${region}:${account}:userpool/${id}` });
      break;
    case "aws:cognito/userPoolClient:UserPoolClient":
      id = alnum(seed, 26);
      break;
    case "aws:sagemaker/domain:Domain":
      id = `d-${alnum(seed, 12)}`;
      Object.assign(state, {
        arn: `arn:aws:sagemaker:${region}:${account}:domain/${id}`,
        url: `https://${id}.studio.${region}.sagemaker.aws`,
        // SageMaker creates the domain's home EFS.
        homeEfsFileSystemId: `fs-${hex(seed, 17)}`,
      });
      break;
    case "aws:efs/accessPoint:AccessPoint":
      id = `fsap-${hex(seed, 17)}`;
      Object.assign(state, {
        arn: `arn:aws:elasticfilesystem:${region}:${account}:access-point/${id}`,
        fileSystemArn: `arn:aws:elasticfilesystem:${region}:${account}:file-system/${String(inputs.fileSystemId)}`,
      });
      break;
    case "aws:sagemaker/userProfile:UserProfile":
      Object.assign(state, {
        arn: `arn:aws:sagemaker:${region}:${account}:user-profile/${String(inputs.domainId)}/${String(inputs.userProfileName)}`,
      });
      break;
    case "aws:ec2transitgateway/transitGateway:TransitGateway":
      Object.assign(state, { arn: `arn:aws:ec2:${region}:${account}:transit-gateway/${id}` });
      break;
    case "aws:route53/profilesProfile:ProfilesProfile":
      // Created and not yet shared; the association's wait ends at COMPLETE (see below).
      Object.assign(state, {
        arn: `arn:aws:route53profiles:${region}:${account}:profile/${id}`,
        ownerId: account,
        shareStatus: "NOT_SHARED",
        status: "COMPLETE",
      });
      break;
    case "aws:route53/profilesAssociation:ProfilesAssociation":
    case "aws:route53/profilesResourceAssociation:ProfilesResourceAssociation":
      // The provider waits for COMPLETE before it returns (terraform-provider-aws,
      // internal/service/route53profiles/association.go and resource_association.go).
      Object.assign(state, {
        arn: `arn:aws:route53profiles:${region}:${account}:${type.includes("Resource") ? "profile-resource-association" : "profile-association"}/${id}`,
        ownerId: account,
        status: "COMPLETE",
        ...(type.includes("Resource") ? { resourceType: "HOSTED_ZONE" } : {}),
      });
      break;
    case "aws:ram/resourceShare:ResourceShare":
      Object.assign(state, {
        arn: `arn:aws:ram:${region}:${account}:resource-share/${hex(seed, 32)}`,
      });
      break;
    case "aws:route53/resolverEndpoint:ResolverEndpoint":
      Object.assign(state, {
        ipAddresses: (inputs.ipAddresses as { subnetId: string }[]).map((ip, i) => ({
          ...ip,
          ip: `10.0.${i * 64}.10`,
        })),
      });
      break;
    default:
      break;
  }
  if (state.arn === undefined)
    state.arn = `arn:aws:${type.split(":")[1]?.split("/")[0] ?? "x"}:${region}:${account}:${id}`;
  return { id, state };
}

/**
 * The public half of one RSA key (2048 bits, made once with generateKeyPairSync and written here,
 * its private half thrown away): nothing signs with it, and making a key took a few hundred ms of
 * every process that planned a stack (each jest file).
 */
const mockSigningKey = {
  kty: "RSA",
  n:
    "pD8IlcAbIWJT9GWzre9HLeLj6VBWXI9F9IhGmPkIemorhq4Gan0PgWpJVreTT-XS6eZAOtg647s3Txav" +
    "KcAO21VO1j6bxfOwtXXHltDfudrvsvBIVDPbVnFTCwrhqp4onVw-dn12bSnY40Xf16viqQZ2sNWgLKgS" +
    "yV7n3EdkZAwb5AQWFBp-fswcIo-1aXGR9mrq08nybNjXPZDKCDR8ytMAjoMJAkpqk1_i1SULVR7ALpya" +
    "G_Qi5SSpdtfIJQtT8APL5W1aMvNzzMXpFFe8LEco3Un2LufH03hhmnymLmwzOHfhX99PfwhPuFzfIwj-" +
    "Lbz9nZg3SGyFOqV3pEXlUw",
  e: "AQAB",
};

/**
 * The JWKS the mocks' Cognito publishes for a pool: one RSA key whose kid names the pool, so a
 * test can tell which pool's JWKS the program read.
 */
export function mockPoolJwks(userPoolId: string): { keys: Record<string, string>[] } {
  return {
    keys: [
      {
        alg: "RS256",
        e: mockSigningKey.e,
        kid: `${userPoolId}-key`,
        kty: "RSA",
        n: mockSigningKey.n,
        use: "sig",
      },
    ],
  };
}

/** Where the mocks' Cognito is, for runs with no Cognito of their own (a name that never resolves). */
export const MOCK_COGNITO_ENDPOINT = "https://cognito-idp.mocks.invalid";

/**
 * Cognito's public JWKS path (`/<pool>/.well-known/jwks.json`) at MOCK_COGNITO_ENDPOINT, answered
 * in-process while a run lasts (no socket, so a run takes no longer than its mocks); every other
 * URL goes to the real fetch. The program reads it at `pulumi up`, from where the standard
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER says Cognito is. Returns the undo.
 */
function answerMockJwks(): () => void {
  const real = globalThis.fetch;
  const prefix = `${MOCK_COGNITO_ENDPOINT}/`;
  globalThis.fetch = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(prefix)) return real(input, init);
    const pool = /^([^/]+)\/\.well-known\/jwks\.json$/.exec(url.slice(prefix.length))?.[1];
    return Promise.resolve(
      pool === undefined
        ? new Response("", { status: 404 })
        : new Response(JSON.stringify(mockPoolJwks(decodeURIComponent(pool))), {
            status: 200,
            headers: { "Content-Type": "application/json" },
          }),
    );
  };
  return () => {
    globalThis.fetch = real;
  };
}

/** What a resource looks like when it is created: its inputs, account and the attributes made up for it. */
export interface NewResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly account: string;
  readonly region: string;
  readonly id: string;
  readonly state: Record<string, unknown>;
  /** The role its provider assumes to create it, if any (a LOB's hub deployer role). */
  readonly assumeRole?: string;
  /** What it depends on directly, as `resourceKey`s: the engine creates it only after them. */
  readonly dependencies: readonly string[];
}

/** Creates a resource somewhere real (an emulator); what it returns replaces the made-up id and attributes. */
export type CreateHook = (
  resource: NewResource,
) => Promise<{ id?: string; state?: Record<string, unknown> } | undefined>;

/**
 * Runs one stack's program under mocks.
 * @param stackOutputs outputs of stacks already run, by full name, for StackReferences
 * @param onCreate called for every new custom resource, in registration order
 */
export async function runStackUnderMocks(opts: {
  stack: string;
  config: Record<string, string>;
  stackOutputs?: Record<string, Record<string, unknown>>;
  onCreate?: CreateHook;
  /** Answers a data-source lookup of something made outside the program (the sandbox's emulator). */
  onLookup?: (
    token: string,
    inputs: Record<string, unknown>,
  ) => Record<string, unknown> | undefined;
  /** Zone names an endpoint service is offered in (by service name); default: the three AZs. */
  endpointServiceZones?: Record<string, readonly string[]>;
  /**
   * Where the pools' Cognito is (the rehearsal's cognito-local), given to the program as
   * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER; default: MOCK_COGNITO_ENDPOINT (`mockPoolJwks`).
   */
  cognitoEndpoint?: string;
}): Promise<StackRun> {
  const undo = opts.cognitoEndpoint === undefined ? answerMockJwks() : undefined;
  const saved = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER =
    opts.cognitoEndpoint ?? MOCK_COGNITO_ENDPOINT;
  const restoreTraces = cheapStackTraces();
  try {
    return await runUnderMocks(opts);
  } finally {
    restoreTraces();
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
    else process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = saved;
    undo?.();
  }
}

/**
 * Makes the stack traces Pulumi's SDK takes while a program runs cheap; returns the undo.
 *
 * The SDK reads `new Error().stack` for every promise it makes (debuggablePromise, kept for the
 * leak report PULUMI_DEBUG_PROMISE_LEAKS prints) and for every resource it registers
 * (Resource.callsites, the source position it tells the engine, with no frame limit). Formatting
 * those traces is most of a plan's time when frames are mapped back to the TypeScript sources:
 * through Node's source maps under tsx, through source-map-support under jest, and a trace's
 * strings are a good part of a plan's memory. The mocks read neither, so while the program runs:
 * - Error.stackTraceLimit is 0 (the promises' traces are empty; the SDK's callsites set their
 *   own limit, so resources still get their position), unless the process was started with
 *   --stack-trace-limit (node or NODE_OPTIONS): then the errors the program throws keep the
 *   frames asked for, at the old cost;
 * - Node's source maps are off (Resource.callsites' frames stay unmapped; an error's stack is
 *   formatted when it is first read, after the run, so the program's errors are still mapped).
 */
function cheapStackTraces(): () => void {
  const limit = Error.stackTraceLimit;
  const mapped = process.sourceMapsEnabled;
  const asked = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((arg) =>
    arg.includes("--stack-trace-limit"),
  );
  if (!asked) Error.stackTraceLimit = 0;
  process.setSourceMapsEnabled(false);
  return () => {
    Error.stackTraceLimit = limit;
    process.setSourceMapsEnabled(mapped);
  };
}

async function runUnderMocks(opts: Parameters<typeof runStackUnderMocks>[0]): Promise<StackRun> {
  const resources: RecordedResource[] = [];
  const providers: RecordedResource[] = [];
  const lookups: StackRun["lookups"] = [];
  // Resource options the mocks do not see, recorded as the program registers each resource.
  const retained = new Set<string>();
  const dependencies = new Map<string, string[]>();
  // Every dependency the engine would see, read from each registration request (see below).
  const engineDependencies = new Map<string, string[]>();
  const identities = new Map<string, Identity>();
  const providerInfo = new Map<string, ProviderInfo>();
  const info = (ref: string | undefined) =>
    ref ? providerInfo.get(ref.split("::").pop() ?? "") : undefined;
  // The first create that failed (as a provider's error fails `pulumi up`): nothing more is
  // created after it, and the run rejects with it once the program has settled.
  let createFailure: Error | undefined;

  const mocks: pulumi.runtime.Mocks = {
    async newResource(args) {
      const inputs = args.inputs as Record<string, unknown>;
      if (args.type === "pulumi:providers:aws") {
        const id = `${args.name}-provider`;
        providerInfo.set(id, {
          name: args.name,
          account: allowedAccount(inputs),
          region: inputs.region as string,
          assumeRole: assumedRole(inputs),
        });
        providers.push({
          type: args.type,
          name: args.name,
          custom: true,
          inputs,
          id,
          state: inputs,
          account: allowedAccount(inputs),
          ...identities.get(`${args.type}::${args.name}`),
        });
        return { id, state: inputs };
      }
      if (args.type === "pulumi:pulumi:StackReference") {
        const name = String(inputs.name);
        return {
          id: name,
          state: { name, outputs: opts.stackOutputs?.[name] ?? {}, secretOutputNames: [] },
        };
      }
      const provider = info(args.provider);
      if (!args.custom) {
        resources.push({
          type: args.type,
          name: args.name,
          custom: false,
          inputs,
          id: "",
          state: {},
          ...identities.get(`${args.type}::${args.name}`),
        });
        return { id: undefined, state: {} };
      }
      const account = provider?.account ?? "000000000000";
      const region = provider?.region ?? "us-east-1";
      let { id, state } = fabricate(args.type, args.name, inputs, account, region);
      if (opts.onCreate && !createFailure) {
        const created = await opts
          .onCreate({
            type: args.type,
            name: args.name,
            dependencies: engineDependencies.get(`${args.type}::${args.name}`) ?? [],
            inputs,
            account,
            region,
            id,
            state,
            assumeRole: provider?.assumeRole,
          })
          .catch((error: unknown) => {
            createFailure ??= error instanceof Error ? error : new Error(String(error));
            return undefined;
          });
        id = created?.id ?? id;
        state = { ...state, ...created?.state };
      }
      resources.push({
        type: args.type,
        name: args.name,
        custom: true,
        inputs,
        id,
        state,
        providerName: provider?.name,
        account: provider?.account,
        region: provider?.region,
        assumeRole: provider?.assumeRole,
        retainOnDelete: retained.has(`${args.type}::${args.name}`),
        dependsOn: dependencies.get(`${args.type}::${args.name}`),
        dependencies: engineDependencies.get(`${args.type}::${args.name}`) ?? [],
        ...identities.get(`${args.type}::${args.name}`),
      });
      return { id, state };
    },
    call(args) {
      const region = info(args.provider)?.region ?? "us-east-1";
      const callInputs = args.inputs as Record<string, unknown>;
      if (args.token === "aws:index/getAvailabilityZones:getAvailabilityZones") {
        // AWS's AZ-id prefix: us-east-1 -> use1, eu-west-2 -> euw2. A Local Zone needing opt-in
        // is listed too, unless the call filters on opt-in-status as AWS's API does.
        const [area = "", direction = "", number = ""] = region.split("-");
        const short = `${area}${direction.charAt(0)}${number}`;
        const zones = [
          ...["a", "b", "c"].map((az, i) => ({
            name: `${region}${az}`,
            id: `${short}-az${String(i + 1)}`,
            optIn: "opt-in-not-required",
          })),
          { name: `${region}-bos-1a`, id: `${short}-bos1-az1`, optIn: "opted-in" },
        ];
        const filters = (callInputs.filters ?? []) as { name: string; values: string[] }[];
        const optIn = filters.find((f) => f.name === "opt-in-status")?.values;
        const listed = zones.filter((z) => !optIn || optIn.includes(z.optIn));
        return {
          id: region,
          state: "available",
          names: listed.map((z) => z.name),
          zoneIds: listed.map((z) => z.id),
          groupNames: [region],
        };
      }
      if (args.token === "aws:ec2/getVpcEndpointService:getVpcEndpointService") {
        const serviceName = String(callInputs.serviceName);
        return {
          id: serviceName,
          serviceName,
          serviceType: "Interface",
          availabilityZones:
            opts.endpointServiceZones?.[serviceName] ??
            ["a", "b", "c"].map((az) => `${region}${az}`),
        };
      }
      if (args.token === "aws:ec2/getSecurityGroup:getSecurityGroup") {
        // A group made outside the program (SageMaker's NFS groups): the deployer's answer when
        // the sandbox has one, else an id derived from the name.
        const name = String(callInputs.name);
        const found = opts.onLookup?.(args.token, callInputs);
        const id =
          typeof found?.id === "string"
            ? found.id
            : `sg-${hex(`${name}/${String(callInputs.vpcId)}`, 17)}`;
        const result = {
          id,
          name,
          vpcId: callInputs.vpcId,
          arn: `arn:aws:ec2:${region}:${info(args.provider)?.account ?? "000000000000"}:security-group/${id}`,
          ...found,
        };
        lookups.push({ token: args.token, inputs: callInputs, result });
        return result;
      }
      throw new Error(`the program invoked ${args.token}, which the offline mocks do not model`);
    },
  };

  pulumi.runtime.setAllConfig(opts.config);
  await pulumi.runtime.setMocks(mocks, PROJECT, opts.stack, false, ORGANIZATION);
  observeRegistrations(engineDependencies, identities);
  // Loaded after the mocks are in place, as Pulumi itself would load the program.
  const { runProgram } = await import("../../stacks/program");
  // The program's own error is caught inside the stack and rethrown once the runtime has settled;
  // left to the runtime, it would also surface later as unhandled rejections.
  let failure: unknown;
  const outputs =
    (await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((transform) => {
        const key = `${transform.type}::${transform.name}`;
        if (transform.opts.retainOnDelete === true) retained.add(key);
        const explicit = transform.opts.dependsOn;
        const list: unknown[] = Array.isArray(explicit) ? explicit : explicit ? [explicit] : [];
        const names = list.flatMap((d) => {
          const name = (d as { __name?: unknown }).__name;
          return typeof name === "string" ? [name] : [];
        });
        if (names.length > 0) dependencies.set(key, names);
        return undefined;
      });
      try {
        return await runProgram();
      } catch (error) {
        failure = error;
        return {};
      }
    })) ?? {};
  await waitForRegistrations();
  if (createFailure) throw createFailure;
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
  return { stack: opts.stack, resources, providers, outputs, lookups };
}

/** A resource's URN and the URNs its aliases stand for, as the engine would form them. */
interface Identity {
  readonly urn: string;
  readonly aliases: readonly string[];
}

/**
 * Records, for every registration, the resources it depends on, as the engine receives them: the
 * SDK sends them in each RegisterResourceRequest (`dependencies`: "a list of URNs that this
 * resource depends on, as observed by the language host", proto/pulumi/resource.proto of
 * pulumi/pulumi), input dependencies and `dependsOn` alike, components expanded to their
 * resources. The engine creates a resource only after these, and anything else in parallel. Pulumi's
 * mocks are handed the inputs only, so the mock monitor (`pulumi.runtime.getMonitor()`) is wrapped
 * to read them before the mocks run.
 *
 * It also records each resource's URN and its aliases' URNs as the engine forms them: the mock
 * monitor's own URNs keep only the nearest parent's type, where the engine's keep every ancestor's
 * (pulumi/pulumi, sdk/go/common/resource/urn.go NewURN, called with the parent's qualified type,
 * the root stack's left out). An alias names any of type, name or parent, the rest being the
 * resource's own; a parent's aliases are also its children's (the engine's inherited aliases).
 */
function observeRegistrations(
  into: Map<string, string[]>,
  identities: Map<string, Identity>,
): void {
  type Register = (
    req: RegisterResourceRequest,
    callback: (error: unknown, response?: { getUrn(): string }) => void,
  ) => void;
  const monitor = pulumi.runtime.getMonitor() as unknown as
    { registerResource: Register } | undefined;
  if (!monitor) throw new Error("the mock runtime has no resource monitor to observe");
  const register = monitor.registerResource.bind(monitor);
  // By the mock monitor's URN (what a child's request names its parent by): the engine's
  // qualified type of that resource, and those of its aliases.
  const qualifiedTypes = new Map<string, string>();
  const aliasTypes = new Map<string, string[]>();
  const stack = pulumi.getStack();
  const project = pulumi.getProject();
  const urnOf = (qualifiedType: string, name: string, at = { stack, project }) =>
    `urn:pulumi:${at.stack}::${at.project}::${qualifiedType}::${name}`;
  const under = (parentType: string | undefined, type: string) =>
    parentType ? `${parentType}$${type}` : type;
  monitor.registerResource = (req, callback) => {
    const type = req.getType();
    const name = req.getName();
    into.set(`${type}::${name}`, req.getDependenciesList().map(keyOfUrn));
    const parent = req.getParent();
    const qualifiedType = under(qualifiedTypes.get(parent), type);
    const aliases: { type: string; name: string; stack: string; project: string }[] = [];
    for (const alias of req.getAliasesList()) {
      const spec = alias.getSpec();
      if (!spec) {
        const [, , aliasType = "", ...aliasName] = alias.getUrn().split("::");
        aliases.push({ type: aliasType, name: aliasName.join("::"), stack, project });
        continue;
      }
      const aliasParent = spec.getNoparent()
        ? undefined
        : qualifiedTypes.get(spec.hasParenturn() ? spec.getParenturn() : parent);
      aliases.push({
        type: under(aliasParent, spec.getType() || type),
        name: spec.getName() || name,
        stack: spec.getStack() || stack,
        project: spec.getProject() || project,
      });
    }
    for (const parentAlias of aliasTypes.get(parent) ?? [])
      aliases.push({ type: under(parentAlias, type), name, stack, project });
    identities.set(`${type}::${name}`, {
      urn: urnOf(qualifiedType, name),
      aliases: aliases.map((a) => urnOf(a.type, a.name, a)),
    });
    register(req, (error, response) => {
      const urn = response?.getUrn();
      if (urn !== undefined) {
        // The root stack's type is no part of its children's URNs.
        qualifiedTypes.set(urn, type === "pulumi:pulumi:Stack" ? "" : qualifiedType);
        aliasTypes.set(
          urn,
          aliases.map((a) => a.type),
        );
      }
      callback(error, response);
    });
  };
}

/** `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>` as a `resourceKey`. */
function keyOfUrn(urn: string): string {
  const [, , qualifiedType = "", ...name] = urn.split("::");
  return `${qualifiedType.split("$").pop() ?? ""}::${name.join("::")}`;
}

/** Waits until every pending resource registration has reached the mocks. */
async function waitForRegistrations(): Promise<void> {
  // Not part of the SDK's typed surface, but the same drain `pulumi.runtime.disconnect` performs.
  const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as {
    waitForRPCs: () => Promise<void>;
  };
  await settings.waitForRPCs();
}

/** The full name a LOB stack's `sharedStack` config uses for a stack of this project. */
export const fullStackName = (stack: string) => `${ORGANIZATION}/${PROJECT}/${stack}`;
