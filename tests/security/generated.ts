import type { PolicyDocument } from "../../components/policies/document";
import type { RecordedResource } from "../../scripts/lib/mock-stack";
import { one, planRepositoryStacks, type Planned } from "../helpers/stacks";

/** One IAM document the program generated, where it came from, and what kind of policy it is. */
export interface GeneratedDocument {
  readonly source: string;
  readonly kind: "trust" | "identity" | "resource" | "scp" | "endpoint";
  readonly doc: PolicyDocument;
}

export interface LobDocuments {
  readonly account: string;
  readonly domainId: string;
  readonly accessRoleArn: string;
  readonly accessTrust: PolicyDocument;
  readonly accessPolicy: PolicyDocument;
  readonly executionRoleArn: string;
  readonly executionPolicy: PolicyDocument;
  /** The default execution role's instance-type limit (#21). */
  readonly executionInstanceTypes: PolicyDocument;
  readonly provisionerRoleArn: string;
  readonly provisionerTrust: PolicyDocument;
  readonly provisionerPolicy: PolicyDocument;
  readonly lifecycleRoleArn: string;
  readonly lifecycleTrust: PolicyDocument;
  readonly lifecyclePolicy: PolicyDocument;
  /** The usage reader role (`studio-access admin usage`, #21). */
  readonly usageReaderRoleArn: string;
  readonly usageReaderTrust: PolicyDocument;
  readonly usageReaderPolicy: PolicyDocument;
  /** The home-directory function (a LOB with `homeDirectories: remove`): its role and ARNs. */
  readonly homes?: {
    readonly functionArn: string;
    readonly trust: PolicyDocument;
    readonly policy: PolicyDocument;
    readonly fileSystemArn: string;
    readonly accessPointArn: string;
  };
  /** Each team's execution role: ARN, trust, tags and inline policies (Studio, ABAC, deny, instance types, own). */
  readonly teams: Readonly<
    Record<
      string,
      {
        readonly arn: string;
        readonly trust: PolicyDocument;
        readonly tags: Readonly<Record<string, string>>;
        readonly policies: readonly PolicyDocument[];
      }
    >
  >;
}

export interface Generated {
  readonly planned: Planned;
  readonly region: string;
  readonly hubAccount: string;
  readonly endpointIds: Readonly<Record<string, string>>;
  readonly presignerRoleArn: string;
  /** Every identity policy of the presigner's role: its inline one and its attached ones. */
  readonly presignerPolicies: readonly PolicyDocument[];
  /** The hub's lifecycle function role and policy (offboarding). */
  readonly lifecycleFnRoleArn: string;
  readonly lifecycleFnPolicies: readonly PolicyDocument[];
  /** The lifecycle's on-failure queue (#21). */
  readonly failedRecordsQueueArn: string;
  readonly usersStreamArn: string;
  /** The hub's admin role (`studio-access admin`). */
  readonly adminRoleArn: string;
  readonly userPoolArn: string;
  readonly adminTrust: PolicyDocument;
  readonly adminPolicy: PolicyDocument;
  /** Every identity policy of the admin role: its inline one and its attached ones. */
  readonly adminPolicies: readonly PolicyDocument[];
  readonly authorizerPolicy: PolicyDocument;
  readonly usersTableArn: string;
  readonly lobsTableArn: string;
  readonly apiId: string;
  readonly apiArn: string;
  readonly stage: string;
  /** The API's resource policy, with `execute-api:/` expanded to the API's ARN as API Gateway does. */
  readonly apiPolicy: PolicyDocument;
  readonly scp: PolicyDocument;
  readonly lobs: Readonly<Record<"lob-a" | "lob-b", LobDocuments>>;
  /** Each LOB's deployer role in the hub: its ARN, trust and policy. */
  readonly deployers: Readonly<
    Record<"lob-a" | "lob-b", { arn: string; trust: PolicyDocument; policy: PolicyDocument }>
  >;
  /** The policy of each hub interface endpoint, by endpoint key. */
  readonly endpointPolicies: Readonly<Record<string, PolicyDocument>>;
  readonly organizationId: string;
  readonly spokesRouteTableArn: string;
  readonly hubRouteTableArn: string;
  readonly zoneArns: readonly string[];
  readonly dataKeyPolicy: PolicyDocument;
  readonly auditBucketArn: string;
  readonly auditBucketPolicy: PolicyDocument;
  /** Every trust, identity, resource and service control policy the three stacks generate. */
  readonly all: readonly GeneratedDocument[];
}

const parse = (r: RecordedResource, key: string) =>
  JSON.parse(r.inputs[key] as string) as PolicyDocument;

