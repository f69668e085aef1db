import { randomBytes } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  SetUserPoolMfaConfigCommand,
  type ExplicitAuthFlowsType,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type AttributeValueUpdate,
} from "@aws-sdk/client-dynamodb";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../functions/build";
import type { PolicyDocument } from "../../components/policies/document";
import type { CreateHook, NewResource } from "../lib/mock-stack";
import { createDeployment, type DeploymentSnapshot } from "./api-gateway";
import type { AwsEmulator } from "./aws-emulator";
import { onExit } from "./exit-cleanup";

/** The first sign-in a user would do with the password Cognito emails them. */
export interface SandboxUser {
  readonly username: string;
  readonly temporaryPassword: string;
}

type Undo = () => Promise<void> | void;

/** A resource the deployer made for a stack, as its last `pulumi up` left it. */
interface Applied {
  /** `<type>::<name>`: the resource's identity across runs of its stack (its URN's tail). */
  readonly key: string;
  readonly type: string;
  /** Its inputs as last applied (JSON): an update runs only when they change. */
  readonly inputs: string;
  /** What its create (or update) returned: kept so that an unchanged resource reads the same. */
  readonly result: { id?: string; state?: Record<string, unknown> } | undefined;
  /** How to delete it (nothing for what the emulators do not hold). */
  readonly undo: Undo[];
}

/** What a stack's `pulumi up` over an earlier one changed (see `Deployer.update`). */
export interface UpdateSummary {
  readonly created: string[];
  readonly updated: string[];
  readonly replaced: string[];
  readonly deleted: string[];
}

const TABLE_ITEM = "aws:dynamodb/tableItem:TableItem";
/** A role's inline policy: PutRolePolicy updates it in place (#22, the deployer roles' DNS statement). */
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
/**
 * The TableItem arguments the AWS provider marks ForceNew (a change replaces the item; `item`
 * itself is updated in place): table_name, hash_key, range_key, in resourceTableItem's schema
 * (hashicorp/terraform-provider-aws, internal/service/dynamodb/table_item.go).
 */
const TABLE_ITEM_FORCE_NEW = ["tableName", "hashKey", "rangeKey"] as const;
const CREDENTIALS = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };

/** A password that meets the pool's policy (14+ characters, every character class). */
const newPassword = () => `Sb-${randomBytes(9).toString("base64url")}a1!A`;

/**
 * Makes what the program declares real in the emulators, and remembers how to delete each thing so
 * a stack's destroy undoes its creations in reverse order, as `pulumi destroy` would. Types with
 * nothing to emulate (subnets, zones, routes, …) stay recorded with their inputs only.
 */
export class Deployer {
  readonly cognito: CognitoIdentityProviderClient;
  readonly dynamo: DynamoDBClient;
  readonly users: SandboxUser[] = [];
  /** User pools whose deletion protection is on: DeleteUserPool is refused, as AWS does. */
  readonly protectedPools = new Set<string>();
  /** Tables whose deletion protection is on: DeleteTable is refused, as DynamoDB does. */
  readonly protectedTables = new Set<string>();
  /** User pools the program asked for MFA "ON" (see `requireMfa`). */
  readonly mfaRequiredPools = new Set<string>();
  /** The API Gateway deployments made, by id: what each one's stage serves. */
  readonly deployments = new Map<string, DeploymentSnapshot>();
  /** Every resource each stack's last run declared, in creation order, with its dependencies. */
  private readonly declared = new Map<string, NewResource[]>();
  /** Each stack's resources, in the order its last run registered them. */
  private readonly applied = new Map<string, Applied[]>();
  private readonly common: { region: string; maxAttempts: number };

  constructor(
    readonly emulator: AwsEmulator,
    cognitoUrl: string,
    dynamoUrl: string,
    private readonly dynamoGateway: string,
  ) {
    this.common = { region: emulator.region, maxAttempts: 1 };
    const admin = { ...this.common, credentials: CREDENTIALS };
    this.cognito = new CognitoIdentityProviderClient({ ...admin, endpoint: cognitoUrl });
    this.dynamo = new DynamoDBClient({ ...admin, endpoint: dynamoUrl });
  }

