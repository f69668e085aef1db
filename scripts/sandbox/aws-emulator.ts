import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generate as generateCertificate } from "selfsigned";
import { endpointServices, type EndpointKey } from "../../components/lib/endpoints";
import type { PolicyDocument } from "../../components/policies/document";
import { readBody, writeAssumeRoleResponse } from "../lib/aws-wire";
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { evaluateIam, type Outcome } from "../lib/iam-eval";
import { onExit } from "./exit-cleanup";

/**
 * The AWS calls no npm emulator covers: IAM roles, STS AssumeRole, SageMaker domains, user profiles
 * and CreatePresignedDomainUrl, Studio opening a presigned URL, and API Gateway's private API (the
 * `apiHandler`). It models several accounts. Every AssumeRole, presign and Studio login is decided
 * by evaluating the deployed trust and identity policies with the request's source VPC endpoint.
 *
 * Each VPC endpoint the program creates is a loopback listener; a request's `aws:SourceVpce` is the
 * endpoint it arrived through. A "public" listener (no endpoint) and a "foreign" one (an endpoint
 * that is not the hub's) stand for the rest of the world. Request signatures are not verified: the
 * caller is known by the access key id of the credentials this emulator issued.
 */

/** The service a listener stands for; "any" is the public internet, which reaches every service. */
export type ServiceKey = EndpointKey | "other" | "any";

export interface Listener {
  readonly url: string;
  readonly service: ServiceKey;
  readonly vpceId?: string;
}

/** A DynamoDB table the gateway decides access to: its ARN and partition key. */
interface TableInfo {
  readonly arn: string;
  readonly partitionKey: string;
  /** The key attributes (partition, then sort). */
  readonly keys: readonly string[];
  /** The attribute Time to Live reads, when TTL is enabled on the table. */
  readonly ttlAttribute?: string;
}

/** Who a TTL deletion's stream record says made it (API_streams_Record, cited at expireItems). */
const TTL_IDENTITY = { type: "Service", principalId: "dynamodb.amazonaws.com" } as const;

interface Role {
  readonly arn: string;
  readonly account: string;
  trust: PolicyDocument;
  readonly policies: Map<string, PolicyDocument>;
  /** The ARNs of the customer managed policies attached to it. */
  readonly attached: Set<string>;
  /** The role's tags: IAM gives them to its sessions as `aws:PrincipalTag/<key>` (ABAC). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A user profile. CreateUserProfile answers at once with the profile Pending; it is InService a
 * moment later (DescribeUserProfile's Status), https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeUserProfile.html
 */
export interface Profile {
  readonly name: string;
  readonly executionRole?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly readyAt: number;
  /** Its home directory on the domain's EFS: `/<uid>` (DescribeUserProfile's HomeEfsFileSystemUid). */
  readonly homeUid: string;
}

interface Session {
  readonly principal: string;
  readonly roleArn: string;
  readonly expiresAt: number;
}

interface Domain {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly profiles: Map<string, Profile>;
  /** Spaces by name, with the profile that owns each (a private space). */
  readonly spaces: Map<string, { owner: string }>;
  /** The domain's home EFS, when it has a VPC. */
  readonly fileSystemId?: string;
  /** The domain's tags, which SageMaker also puts on every app the domain launches. */
  readonly tags: Readonly<Record<string, string>>;
}

/** A Studio app: opening Studio creates one; deleting it passes through Deleting. */
interface StudioApp {
  readonly domainId: string;
  readonly userProfileName: string;
  readonly appType: string;
  readonly appName: string;
  status: "InService" | "Deleting" | "Deleted";
  /**
   * Its domain's tags, as of its creation: "Tags that you specify for the Domain are also added to
   * all Apps that the Domain launches", https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html
   */
  readonly tags: Readonly<Record<string, string>>;
}

interface Vpc {
  readonly id: string;
  readonly account: string;
  readonly subnets: Set<string>;
}

interface SecurityGroup {
  readonly id: string;
  readonly vpcId: string;
  readonly name: string;
  readonly account: string;
  /** Groups this one's rules reference (SageMaker's two NFS groups reference each other). */
  readonly references: Set<string>;
}

interface FileSystem {
  readonly id: string;
  readonly account: string;
  readonly domainArn: string;
  /** A local folder standing for the file system's contents (what a mount at its root shows). */
  readonly root: string;
  /** Mount target id → its subnet and VPC. */
  readonly mountTargets: Map<string, { subnetId: string; vpcId: string }>;
}

interface PresignedLogin {
  readonly domainId: string;
  readonly profile: string;
  /** Where the URL lands: LandingUri and SpaceName as asked for. */
  readonly landingUri?: string;
  readonly spaceName?: string;
  readonly principal: string;
  readonly roleArn: string;
  readonly expiresAt: number;
  used: boolean;
}

export type ApiHandler = (
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
  sourceVpce: string | undefined,
) => Promise<void>;

export const FOREIGN_VPCE = "vpce-0f0e0d0c0b0a09080";

const serviceOf = (serviceName: string, region: string): ServiceKey =>
  endpointServices(region).find((s) => s.serviceName === serviceName)?.key === "sts"
    ? "sts"
    : ((endpointServices(region).find((s) => s.serviceName === serviceName)?.key as
        ServiceKey | undefined) ?? "other");

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

function stsError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "Content-Type": "text/xml" });
  res.end(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
      `<RequestId>sandbox</RequestId></ErrorResponse>`,
  );
}

/** SageMaker's answer to a request whose signature names no known credentials. */
function unrecognizedClient(res: ServerResponse): void {
  jsonError(
    res,
    400,
    "UnrecognizedClientException",
    "The security token included in the request is invalid.",
  );
}

/**
 * Lambda's event filtering (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html),
 * for what the program's filters use: a list matches a value it holds, an object matches field
 * by field.
 */
export function matchesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(value);
  if (typeof pattern === "object" && pattern !== null) {
    if (typeof value !== "object" || value === null) return false;
    return Object.entries(pattern).every(([k, p]) =>
      matchesFilter(p, (value as Record<string, unknown>)[k]),
    );
  }
  return pattern === value;
}

function jsonError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": type });
  res.end(JSON.stringify({ __type: type, message }));
}

export class AwsEmulator {
  readonly roles = new Map<string, Role>();
  /** Customer managed policies, by ARN. */
  private readonly managedPolicies = new Map<string, PolicyDocument>();
  readonly domains = new Map<string, Domain>();
  readonly apps: StudioApp[] = [];
  readonly vpcs = new Map<string, Vpc>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly fileSystems = new Map<string, FileSystem>();
  /** Deleted file systems, whose folders go when the emulator stops. */
  private readonly deletedFileSystems: FileSystem[] = [];
  private homeUids = 0;
  /** EFS access points the stacks made: id → its file system. */
  readonly accessPoints = new Map<string, string>();
  /**
   * Each deployed Lambda function's tags, by ARN: Lambda decides InvokeFunction with them as
   * `aws:ResourceTag/<key>` ("Using attribute-based access control in Lambda",
   * https://docs.aws.amazon.com/lambda/latest/dg/attribute-based-access-control.html).
   */
  readonly functionTags = new Map<string, Readonly<Record<string, string>>>();
  /**
   * Runs a Lambda function the stacks deployed (the rehearsal's hosts): its answer, or the error
   * it raised, as Lambda's Invoke reports them.
   */
  invokeFunction:
    | ((
        functionArn: string,
        payload: unknown,
      ) => Promise<{ payload: unknown; error?: string } | undefined>)
    | undefined;
  readonly sessions = new Map<string, Session>();
  readonly endpoints = new Map<string, { listener: Listener; server: Server }>();
  /** Each interface endpoint's policy, evaluated with every request through it (as AWS does). */
  readonly endpointPolicies = new Map<string, PolicyDocument>();
  /**
   * The organization and its accounts: their principals carry `aws:PrincipalOrgID`. Its management
   * account, when given, is one of them that SCPs never affect.
   */
  organization: { id: string; accounts: Set<string>; managementAccount?: string } | undefined;
  /**
   * Service control policies and the member accounts each is attached to (to the account or to an
   * OU holding it). IAM evaluates them with every request a principal of those accounts makes; they
   * grant nothing (FullAWSAccess stays attached beside them), they only cap. "SCPs don't affect
   * users or roles in the management account" and "SCPs do not affect any service-linked role",
   * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
   */
  readonly serviceControlPolicies: {
    readonly accounts: Set<string>;
    readonly policy: PolicyDocument;
  }[] = [];
  readonly tables = new Map<string, TableInfo>();
  private readonly logins = new Map<string, PresignedLogin>();
  private readonly extraServers: Server[] = [];
  /** Calls answered, by `Service.Operation` and by `Service.Operation:Outcome`. */
  readonly calls = new Map<string, number>();
  /** Fraction of STS and SageMaker calls answered with throttling (for the failure benchmark). */
  throttleRate = 0;
  /**
   * Stream subscriptions (a Lambda event source mapping on a table's stream): each write through
   * the DynamoDB gateway that changes an item becomes a stream record, and the records its filters
   * admit go to `deliver`, as Lambda's poller delivers them.
   */
  readonly streamSubscriptions: {
    readonly table: string;
    readonly functionArn: string;
    readonly filters: readonly unknown[];
  }[] = [];
  deliver: ((functionArn: string, records: unknown[]) => Promise<void>) | undefined;
  private streamSequence = 0;
  private streamReader: DynamoDBClient | undefined;
  /** The DynamoDB emulator the gateway forwards to (the TTL process works on it directly). */
  private dynamoUrl: string | undefined;
  /** How long a new user profile stays Pending (real SageMaker: seconds). */
  profileStartMs = 1_500;
  /** Where the folders standing for EFS file systems are made (the sandbox: its state folder). */
  fileSystemsDir = tmpdir();
  random: () => number = Math.random;
  apiHandler: ApiHandler | undefined;
  publicListener!: Listener;
  foreignListener!: Listener;