/** API Gateway reads `execute-api:/<stage>/<verb>/<path>` in a resource policy as this API's ARN. */
function expandApiPolicy(doc: PolicyDocument, apiArn: string): PolicyDocument {
  return JSON.parse(
    JSON.stringify(doc).replaceAll('"execute-api:/', `"${apiArn}/`),
  ) as PolicyDocument;
}

export async function collectGenerated(): Promise<Generated> {
  const planned = await planRepositoryStacks();
  const { shared } = planned;
  const outputs = shared.outputs as Record<string, unknown> & {
    endpointIds: Record<string, string>;
    region: string;
    hubAccountId: string;
  };
  const api = one(shared, "aws:apigateway/restApi:RestApi", "access-api");
  const apiArn = String(api.state.executionArn);

  const all: GeneratedDocument[] = [];
  for (const run of [planned.shared, planned.lobA, planned.lobB]) {
    for (const r of run.resources) {
      if (r.type === "aws:iam/role:Role")
        all.push({
          source: `${run.stack}/${r.name} trust`,
          kind: "trust",
          doc: parse(r, "assumeRolePolicy"),
        });
      if (r.type === "aws:iam/rolePolicy:RolePolicy")
        all.push({
          source: `${run.stack}/${r.name} policy`,
          kind: "identity",
          doc: parse(r, "policy"),
        });
      if (r.type === "aws:iam/policy:Policy")
        all.push({
          source: `${run.stack}/${r.name} managed policy`,
          kind: "identity",
          doc: parse(r, "policy"),
        });
      if (r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && typeof r.inputs.policy === "string")
        all.push({
          source: `${run.stack}/${r.name} endpoint policy`,
          kind: "endpoint",
          doc: parse(r, "policy"),
        });
      if (r.type === "aws:kms/key:Key" || r.type === "aws:s3/bucketPolicy:BucketPolicy")
        all.push({
          source: `${run.stack}/${r.name} resource policy`,
          kind: "resource",
          doc: parse(r, "policy"),
        });
      if (r.type === "aws:apigateway/restApi:RestApi") {
        all.push({
          source: `${run.stack}/${r.name} resource policy`,
          kind: "resource",
          doc: expandApiPolicy(parse(r, "policy"), apiArn),
        });
      }
    }
  }
  all.push({
    source: "shared/lobAccountScp output",
    kind: "scp",
    doc: JSON.parse(String(shared.outputs.lobAccountScp)) as PolicyDocument,
  });
  /**
   * A hub role's identity policies: its inline one, then its attached customer managed ones in
   * order (the same objects as in `all`, so the coverage check sees them evaluated).
   */
  const identityOf = (roleName: string): PolicyDocument[] => {
    const role = one(shared, "aws:iam/role:Role", roleName);
    const attached = shared.resources
      .filter(
        (r) =>
          r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
          r.inputs.role === role.state.name,
      )
      .map((a) => {
        const policy = shared.resources.find(
          (r) => r.type === "aws:iam/policy:Policy" && r.state.arn === a.inputs.policyArn,
        );
        if (!policy) throw new Error(`${roleName} has ${String(a.inputs.policyArn)} attached`);
        return find(`shared/${policy.name} managed policy`);
      });
    return [find(`shared/${roleName} policy`), ...attached];
  };
  const find = (source: string) => {
    const found = all.find((d) => d.source === source);
    if (!found) throw new Error(`the program generated no ${source}`);
    return found.doc;
  };

  const homesOf = (run: typeof planned.lobA, stack: string) => {
    const fn = run.resources.find(
      (r) => r.type === "aws:lambda/function:Function" && r.name === `${stack}-homes`,
    );
    if (!fn) return {};
    const accessPoint = one(run, "aws:efs/accessPoint:AccessPoint", `${stack}-homes`);
    return {
      homes: {
        functionArn: String(fn.state.arn),
        trust: find(`${stack}/${stack}-homes trust`),
        policy: find(`${stack}/${stack}-homes policy`),
        fileSystemArn: String(accessPoint.state.fileSystemArn),
        accessPointArn: String(accessPoint.state.arn),
      },
    };
  };
  const lob = (stack: "lob-a" | "lob-b"): LobDocuments => {
    const run = stack === "lob-a" ? planned.lobA : planned.lobB;
    return {
      account: String(run.outputs.accountId),
      domainId: String(run.outputs.domainId),
      accessRoleArn: String(run.outputs.accessRoleArn),
      accessTrust: find(`${stack}/${stack}-access trust`),
      accessPolicy: find(`${stack}/${stack}-access policy`),
      executionRoleArn: String(run.outputs.executionRoleArn),
      executionPolicy: find(`${stack}/${stack}-execution policy`),
      executionInstanceTypes: find(`${stack}/${stack}-execution-instance-types policy`),
      provisionerRoleArn: String(run.outputs.provisionerRoleArn),
      provisionerTrust: find(`${stack}/${stack}-provisioner trust`),
      provisionerPolicy: find(`${stack}/${stack}-provisioner policy`),
      lifecycleRoleArn: String(run.outputs.lifecycleRoleArn),
      lifecycleTrust: find(`${stack}/${stack}-lifecycle trust`),
      lifecyclePolicy: find(`${stack}/${stack}-lifecycle policy`),
      usageReaderRoleArn: String(run.outputs.usageReaderRoleArn),
      usageReaderTrust: find(`${stack}/${stack}-usage trust`),
      usageReaderPolicy: find(`${stack}/${stack}-usage policy`),
      ...homesOf(run, stack),
      teams: Object.fromEntries(
        Object.keys(run.outputs.teams as Record<string, unknown>).map((team) => {
          const role = one(run, "aws:iam/role:Role", `${stack}-team-${team}`);
          const prefix = `${stack}/${stack}-team-${team}-`;
          return [
            team,
            {
              arn: String(role.state.arn),
              trust: find(`${stack}/${stack}-team-${team} trust`),
              tags: role.inputs.tags as Record<string, string>,
              policies: all
                .filter((d) => d.kind === "identity" && d.source.startsWith(prefix))
                .map((d) => d.doc),
            },
          ];
        }),
      ),
    };
  };

  const deployer = (lob: "lob-a" | "lob-b") => ({
    arn: String(one(shared, "aws:iam/role:Role", `${lob}-deployer`).state.arn),
    trust: find(`shared/${lob}-deployer trust`),
    policy: find(`shared/${lob}-deployer policy`),
  });
  const endpointPolicies = Object.fromEntries(
    all
      .filter((d) => d.kind === "endpoint")
      .map((d) => [d.source.replace(/^shared\/hub-(.+) endpoint policy$/, "$1"), d.doc]),
  );
  const tgwTable = (name: string) =>
    `arn:aws:ec2:${outputs.region}:${outputs.hubAccountId}:transit-gateway-route-table/${one(shared, "aws:ec2transitgateway/routeTable:RouteTable", name).id}`;

  return {
    planned,
    deployers: { "lob-a": deployer("lob-a"), "lob-b": deployer("lob-b") },
    endpointPolicies,
    organizationId: "o-exampleorg1",
    spokesRouteTableArn: tgwTable("hub-tgw-spokes"),
    hubRouteTableArn: tgwTable("hub-tgw-hub"),
    zoneArns: Object.values(outputs.zoneIds as Record<string, string>).map(
      (id) => `arn:aws:route53:::hostedzone/${id}`,
    ),
    dataKeyPolicy: find("shared/access-data resource policy"),
    auditBucketArn: String(one(shared, "aws:s3/bucket:Bucket", "access-audit").state.arn),
    auditBucketPolicy: find("shared/access-audit resource policy"),
    region: outputs.region,
    hubAccount: outputs.hubAccountId,
    endpointIds: outputs.endpointIds,
    presignerRoleArn: String(outputs.presignerRoleArn),
    presignerPolicies: identityOf("access-presigner"),
    lifecycleFnRoleArn: String(outputs.lifecycleRoleArn),
    // Its inline policy and attached grants, and its on-failure queue's SendMessage (#21).
    lifecycleFnPolicies: [
      ...identityOf("access-lifecycle"),
      find("shared/access-lifecycle-failed policy"),
    ],
    failedRecordsQueueArn: String(
      one(shared, "aws:sqs/queue:Queue", "access-lifecycle-failed").state.arn,
    ),
    usersStreamArn: String(
      one(shared, "aws:dynamodb/table:Table", "access-entitlements").state.streamArn,
    ),
    adminRoleArn: String(outputs.adminRoleArn),
    userPoolArn: String(one(shared, "aws:cognito/userPool:UserPool", "access-users").state.arn),
    adminTrust: find("shared/access-admin trust"),
    adminPolicy: find("shared/access-admin policy"),
    adminPolicies: identityOf("access-admin"),
    authorizerPolicy: find("shared/access-authorizer policy"),
    usersTableArn: String(one(shared, "aws:dynamodb/table:Table", "access-entitlements").state.arn),
    lobsTableArn: String(one(shared, "aws:dynamodb/table:Table", "access-lobs").state.arn),
    apiId: api.id,
    apiArn,
    stage: String(one(shared, "aws:apigateway/stage:Stage", "access-api").inputs.stageName),
    apiPolicy: find("shared/access-api resource policy"),
    scp: find("shared/lobAccountScp output"),
    lobs: { "lob-a": lob("lob-a"), "lob-b": lob("lob-b") },
    all,
  };
}