  /**
   * @param deployedBy the principal whose credentials the stack runs with (a LOB's pipeline);
   *   resources whose provider assumes a role are made with that role's session, through IAM.
   */
  hook(stack: string, deployedBy?: string): CreateHook {
    const applied: Applied[] = [];
    this.applied.set(stack, applied);
    const declared: NewResource[] = [];
    this.declared.set(stack, declared);
    return async (resource) => {
      declared.push(resource);
      const undo: Undo[] = [];
      const result = await this.create(resource, undo, deployedBy);
      applied.push(appliedOf(resource, result, undo));
      return result;
    };
  }

  /**
   * Creates a stack's API Gateway deployments once the run has declared everything, as API Gateway
   * would in the worst order the engine may take (see `createDeployment`): a refusal fails the
   * stack's deploy, and each deployment made keeps the snapshot its stage serves.
   * @returns how many deployments were made
   */
  completeDeployments(stack: string): number {
    const declared = this.declared.get(stack) ?? [];
    const made = declared
      .filter((r) => r.type === "aws:apigateway/deployment:Deployment")
      .map((deployment) => createDeployment(deployment, declared));
    for (const snapshot of made) this.deployments.set(snapshot.deploymentId, snapshot);
    return made.length;
  }

  /**
   * A stack's `pulumi up` again, over what its last run made, with the program run on (changed)
   * config through `hook`: a resource whose inputs are unchanged is left alone; a new one is
   * created; a changed TableItem is updated or replaced as its provider does (`updateTableItem`);
   * a changed RolePolicy is put again in place (PutRolePolicy); any other changed type is refused, since the rehearsal models no update of it. `finish` then
   * deletes what the run no longer declares, last made first, as Pulumi deletes after its creates
   * and updates; after a failed run (`failed`), Pulumi stops there: nothing is deleted, and what
   * was made is kept for the stack's destroy.
   */
  update(
    stack: string,
    deployedBy?: string,
  ): { hook: CreateHook; finish: (failed?: boolean) => Promise<UpdateSummary> } {
    const before = this.applied.get(stack) ?? [];
    const previous = new Map(before.map((a) => [a.key, a]));
    const next: Applied[] = [];
    const summary: UpdateSummary = { created: [], updated: [], replaced: [], deleted: [] };
    const declared: NewResource[] = [];
    this.declared.set(stack, declared);
    const hook: CreateHook = async (resource) => {
      declared.push(resource);
      const key = `${resource.type}::${resource.name}`;
      const inputs = JSON.stringify(resource.inputs);
      const prior = previous.get(key);
      if (prior?.inputs === inputs) {
        next.push(prior);
        return prior.result;
      }
      if (prior && this.updateDeletionProtection(resource, prior)) {
        next.push({ ...prior, inputs });
        summary.updated.push(resource.name);
        return prior.result;
      }
      if (prior && resource.type === ROLE_POLICY) {
        // PutRolePolicy replaces the policy in place (a hub's deployer roles when it switches to
        // dnsSharing: profile, #22); the delete stays as it was.
        this.emulator.putRolePolicy(
          this.roleArnOf(resource.account, resource.inputs.role),
          resource.name,
          JSON.parse(String(resource.inputs.policy)) as PolicyDocument,
        );
        next.push({ ...prior, inputs });
        summary.updated.push(resource.name);
        return prior.result;
      }
      if (prior && resource.type !== TABLE_ITEM) {
        const was = JSON.parse(prior.inputs) as Record<string, unknown>;
        const changed = Object.keys({ ...was, ...resource.inputs }).filter(
          (k) => JSON.stringify(was[k]) !== JSON.stringify(resource.inputs[k]),
        );
        throw new Error(
          `${resource.name} (${resource.type}) changed (${changed.join(", ")}): the rehearsal updates only ${TABLE_ITEM}`,
        );
      }
      const undo: Undo[] = [];
      let result: Awaited<ReturnType<CreateHook>>;
      if (!prior) {
        result = await this.create(resource, undo, deployedBy);
        summary.created.push(resource.name);
      } else {
        const replaced = await this.updateTableItem(
          JSON.parse(prior.inputs) as Record<string, unknown>,
          prior.undo,
          resource,
          undo,
          deployedBy,
        );
        (replaced ? summary.replaced : summary.updated).push(resource.name);
        result = undefined;
      }
      next.push(appliedOf(resource, result, undo));
      return result;
    };
    const finish = async (failed = false) => {
      const seen = new Set(next.map((a) => a.key));
      const gone = before.filter((a) => !seen.has(a.key));
      if (failed) {
        // What the failed run made stays recorded, after what was there, for the destroy.
        const made = next.filter((a) => !previous.has(a.key));
        this.applied.set(stack, [
          ...before.map((a) => next.find((n) => n.key === a.key) ?? a),
          ...made,
        ]);
        return summary;
      }
      for (const resource of [...gone].reverse()) {
        for (const step of [...resource.undo].reverse()) await step();
        summary.deleted.push(resource.key.split("::").pop() ?? resource.key);
      }
      this.applied.set(stack, next);
      return summary;
    };
    return { hook, finish };
  }