  constructor(readonly region: string) {}

  async start(): Promise<void> {
    // However the process ends before stop() (Ctrl-C mid-run included), the file systems' folders go.
    this.forgetExitCleanup = onExit(() => {
      this.removeFileSystemFolders();
    });
    this.publicListener = await this.open("any", undefined);
    this.foreignListener = await this.open("any", FOREIGN_VPCE);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.endpoints.values()].map(({ server }) => close(server)));
    await Promise.all(this.extraServers.map(close));
    this.endpoints.clear();
    this.streamReader?.destroy();
    this.streamReader = undefined;
    this.removeFileSystemFolders();
    this.forgetExitCleanup();
  }

  private forgetExitCleanup: () => void = () => undefined;

  /** Removes the folders standing for the EFS file systems (studio-access-efs-fs-… in the temp dir). */
  private removeFileSystemFolders(): void {
    for (const fs of [...this.fileSystems.values(), ...this.deletedFileSystems])
      rmSync(fs.root, { recursive: true, force: true });
  }

  private count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  private async open(service: ServiceKey, vpceId: string | undefined): Promise<Listener> {
    const server = createServer((req, res) => {
      void this.dispatch(service, vpceId, req, res).catch((error: unknown) => {
        if (!res.headersSent)
          jsonError(
            res,
            500,
            "InternalFailure",
            error instanceof Error ? error.message : String(error),
          );
      });
    });
    const listener = { url: await listen(server), service, vpceId };
    if (vpceId && service !== "any") this.endpoints.set(vpceId, { listener, server });
    else this.extraServers.push(server);
    return listener;
  }

  // --- management (what `pulumi up` and `destroy` do, through the deployer) ---

  async createEndpoint(
    id: string,
    serviceName: string,
    policy?: PolicyDocument,
  ): Promise<Listener> {
    if (policy) this.endpointPolicies.set(id, policy);
    return this.open(serviceOf(serviceName, this.region), id);
  }

  /**
   * The same endpoint over TLS, with a self-signed certificate: a browser can then follow a
   * presigned URL's https:// redirect to it (mapped there by its host resolver rules).
   */
  async tlsListener(vpceId: string): Promise<string> {
    const endpoint = this.endpoints.get(vpceId);
    if (!endpoint) throw new Error(`no endpoint ${vpceId}`);
    const pems = await generateCertificate([{ name: "commonName", value: "*.sagemaker.aws" }], {
      keySize: 2048,
      algorithm: "sha256",
    });
    const service = endpoint.listener.service;
    const server = createHttpsServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      void this.dispatch(service, vpceId, req, res).catch(() => {
        if (!res.headersSent) jsonError(res, 500, "InternalFailure", "dispatch failed");
      });
    });
    this.extraServers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  async deleteEndpoint(id: string): Promise<void> {
    const endpoint = this.endpoints.get(id);
    if (!endpoint) return;
    this.endpoints.delete(id);
    this.endpointPolicies.delete(id);
    await close(endpoint.server);
  }

  createRole(arn: string, trust: PolicyDocument, tags: Record<string, string> = {}): void {
    const account = arn.split(":")[4] ?? "";
    this.roles.set(arn, { arn, account, trust, policies: new Map(), attached: new Set(), tags });
  }

  /** A role's ARN from its name (unique in an account, whatever its path). */
  roleArnByName(account: string, name: string): string | undefined {
    return [...this.roles.values()].find((r) => r.account === account && r.arn.endsWith(`/${name}`))
      ?.arn;
  }

  /**
   * IAM's decision for a call made with a role's credentials: its inline policies, with its tags as
   * `aws:PrincipalTag/<key>`. The rehearsal shows ABAC with it (calls made from inside Studio are
   * not emulated).
   */
  async decideAsRole(
    roleArn: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ): Promise<Outcome> {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`no role ${roleArn}`);
    const principal = `arn:aws:sts::${role.account}:assumed-role/${roleArn.split("/").pop() ?? ""}/SageMaker`;
    return evaluateIam({
      principal,
      action,
      resource,
      resourceAccount: role.account,
      identity: this.identityPolicies(roleArn),
      context: { ...this.principalTags(roleArn), ...context },
      ...this.boundaries(principal, roleArn, undefined),
    });
  }

  private principalTags(roleArn: string): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.roles.get(roleArn)?.tags ?? {}).map(([k, v]) => [
        `aws:PrincipalTag/${k}`,
        v,
      ]),
    );
  }

  putRolePolicy(roleArn: string, name: string, policy: PolicyDocument): void {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`no role ${roleArn} to attach ${name} to`);
    role.policies.set(name, policy);
  }

  deleteRolePolicy(roleArn: string, name: string): void {
    this.roles.get(roleArn)?.policies.delete(name);
  }

  /** A customer managed policy (AWS managed ones, `arn:aws:iam::aws:policy/…`, are not modelled). */
  createPolicy(arn: string, policy: PolicyDocument): void {
    this.managedPolicies.set(arn, policy);
  }

  /**
   * As IAM does, a policy still attached to a role cannot be deleted (DeleteConflict).
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html
   */
  deletePolicy(arn: string): void {
    const holder = [...this.roles.values()].find((role) => role.attached.has(arn));
    if (holder) throw new Error(`DeleteConflict: policy ${arn} is still attached to ${holder.arn}`);
    this.managedPolicies.delete(arn);
  }

  attachRolePolicy(roleArn: string, policyArn: string): void {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`no role ${roleArn} to attach ${policyArn} to`);
    if (!this.managedPolicies.has(policyArn)) throw new Error(`NoSuchEntity: policy ${policyArn}`);
    role.attached.add(policyArn);
  }

  detachRolePolicy(roleArn: string, policyArn: string): void {
    this.roles.get(roleArn)?.attached.delete(policyArn);
  }

  /**
   * As IAM does, a role with inline or attached policies cannot be deleted (DeleteConflict).
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html
   */
  deleteRole(arn: string): void {
    const role = this.roles.get(arn);
    if (role && role.policies.size > 0)
      throw new Error(`DeleteConflict: role ${arn} still has inline policies`);
    if (role && role.attached.size > 0)
      throw new Error(`DeleteConflict: role ${arn} still has managed policies attached`);
    this.roles.delete(arn);
  }

  /**
   * A VpcOnly domain. As SageMaker does, it also creates, in the domain's VPC, two NFS security
   * groups that reference each other (security-group-for-inbound-nfs-<domain>, …-outbound-…) and a
   * home EFS with a mount target in each subnet, none of which deleting the domain removes
   * (cloudformation-coverage-roadmap #1085 and #1754 describe the leftovers).
   */
  createDomain(
    account: string,
    region: string,
    name: string,
    network?: { vpcId: string; subnetIds: readonly string[] },
    tags: Readonly<Record<string, string>> = {},
  ): string {
    const id = `d-${randomBytes(6).toString("hex")}`;
    const fileSystemId = network ? `fs-${randomBytes(8).toString("hex")}` : undefined;
    this.domains.set(id, {
      id,
      account,
      region,
      name,
      profiles: new Map(),
      spaces: new Map(),
      ...(fileSystemId ? { fileSystemId } : {}),
      tags,
    });
    if (network && fileSystemId) {
      const inbound = this.createSecurityGroup(
        network.vpcId,
        `security-group-for-inbound-nfs-${id}`,
        account,
      );
      const outbound = this.createSecurityGroup(
        network.vpcId,
        `security-group-for-outbound-nfs-${id}`,
        account,
      );
      inbound.references.add(outbound.id);
      outbound.references.add(inbound.id);
      const fs: FileSystem = {
        id: fileSystemId,
        account,
        domainArn: `arn:aws:sagemaker:${region}:${account}:domain/${id}`,
        root: mkdtempSync(path.join(this.fileSystemsDir, `studio-access-efs-${fileSystemId}-`)),
        mountTargets: new Map(),
      };
      for (const subnetId of network.subnetIds)
        fs.mountTargets.set(`fsmt-${randomBytes(8).toString("hex")}`, {
          subnetId,
          vpcId: network.vpcId,
        });
      this.fileSystems.set(fs.id, fs);
    }
    return id;
  }

  /** Apps not yet deleted (SageMaker refuses to delete their profile or domain meanwhile). */
  private liveApps(domainId: string, userProfileName?: string): StudioApp[] {
    return this.apps.filter(
      (a) =>
        a.domainId === domainId &&
        a.status !== "Deleted" &&
        (userProfileName === undefined || a.userProfileName === userProfileName),
    );
  }

  /**
   * Refused while profiles or apps remain, as SageMaker refuses (ResourceInUse): "Delete all apps,
   * spaces and user profiles before deleting the domain",
   * https://docs.aws.amazon.com/sagemaker/latest/dg/gs-studio-delete-domain.html
   */
  deleteDomain(id: string): void {
    const domain = this.domains.get(id);
    if (domain && domain.profiles.size > 0)
      throw new Error(`ResourceInUse: domain ${id} still has user profiles`);
    if (this.liveApps(id).length > 0) throw new Error(`ResourceInUse: domain ${id} still has apps`);
    if (domain && domain.spaces.size > 0)
      throw new Error(`ResourceInUse: domain ${id} still has spaces`);
    this.domains.delete(id);
  }

  createUserProfile(
    domainId: string,
    name: string,
    settings: { executionRole?: string; tags?: Record<string, string>; startMs?: number } = {},
  ): void {
    const domain = this.domains.get(domainId);
    if (!domain) throw new Error(`ResourceNotFound: domain ${domainId}`);
    domain.profiles.set(name, {
      name,
      tags: settings.tags ?? {},
      ...(settings.executionRole ? { executionRole: settings.executionRole } : {}),
      readyAt: Date.now() + (settings.startMs ?? 0),
      // SageMaker numbers home directories from 200001 (the emulator, across its domains).
      homeUid: String(200001 + this.homeUids++),
    });
  }

  /** The domain's home EFS id (undefined for a domain without a VPC). */
  fileSystemOf(domainId: string): string | undefined {
    return this.domains.get(domainId)?.fileSystemId;
  }

  /** The folder a function sees at its mount of an access point (at the file system's root). */
  mountOf(accessPointArn: string): string | undefined {
    const fileSystemId = this.accessPoints.get(accessPointArn);
    return fileSystemId ? this.fileSystems.get(fileSystemId)?.root : undefined;
  }

  /**
   * The folder standing for a profile's home directory on its domain's EFS. Studio creates it when
   * the user first opens an app; DeleteUserProfile leaves it (the user only "loses access to their
   * EFS volume", API_DeleteUserProfile). Undefined without a file system.
   * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DeleteUserProfile.html
   */
  homeDirectory(domainId: string, homeUid: string): string | undefined {
    const fileSystemId = this.domains.get(domainId)?.fileSystemId;
    const fs = fileSystemId ? this.fileSystems.get(fileSystemId) : undefined;
    return fs ? path.join(fs.root, homeUid) : undefined;
  }

  /** Pending until its start time has passed, then InService. */
  profileStatus(profile: Profile): "Pending" | "InService" {
    return Date.now() < profile.readyAt ? "Pending" : "InService";
  }

  /** Every profile of every domain, with its domain (the rehearsal's view of what exists). */
  allProfiles(): (Profile & { domainId: string })[] {
    return [...this.domains.values()].flatMap((d) =>
      [...d.profiles.values()].map((p) => ({ ...p, domainId: d.id })),
    );
  }

  /** A private space, as a user makes one in Studio (the rehearsal's deep-link steps use it). */
  createSpace(domainId: string, name: string, owner: string): void {
    const domain = this.domains.get(domainId);
    if (!domain?.profiles.has(owner)) throw new Error(`ResourceNotFound: profile ${owner}`);
    domain.spaces.set(name, { owner });
  }

  /**
   * Refused while the profile has apps or spaces, and while it is not yet InService (still
   * Pending): ResourceInUse, the error API_DeleteUserProfile documents for a resource in use,
   * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DeleteUserProfile.html. The AWS
   * provider waits for InService after CreateUserProfile (waitUserProfileInService,
   * internal/service/sagemaker/user_profile.go), so a profile a stack made is never Pending here.
   */
  deleteUserProfile(domainId: string, name: string): void {
    const profile = this.domains.get(domainId)?.profiles.get(name);
    if (profile && this.profileStatus(profile) !== "InService")
      throw new Error(
        `ResourceInUse: user profile ${name} in ${domainId} is ${this.profileStatus(profile)}, not InService`,
      );
    if (this.liveApps(domainId, name).length > 0)
      throw new Error(`ResourceInUse: user profile ${name} in ${domainId} still has apps`);
    const spaces = [...(this.domains.get(domainId)?.spaces.values() ?? [])];
    if (spaces.some((space) => space.owner === name))
      throw new Error(`ResourceInUse: user profile ${name} in ${domainId} still has spaces`);
    this.domains.get(domainId)?.profiles.delete(name);
  }

  createVpc(id: string, account: string): void {
    this.vpcs.set(id, { id, account, subnets: new Set() });
  }

  /** Refused while subnets or security groups remain in the VPC, as EC2 refuses (DependencyViolation). */
  deleteVpc(id: string): void {
    const groups = [...this.securityGroups.values()].filter((g) => g.vpcId === id);
    const vpc = this.vpcs.get(id);
    if (groups.length > 0 || (vpc && vpc.subnets.size > 0))
      throw new Error(
        `DependencyViolation: the vpc '${id}' has dependencies and cannot be deleted (${[...(vpc?.subnets ?? []), ...groups.map((g) => `${g.id} ${g.name}`)].join(", ")})`,
      );
    this.vpcs.delete(id);
  }

  createSubnet(vpcId: string, id: string): void {
    this.vpcs.get(vpcId)?.subnets.add(id);
  }

  /** Refused while a network interface (an EFS mount target) remains in it. */
  deleteSubnet(vpcId: string, id: string): void {
    const targets = [...this.fileSystems.values()].flatMap((fs) =>
      [...fs.mountTargets].filter(([, t]) => t.subnetId === id).map(([mt]) => mt),
    );
    if (targets.length > 0)
      throw new Error(
        `DependencyViolation: the subnet '${id}' has dependencies and cannot be deleted (${targets.join(", ")})`,
      );
    this.vpcs.get(vpcId)?.subnets.delete(id);
  }

  createSecurityGroup(vpcId: string, name: string, account: string, id?: string): SecurityGroup {
    const group: SecurityGroup = {
      id: id ?? `sg-${randomBytes(8).toString("hex")}`,
      vpcId,
      name,
      account,
      references: new Set(),
    };
    this.securityGroups.set(group.id, group);
    return group;
  }

  /** Refused while another group's rules reference it, as EC2 refuses (DependencyViolation). */
  deleteSecurityGroup(id: string): void {
    const referrer = [...this.securityGroups.values()].find((g) => g.references.has(id));
    if (referrer)
      throw new Error(
        `DependencyViolation: resource ${id} has a dependent object (${referrer.id})`,
      );
    this.securityGroups.delete(id);
  }

  /**
   * Attaches an SCP to member accounts, as the management account does with AttachPolicy
   * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html).
   */
  attachServiceControlPolicy(accounts: Iterable<string>, policy: PolicyDocument): void {
    const targets = new Set(accounts);
    for (const account of targets) {
      if (!this.organization?.accounts.has(account))
        throw new Error(`TargetNotFoundException: account ${account} is not in the organization`);
      if (account === this.organization.managementAccount)
        throw new Error(
          `ConstraintViolationException: account ${account} is the management account, which SCPs do not affect`,
        );
    }
    this.serviceControlPolicies.push({ accounts: targets, policy });
  }

  /**
   * The SCPs that cap a principal: those attached to its account, if the account is a member of
   * the organization and not its management account, and the principal is not a service-linked
   * role (`role/aws-service-role/…`). Both exceptions: orgs_manage_policies_scps.html (cited at
   * `serviceControlPolicies`).
   */
  private scpsOf(principal: string, roleArn: string): PolicyDocument[] {
    const account = /:(\d{12}):/.exec(principal)?.[1];
    if (!account || !this.organization?.accounts.has(account)) return [];
    if (account === this.organization.managementAccount) return [];
    if (/:role\/aws-service-role\//.test(roleArn)) return [];
    return this.serviceControlPolicies
      .filter((scp) => scp.accounts.has(account))
      .map((scp) => scp.policy);
  }

  /** Credentials for a role, as Lambda hands its function: the principal is the role. */
  issueCredentials(
    roleArn: string,
    lifetimeSeconds = 3600,
  ): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    this.sessions.set(accessKeyId, {
      principal: roleArn,
      roleArn,
      expiresAt: Date.now() + lifetimeSeconds * 1000,
    });
    return { accessKeyId, secretAccessKey: "sandbox", sessionToken: "sandbox" };
  }

  /** What is deployed, by kind: all zero after every stack is destroyed. */
  inventory(): Record<string, number> {
    return {
      roles: this.roles.size,
      managedPolicies: this.managedPolicies.size,
      domains: this.domains.size,
      userProfiles: [...this.domains.values()].reduce((n, d) => n + d.profiles.size, 0),
      apps: this.apps.filter((a) => a.status !== "Deleted").length,
      spaces: [...this.domains.values()].reduce((n, d) => n + d.spaces.size, 0),
      securityGroups: this.securityGroups.size,
      vpcs: this.vpcs.size,
      mountTargets: [...this.fileSystems.values()].reduce((n, fs) => n + fs.mountTargets.size, 0),
      endpoints: this.endpoints.size,
    };
  }

  // --- the services ---

  private async dispatch(
    service: ServiceKey,
    vpceId: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const body = await readBody(req);
    const target = req.headers["x-amz-target"];
    const serves = (key: ServiceKey) => service === key || service === "any";
    if (req.method === "POST" && body.includes("Action=AssumeRole") && serves("sts"))
      return this.assumeRole(new URLSearchParams(body), req, res, vpceId);
    if (req.method === "POST" && /(^|&)Action=\w+/.test(body) && service === "any") {
      this.ec2(new URLSearchParams(body), req, res);
      return;
    }
    if ((req.url ?? "").startsWith("/2015-02-01/") && service === "any") {
      this.efs(req, res);
      return;
    }
    if (typeof target === "string" && target.startsWith("SageMaker.") && serves("sagemaker-api")) {
      return this.sageMaker(
        target.slice("SageMaker.".length),
        JSON.parse(body || "{}") as Record<string, unknown>,
        req,
        res,
        vpceId,
      );
    }
    const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? "");
    if (req.method === "POST" && invocation?.[1] && serves("lambda"))
      return this.lambdaInvoke(decodeURIComponent(invocation[1]), body, req, res, vpceId);
    if (req.method === "GET" && (req.url ?? "").startsWith("/auth?") && serves("studio"))
      return this.openStudio(req, res, vpceId);
    if (this.apiHandler && serves("execute-api")) return this.apiHandler(req, body, res, vpceId);
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end(`this endpoint (${service}) does not serve that request`);
  }

  private caller(req: IncomingMessage): Session | undefined {
    const match = /Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? "");
    return match?.[1] ? this.sessions.get(match[1]) : undefined;
  }

  /**
   * The identity policies of the role a caller's credentials belong to: its inline policies and
   * the customer managed policies attached to it.
   */
  private identityPolicies(roleArn: string): PolicyDocument[] {
    const role = this.roles.get(roleArn);
    if (!role) return [];
    return [
      ...role.policies.values(),
      ...[...role.attached].flatMap((arn) => {
        const managed = this.managedPolicies.get(arn);
        return managed ? [managed] : [];
      }),
    ];
  }

  private throttled(): boolean {
    return this.throttleRate > 0 && this.random() < this.throttleRate;
  }

  private context(vpceId: string | undefined): Record<string, string> {
    return vpceId ? { "aws:SourceVpce": vpceId } : { "aws:SourceIp": "203.0.113.10" };
  }

  /**
   * IAM's decision on a call a session makes through an endpoint (or from outside any): the
   * session role's identity policies, the endpoint's source, policy and organization, and the
   * request's own context.
   */
  private decide(
    session: { readonly principal: string; readonly roleArn: string },
    vpceId: string | undefined,
    request: {
      action: string;
      resource: string;
      resourceAccount: string;
      resourcePolicy?: PolicyDocument;
      context?: Record<string, string | string[]>;
    },
  ): Promise<Outcome> {
    return evaluateIam({
      principal: session.principal,
      ...request,
      identity: this.identityPolicies(session.roleArn),
      context: { ...this.context(vpceId), ...request.context },
      ...this.boundaries(session.principal, session.roleArn, vpceId),
    });
  }

  /**
   * What IAM adds to every decision: the endpoint's policy, the caller's organization and the
   * SCPs that cap the caller's account.
   */
  private boundaries(
    principal: string,
    roleArn: string,
    vpceId: string | undefined,
  ): { endpointPolicy?: PolicyDocument; principalOrgId?: string; scps: PolicyDocument[] } {
    const account = /:(\d{12}):/.exec(principal)?.[1];
    return {
      endpointPolicy: vpceId ? this.endpointPolicies.get(vpceId) : undefined,
      principalOrgId:
        account && this.organization?.accounts.has(account) ? this.organization.id : undefined,
      scps: this.scpsOf(principal, roleArn),
    };
  }

  private async assumeRole(
    params: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    this.count("STS.AssumeRole");
    const caller = this.caller(req);
    if (!caller) {
      stsError(
        res,
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      );
      return;
    }
    if (caller.expiresAt < Date.now()) {
      stsError(res, 400, "ExpiredToken", "The security token included in the request is expired");
      return;
    }
    if (this.throttled()) {
      this.count("STS.AssumeRole:Throttled");
      stsError(res, 400, "Throttling", "Rate exceeded");
      return;
    }
    const roleArn = params.get("RoleArn") ?? "";
    const role = this.roles.get(roleArn);
    const outcome: Outcome = role
      ? await this.decide(caller, vpceId, {
          action: "sts:AssumeRole",
          resource: roleArn,
          resourceAccount: role.account,
          resourcePolicy: role.trust,
        })
      : "ImplicitlyDenied";
    this.count(`STS.AssumeRole:${outcome}`);
    if (outcome !== "Allowed" || !role) {
      stsError(
        res,
        403,
        "AccessDenied",
        `User: ${caller.principal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
      return;
    }
    const sessionName = params.get("RoleSessionName") ?? "session";
    const lifetime = Number(params.get("DurationSeconds") ?? 3600);
    const principal = `arn:aws:sts::${role.account}:assumed-role/${roleArn.split("/").pop() ?? ""}/${sessionName}`;
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const expiresAt = Date.now() + lifetime * 1000;
    this.sessions.set(accessKeyId, { principal, roleArn, expiresAt });
    writeAssumeRoleResponse(res, {
      accessKeyId,
      expiration: new Date(expiresAt),
      assumedRoleArn: principal,
      sessionName,
    });
  }

  private async sageMaker(
    operation: string,
    input: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    this.count(`SageMaker.${operation}`);
    if (
      [
        "ListApps",
        "DeleteApp",
        "ListSpaces",
        "DeleteSpace",
        "ListUserProfiles",
        "DeleteUserProfile",
        "ListTags",
      ].includes(operation)
    ) {
      await this.studioResources(operation, input, req, res, vpceId);
      return;
    }
    if (operation === "CreateUserProfile" || operation === "DescribeUserProfile") {
      await this.userProfiles(operation, input, req, res, vpceId);
      return;
    }
    if (operation !== "CreatePresignedDomainUrl") {
      jsonError(res, 400, "UnknownOperationException", `${operation} is not emulated`);
      return;
    }
    const caller = this.caller(req);
    if (!caller) {
      unrecognizedClient(res);
      return;
    }
    if (caller.expiresAt < Date.now()) {
      jsonError(
        res,
        400,
        "ExpiredTokenException",
        "The security token included in the request is expired",
      );
      return;
    }
    if (this.throttled()) {
      this.count("SageMaker.CreatePresignedDomainUrl:Throttled");
      jsonError(res, 400, "ThrottlingException", "Rate exceeded");
      return;
    }
    const domainId = String(input.DomainId);
    const profile = String(input.UserProfileName);
    const domain = this.domains.get(domainId);
    const profileArn = `arn:aws:sagemaker:${domain?.region ?? this.region}:${domain?.account ?? "000000000000"}:user-profile/${domainId}/${profile}`;
    // IAM sees the profile's tags as aws:ResourceTag/<key> (the user-profile resource type's
    // condition keys, Service Authorization Reference). A profile that does not exist has none, so
    // a tag-conditioned role is refused (AccessDeniedException) before SageMaker would say
    // ResourceNotFound: which of the two AWS answers is on the README's "only real AWS" list, and
    // the presigner handles both.
    const outcome = await this.decide(caller, vpceId, {
      action: "sagemaker:CreatePresignedDomainUrl",
      resource: profileArn,
      resourceAccount: domain?.account ?? "000000000000",
      context: resourceTags(domain?.profiles.get(profile)?.tags),
    });
    this.count(`SageMaker.CreatePresignedDomainUrl:${outcome}`);
    if (outcome !== "Allowed") {
      jsonError(
        res,
        400,
        "AccessDeniedException",
        `User: ${caller.principal} is not authorized to perform: sagemaker:CreatePresignedDomainUrl on resource: ${profileArn}`,
      );
      return;
    }
    // A Pending profile is answered as not there yet (what SageMaker answers is one of the things
    // only real AWS shows; the presigner then finds it Pending and waits or answers 202).
    const existing = domain?.profiles.get(profile);
    if (!domain || !existing || this.profileStatus(existing) !== "InService") {
      jsonError(
        res,
        400,
        "ResourceNotFound",
        `User profile ${profile} does not exist in ${domainId}`,
      );
      return;
    }
    // LandingUri's documented forms: studio::<path> or app:<Application>:<path>.
    const landingUri = typeof input.LandingUri === "string" ? input.LandingUri : undefined;
    if (
      landingUri !== undefined &&
      !/^(studio::|app:(JupyterServer|JupyterLab|RStudioServerPro|CodeEditor|Canvas):)/.test(
        landingUri,
      )
    ) {
      jsonError(res, 400, "ValidationException", `Invalid LandingUri ${landingUri}`);
      return;
    }
    const spaceName = typeof input.SpaceName === "string" ? input.SpaceName : undefined;
    if (spaceName !== undefined && domain.spaces.get(spaceName)?.owner !== profile) {
      jsonError(res, 400, "ResourceNotFound", `Space ${spaceName} does not exist in ${domainId}`);
      return;
    }
    const token = randomBytes(24).toString("base64url");
    const expiresIn = Number(input.ExpiresInSeconds ?? 300);
    this.logins.set(token, {
      domainId,
      profile,
      ...(landingUri !== undefined ? { landingUri } : {}),
      ...(spaceName !== undefined ? { spaceName } : {}),
      principal: caller.principal,
      roleArn: caller.roleArn,
      expiresAt: Date.now() + expiresIn * 1000,
      used: false,
    });
    res.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
    res.end(
      JSON.stringify({
        AuthorizedUrl: `https://${domainId}.studio.${domain.region}.sagemaker.aws/auth?token=${token}`,
      }),
    );
  }

  /** Studio opening a presigned URL: once, before it expires, re-authorised against the role that made it. */
  private async openStudio(
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    this.count("Studio.OpenPresignedUrl");
    const token = new URL(req.url ?? "", "http://studio").searchParams.get("token") ?? "";
    const login = this.logins.get(token);
    const deny = (message: string) => {
      this.count("Studio.OpenPresignedUrl:Denied");
      res.writeHead(403, { "Content-Type": "text/plain" });
      res.end(message);
    };
    if (!login || login.used || login.expiresAt < Date.now()) {
      deny("Invalid or expired auth token");
      return;
    }
    login.used = true;
    const domain = this.domains.get(login.domainId);
    const outcome = await this.decide(login, vpceId, {
      action: "sagemaker:CreatePresignedDomainUrl",
      resource: `arn:aws:sagemaker:${domain?.region ?? this.region}:${domain?.account ?? ""}:user-profile/${login.domainId}/${login.profile}`,
      resourceAccount: domain?.account ?? "",
      context: resourceTags(domain?.profiles.get(login.profile)?.tags),
    });
    if (outcome !== "Allowed") {
      deny("Auth token containing insufficient permissions");
      return;
    }
    this.count("Studio.OpenPresignedUrl:Allowed");
    // The user's home directory appears on the domain's EFS with their first app.
    const homeUid = domain?.profiles.get(login.profile)?.homeUid;
    const home = homeUid ? this.homeDirectory(login.domainId, homeUid) : undefined;
    if (home && !existsSync(home)) {
      mkdirSync(path.join(home, "work"), { recursive: true });
      writeFileSync(path.join(home, "work", "notes.ipynb"), "{}");
      writeFileSync(path.join(home, ".bashrc"), "");
    }
    // Studio starts the user's default app on first open, as the console does.
    if (!this.liveApps(login.domainId, login.profile).length)
      this.apps.push({
        domainId: login.domainId,
        userProfileName: login.profile,
        appType: "JupyterServer",
        appName: "default",
        status: "InService",
        tags: { ...(domain?.tags ?? {}) },
      });
    const app = /^app:(\w+):/.exec(login.landingUri ?? "")?.[1];
    const where = login.spaceName ? `, space ${login.spaceName}` : "";
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html><head><title>${app ? `${app} - ` : ""}SageMaker Studio</title></head>` +
        `<body><h1>${app ?? "Studio"}</h1><p id="who">${login.profile} in ${login.domainId}${where}</p></body></html>`,
    );
  }

  /**
   * CreateUserProfile and DescribeUserProfile, as the presigner's provisioning role makes them on a
   * first sign-in. IAM decides each as AWS does: CreateUserProfile with the request's tags as
   * `aws:RequestTag/<key>` and `aws:TagKeys`, the tags themselves as `sagemaker:AddTags` ("To add
   * tags when you create a resource, you need sagemaker:AddTags", SageMaker developer guide,
   * security_iam_id-based-policy-examples), and the execution role as `iam:PassRole` to
   * sagemaker.amazonaws.com. A name taken is ResourceInUse (API_CreateUserProfile's errors).
   */
  private async userProfiles(
    operation: "CreateUserProfile" | "DescribeUserProfile",
    input: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    const caller = this.caller(req);
    if (!caller) {
      unrecognizedClient(res);
      return;
    }
    const domainId = String(input.DomainId);
    const name = String(input.UserProfileName);
    const domain = this.domains.get(domainId);
    const account = domain?.account ?? "000000000000";
    const profileArn = `arn:aws:sagemaker:${domain?.region ?? this.region}:${account}:user-profile/${domainId}/${name}`;
    const tags = Object.fromEntries(
      ((input.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => [
        t.Key,
        t.Value,
      ]),
    );
    // The request's tags, as IAM sees them on CreateUserProfile and on the AddTags it implies.
    const requestTags: Record<string, string | string[]> = {
      ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
      "aws:TagKeys": Object.keys(tags),
    };
    const executionRole = (input.UserSettings as { ExecutionRole?: string } | undefined)
      ?.ExecutionRole;
    const checks: {
      action: string;
      resource: string;
      context: Record<string, string | string[]>;
    }[] =
      operation === "DescribeUserProfile"
        ? [
            {
              action: "sagemaker:DescribeUserProfile",
              resource: profileArn,
              context: Object.fromEntries(
                Object.entries(domain?.profiles.get(name)?.tags ?? {}).map(([k, v]) => [
                  `aws:ResourceTag/${k}`,
                  v,
                ]),
              ),
            },
          ]
        : [
            {
              action: "sagemaker:CreateUserProfile",
              resource: profileArn,
              context: {
                ...requestTags,
              },
            },
            ...(Object.keys(tags).length > 0
              ? [
                  {
                    action: "sagemaker:AddTags",
                    resource: profileArn,
                    context: requestTags,
                  },
                ]
              : []),
            ...(executionRole
              ? [
                  {
                    action: "iam:PassRole",
                    resource: executionRole,
                    context: { "iam:PassedToService": "sagemaker.amazonaws.com" },
                  },
                ]
              : []),
          ];
    for (const check of checks) {
      const outcome = await this.decide(caller, vpceId, {
        action: check.action,
        resource: check.resource,
        resourceAccount:
          check.action === "iam:PassRole" ? (check.resource.split(":")[4] ?? "") : account,
        context: check.context,
      });
      this.count(`SageMaker.${operation}:${check.action}:${outcome}`);
      if (outcome !== "Allowed") {
        jsonError(
          res,
          400,
          "AccessDeniedException",
          `User: ${caller.principal} is not authorized to perform: ${check.action} on resource: ${check.resource}`,
        );
        return;
      }
    }
    const existing = domain?.profiles.get(name);
    if (operation === "DescribeUserProfile") {
      if (!existing) {
        jsonError(
          res,
          400,
          "ResourceNotFound",
          `User profile ${name} does not exist in ${domainId}`,
        );
        return;
      }
      res.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          DomainId: domainId,
          UserProfileArn: profileArn,
          UserProfileName: name,
          Status: this.profileStatus(existing),
          HomeEfsFileSystemUid: existing.homeUid,
          UserSettings: existing.executionRole ? { ExecutionRole: existing.executionRole } : {},
        }),
      );
      return;
    }
    if (!domain) {
      jsonError(res, 400, "ResourceNotFound", `Domain ${domainId} does not exist`);
      return;
    }
    if (existing) {
      jsonError(res, 400, "ResourceInUse", `User profile ${name} already exists`);
      return;
    }
    if (executionRole && !this.roles.has(executionRole)) {
      jsonError(res, 400, "ValidationException", `Role ${executionRole} does not exist`);
      return;
    }
    this.createUserProfile(domainId, name, {
      ...(executionRole ? { executionRole } : {}),
      tags,
      startMs: this.profileStartMs,
    });
    res.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
    res.end(JSON.stringify({ UserProfileArn: profileArn }));
  }

  /**
   * SageMaker's Studio app, space and profile calls a destroy and an offboarding make (callers must
   * hold issued credentials). Every call is decided by IAM, with the profile's tags as
   * `aws:ResourceTag/<key>`: the lifecycle role's session by its policies, a stack's deploying
   * pipeline by its own (an administrator of its account). A session whose role the emulator does
   * not know has no policies, so it is refused (implicit deny), as IAM refuses a principal nothing
   * allows.
   */
  private async studioResources(
    operation: string,
    given: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    const caller = this.caller(req);
    if (!caller) {
      unrecognizedClient(res);
      return;
    }
    // ListTags names its resource by ARN: a user profile's, `…:user-profile/<domain>/<name>`.
    const tagged =
      operation === "ListTags"
        ? /:user-profile\/([^/]+)\/([^/]+)$/.exec(String(given.ResourceArn))
        : undefined;
    const input = tagged ? { ...given, DomainId: tagged[1], UserProfileName: tagged[2] } : given;
    const domainInput = input.DomainIdEquals ?? input.DomainId;
    const domainIdIn = typeof domainInput === "string" ? domainInput : "";
    const domain = this.domains.get(domainIdIn);
    const arn = (kind: string) =>
      `arn:aws:sagemaker:${domain?.region ?? this.region}:${domain?.account ?? "000000000000"}:${kind}`;
    const profile = domain?.profiles.get(String(input.UserProfileName));
    const resource = operation.startsWith("List")
      ? operation === "ListTags"
        ? String(input.ResourceArn)
        : "*"
      : operation === "DeleteApp"
        ? arn(
            `app/${domainIdIn}/${String(input.UserProfileName ?? input.SpaceName)}/${String(input.AppType).toLowerCase()}/${String(input.AppName)}`,
          )
        : operation === "DeleteSpace"
          ? arn(`space/${domainIdIn}/${String(input.SpaceName)}`)
          : arn(`user-profile/${domainIdIn}/${String(input.UserProfileName)}`);
    // What IAM sees of the resource: an app its own tags (its domain's, from its launch); a space
    // its owner's profile ARN (sagemaker:OwnerUserProfileArn, a documented key of DeleteSpace,
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html);
    // a profile its tags.
    const owner = domain?.spaces.get(String(input.SpaceName))?.owner;
    const context =
      operation === "DeleteApp"
        ? resourceTags(
            this.apps.find(
              (a) =>
                a.domainId === domainIdIn &&
                a.userProfileName === input.UserProfileName &&
                a.appName === input.AppName &&
                a.appType === input.AppType &&
                a.status !== "Deleted",
            )?.tags,
          )
        : operation === "DeleteSpace"
          ? owner
            ? { "sagemaker:OwnerUserProfileArn": arn(`user-profile/${domainIdIn}/${owner}`) }
            : {}
          : operation.startsWith("List") && operation !== "ListTags"
            ? {}
            : resourceTags(profile?.tags);
    const outcome = await this.decide(caller, vpceId, {
      action: `sagemaker:${operation}`,
      resource,
      resourceAccount: domain?.account ?? "000000000000",
      context,
    });
    this.count(`SageMaker.${operation}:${outcome}`);
    if (outcome !== "Allowed") {
      jsonError(
        res,
        400,
        "AccessDeniedException",
        `User: ${caller.principal} is not authorized to perform: sagemaker:${operation} on resource: ${resource}`,
      );
      return;
    }
    const ok = (body: unknown) => {
      res.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(body));
    };
    const domainIdInput = input.DomainIdEquals ?? input.DomainId;
    const domainId = typeof domainIdInput === "string" ? domainIdInput : "";
    if (operation === "ListApps") {
      const apps = this.apps.filter(
        (a) =>
          a.domainId === domainId &&
          (input.UserProfileNameEquals === undefined ||
            a.userProfileName === input.UserProfileNameEquals) &&
          input.SpaceNameEquals === undefined,
      );
      const listed = apps.map((a) => ({
        DomainId: a.domainId,
        UserProfileName: a.userProfileName,
        AppType: a.appType,
        AppName: a.appName,
        Status: a.status,
      }));
      // A deletion takes a moment: Deleting is seen once, then Deleted.
      for (const app of apps) if (app.status === "Deleting") app.status = "Deleted";
      ok({ Apps: listed });
      return;
    }
    if (operation === "DeleteApp") {
      const app = this.apps.find(
        (a) =>
          a.domainId === domainId &&
          a.userProfileName === input.UserProfileName &&
          a.appName === input.AppName &&
          a.appType === input.AppType &&
          a.status === "InService",
      );
      if (!app) {
        jsonError(res, 400, "ResourceNotFound", `no app ${String(input.AppName)}`);
        return;
      }
      app.status = "Deleting";
      ok({});
      return;
    }
    if (operation === "ListTags") {
      const profile = this.domains
        .get(domainId)
        ?.profiles.get(typeof input.UserProfileName === "string" ? input.UserProfileName : "");
      if (!tagged || !profile) {
        jsonError(res, 400, "ResourceNotFound", `no resource ${String(input.ResourceArn)}`);
        return;
      }
      ok({ Tags: Object.entries(profile.tags).map(([Key, Value]) => ({ Key, Value })) });
      return;
    }
    if (operation === "ListUserProfiles") {
      ok({
        UserProfiles: [...(this.domains.get(domainId)?.profiles.values() ?? [])].map((p) => ({
          DomainId: domainId,
          UserProfileName: p.name,
          Status: this.profileStatus(p),
        })),
      });
      return;
    }
    if (operation === "DeleteUserProfile") {
      const name = String(input.UserProfileName);
      if (!this.domains.get(domainId)?.profiles.has(name)) {
        jsonError(res, 400, "ResourceNotFound", `no user profile ${name}`);
        return;
      }
      try {
        this.deleteUserProfile(domainId, name);
      } catch (error) {
        jsonError(res, 400, "ResourceInUse", (error as Error).message);
        return;
      }
      ok({});
      return;
    }
    const spaces = this.domains.get(domainId)?.spaces ?? new Map<string, { owner: string }>();
    if (operation === "ListSpaces") {
      ok({
        Spaces: [...spaces.entries()].map(([SpaceName, { owner }]) => ({
          DomainId: domainId,
          SpaceName,
          Status: "InService",
          OwnershipSettingsSummary: { OwnerUserProfileName: owner },
        })),
      });
      return;
    }
    if (!spaces.delete(String(input.SpaceName))) {
      jsonError(res, 400, "ResourceNotFound", `no space ${String(input.SpaceName)}`);
      return;
    }
    ok({});
  }

  /** The EC2 Query calls a spoke's sweep makes: describe, revoke and delete security groups. */
  private ec2(params: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const action = params.get("Action") ?? "";
    this.count(`EC2.${action}`);
    const xml = (status: number, body: string) => {
      res.writeHead(status, { "Content-Type": "text/xml" });
      res.end(body);
    };
    const error = (code: string, message: string) => {
      xml(
        400,
        `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>sandbox</RequestID></Response>`,
      );
    };
    if (!this.caller(req)) {
      error("AuthFailure", "AWS was not able to validate the provided access credentials");
      return;
    }
    const ns = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
    const done = () => {
      xml(
        200,
        `<${action}Response ${ns}><requestId>sandbox</requestId><return>true</return></${action}Response>`,
      );
    };
    const groupId = params.get("GroupId") ?? "";
    if (action === "DescribeSecurityGroups") {
      const filters = new Map<string, string[]>();
      for (let i = 1; params.has(`Filter.${String(i)}.Name`); i++) {
        const values: string[] = [];
        for (let j = 1; params.has(`Filter.${String(i)}.Value.${String(j)}`); j++)
          values.push(params.get(`Filter.${String(i)}.Value.${String(j)}`) ?? "");
        filters.set(params.get(`Filter.${String(i)}.Name`) ?? "", values);
      }
      const like = (value: string, patterns: string[] | undefined) =>
        !patterns ||
        patterns.some((p) =>
          new RegExp(
            `^${p
              .split("*")
              .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
              .join(".*")}$`,
          ).test(value),
        );
      const groups = [...this.securityGroups.values()].filter(
        (g) => like(g.vpcId, filters.get("vpc-id")) && like(g.name, filters.get("group-name")),
      );
      const permissions = (g: SecurityGroup) =>
        [...g.references]
          .map(
            (ref) =>
              `<item><ipProtocol>tcp</ipProtocol><fromPort>2049</fromPort><toPort>2049</toPort><groups><item><groupId>${ref}</groupId><userId>${g.account}</userId></item></groups><ipRanges/></item>`,
          )
          .join("");
      xml(
        200,
        `<DescribeSecurityGroupsResponse ${ns}><requestId>sandbox</requestId><securityGroupInfo>${groups
          .map(
            (g) =>
              `<item><ownerId>${g.account}</ownerId><groupId>${g.id}</groupId><groupName>${g.name}</groupName><groupDescription>${g.name}</groupDescription><vpcId>${g.vpcId}</vpcId><ipPermissions>${permissions(g)}</ipPermissions><ipPermissionsEgress>${permissions(g)}</ipPermissionsEgress></item>`,
          )
          .join("")}</securityGroupInfo></DescribeSecurityGroupsResponse>`,
      );
      return;
    }
    const group = this.securityGroups.get(groupId);
    if (!group) {
      error("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);
      return;
    }
    if (action === "RevokeSecurityGroupIngress" || action === "RevokeSecurityGroupEgress") {
      group.references.clear();
      done();
      return;
    }
    if (action === "DeleteSecurityGroup") {
      try {
        this.deleteSecurityGroup(groupId);
        done();
      } catch (e) {
        error("DependencyViolation", (e as Error).message);
      }
      return;
    }
    error("InvalidAction", `${action} is not emulated`);
  }

  /** The EFS calls a spoke's sweep makes: list file systems and mount targets, delete them. */
  private efs(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "", "http://efs");
    const json = (status: number, body?: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    this.count(`EFS.${req.method ?? "?"} ${url.pathname.split("/")[2] ?? ""}`);
    if (!this.caller(req)) {
      json(403, {
        ErrorCode: "UnrecognizedClientException",
        Message: "The security token included in the request is invalid.",
      });
      return;
    }
    const [, , kind, id] = url.pathname.split("/");
    if (req.method === "GET" && kind === "file-systems") {
      json(200, {
        FileSystems: [...this.fileSystems.values()].map((fs) => ({
          FileSystemId: fs.id,
          OwnerId: fs.account,
          CreationToken: fs.id,
          CreationTime: 0,
          LifeCycleState: "available",
          NumberOfMountTargets: fs.mountTargets.size,
          SizeInBytes: { Value: 0 },
          PerformanceMode: "generalPurpose",
          Tags: [{ Key: "ManagedByAmazonSageMakerResource", Value: fs.domainArn }],
        })),
      });
      return;
    }
    if (req.method === "GET" && kind === "mount-targets") {
      const fs = this.fileSystems.get(url.searchParams.get("FileSystemId") ?? "");
      json(200, {
        MountTargets: [...(fs?.mountTargets ?? [])].map(([mt, t]) => ({
          MountTargetId: mt,
          FileSystemId: fs?.id,
          SubnetId: t.subnetId,
          VpcId: t.vpcId,
          LifeCycleState: "available",
          OwnerId: fs?.account,
          IpAddress: "10.0.0.10",
        })),
      });
      return;
    }
    if (req.method === "DELETE" && kind === "mount-targets") {
      for (const fs of this.fileSystems.values()) fs.mountTargets.delete(id ?? "");
      json(204);
      return;
    }
    if (req.method === "DELETE" && kind === "file-systems") {
      const fs = this.fileSystems.get(id ?? "");
      if (fs && fs.mountTargets.size > 0) {
        json(409, { ErrorCode: "FileSystemInUse", Message: `${fs.id} has mount targets` });
        return;
      }
      if (fs) this.deletedFileSystems.push(fs);
      this.fileSystems.delete(id ?? "");
      json(204);
      return;
    }
    json(400, {
      ErrorCode: "BadRequest",
      Message: `${String(req.method)} ${url.pathname} is not emulated`,
    });
  }

  /**
   * Lambda's Invoke (RequestResponse), as the hub's lifecycle function makes it with a LOB's
   * lifecycle role: decided by IAM (the caller's policies, the endpoint's policy), then run by the
   * rehearsal's host of that function. A handler's error comes back as Lambda reports it: status
   * 200, `X-Amz-Function-Error: Unhandled`, and `{errorMessage}` as the payload.
   * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
   */
  private async lambdaInvoke(
    name: string,
    body: string,
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    this.count("Lambda.Invoke");
    const caller = this.caller(req);
    if (!caller) {
      unrecognizedClient(res);
      return;
    }
    const account = /:(\d{12}):/.exec(caller.principal)?.[1] ?? "";
    const functionArn = name.startsWith("arn:")
      ? name
      : `arn:aws:lambda:${this.region}:${account}:function:${name}`;
    const outcome = await this.decide(caller, vpceId, {
      action: "lambda:InvokeFunction",
      resource: functionArn,
      resourceAccount: functionArn.split(":")[4] ?? "",
      context: Object.fromEntries(
        Object.entries(this.functionTags.get(functionArn) ?? {}).map(([k, v]) => [
          `aws:ResourceTag/${k}`,
          v,
        ]),
      ),
    });
    this.count(`Lambda.Invoke:${outcome}`);
    const error = (status: number, type: string, message: string) => {
      res.writeHead(status, { "Content-Type": "application/json", "x-amzn-ErrorType": type });
      res.end(JSON.stringify({ Type: "User", Message: message }));
    };
    if (outcome !== "Allowed") {
      error(
        403,
        "AccessDeniedException",
        `User: ${caller.principal} is not authorized to perform: lambda:InvokeFunction on resource: ${functionArn}`,
      );
      return;
    }
    const answer = await this.invokeFunction?.(functionArn, JSON.parse(body || "{}"));
    if (!answer) {
      error(404, "ResourceNotFoundException", `Function not found: ${functionArn}`);
      return;
    }
    res.writeHead(200, {
      "Content-Type": "application/json",
      "X-Amz-Executed-Version": "$LATEST",
      ...(answer.error !== undefined ? { "X-Amz-Function-Error": "Unhandled" } : {}),
    });
    res.end(
      JSON.stringify(
        answer.error !== undefined
          ? { errorType: "Error", errorMessage: answer.error }
          : answer.payload,
      ),
    );
  }

  /**
   * DynamoDB as its callers reach it: each request is decided by the caller's identity policies
   * (the credentials this emulator issued), with `dynamodb:LeadingKeys` taken from the request's
   * keys, as IAM does for fine-grained access control; then it is forwarded to the DynamoDB
   * emulator. The calls are counted.
   */
  async dynamoGateway(targetUrl: string): Promise<string> {
    this.dynamoUrl = targetUrl;
    const target = new URL(targetUrl);
    const server = createServer((req, res) => {
      void (async () => {
        const body = await readBody(req);
        const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "?";
        this.count(`DynamoDB.${operation}`);
        const denial = await this.dynamoDenial(req, operation, body);
        if (denial) {
          this.count(`DynamoDB.${operation}:Denied`);
          res.writeHead(400, { "Content-Type": "application/x-amz-json-1.0" });
          res.end(JSON.stringify(denial));
          return;
        }
        const streamed = this.streamedWrites(operation, body);
        const before = await Promise.all(streamed.map((w) => this.itemImage(targetUrl, w)));
        const upstream = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: { ...req.headers, "content-length": Buffer.byteLength(body) },
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            if (streamed.length > 0 && answer.statusCode === 200)
              answer.on("end", () => {
                void (async () => {
                  for (const [i, write] of streamed.entries())
                    await this.emitStreamRecord(targetUrl, write, before[i]);
                })();
              });
          },
        );
        upstream.on("error", () => {
          jsonError(res, 502, "InternalFailure", "DynamoDB emulator unreachable");
        });
        upstream.end(body);
      })();
    });
    this.extraServers.push(server);
    return listen(server);
  }

  /**
   * The items a write changes in tables someone subscribed to: their table and key. Every item
   * write makes a stream record, whichever call made it: PutItem, UpdateItem and DeleteItem, each
   * PutRequest and DeleteRequest of a BatchWriteItem, and each Put, Update and Delete of a
   * TransactWriteItems ("DynamoDB Streams captures a time-ordered sequence of item-level
   * modifications", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html).
   * An item left as it was (a failed condition, an unprocessed batch item) makes none.
   */
  private streamedWrites(
    operation: string,
    body: string,
  ): { table: string; key: Record<string, unknown> }[] {
    type Write = {
      TableName?: string;
      Key?: Record<string, unknown>;
      Item?: Record<string, unknown>;
    };
    const input = JSON.parse(body || "{}") as Write & {
      RequestItems?: Record<
        string,
        {
          PutRequest?: { Item?: Record<string, unknown> };
          DeleteRequest?: { Key?: Record<string, unknown> };
        }[]
      >;
      TransactItems?: { Put?: Write; Update?: Write; Delete?: Write }[];
    };
    const writes: Write[] = ["PutItem", "UpdateItem", "DeleteItem"].includes(operation)
      ? [input]
      : operation === "BatchWriteItem"
        ? Object.entries(input.RequestItems ?? {}).flatMap(([TableName, requests]) =>
            requests.map((r) => ({
              TableName,
              ...(r.PutRequest?.Item ? { Item: r.PutRequest.Item } : {}),
              ...(r.DeleteRequest?.Key ? { Key: r.DeleteRequest.Key } : {}),
            })),
          )
        : operation === "TransactWriteItems"
          ? (input.TransactItems ?? []).flatMap((t) => {
              const write = t.Put ?? t.Update ?? t.Delete;
              return write ? [write] : [];
            })
          : [];
    return writes.flatMap((write) => {
      const table = write.TableName ?? "";
      const info = this.tables.get(table);
      if (!info || !this.streamSubscriptions.some((s) => s.table === table)) return [];
      const key =
        write.Key ??
        Object.fromEntries(Object.entries(write.Item ?? {}).filter(([k]) => info.keys.includes(k)));
      return [{ table, key }];
    });
  }

  /**
   * DynamoDB's Time to Live: deletes a table's items whose TTL attribute (a Number of epoch
   * seconds) is before `nowSeconds`, as the TTL process does in the background (here when called),
   * and makes each deletion a REMOVE stream record whose `userIdentity` says the service did it:
   * "Items that are deleted by the Time to Live process after expiration have the following
   * fields: Records[].userIdentity.type "Service", Records[].userIdentity.principalId
   * "dynamodb.amazonaws.com"" (Record, DynamoDB Streams API reference,
   * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html; TTL,
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html). Answers how many
   * items expired.
   */
  async expireItems(table: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<number> {
    const info = this.tables.get(table);
    if (!info?.ttlAttribute) throw new Error(`table ${table} has no TTL attribute`);
    const dynamoUrl = this.dynamoUrl;
    if (!dynamoUrl) throw new Error("no DynamoDB emulator: call dynamoGateway first");
    const reader = this.reader(dynamoUrl);
    const expired: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await reader.send(
        new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const ttl = item[info.ttlAttribute]?.N;
        if (ttl !== undefined && Number(ttl) < nowSeconds) expired.push(item);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    for (const item of expired) {
      const key = Object.fromEntries(info.keys.map((k) => [k, item[k]]));
      await reader.send(
        new DeleteItemCommand({ TableName: table, Key: key as Record<string, AttributeValue> }),
      );
      this.count("DynamoDB.TtlExpiry");
      await this.emitStreamRecord(dynamoUrl, { table, key }, item, TTL_IDENTITY);
    }
    return expired.length;
  }

  /** A client of the DynamoDB emulator itself (past the gateway: no IAM). */
  private reader(targetUrl: string): DynamoDBClient {
    this.streamReader ??= new DynamoDBClient({
      region: this.region,
      endpoint: targetUrl,
      credentials: { accessKeyId: "stream", secretAccessKey: "stream" },
    });
    return this.streamReader;
  }

  /** The item as DynamoDB holds it now (read straight from the DynamoDB emulator). */
  private async itemImage(
    targetUrl: string,
    write: { table: string; key: Record<string, unknown> },
  ): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.reader(targetUrl).send(
      new GetItemCommand({
        TableName: write.table,
        Key: write.key as Record<string, AttributeValue>,
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /**
   * The stream record of a write (NEW_AND_OLD_IMAGES), delivered to each subscription whose filter
   * admits it. Delivery is asynchronous, after the write answered, as with Lambda's poller; a
   * delivery that fails is retried twice, a second apart.
   */
  private async emitStreamRecord(
    targetUrl: string,
    write: { table: string; key: Record<string, unknown> },
    before: Record<string, unknown> | undefined,
    userIdentity?: typeof TTL_IDENTITY,
  ): Promise<void> {
    try {
      const after = await this.itemImage(targetUrl, write);
      if (JSON.stringify(before) === JSON.stringify(after)) return;
      const record = {
        eventName: !before ? "INSERT" : !after ? "REMOVE" : "MODIFY",
        eventSource: "aws:dynamodb",
        ...(userIdentity ? { userIdentity } : {}),
        dynamodb: {
          Keys: write.key,
          ...(before ? { OldImage: before } : {}),
          ...(after ? { NewImage: after } : {}),
          SequenceNumber: String((this.streamSequence += 1)),
          StreamViewType: "NEW_AND_OLD_IMAGES",
        },
      };
      for (const subscription of this.streamSubscriptions.filter((s) => s.table === write.table)) {
        if (!subscription.filters.some((f) => matchesFilter(f, record))) continue;
        this.count("DynamoDBStreams.Record");
        for (let attempt = 1; attempt <= 3; attempt++) {
          const failed = await this.deliver?.(subscription.functionArn, [record]).then(
            () => false,
            () => true,
          );
          if (!failed) break;
          this.count("DynamoDBStreams.Retry");
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    } catch {
      this.count("DynamoDBStreams.Lost");
    }
  }

  /** Why IAM refuses a DynamoDB request, as DynamoDB answers it; undefined when it is allowed. */
  private async dynamoDenial(
    req: IncomingMessage,
    operation: string,
    body: string,
  ): Promise<{ __type: string; message: string } | undefined> {
    const caller = this.caller(req);
    if (!caller) {
      return {
        __type: "com.amazon.coral.service#UnrecognizedClientException",
        message: "The security token included in the request is invalid.",
      };
    }
    const input = JSON.parse(body || "{}") as Record<string, unknown>;
    for (const check of dynamoTargets(operation, input)) {
      const { table, keys, index, leadingKeys } = check;
      const action = check.action ?? operation;
      const request = check.request ?? input;
      const info = this.tables.get(table);
      if (!info) continue;
      const leading = [
        ...keys
          .map((key) => (key[info.partitionKey] as { S?: string } | undefined)?.S)
          .filter((value): value is string => value !== undefined),
        ...(leadingKeys?.(info.partitionKey) ?? []),
      ];
      const resource = index ? `${info.arn}/index/${index}` : info.arn;
      const attributes = attributeNames(action, request);
      const outcome = await evaluateIam({
        principal: caller.principal,
        action: `dynamodb:${action}`,
        resource,
        resourceAccount: info.arn.split(":")[4] ?? "",
        identity: this.identityPolicies(caller.roleArn),
        context: {
          ...(leading.length > 0 ? { "dynamodb:LeadingKeys": leading } : {}),
          ...(attributes ? { "dynamodb:Attributes": attributes } : {}),
          // A write's ReturnValues "always has a value (NONE unless otherwise specified)"
          // (specifying-conditions, cited at attributeNames).
          ...(["PutItem", "UpdateItem", "DeleteItem"].includes(action)
            ? {
                "dynamodb:ReturnValues":
                  typeof request.ReturnValues === "string" ? request.ReturnValues : "NONE",
              }
            : {}),
          ...(check.enclosing ? { "dynamodb:EnclosingOperation": check.enclosing } : {}),
        },
        ...this.boundaries(caller.principal, caller.roleArn, undefined),
      });
      if (outcome !== "Allowed") {
        return {
          __type: "com.amazon.coral.service#AccessDeniedException",
          message: `User: ${caller.principal} is not authorized to perform: dynamodb:${action} on resource: ${resource}`,
        };
      }
    }
    return undefined;
  }
}

/** A resource's tags as IAM's request context sees them: `aws:ResourceTag/<key>`. */
function resourceTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
  );
}

type DynamoKey = Record<string, unknown>;

/**
 * `dynamodb:Attributes` of a PutItem or UpdateItem, as IAM's fine-grained access control sees it:
 * the top-level attribute names the request reads, writes or evaluates in a conditional write, key
 * included ("These attributes can be read, written, or evaluated in a conditional write"; "you must
 * specify the names of all of the primary key ... attributes", Using IAM policy conditions for
 * fine-grained access control,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 * PutItem: the item's names; UpdateItem: the key's, and those its UpdateExpression and
 * ConditionExpression name, `#placeholders` resolved through ExpressionAttributeNames.
 * Undefined for other operations.
 */
export function attributeNames(
  operation: string,
  input: Record<string, unknown>,
): string[] | undefined {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const named = (expression: unknown): string[] => {
    if (typeof expression !== "string") return [];
    // Values (:v), nested paths (.b, [0]) and function calls are not top-level attribute names.
    const bare = expression
      .replace(/:[A-Za-z0-9_]+/g, " ")
      .replace(/\.[#A-Za-z0-9_]+|\[\d+\]/g, " ")
      .replace(/[A-Za-z_]+\s*\(/g, " (");
    return (bare.match(/#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*/g) ?? [])
      .filter((token) => !DYNAMO_KEYWORDS.has(token.toUpperCase()))
      .map((token) => (token.startsWith("#") ? (names[token] ?? token) : token));
  };
  const condition = named(input.ConditionExpression);
  if (operation === "PutItem")
    return [...new Set([...Object.keys(input.Item ?? {}), ...condition])];
  if (operation === "UpdateItem")
    return [
      ...new Set([...Object.keys(input.Key ?? {}), ...named(input.UpdateExpression), ...condition]),
    ];
  return undefined;
}

/** The words of DynamoDB's update and condition expressions that are not attribute names. */
const DYNAMO_KEYWORDS = new Set([
  "SET",
  "REMOVE",
  "ADD",
  "DELETE",
  "AND",
  "OR",
  "NOT",
  "IN",
  "BETWEEN",
]);

/** The values a Query's key condition gives the partition key (`#pk = :v` or `pk = :v`). */
function queriedPartition(input: Record<string, unknown>, partitionKey: string): string[] {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, { S?: string }>;
  const found: string[] = [];
  const condition =
    typeof input.KeyConditionExpression === "string" ? input.KeyConditionExpression : "";
  for (const [, name, value] of condition.matchAll(/(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) {
    const resolved = name?.startsWith("#") ? names[name] : name;
    const given = value ? values[value]?.S : undefined;
    if (resolved === partitionKey && given !== undefined) found.push(given);
  }
  return found;
}

/** One decision IAM makes for a DynamoDB request: a table (or index) and the keys it names. */
interface DynamoCheck {
  table: string;
  keys: DynamoKey[];
  index?: string;
  /** Partition key values a request gives other than as keys (a table Query's key condition). */
  leadingKeys?: (partitionKey: string) => string[];
  /** The action decided, when not the operation's own (a transaction's items). */
  action?: string;
  /** The part of the request this decision reads attributes and ReturnValues from. */
  request?: Record<string, unknown>;
  /** `dynamodb:EnclosingOperation`, for a transaction's items. */
  enclosing?: string;
}

/** The transaction item kinds and the actions that govern them (transaction-apis-iam). */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
  Get: "GetItem",
};

/**
 * The decisions a DynamoDB request needs (the operations this project uses, and the batch and
 * transaction writes), each with `dynamodb:LeadingKeys` from its own keys, as fine-grained access
 * control fills it ("Using IAM policy conditions for fine-grained access control",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html):
 * - Query: the partition key value its key condition gives (a table's; an index's key schema is
 *   not modelled, so an index Query carries none);
 * - BatchWriteItem and BatchGetItem: one decision per item, so a request is refused when any of its
 *   items' leading keys is (with the `ForAllValues:` form the page prescribes for this multivalued
 *   key, the same answer as one decision over all of them);
 * - TransactWriteItems and TransactGetItems: one decision per item, with the action of the item's
 *   kind: "Permissions for Put, Update, Delete, and Get actions are governed by the permissions
 *   used for the underlying PutItem, UpdateItem, DeleteItem, and GetItem operations. For the
 *   ConditionCheck action, you can use the dynamodb:ConditionCheckItem permission", and
 *   `dynamodb:EnclosingOperation` naming the transaction ("Using IAM with DynamoDB transactions",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export function dynamoTargets(operation: string, input: Record<string, unknown>): DynamoCheck[] {
  const table = typeof input.TableName === "string" ? input.TableName : "";
  switch (operation) {
    case "PutItem":
      return [{ table, keys: [input.Item as DynamoKey] }];
    case "GetItem":
    case "UpdateItem":
    case "DeleteItem":
      return [{ table, keys: [input.Key as DynamoKey] }];
    case "Query":
      // A table's partition key only: an index's key schema is not modelled here.
      return input.IndexName === undefined
        ? [{ table, keys: [], leadingKeys: (pk) => queriedPartition(input, pk) }]
        : [{ table, keys: [], index: input.IndexName as string }];
    case "Scan":
      return [{ table, keys: [], index: input.IndexName as string | undefined }];
    case "BatchWriteItem":
      return Object.entries(
        (input.RequestItems ?? {}) as Record<
          string,
          { PutRequest?: { Item?: DynamoKey }; DeleteRequest?: { Key?: DynamoKey } }[]
        >,
      ).flatMap(([name, requests]) =>
        requests.map((r) => ({
          table: name,
          keys: [r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {}],
        })),
      );
    case "BatchGetItem":
      return Object.entries(
        (input.RequestItems ?? {}) as Record<string, { Keys?: DynamoKey[] }>,
      ).flatMap(([name, request]) =>
        (request.Keys ?? []).map((key) => ({ table: name, keys: [key] })),
      );
    case "TransactWriteItems":
    case "TransactGetItems":
      return ((input.TransactItems ?? []) as Record<string, Record<string, unknown>>[]).flatMap(
        (item) =>
          Object.entries(item).flatMap(([kind, request]) => {
            const action = TRANSACT_ACTIONS[kind];
            if (!action) return [];
            return [
              {
                table: typeof request.TableName === "string" ? request.TableName : "",
                keys: [(request.Item ?? request.Key ?? {}) as DynamoKey],
                action,
                request,
                enclosing: operation,
              },
            ];
          }),
      );
    default:
      return [{ table, keys: [] }];
  }
}