  /**
   * A TableItem's update, with the AWS provider's calls (internal/service/dynamodb/table_item.go,
   * resourceTableItemUpdate): a change of a ForceNew argument replaces the item (Pulumi's default
   * replacement: the new one created first, with the provider's conditional create, then the old
   * one deleted); a change of `item` is one UpdateItem at the new key, unconditional (it writes
   * the item there whether or not one exists: AttributeUpdates PUT of each non-key attribute,
   * DELETE of each attribute the old item had and the new one has not), then, when the key
   * changed, a DeleteItem of the old key. Returns whether it replaced.
   */
  private async updateTableItem(
    was: Record<string, unknown>,
    wasUndo: readonly Undo[],
    r: NewResource,
    undo: Undo[],
    deployedBy: string | undefined,
  ): Promise<boolean> {
    const i = r.inputs;
    if (TABLE_ITEM_FORCE_NEW.some((k) => JSON.stringify(was[k]) !== JSON.stringify(i[k]))) {
      await this.create(r, undo, deployedBy);
      for (const step of [...wasUndo].reverse()) await step();
      return true;
    }
    const client = await this.tableItemClient(r, deployedBy);
    const table = String(i.tableName);
    const keyNames = [i.hashKey, i.rangeKey].filter((k): k is string => typeof k === "string");
    const oldItem = JSON.parse(String(was.item)) as Record<string, AttributeValue>;
    const newItem = JSON.parse(String(i.item)) as Record<string, AttributeValue>;
    const keyOf = (item: Record<string, AttributeValue>) =>
      Object.fromEntries(keyNames.map((k) => [k, item[k] as AttributeValue]));
    const updates: Record<string, AttributeValueUpdate> = {};
    for (const [name, value] of Object.entries(newItem))
      if (!keyNames.includes(name)) updates[name] = { Action: "PUT", Value: value };
    for (const name of Object.keys(oldItem))
      if (!keyNames.includes(name) && !(name in newItem)) updates[name] = { Action: "DELETE" };
    const newKey = keyOf(newItem);
    const oldKey = keyOf(oldItem);
    await client.send(
      new UpdateItemCommand({ TableName: table, Key: newKey, AttributeUpdates: updates }),
    );
    if (JSON.stringify(oldKey) !== JSON.stringify(newKey))
      await client.send(new DeleteItemCommand({ TableName: table, Key: oldKey }));
    undo.push(() =>
      client.send(new DeleteItemCommand({ TableName: table, Key: newKey })).then(() => undefined),
    );
    return false;
  }

  /** The provider's client for a TableItem: its role's when it assumes one (IAM decides). */
  private async tableItemClient(r: NewResource, deployedBy: string | undefined) {
    return r.assumeRole && deployedBy ? await this.dynamoAs(deployedBy, r.assumeRole) : this.dynamo;
  }

  /** A role named in a resource's `role` input (its name, its id): its ARN may hold a path. */
  private roleArnOf(account: string, name: unknown): string {
    return (
      this.emulator.roleArnByName(account, String(name)) ??
      `arn:aws:iam::${account}:role/${String(name)}`
    );
  }

  /**
   * Answers a stack's lookup of something SageMaker made (its NFS security groups), from the
   * emulator, as `runStackUnderMocks`'s `onLookup`.
   */
  lookup(token: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    if (token !== "aws:ec2/getSecurityGroup:getSecurityGroup") return undefined;
    const group = [...this.emulator.securityGroups.values()].find(
      (g) => g.name === inputs.name && g.vpcId === inputs.vpcId,
    );
    if (!group)
      throw new Error(`no security group ${String(inputs.name)} in ${String(inputs.vpcId)}`);
    return { id: group.id };
  }

  /**
   * A DynamoDB client acting as `roleArn`, assumed by `principal` through the emulator's STS (from
   * outside any VPC, as a pipeline would), talking to DynamoDB through the IAM-deciding gateway.
   */
  async dynamoAs(principal: string, roleArn: string): Promise<DynamoDBClient> {
    const sts = new STSClient({
      ...this.common,
      endpoint: this.emulator.publicListener.url,
      credentials: this.emulator.issueCredentials(principal),
    });
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "sandbox-deploy" }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`no session for ${roleArn}`);
    return new DynamoDBClient({
      ...this.common,
      endpoint: this.dynamoGateway,
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      },
    });
  }

  /**
   * Runs a dynamic resource's delete in its own process, as Pulumi's dynamic-provider host does.
   * The stack's AWS profile resolves, through a credentials file, to the credentials this emulator
   * issued for the stack's deploying principal; the SDK's standard endpoint settings send the calls
   * to the emulator.
   */
  private async runDynamicDelete(
    provider: string,
    id: string,
    props: Record<string, unknown>,
    deployedBy: string | undefined,
  ): Promise<void> {
    const credentials = this.emulator.issueCredentials(
      deployedBy ?? "arn:aws:iam::000000000000:role/unknown",
    );
    const dir = mkdtempSync(path.join(tmpdir(), "studio-access-dynamic-"));
    // Interrupted mid-delete (Ctrl-C), the process and the credentials file go with the sandbox.
    let running: ChildProcess | undefined;
    const forget = onExit(() => {
      running?.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    });
    const file = path.join(dir, "credentials");
    const profile = typeof props.profile === "string" ? props.profile : "default";
    writeFileSync(
      file,
      `[${profile}]\naws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\naws_session_token = ${credentials.sessionToken}\n`,
    );
    const endpoint = this.emulator.publicListener.url;
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(__dirname, "dynamic-delete.js")], {
          cwd: REPO_ROOT,
          // Its own process group: a Ctrl-C in the terminal stops the sandbox's teardown, not this.
          detached: true,
          env: {
            PATH: process.env.PATH ?? "",
            AWS_SHARED_CREDENTIALS_FILE: file,
            AWS_CONFIG_FILE: path.join(dir, "config"),
            AWS_ENDPOINT_URL_SAGEMAKER: endpoint,
            AWS_ENDPOINT_URL_EC2: endpoint,
            AWS_ENDPOINT_URL_EFS: endpoint,
            NODE_OPTIONS: "--no-warnings",
          },
          stdio: ["pipe", "pipe", "pipe"],
        });
        running = child;
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        // A child gone before reading its input (EPIPE) fails this delete through its exit code
        // and stderr below, rather than crashing the whole sandbox with an unhandled error.
        child.stdin.on("error", () => undefined);
        child.on("error", reject);
        child.on("exit", (code) => {
          if (code === 0) resolve();
          else reject(new Error(`${id}: ${stderr.trim() || `exit ${String(code)}`}`));
        });
        child.stdin.end(JSON.stringify({ provider, id, props }));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      forget();
    }
  }

  /**
   * An update that changes nothing but a pool's or a table's deletion protection (`pulumi up` with
   * deletionProtection=false, as `npm run destroy` runs before it destroys the hub): the
   * providers' UpdateUserPool and UpdateTable, which turn the setting on or off in place. Returns
   * whether `resource` was such an update (any other change is not).
   */
  private updateDeletionProtection(resource: NewResource, prior: Applied): boolean {
    const setting = {
      "aws:cognito/userPool:UserPool": "deletionProtection",
      "aws:dynamodb/table:Table": "deletionProtectionEnabled",
    }[resource.type];
    if (setting === undefined) return false;
    const was = JSON.parse(prior.inputs) as Record<string, unknown>;
    const changed = Object.keys({ ...was, ...resource.inputs }).filter(
      (k) => JSON.stringify(was[k]) !== JSON.stringify(resource.inputs[k]),
    );
    if (changed.length !== 1 || changed[0] !== setting) return false;
    const value = resource.inputs[setting];
    if (resource.type === "aws:dynamodb/table:Table") {
      const name = String(resource.state.name);
      if (value === true) this.protectedTables.add(name);
      else this.protectedTables.delete(name);
    } else {
      const id = String(prior.result?.id);
      if (value === "ACTIVE") this.protectedPools.add(id);
      else this.protectedPools.delete(id);
    }
    return true;
  }

  /** What is deletion-protected now: the pools and the tables. */
  deletionProtected(): { pools: number; tables: number } {
    return { pools: this.protectedPools.size, tables: this.protectedTables.size };
  }

  /**
   * Turns MFA to "ON" on the pools that asked for it, once their users have enrolled: cognito-local
   * has no MFA_SETUP challenge, so the rehearsal enrols each user with an access token first.
   */
  async requireMfa(): Promise<number> {
    for (const pool of this.mfaRequiredPools) {
      await this.cognito.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: pool,
          MfaConfiguration: "ON",
          SoftwareTokenMfaConfiguration: { Enabled: true },
        }),
      );
    }
    return this.mfaRequiredPools.size;
  }

  /** How many of a stack's resources exist in the emulators (each has exactly one undo step). */
  emulated(stack: string): number {
    return (this.applied.get(stack) ?? []).reduce((n, a) => n + a.undo.length, 0);
  }

  /** Deletes a stack's resources from the emulators, last created first. */
  async destroy(stack: string): Promise<number> {
    const undo = (this.applied.get(stack) ?? []).flatMap((a) => a.undo);
    for (const step of [...undo].reverse()) await step();
    this.applied.delete(stack);
    for (const r of this.declared.get(stack) ?? []) this.deployments.delete(r.id);
    this.declared.delete(stack);
    return undo.length;
  }

  private async create(
    r: NewResource,
    undo: Undo[],
    deployedBy: string | undefined,
  ): Promise<{ id?: string; state?: Record<string, unknown> } | undefined> {
    const i = r.inputs;
    const json = (key: string) => JSON.parse(String(i[key])) as PolicyDocument;
    switch (r.type) {
      case "aws:cognito/userPool:UserPool": {
        const policy = i.passwordPolicy as Record<string, unknown> | undefined;
        const { UserPool } = await this.cognito.send(
          new CreateUserPoolCommand({
            PoolName: r.name,
            Policies: {
              PasswordPolicy: {
                MinimumLength: Number(policy?.minimumLength ?? 8),
                RequireLowercase: Boolean(policy?.requireLowercase),
                RequireUppercase: Boolean(policy?.requireUppercase),
                RequireNumbers: Boolean(policy?.requireNumbers),
                RequireSymbols: Boolean(policy?.requireSymbols),
              },
            },
          }),
        );
        const id = UserPool?.Id ?? "";
        // cognito-local refuses sign-in under "ON" until a user has enrolled (it has no MFA_SETUP
        // challenge), so the pool starts OPTIONAL and requireMfa() turns it ON after enrolment.
        const mfa = typeof i.mfaConfiguration === "string" ? i.mfaConfiguration : "OFF";
        if (mfa !== "OFF") {
          await this.cognito.send(
            new SetUserPoolMfaConfigCommand({
              UserPoolId: id,
              MfaConfiguration: "OPTIONAL",
              SoftwareTokenMfaConfiguration: { Enabled: true },
            }),
          );
        }
        if (mfa === "ON") this.mfaRequiredPools.add(id);
        // Deletion protection: AWS refuses DeleteUserPool while it is ACTIVE (Cognito API
        // reference, DeleteUserPool); cognito-local does not model it, so it is modelled here.
        if (i.deletionProtection === "ACTIVE") this.protectedPools.add(id);
        undo.push(async () => {
          if (this.protectedPools.has(id)) {
            throw new Error(
              `InvalidParameterException: user pool ${id} has deletion protection; lift it first (pulumi up with deletionProtection: false)`,
            );
          }
          this.mfaRequiredPools.delete(id);
          await this.cognito.send(new DeleteUserPoolCommand({ UserPoolId: id }));
        });
        return {
          id,
          state: { arn: UserPool?.Arn, endpoint: `cognito-idp.${r.region}.amazonaws.com/${id}` },
        };
      }
      case "aws:cognito/userPoolClient:UserPoolClient": {
        const units = i.tokenValidityUnits as Record<string, string> | undefined;
        const { UserPoolClient } = await this.cognito.send(
          new CreateUserPoolClientCommand({
            UserPoolId: String(i.userPoolId),
            ClientName: r.name,
            GenerateSecret: Boolean(i.generateSecret),
            ExplicitAuthFlows: i.explicitAuthFlows as ExplicitAuthFlowsType[],
            AccessTokenValidity: Number(i.accessTokenValidity),
            IdTokenValidity: Number(i.idTokenValidity),
            RefreshTokenValidity: Number(i.refreshTokenValidity),
            TokenValidityUnits: {
              AccessToken: units?.accessToken as "minutes",
              IdToken: units?.idToken as "minutes",
              RefreshToken: units?.refreshToken as "hours",
            },
          }),
        );
        const id = UserPoolClient?.ClientId ?? "";
        undo.push(() =>
          this.cognito
            .send(
              new DeleteUserPoolClientCommand({ UserPoolId: String(i.userPoolId), ClientId: id }),
            )
            .then(() => undefined),
        );
        return { id };
      }
      case "aws:cognito/user:User": {
        const username = String(i.username);
        const temporaryPassword = newPassword();
        await this.cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: String(i.userPoolId),
            Username: username,
            TemporaryPassword: temporaryPassword,
            DesiredDeliveryMediums: i.desiredDeliveryMediums as ("EMAIL" | "SMS")[],
            UserAttributes: Object.entries(
              (i.attributes as Record<string, string> | undefined) ?? {},
            ).map(([Name, Value]) => ({ Name, Value })),
          }),
        );
        this.users.push({ username, temporaryPassword });
        undo.push(async () => {
          await this.cognito.send(
            new AdminDeleteUserCommand({ UserPoolId: String(i.userPoolId), Username: username }),
          );
          this.users.splice(
            this.users.findIndex((u) => u.username === username),
            1,
          );
        });
        return { id: `${String(i.userPoolId)}/${username}` };
      }
      case "aws:dynamodb/table:Table": {
        const name = String(r.state.name);
        const keys = [i.hashKey, i.rangeKey].filter((k): k is string => typeof k === "string");
        await this.dynamo.send(
          new CreateTableCommand({
            TableName: name,
            BillingMode: String(i.billingMode) as "PAY_PER_REQUEST",
            KeySchema: keys.map((AttributeName, n) => ({
              AttributeName,
              KeyType: n === 0 ? "HASH" : "RANGE",
            })),
            AttributeDefinitions: (i.attributes as { name: string; type: string }[]).map((a) => ({
              AttributeName: a.name,
              AttributeType: a.type as "S",
            })),
            GlobalSecondaryIndexes: (
              i.globalSecondaryIndexes as
                | { name: string; hashKey: string; rangeKey?: string; projectionType: string }[]
                | undefined
            )?.map((index) => ({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.hashKey, KeyType: "HASH" as const },
                ...(index.rangeKey
                  ? [{ AttributeName: index.rangeKey, KeyType: "RANGE" as const }]
                  : []),
              ],
              Projection: { ProjectionType: index.projectionType as "ALL" },
            })),
          }),
        );
        const ttl = i.ttl as { attributeName?: string; enabled?: boolean } | undefined;
        this.emulator.tables.set(name, {
          arn: String(r.state.arn),
          partitionKey: String(i.hashKey),
          keys,
          ...(ttl?.enabled && ttl.attributeName ? { ttlAttribute: ttl.attributeName } : {}),
        });
        // Deletion protection: DynamoDB refuses DeleteTable while it is on, with "ValidationException:
        // Resource cannot be deleted as it is currently protected against deletion. Disable deletion
        // protection first." (Using deletion protection, Amazon DynamoDB Developer Guide,
        // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection);
        // the CreateTable above does not pass it, so it is modelled here, as the pool's is.
        if (i.deletionProtectionEnabled === true) this.protectedTables.add(name);
        undo.push(async () => {
          if (this.protectedTables.has(name))
            throw new Error(
              `ValidationException: Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first. (table ${name}: pulumi up with deletionProtection: false)`,
            );
          this.emulator.tables.delete(name);
          await this.dynamo.send(new DeleteTableCommand({ TableName: name }));
        });
        return undefined;
      }
      case "aws:dynamodb/tableItem:TableItem": {
        const item = JSON.parse(String(i.item)) as Record<string, AttributeValue>;
        const table = String(i.tableName);
        const key = Object.fromEntries(
          [i.hashKey, i.rangeKey]
            .filter((k): k is string => typeof k === "string")
            .map((k) => [k, item[k] as AttributeValue]),
        );
        // Through the provider's role when it assumes one (a LOB's hub deployer role): IAM decides.
        const client = await this.tableItemClient(r, deployedBy);
        // The provider's create: a PutItem that refuses an item already at the key ("Explode if
        // item exists. We didn't create it.": ConditionExpression attribute_not_exists(#hk), #hk
        // the hash key; resourceTableItemCreate in hashicorp/terraform-provider-aws,
        // internal/service/dynamodb/table_item.go). So a row someone else wrote there first
        // fails the stack's `pulumi up` with ConditionalCheckFailedException.
        try {
          await client.send(
            new PutItemCommand({
              TableName: table,
              Item: item,
              ConditionExpression: "attribute_not_exists(#hk)",
              ExpressionAttributeNames: { "#hk": String(i.hashKey) },
            }),
          );
        } catch (error) {
          throw new Error(
            `${r.name}: creating DynamoDB Table (${table}) Item: ${(error as Error).name}: ${(error as Error).message}`,
          );
        }
        undo.push(() =>
          client.send(new DeleteItemCommand({ TableName: table, Key: key })).then(() => undefined),
        );
        return undefined;
      }
      case "aws:iam/role:Role": {
        const arn = String(r.state.arn);
        this.emulator.createRole(
          arn,
          json("assumeRolePolicy"),
          (i.tags as Record<string, string> | undefined) ?? {},
        );
        undo.push(() => {
          this.emulator.deleteRole(arn);
        });
        return undefined;
      }
      case "aws:iam/rolePolicy:RolePolicy": {
        const roleArn = this.roleArnOf(r.account, i.role);
        this.emulator.putRolePolicy(roleArn, r.name, json("policy"));
        undo.push(() => {
          this.emulator.deleteRolePolicy(roleArn, r.name);
        });
        return undefined;
      }
      case "aws:iam/policy:Policy": {
        const arn = String(r.state.arn);
        this.emulator.createPolicy(arn, json("policy"));
        undo.push(() => {
          this.emulator.deletePolicy(arn);
        });
        return undefined;
      }
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        // AWS managed policies (arn:aws:iam::aws:policy/…) are not modelled; only ours are.
        const policyArn = String(i.policyArn);
        if (policyArn.startsWith("arn:aws:iam::aws:")) return undefined;
        const roleArn = this.roleArnOf(r.account, i.role);
        this.emulator.attachRolePolicy(roleArn, policyArn);
        undo.push(() => {
          this.emulator.detachRolePolicy(roleArn, policyArn);
        });
        return undefined;
      }
      case "aws:ec2/vpc:Vpc": {
        this.emulator.createVpc(r.id, r.account);
        undo.push(() => {
          this.emulator.deleteVpc(r.id);
        });
        return undefined;
      }
      case "aws:ec2/subnet:Subnet": {
        const vpcId = String(i.vpcId);
        this.emulator.createSubnet(vpcId, r.id);
        undo.push(() => {
          this.emulator.deleteSubnet(vpcId, r.id);
        });
        return undefined;
      }
      case "aws:ec2/securityGroup:SecurityGroup": {
        this.emulator.createSecurityGroup(String(i.vpcId), r.name, r.account, r.id);
        undo.push(() => {
          this.emulator.deleteSecurityGroup(r.id);
        });
        return undefined;
      }
      case "pulumi-nodejs:dynamic/studio-access:StudioDrain":
      case "pulumi-nodejs:dynamic/studio-access:NfsSweep": {
        // Created as their providers' create does (nothing in AWS); deleted by running the
        // provider's own delete, with the stack's credentials, against the emulators.
        const { __provider: provider, ...props } = i;
        undo.push(() => this.runDynamicDelete(String(provider), r.id, props, deployedBy));
        return undefined;
      }
      case "aws:sagemaker/domain:Domain": {
        const id = this.emulator.createDomain(
          r.account,
          r.region,
          String(i.domainName),
          {
            vpcId: String(i.vpcId),
            subnetIds: (i.subnetIds as string[] | undefined) ?? [],
          },
          (i.tags as Record<string, string> | undefined) ?? {},
        );
        undo.push(() => {
          this.emulator.deleteDomain(id);
        });
        return {
          id,
          state: {
            arn: `arn:aws:sagemaker:${r.region}:${r.account}:domain/${id}`,
            url: `https://${id}.studio.${r.region}.sagemaker.aws`,
            homeEfsFileSystemId: this.emulator.fileSystemOf(id),
          },
        };
      }
      case "aws:efs/accessPoint:AccessPoint": {
        this.emulator.accessPoints.set(String(r.state.arn), String(i.fileSystemId));
        undo.push(() => {
          this.emulator.accessPoints.delete(String(r.state.arn));
        });
        return undefined;
      }
      case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
        // A rule naming another group keeps that group from being deleted while it stands.
        const group = this.emulator.securityGroups.get(String(i.securityGroupId));
        const referenced = i.referencedSecurityGroupId;
        if (!group || typeof referenced !== "string" || referenced === group.id) return undefined;
        group.references.add(referenced);
        undo.push(() => {
          group.references.delete(referenced);
        });
        return undefined;
      }
      case "aws:sagemaker/userProfile:UserProfile": {
        const domainId = String(i.domainId);
        const name = String(i.userProfileName);
        this.emulator.createUserProfile(domainId, name);
        undo.push(() => {
          this.emulator.deleteUserProfile(domainId, name);
        });
        return undefined;
      }
      case "aws:lambda/eventSourceMapping:EventSourceMapping": {
        // The table's stream feeds the function, through its filters.
        const streamArn = String(i.eventSourceArn);
        const table = [...this.emulator.tables.entries()].find(([, t]) =>
          streamArn.startsWith(`${t.arn}/stream/`),
        )?.[0];
        if (!table) throw new Error(`no table has the stream ${streamArn}`);
        const filters = (
          (i.filterCriteria as { filters?: { pattern: string }[] } | undefined)?.filters ?? []
        ).map((f) => JSON.parse(f.pattern) as unknown);
        const onFailure = (
          i.destinationConfig as { onFailure?: { destinationArn?: string } } | undefined
        )?.onFailure?.destinationArn;
        const subscription = {
          table,
          functionArn: String(i.functionName),
          filters: filters.length > 0 ? filters : [{}],
          streamArn,
          ...(typeof i.maximumRetryAttempts === "number"
            ? { maximumRetryAttempts: i.maximumRetryAttempts }
            : {}),
          ...(onFailure ? { onFailure } : {}),
        };
        this.emulator.streamSubscriptions.push(subscription);
        undo.push(() => {
          this.emulator.streamSubscriptions.splice(
            this.emulator.streamSubscriptions.indexOf(subscription),
            1,
          );
        });
        return undefined;
      }
      case "aws:sqs/queue:Queue": {
        // The lifecycle's on-failure destination: a queue in the emulated SQS.
        const arn = String(r.state.arn);
        this.emulator.sqs.create(
          arn,
          typeof r.state.url === "string" ? r.state.url : r.id,
          Number(i.messageRetentionSeconds ?? 345_600),
        );
        undo.push(() => {
          this.emulator.sqs.delete(arn);
        });
        return undefined;
      }
      case "aws:ec2/vpcEndpoint:VpcEndpoint": {
        if (i.vpcEndpointType !== "Interface") return undefined;
        await this.emulator.createEndpoint(
          r.id,
          String(i.serviceName),
          typeof i.policy === "string" ? (JSON.parse(i.policy) as PolicyDocument) : undefined,
        );
        undo.push(() => this.emulator.deleteEndpoint(r.id));
        return undefined;
      }
      default:
        return undefined;
    }
  }
}

function appliedOf(resource: NewResource, result: Applied["result"], undo: Undo[]): Applied {
  return {
    key: `${resource.type}::${resource.name}`,
    type: resource.type,
    inputs: JSON.stringify(resource.inputs),
    result,
    undo,
  };
}
