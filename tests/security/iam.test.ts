import { evaluateIam, type IamRequest, type Outcome } from "../../scripts/lib/iam-eval";
import { deployerPolicy } from "../../components/policies/hub-deployer-roles";
import { handler as authorizer, verifier } from "../../functions/authorizer";
import type { PolicyDocument } from "../../components/policies/document";
import { makeSigningKey, signedAccessToken } from "../helpers/jwt";
import { captureLogs } from "../helpers/logs";
import { one } from "../helpers/stacks";
import { collectGenerated, type Generated } from "./generated";
import {
  INSTANCE_TYPE_ACTIONS,
  INSTANCE_TYPE_REQUIRED_ACTIONS,
  UNLIMITED_INSTANCE_ACTIONS,
} from "../../components/policies/instance-types";

type Request = IamRequest;

/** What an attacker with full rights in their own account brings: only our policies can stop them. */
const ADMIN: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};
/** A trust policy that lets anyone assume the role: isolates the caller's identity policy. */
const TRUST_ANYONE: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
};
const UNLISTED = "999999999999";
const PUBLIC_IP = "203.0.113.10";
const FOREIGN_VPCE = "vpce-0f0f0f0f0f0f0f0f0";

let g: Generated;
const evaluated = new Set<PolicyDocument>();
let authorizerPolicy: PolicyDocument;

beforeAll(async () => {
  g = await collectGenerated();
  // The authorizer's output for user A, from the real handler and a real token.
  const key = makeSigningKey("security-key");
  verifier.cacheJwks({ keys: [key.jwk] });
  const token = signedAccessToken(key, "user-lob-a");
  const logs = captureLogs();
  try {
    const result = await authorizer({
      type: "TOKEN",
      authorizationToken: `Bearer ${token}`,
      methodArn: `${g.apiArn}/${g.stage}/GET/studios/lob-a`,
    });
    authorizerPolicy = result.policyDocument as unknown as PolicyDocument;
  } finally {
    logs.restore();
  }
}, 60_000);

async function simulate(request: Request): Promise<Outcome> {
  for (const doc of [
    ...(request.identity ?? []),
    request.resourcePolicy,
    request.scp,
    request.endpointPolicy,
  ])
    if (doc) evaluated.add(doc);
  return evaluateIam(request);
}

const lobA = () => g.lobs["lob-a"];
const lobB = () => g.lobs["lob-b"];
/** A mount's context: through the function's access point, or not. */
const accessPointContext = (through: boolean): Record<string, string> =>
  through ? { "elasticfilesystem:AccessPointArn": homes().accessPointArn } : {};
const homes = () => {
  const found = lobA().homes;
  if (!found) throw new Error("lob-a has no home-directory function");
  return found;
};
const vpce = (key: string) => g.endpointIds[key]!;
const profile = (lob: "lob-a" | "lob-b", name: string, domain?: string) =>
  `arn:aws:sagemaker:${g.region}:${g.lobs[lob].account}:user-profile/${domain ?? g.lobs[lob].domainId}/${name}`;
const session = (lob: "lob-a" | "lob-b") =>
  `arn:aws:sts::${g.lobs[lob].account}:assumed-role/StudioAccessRole/studio-access-presigner`;

/** Assuming LOB A's access role: the caller's identity, the role's trust policy, and the request's endpoint. */
const assumeLobA = (
  principal: string,
  identity: readonly PolicyDocument[],
  context: Record<string, string> = { "aws:SourceVpce": vpce("sts") },
): Request => ({
  principal,
  action: "sts:AssumeRole",
  resource: lobA().accessRoleArn,
  resourceAccount: lobA().account,
  identity,
  resourcePolicy: lobA().accessTrust,
  context,
});

/** A request by LOB A's access role session (what the presigner holds after AssumeRole). */
/**
 * A call as a LOB's access role, on a profile studio-access made for that LOB (tagged with it)
 * unless `tags` says otherwise.
 */
const asAccessRole = (
  action: string,
  resource: string,
  context: Record<string, string>,
  lob: "lob-a" | "lob-b" = "lob-a",
  tags: Record<string, string> = { "studio-access:lob": lob },
): Request => ({
  principal: session(lob),
  action,
  resource,
  resourceAccount: g.lobs[lob].account,
  identity: [g.lobs[lob].accessPolicy],
  context: {
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
    ...context,
  },
});

const asPresigner = (
  action: string,
  resource: string,
  resourceAccount: string,
  resourcePolicy?: PolicyDocument,
  context: Record<string, string> = {},
): Request => ({
  principal: g.presignerRoleArn,
  action,
  resource,
  resourceAccount,
  identity: g.presignerPolicies,
  resourcePolicy,
  context,
});

const invokeApi = (path: string, context: Record<string, string>): Request => ({
  principal: "anonymous",
  action: "execute-api:Invoke",
  resource: `${g.apiArn}/${g.stage}/GET/${path}`,
  resourceAccount: g.hubAccount,
  resourcePolicy: g.apiPolicy,
  context,
});

const withAuthorizerPolicy = (resource: string): Request => ({
  principal: `arn:aws:iam::${g.hubAccount}:role/api-gateway-caller`,
  action: "execute-api:Invoke",
  resource,
  resourceAccount: g.hubAccount,
  identity: [authorizerPolicy],
});

const trustOf = (source: string): PolicyDocument => {
  const found = g.all.find((d) => d.source === source);
  if (!found) throw new Error(`no generated ${source}`);
  return found.doc;
};
const authorizerRoleArn = () =>
  String(one(g.planned.shared, "aws:iam/role:Role", "access-authorizer").state.arn);

const portalRoleArn = () =>
  String(one(g.planned.shared, "aws:iam/role:Role", "access-portal").state.arn);
const portalLogGroupArn = () =>
  String(one(g.planned.shared, "aws:cloudwatch/logGroup:LogGroup", "access-portal").state.arn);
/** A call by the portal function: its role, its one inline policy (it has no attached one). */
const asPortal = (action: string, resource: string): Request => ({
  principal: portalRoleArn(),
  action,
  resource,
  resourceAccount: g.hubAccount,
  identity: [trustOf("shared/access-portal policy")],
});

/** A service principal (or, overridden, another caller) assuming a role under its generated trust policy. */
const serviceAssumes = (
  service: string,
  roleArn: string,
  account: string,
  trustSource: string,
): Request => ({
  principal: service,
  action: "sts:AssumeRole",
  resource: roleArn,
  resourceAccount: account,
  resourcePolicy: trustOf(trustSource),
});

/** A call made from a user's Studio app: the shared execution role, with Studio's request context. */
const asStudioUser = (
  user: string,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Request => ({
  principal: `arn:aws:sts::${lobA().account}:assumed-role/${lobA().executionRoleArn.split("/").pop() ?? ""}/SageMaker`,
  action,
  resource,
  resourceAccount: lobA().account,
  identity: [lobA().executionPolicy, lobA().executionInstanceTypes],
  context: { "sagemaker:DomainId": lobA().domainId, "sagemaker:UserProfileName": user, ...context },
});
const lobArn = (kind: string) => `arn:aws:sagemaker:${g.region}:${lobA().account}:${kind}`;
const ownApp = (user: string) => lobArn(`app/${lobA().domainId}/${user}/jupyterlab/default`);
const spaceApp = (spaceName: string) =>
  lobArn(`app/${lobA().domainId}/${spaceName}/jupyterlab/default`);
const space = (spaceName: string) => lobArn(`space/${lobA().domainId}/${spaceName}`);

/** A call made from a team's Studio: the team's execution role, with its tags as principal tags. */
const asTeam = (
  lob: "lob-a" | "lob-b",
  team: string,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  extra: PolicyDocument[] = [],
): Request => {
  const role = g.lobs[lob].teams[team];
  if (!role) throw new Error(`no team ${team} in ${lob}`);
  return {
    principal: `arn:aws:sts::${g.lobs[lob].account}:assumed-role/${role.arn.split("/").pop() ?? ""}/SageMaker`,
    action,
    resource,
    resourceAccount: g.lobs[lob].account,
    identity: [...role.policies, ...extra],
    context: {
      ...Object.fromEntries(
        Object.entries(role.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]),
      ),
      "sagemaker:DomainId": g.lobs[lob].domainId,
      "sagemaker:UserProfileName": `${team}--user-lob-a`,
      ...context,
    },
  };
};
const jobArn = (kind: string, name: string) => lobArn(`${kind}/${name}`);
/** A request for an instance type every team of lob-a may start (#21). */
const SMALL = { "sagemaker:InstanceTypes": ["ml.m5.large"] };
/** The resource an instance-type action acts on, of the type the action names. */
const resourceOf = (action: string): string => {
  const name = action.replace(/^sagemaker:(Create|Update)/, "");
  if (name === "App") return lobArn(`app/${lobA().domainId}/forecasting--user-lob-a/jupyterlab/x`);
  if (name === "Space") return lobArn(`space/${lobA().domainId}/x`);
  // TrainingJob → training-job, HyperParameterTuningJob → hyper-parameter-tuning-job, ...
  return jobArn(name.replace(/(?<=[a-z])(?=[A-Z])/g, "-").toLowerCase(), "x");
};
const teamTag = (team: string) => ({ "aws:ResourceTag/studio-access:team": team });
const requestTags = (tags: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
  "aws:TagKeys": Object.keys(tags),
});
/** What the presigner sends through the provisioning role: the profile's three tags. */
const profileTags = (team: string, lob = "lob-a", username = "dana.scientist") =>
  requestTags({
    "studio-access:lob": lob,
    "studio-access:team": team,
    "studio-access:username": username,
  });
const asProvisioner = (
  lob: "lob-a" | "lob-b",
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Request => ({
  principal: `arn:aws:sts::${g.lobs[lob].account}:assumed-role/StudioAccessRole-provisioner/studio-access-presigner`,
  action,
  resource,
  resourceAccount: action === "iam:PassRole" ? g.lobs[lob].account : g.lobs[lob].account,
  identity: [g.lobs[lob].provisionerPolicy],
  context: { "aws:SourceVpce": vpce("sagemaker-api"), ...context },
});
const newProfile = (lob: "lob-a" | "lob-b", name: string, domain?: string) =>
  profile(lob, name, domain);

/** The lifecycle function's calls in the hub, with its own policy. */
const asLifecycleFn = (
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Request => ({
  principal: `arn:aws:sts::${g.hubAccount}:assumed-role/${g.lifecycleFnRoleArn.split("/").pop() ?? ""}/access-lifecycle`,
  action,
  resource,
  resourceAccount: g.hubAccount,
  identity: g.lifecycleFnPolicies,
  context,
});
/** A LOB lifecycle role's calls, through the hub SageMaker API endpoint unless told otherwise. */
const asLobLifecycle = (
  lob: "lob-a" | "lob-b",
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Request => ({
  principal: `arn:aws:sts::${g.lobs[lob].account}:assumed-role/StudioAccessRole-lifecycle/studio-access-lifecycle`,
  action,
  resource,
  resourceAccount: g.lobs[lob].account,
  identity: [g.lobs[lob].lifecyclePolicy],
  context: { "aws:SourceVpce": vpce("sagemaker-api"), ...context },
});
/** An UpdateItem's fine-grained context: the attribute names it touches, and its ReturnValues. */
const updating = (attributes: string[], returnValues = "NONE", leadingKey = "lob-a") => ({
  "dynamodb:Attributes": attributes,
  "dynamodb:ReturnValues": returnValues,
  "dynamodb:LeadingKeys": [leadingKey],
});
/** The lifecycle function's own state updates: the key, state, stateAt and detail. */
const OFFBOARDING_UPDATE = ["lob", "userTeam", "state", "stateAt", "detail"];
/** A resource's tags as IAM sees them (aws:ResourceTag/<key>). */
const resourceTags = (tags: Record<string, string>) =>
  Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
/** A profile studio-access made: its LOB, team and user tags. */
const madeProfile = (lob = "lob-a") =>
  resourceTags({
    "studio-access:lob": lob,
    "studio-access:team": "forecasting",
    "studio-access:username": "dana.scientist",
  });
const ADMIN_PRINCIPAL = "arn:aws:iam::111111111111:role/platform-engineer";
const asAdmin = (
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Request => ({
  principal: `arn:aws:sts::${g.hubAccount}:assumed-role/studio-access-admin/studio-access-admin-jane`,
  action,
  resource,
  resourceAccount: g.hubAccount,
  identity: [g.adminPolicy],
  context,
});

/** The admin role's session, as `studio-access admin` holds it. */
const ADMIN_SESSION =
  "arn:aws:sts::111111111111:assumed-role/studio-access-admin/studio-access-admin-jane";
/** Assuming a LOB's usage reader role (admin usage): the caller's identity and the role's trust. */
const assumeReader = (
  lob: "lob-a" | "lob-b",
  principal: string,
  identity: readonly PolicyDocument[],
): Request => ({
  principal,
  action: "sts:AssumeRole",
  resource: g.lobs[lob].usageReaderRoleArn,
  resourceAccount: g.lobs[lob].account,
  identity,
  resourcePolicy: g.lobs[lob].usageReaderTrust,
});
/** A SageMaker ARN in lob-a's domain: `<kind>/<domain>/<name>`. */
const readerArn = (kind: string, name: string) =>
  `arn:aws:sagemaker:${g.region}:${lobA().account}:${kind}/${lobA().domainId}/${name}`;
/** A call as a LOB's usage reader session (lob-a's unless said). */
const asReader = (action: string, resource: string, lob: "lob-a" | "lob-b" = "lob-a"): Request => ({
  principal: `arn:aws:sts::${g.lobs[lob].account}:assumed-role/StudioAccessRole-usage/studio-access-admin-jane`,
  action,
  resource,
  resourceAccount: g.lobs[lob].account,
  identity: [g.lobs[lob].usageReaderPolicy],
});

const deployerPrincipal = (lob: "lob-a" | "lob-b") =>
  `arn:aws:iam::${g.lobs[lob].account}:role/studio-access-deployer`;
const assumeDeployer = (lob: "lob-a" | "lob-b", principal: string): Request => ({
  principal,
  action: "sts:AssumeRole",
  resource: g.deployers[lob].arn,
  resourceAccount: g.hubAccount,
  identity: [ADMIN],
  resourcePolicy: g.deployers[lob].trust,
});
const asDeployer = (
  lob: "lob-a" | "lob-b",
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Request => ({
  principal: `arn:aws:sts::${g.hubAccount}:assumed-role/studio-access-${lob}-deployer/studio-access-${lob}`,
  action,
  resource,
  resourceAccount: g.hubAccount,
  identity: [g.deployers[lob].policy],
  context,
});
/** LOB A's deployer role as a hub with dnsSharing: profile makes it (issue #22). */
const asProfileDeployer = (
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Request => ({
  ...asDeployer("lob-a", action, resource, context),
  identity: [
    deployerPolicy({
      region: g.region,
      hubAccountId: g.hubAccount,
      lob: "lob-a",
      spokesRouteTableId: "tgw-rtb-spokes",
      hubRouteTableId: "tgw-rtb-hub",
      zoneIds: g.zoneArns.map((arn) => arn.split("/").pop() ?? ""),
      usersTableArn: g.usersTableArn,
      lobsTableArn: g.lobsTableArn,
      dnsSharing: "profile",
    }),
  ],
});
const attachment = () =>
  `arn:aws:ec2:${g.region}:${g.hubAccount}:transit-gateway-attachment/tgw-attach-0123456789abcdef0`;
/** Cognito's unauthenticated operations: allowed to anyone unless a policy in the path says no. */
const ANY_COGNITO: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: "*", Action: "cognito-idp:*", Resource: "*" }],
};
const TRUST_ANYONE_INVOKE: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "*" }],
};
/** A caller with every right in its own account, through one of the hub's interface endpoints. */
const throughEndpoint = (
  key: string,
  principal: string,
  principalOrgId: string | undefined,
  action: string,
  resource: string,
  resourceAccount: string,
): Request => ({
  principal,
  action,
  resource,
  resourceAccount,
  identity: [ADMIN],
  resourcePolicy: action === "sts:AssumeRole" ? TRUST_ANYONE : undefined,
  endpointPolicy: g.endpointPolicies[key],
  principalOrgId,
  context: { "aws:SourceVpce": vpce(key) },
});
/** An account of the organization that is no configured LOB (#22). */
const IN_ORG = "444444444444";
/** A hub role's call with its own identity policies (its role ARN as the principal). */
const asHubFunction =
  (roleArn: string, identity: readonly PolicyDocument[]) =>
  (
    action: string,
    resource: string,
    resourceAccount: string,
    resourcePolicy?: PolicyDocument,
  ): Request => ({
    principal: roleArn,
    action,
    resource,
    resourceAccount,
    identity,
    resourcePolicy,
  });
/**
 * A role (by its role ARN, path included: `aws:PrincipalArn` is the role's ARN) presigning a
 * profile of its own account through the hub SageMaker API endpoint, with every right there:
 * only the endpoint policy decides.
 */
const presignThroughEndpoint = (roleArn: string, principalOrgId: string | undefined): Request => {
  const account = roleArn.split(":")[4] ?? "";
  return throughEndpoint(
    "sagemaker-api",
    roleArn,
    principalOrgId,
    "sagemaker:CreatePresignedDomainUrl",
    `arn:aws:sagemaker:${g.region}:${account}:user-profile/d-0123456789ab/user-lob-a`,
    account,
  );
};
/** A KMS call on the hub's data key by a principal, optionally through an AWS service. */
const keyThrough = (
  principal: string,
  identity: readonly PolicyDocument[],
  viaService: string | undefined,
  callerAccount: string,
): Request => ({
  principal,
  action: "kms:Decrypt",
  resource: `arn:aws:kms:${g.region}:${g.hubAccount}:key/0000-data`,
  resourceAccount: g.hubAccount,
  identity,
  resourcePolicy: g.dataKeyPolicy,
  context: {
    "kms:CallerAccount": callerAccount,
    ...(viaService ? { "kms:ViaService": viaService } : {}),
  },
});
const spokeS3Policy = (lob: "lob-a" | "lob-b"): PolicyDocument => {
  const found = g.all.find((d) => d.source === `${lob}/${lob}-s3 endpoint policy`);
  if (!found) throw new Error(`no S3 endpoint policy in ${lob}`);
  return found.doc;
};
const trailWrites = (trailArn: string, secure: "true" | "false"): Request => ({
  principal: "cloudtrail.amazonaws.com",
  action: "s3:PutObject",
  resource: `${g.auditBucketArn}/AWSLogs/${g.hubAccount}/CloudTrail/x.json.gz`,
  resourceAccount: g.hubAccount,
  resourcePolicy: g.auditBucketPolicy,
  context: {
    "aws:SourceArn": trailArn,
    "s3:x-amz-acl": "bucket-owner-full-control",
    "aws:SecureTransport": secure,
  },
});

type Scenario = [string, Outcome, () => Request];
const SCENARIOS: Scenario[] = [
  // Who may assume LOB A's access role.
  [
    "the presigner assumes LOB A's access role through the hub STS endpoint",
    "Allowed",
    () => assumeLobA(g.presignerRoleArn, g.presignerPolicies),
  ],
  [
    "the presigner assumes LOB B's access role through the hub STS endpoint",
    "Allowed",
    () => ({
      ...assumeLobA(g.presignerRoleArn, g.presignerPolicies),
      resource: lobB().accessRoleArn,
      resourceAccount: lobB().account,
      resourcePolicy: lobB().accessTrust,
    }),
  ],
  [
    "the presigner assumes LOB A's access role without going through an endpoint",
    "ImplicitlyDenied",
    () => assumeLobA(g.presignerRoleArn, g.presignerPolicies, {}),
  ],
  [
    "the presigner assumes LOB A's access role through another VPC endpoint",
    "ImplicitlyDenied",
    () => assumeLobA(g.presignerRoleArn, g.presignerPolicies, { "aws:SourceVpce": FOREIGN_VPCE }),
  ],
  [
    "LOB B's access role, with admin rights, assumes LOB A's access role",
    "ImplicitlyDenied",
    () => assumeLobA(lobB().accessRoleArn, [ADMIN]),
  ],
  [
    "LOB B's Studio execution role assumes LOB A's access role",
    "ImplicitlyDenied",
    () => assumeLobA(lobB().executionRoleArn, [lobB().executionPolicy]),
  ],
  [
    "an administrator in LOB A's own account assumes LOB A's access role",
    "ImplicitlyDenied",
    () => assumeLobA(`arn:aws:iam::${lobA().account}:role/Admin`, [ADMIN]),
  ],
  [
    "a role named like the presigner in an unlisted account assumes LOB A's access role",
    "ImplicitlyDenied",
    () => assumeLobA(g.presignerRoleArn.replace(g.hubAccount, UNLISTED), [ADMIN]),
  ],
  [
    "an anonymous caller assumes LOB A's access role",
    "ImplicitlyDenied",
    () => ({ ...assumeLobA("anonymous", []), identity: [] }),
  ],
  [
    "the hub's authorizer role assumes LOB A's access role",
    "ImplicitlyDenied",
    () =>
      assumeLobA(g.presignerRoleArn.replace(/role\/.*$/, "role/access-authorizer"), [
        g.authorizerPolicy,
      ]),
  ],

  // What the presigner itself may do.
  [
    "the presigner assumes a same-named role in an unlisted account that trusts anyone",
    "ImplicitlyDenied",
    () =>
      asPresigner(
        "sts:AssumeRole",
        `arn:aws:iam::${UNLISTED}:role/StudioAccessRole`,
        UNLISTED,
        TRUST_ANYONE,
      ),
  ],
  [
    "the presigner assumes another role in LOB A's account that trusts anyone",
    "ImplicitlyDenied",
    () =>
      asPresigner(
        "sts:AssumeRole",
        `arn:aws:iam::${lobA().account}:role/OrganizationAccountAccessRole`,
        lobA().account,
        TRUST_ANYONE,
      ),
  ],
  [
    "the presigner reads an entitlement (GetItem)",
    "Allowed",
    () => asPresigner("dynamodb:GetItem", g.usersTableArn, g.hubAccount),
  ],
  [
    "the presigner reads entitlement and LOB together (BatchGetItem)",
    "Allowed",
    () => asPresigner("dynamodb:BatchGetItem", g.lobsTableArn, g.hubAccount),
  ],
  [
    "the presigner lists a user's entitlements (Query)",
    "Allowed",
    () => asPresigner("dynamodb:Query", g.usersTableArn, g.hubAccount),
  ],
  [
    "the presigner writes an entitlement (PutItem)",
    "ImplicitlyDenied",
    () => asPresigner("dynamodb:PutItem", g.usersTableArn, g.hubAccount),
  ],
  [
    "the presigner changes a LOB (UpdateItem)",
    "ImplicitlyDenied",
    () => asPresigner("dynamodb:UpdateItem", g.lobsTableArn, g.hubAccount),
  ],
  [
    "the presigner deletes a LOB (DeleteItem)",
    "ImplicitlyDenied",
    () => asPresigner("dynamodb:DeleteItem", g.lobsTableArn, g.hubAccount),
  ],
  [
    "the presigner writes in bulk (BatchWriteItem)",
    "ImplicitlyDenied",
    () => asPresigner("dynamodb:BatchWriteItem", g.usersTableArn, g.hubAccount),
  ],
  [
    "the presigner scans the whole entitlements table",
    "ImplicitlyDenied",
    () => asPresigner("dynamodb:Scan", g.usersTableArn, g.hubAccount),
  ],
  [
    "the presigner reads another table of the hub account",
    "ImplicitlyDenied",
    () =>
      asPresigner(
        "dynamodb:GetItem",
        `arn:aws:dynamodb:${g.region}:${g.hubAccount}:table/payroll`,
        g.hubAccount,
      ),
  ],
  [
    "the presigner presigns a Studio URL with its own identity",
    "ImplicitlyDenied",
    () =>
      asPresigner(
        "sagemaker:CreatePresignedDomainUrl",
        profile("lob-a", "user-lob-a"),
        lobA().account,
      ),
  ],

  // What LOB A's access role may do.
  [
    "the access role presigns a profile of its domain through the hub SageMaker API endpoint",
    "Allowed",
    () =>
      asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": vpce("sagemaker-api"),
      }),
  ],
  [
    "the access role presigns through the hub Studio endpoint",
    "Allowed",
    () =>
      asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": vpce("studio"),
      }),
  ],
  [
    "the access role describes a profile of its domain through the hub SageMaker API endpoint",
    "Allowed",
    () =>
      asAccessRole("sagemaker:DescribeUserProfile", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": vpce("sagemaker-api"),
      }),
  ],
  [
    "the access role presigns through the hub's execute-api endpoint",
    "ImplicitlyDenied",
    () =>
      asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": vpce("execute-api"),
      }),
  ],
  [
    "the access role presigns through a VPC endpoint that is not the hub's",
    "ImplicitlyDenied",
    () =>
      asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": FOREIGN_VPCE,
      }),
  ],
  [
    "the access role presigns with no endpoint, from a public IP",
    "ImplicitlyDenied",
    () =>
      asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceIp": PUBLIC_IP,
      }),
  ],
  [
    "the access role presigns a profile of another domain in its account",
    "ImplicitlyDenied",
    () =>
      asAccessRole(
        "sagemaker:CreatePresignedDomainUrl",
        profile("lob-a", "user-lob-a", "d-000000000000"),
        { "aws:SourceVpce": vpce("sagemaker-api") },
      ),
  ],
  [
    "LOB A's access role presigns a profile in LOB B's account",
    "ImplicitlyDenied",
    () => ({
      ...asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-b", "user-lob-b"), {
        "aws:SourceVpce": vpce("sagemaker-api"),
      }),
      resourceAccount: lobB().account,
    }),
  ],
  [
    "the access role presigns an untagged profile of its domain (one a LOB pipeline made)",
    "ImplicitlyDenied",
    () =>
      asAccessRole(
        "sagemaker:CreatePresignedDomainUrl",
        profile("lob-a", "ops-admin"),
        { "aws:SourceVpce": vpce("sagemaker-api") },
        "lob-a",
        {},
      ),
  ],
  [
    "the access role presigns a profile of its domain tagged for another LOB",
    "ImplicitlyDenied",
    () =>
      asAccessRole(
        "sagemaker:CreatePresignedDomainUrl",
        profile("lob-a", "user-lob-a"),
        { "aws:SourceVpce": vpce("studio") },
        "lob-a",
        { "studio-access:lob": "lob-b" },
      ),
  ],
  [
    "the access role describes an untagged profile of its domain",
    "ImplicitlyDenied",
    () =>
      asAccessRole(
        "sagemaker:DescribeUserProfile",
        profile("lob-a", "ops-admin"),
        { "aws:SourceVpce": vpce("sagemaker-api") },
        "lob-a",
        {},
      ),
  ],
  [
    "the access role deletes its domain",
    "ImplicitlyDenied",
    () =>
      asAccessRole(
        "sagemaker:DeleteDomain",
        `arn:aws:sagemaker:${g.region}:${lobA().account}:domain/${lobA().domainId}`,
        { "aws:SourceVpce": vpce("sagemaker-api") },
      ),
  ],
  [
    "the access role creates a user profile",
    "ImplicitlyDenied",
    () =>
      asAccessRole("sagemaker:CreateUserProfile", profile("lob-a", "intruder"), {
        "aws:SourceVpce": vpce("sagemaker-api"),
      }),
  ],
  [
    "the access role deletes a user profile",
    "ImplicitlyDenied",
    () =>
      asAccessRole("sagemaker:DeleteUserProfile", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": vpce("sagemaker-api"),
      }),
  ],
  [
    "the access role assumes another role",
    "ImplicitlyDenied",
    () =>
      asAccessRole("sts:AssumeRole", `arn:aws:iam::${lobA().account}:role/Admin`, {
        "aws:SourceVpce": vpce("sts"),
      }),
  ],
  [
    "LOB B's access role presigns a profile of its own domain through the hub endpoint",
    "Allowed",
    () =>
      asAccessRole(
        "sagemaker:CreatePresignedDomainUrl",
        profile("lob-b", "user-lob-b"),
        { "aws:SourceVpce": vpce("sagemaker-api") },
        "lob-b",
      ),
  ],

  // Studio users' execution role.
  [
    "a Studio user's execution role presigns a URL for another profile",
    "ImplicitlyDenied",
    () => ({
      ...asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-b"), {
        "aws:SourceVpce": vpce("sagemaker-api"),
      }),
      principal: lobA().executionRoleArn,
      identity: [lobA().executionPolicy],
    }),
  ],
  [
    "a Studio user's execution role starts an app of its own profile",
    "Allowed",
    () => asStudioUser("user-lob-a", "sagemaker:CreateApp", ownApp("user-lob-a"), SMALL),
  ],

  // Service roles: only their own service may assume them.
  [
    "Lambda assumes the presigner role",
    "Allowed",
    () =>
      serviceAssumes(
        "lambda.amazonaws.com",
        g.presignerRoleArn,
        g.hubAccount,
        "shared/access-presigner trust",
      ),
  ],
  [
    "EC2 assumes the presigner role",
    "ImplicitlyDenied",
    () =>
      serviceAssumes(
        "ec2.amazonaws.com",
        g.presignerRoleArn,
        g.hubAccount,
        "shared/access-presigner trust",
      ),
  ],
  [
    "an administrator of the hub account assumes the presigner role",
    "ImplicitlyDenied",
    () => ({
      ...serviceAssumes("", g.presignerRoleArn, g.hubAccount, "shared/access-presigner trust"),
      principal: `arn:aws:iam::${g.hubAccount}:role/Admin`,
      identity: [ADMIN],
    }),
  ],
  [
    "Lambda assumes the authorizer role",
    "Allowed",
    () =>
      serviceAssumes(
        "lambda.amazonaws.com",
        authorizerRoleArn(),
        g.hubAccount,
        "shared/access-authorizer trust",
      ),
  ],
  [
    "an administrator of the hub account assumes the authorizer role",
    "ImplicitlyDenied",
    () => ({
      ...serviceAssumes("", authorizerRoleArn(), g.hubAccount, "shared/access-authorizer trust"),
      principal: `arn:aws:iam::${g.hubAccount}:role/Admin`,
      identity: [ADMIN],
    }),
  ],
  [
    "Lambda assumes the portal role",
    "Allowed",
    () =>
      serviceAssumes(
        "lambda.amazonaws.com",
        portalRoleArn(),
        g.hubAccount,
        "shared/access-portal trust",
      ),
  ],
  [
    "an administrator of the hub account assumes the portal role",
    "ImplicitlyDenied",
    () => ({
      ...serviceAssumes("", portalRoleArn(), g.hubAccount, "shared/access-portal trust"),
      principal: `arn:aws:iam::${g.hubAccount}:role/Admin`,
      identity: [ADMIN],
    }),
  ],
  [
    "the portal writes its own logs",
    "Allowed",
    () => asPortal("logs:PutLogEvents", `${portalLogGroupArn()}:log-stream:2026/12/04/x`),
  ],
  [
    "the portal writes another function's logs",
    "ImplicitlyDenied",
    () =>
      asPortal(
        "logs:PutLogEvents",
        `${String(one(g.planned.shared, "aws:cloudwatch/logGroup:LogGroup", "access-presigner").state.arn)}:log-stream:x`,
      ),
  ],
  [
    "the portal reads the entitlements table",
    "ImplicitlyDenied",
    () => asPortal("dynamodb:GetItem", g.usersTableArn),
  ],
  [
    "the portal assumes LOB A's access role",
    "ImplicitlyDenied",
    () => assumeLobA(portalRoleArn(), [trustOf("shared/access-portal policy")]),
  ],
  [
    "SageMaker assumes LOB A's execution role",
    "Allowed",
    () =>
      serviceAssumes(
        "sagemaker.amazonaws.com",
        lobA().executionRoleArn,
        lobA().account,
        "lob-a/lob-a-execution trust",
      ),
  ],
  [
    "Lambda assumes LOB A's execution role",
    "ImplicitlyDenied",
    () =>
      serviceAssumes(
        "lambda.amazonaws.com",
        lobA().executionRoleArn,
        lobA().account,
        "lob-a/lob-a-execution trust",
      ),
  ],
  [
    "SageMaker assumes LOB B's execution role",
    "Allowed",
    () =>
      serviceAssumes(
        "sagemaker.amazonaws.com",
        lobB().executionRoleArn,
        lobB().account,
        "lob-b/lob-b-execution trust",
      ),
  ],
  [
    "LOB A's access role assumes LOB B's execution role",
    "ImplicitlyDenied",
    () => ({
      ...serviceAssumes("", lobB().executionRoleArn, lobB().account, "lob-b/lob-b-execution trust"),
      principal: session("lob-a"),
      identity: [ADMIN],
    }),
  ],

  // The private API.
  [
    "a caller invokes the API through the hub execute-api endpoint",
    "Allowed",
    () => invokeApi("studios/lob-a", { "aws:SourceVpce": vpce("execute-api") }),
  ],
  [
    "a caller invokes the API through another VPC endpoint",
    "ExplicitlyDenied",
    () => invokeApi("studios/lob-a", { "aws:SourceVpce": FOREIGN_VPCE }),
  ],
  [
    "a caller invokes the API through the hub STS endpoint",
    "ExplicitlyDenied",
    () => invokeApi("studios", { "aws:SourceVpce": vpce("sts") }),
  ],
  [
    "a caller invokes the API with no endpoint, from a public IP",
    "ExplicitlyDenied",
    () => invokeApi("studios", { "aws:SourceIp": PUBLIC_IP }),
  ],

  // The authorizer's Allow for user A (from the real handler).
  [
    "user A's authorizer policy allows the route it was issued for",
    "Allowed",
    () => withAuthorizerPolicy(`${g.apiArn}/${g.stage}/GET/studios/lob-a`),
  ],
  [
    "user A's cached authorizer policy allows the other routes of the same stage",
    "Allowed",
    () => withAuthorizerPolicy(`${g.apiArn}/${g.stage}/GET/studios`),
  ],
  [
    "user A's authorizer policy does not reach another stage of the API",
    "ImplicitlyDenied",
    () => withAuthorizerPolicy(`${g.apiArn}/test/GET/studios/lob-a`),
  ],
  [
    "user A's authorizer policy does not reach another API",
    "ImplicitlyDenied",
    () => withAuthorizerPolicy(`${g.apiArn.replace(g.apiId, "otherapi01")}/${g.stage}/GET/studios`),
  ],
  [
    "user A's authorizer policy does not reach an API in another account",
    "ImplicitlyDenied",
    () => ({
      ...withAuthorizerPolicy(`${g.apiArn.replace(g.hubAccount, UNLISTED)}/${g.stage}/GET/studios`),
      resourceAccount: UNLISTED,
    }),
  ],

  // Within a LOB: every user's apps run as the one execution role, scoped to the caller's profile.
  [
    "a Studio user stops (deletes) their own JupyterLab app",
    "Allowed",
    () => asStudioUser("user-lob-a", "sagemaker:DeleteApp", ownApp("user-lob-a")),
  ],
  [
    "a Studio user stops a colleague's JupyterLab app",
    "ImplicitlyDenied",
    () => asStudioUser("user-lob-a", "sagemaker:DeleteApp", ownApp("user-lob-b")),
  ],
  [
    "a Studio user starts an app in their own private space",
    "Allowed",
    () =>
      asStudioUser("user-lob-a", "sagemaker:CreateApp", spaceApp("space-a"), {
        "sagemaker:OwnerUserProfileArn": profile("lob-a", "user-lob-a"),
        "sagemaker:SpaceSharingType": "Private",
        ...SMALL,
      }),
  ],
  [
    "a Studio user deletes an app in a colleague's private space",
    "ImplicitlyDenied",
    () =>
      asStudioUser("user-lob-a", "sagemaker:DeleteApp", spaceApp("space-b"), {
        "sagemaker:OwnerUserProfileArn": profile("lob-a", "user-lob-b"),
        "sagemaker:SpaceSharingType": "Private",
      }),
  ],
  [
    "a Studio user deletes a colleague's space",
    "ImplicitlyDenied",
    () =>
      asStudioUser("user-lob-a", "sagemaker:DeleteSpace", space("space-b"), {
        "sagemaker:OwnerUserProfileArn": profile("lob-a", "user-lob-b"),
        "sagemaker:SpaceSharingType": "Private",
      }),
  ],
  [
    "a Studio user updates their own space",
    "Allowed",
    () =>
      asStudioUser("user-lob-a", "sagemaker:UpdateSpace", space("space-a"), {
        "sagemaker:OwnerUserProfileArn": profile("lob-a", "user-lob-a"),
        "sagemaker:SpaceSharingType": "Private",
      }),
  ],
  [
    "a Studio user deletes a colleague's profile",
    "ImplicitlyDenied",
    () => asStudioUser("user-lob-a", "sagemaker:DeleteUserProfile", profile("lob-a", "user-lob-b")),
  ],

  // Each LOB's deployer role in the hub: who may assume it.
  [
    "LOB A's deployment principal assumes LOB A's deployer role",
    "Allowed",
    () => assumeDeployer("lob-a", deployerPrincipal("lob-a")),
  ],
  [
    "LOB B's deployment principal assumes LOB B's deployer role",
    "Allowed",
    () => assumeDeployer("lob-b", deployerPrincipal("lob-b")),
  ],
  [
    "LOB B's deployment principal assumes LOB A's deployer role",
    "ImplicitlyDenied",
    () => assumeDeployer("lob-a", deployerPrincipal("lob-b")),
  ],
  [
    "another administrator of LOB A's account assumes LOB A's deployer role",
    "ImplicitlyDenied",
    () => assumeDeployer("lob-a", `arn:aws:iam::${lobA().account}:role/Admin`),
  ],
  [
    "an administrator of the hub account assumes LOB A's deployer role",
    "ImplicitlyDenied",
    () => assumeDeployer("lob-a", `arn:aws:iam::${g.hubAccount}:role/Admin`),
  ],

  // What LOB A's deployer role may do in the hub: its own rows.
  [
    "LOB A's deployer writes LOB A's record",
    "Allowed",
    () =>
      asDeployer("lob-a", "dynamodb:PutItem", g.lobsTableArn, {
        "dynamodb:LeadingKeys": ["lob-a"],
      }),
  ],
  [
    "LOB A's deployer writes an entitlement to LOB A",
    "Allowed",
    () =>
      asDeployer("lob-a", "dynamodb:PutItem", g.usersTableArn, {
        "dynamodb:LeadingKeys": ["lob-a"],
      }),
  ],
  [
    "LOB B's deployer forges an entitlement to LOB A (the attack that opened user-lob-a's Studio)",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-b", "dynamodb:PutItem", g.usersTableArn, {
        "dynamodb:LeadingKeys": ["lob-a"],
      }),
  ],
  [
    "LOB B's deployer overwrites LOB A's record",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-b", "dynamodb:PutItem", g.lobsTableArn, {
        "dynamodb:LeadingKeys": ["lob-a"],
      }),
  ],
  [
    "LOB B's deployer disables LOB A (UpdateItem)",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-b", "dynamodb:UpdateItem", g.lobsTableArn, {
        "dynamodb:LeadingKeys": ["lob-a"],
      }),
  ],
  [
    "LOB B's deployer deletes LOB A's record",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-b", "dynamodb:DeleteItem", g.lobsTableArn, {
        "dynamodb:LeadingKeys": ["lob-a"],
      }),
  ],
  [
    "LOB A's deployer scans the entitlements table",
    "ImplicitlyDenied",
    () => asDeployer("lob-a", "dynamodb:Scan", g.usersTableArn),
  ],

  // ... its own attachment, the spokes table for association, the hub table for propagation.
  [
    "LOB A's deployer accepts a pending attachment",
    "Allowed",
    () => asDeployer("lob-a", "ec2:AcceptTransitGatewayVpcAttachment", attachment()),
  ],
  [
    "LOB A's deployer tags an untagged attachment as LOB A's",
    "Allowed",
    () =>
      asDeployer("lob-a", "ec2:CreateTags", attachment(), {
        "aws:RequestTag/studio-access:lob": "lob-a",
      }),
  ],
  [
    "LOB A's deployer re-tags LOB B's attachment as LOB A's",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-a", "ec2:CreateTags", attachment(), {
        "aws:RequestTag/studio-access:lob": "lob-a",
        "aws:ResourceTag/studio-access:lob": "lob-b",
      }),
  ],
  [
    "LOB A's deployer removes the LOB tag from its own attachment",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-a", "ec2:DeleteTags", attachment(), {
        "aws:ResourceTag/studio-access:lob": "lob-a",
        "aws:TagKeys": ["studio-access:lob"],
      }),
  ],
  [
    "LOB A's deployer associates its own attachment (tagged lob-a)",
    "Allowed",
    () =>
      asDeployer("lob-a", "ec2:AssociateTransitGatewayRouteTable", attachment(), {
        "aws:ResourceTag/studio-access:lob": "lob-a",
      }),
  ],
  [
    "LOB A's deployer associates with the spokes route table",
    "Allowed",
    () => asDeployer("lob-a", "ec2:AssociateTransitGatewayRouteTable", g.spokesRouteTableArn),
  ],
  [
    "LOB A's deployer associates with the hub route table (reaching every spoke)",
    "ImplicitlyDenied",
    () => asDeployer("lob-a", "ec2:AssociateTransitGatewayRouteTable", g.hubRouteTableArn),
  ],
  [
    "LOB A's deployer propagates into the spokes route table (reaching other spokes)",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-a", "ec2:EnableTransitGatewayRouteTablePropagation", g.spokesRouteTableArn),
  ],
  [
    "LOB A's deployer propagates into the hub route table",
    "Allowed",
    () => asDeployer("lob-a", "ec2:EnableTransitGatewayRouteTablePropagation", g.hubRouteTableArn),
  ],
  [
    "LOB A's deployer associates LOB B's attachment",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-a", "ec2:AssociateTransitGatewayRouteTable", attachment(), {
        "aws:ResourceTag/studio-access:lob": "lob-b",
      }),
  ],
  [
    "LOB A's deployer deletes LOB B's attachment",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-a", "ec2:DeleteTransitGatewayVpcAttachment", attachment(), {
        "aws:ResourceTag/studio-access:lob": "lob-b",
      }),
  ],
  [
    "LOB A's deployer adds a static route to a transit gateway route table",
    "ImplicitlyDenied",
    () => asDeployer("lob-a", "ec2:CreateTransitGatewayRoute", g.spokesRouteTableArn),
  ],
  [
    "LOB A's deployer adds a route to the hub VPC's route table",
    "ImplicitlyDenied",
    () =>
      asDeployer(
        "lob-a",
        "ec2:CreateRoute",
        `arn:aws:ec2:${g.region}:${g.hubAccount}:route-table/rtb-0123456789abcdef0`,
      ),
  ],
  [
    "LOB A's deployer opens the endpoint security group",
    "ImplicitlyDenied",
    () =>
      asDeployer(
        "lob-a",
        "ec2:AuthorizeSecurityGroupIngress",
        `arn:aws:ec2:${g.region}:${g.hubAccount}:security-group/sg-0123456789abcdef0`,
      ),
  ],
  [
    "LOB A's deployer authorizes a VPC of the hub's region on a hub zone",
    "Allowed",
    () =>
      asDeployer("lob-a", "route53:CreateVPCAssociationAuthorization", g.zoneArns[0]!, {
        "route53:VPCs": [`VPCId=vpc-0aaa,VPCRegion=${g.region}`],
      }),
  ],
  [
    "LOB A's deployer authorizes a VPC of another region on a hub zone",
    "ImplicitlyDenied",
    () =>
      asDeployer("lob-a", "route53:CreateVPCAssociationAuthorization", g.zoneArns[0]!, {
        "route53:VPCs": ["VPCId=vpc-0aaa,VPCRegion=eu-west-1"],
      }),
  ],
  [
    "LOB A's deployer changes a hub zone's records",
    "ImplicitlyDenied",
    () => asDeployer("lob-a", "route53:ChangeResourceRecordSets", g.zoneArns[0]!),
  ],
  // With the zones in a Route 53 Profile (dnsSharing: profile, #22): deletion of a LOB's old
  // authorizations only.
  [
    "(profile) LOB A's deployer deletes its old authorization on a hub zone",
    "Allowed",
    () =>
      asProfileDeployer("route53:DeleteVPCAssociationAuthorization", g.zoneArns[0]!, {
        "route53:VPCs": [`VPCId=vpc-0aaa,VPCRegion=${g.region}`],
      }),
  ],
  [
    "(profile) LOB A's deployer authorizes a VPC on a hub zone",
    "ImplicitlyDenied",
    () =>
      asProfileDeployer("route53:CreateVPCAssociationAuthorization", g.zoneArns[0]!, {
        "route53:VPCs": [`VPCId=vpc-0aaa,VPCRegion=${g.region}`],
      }),
  ],
  [
    "(profile) LOB A's deployer deletes an authorization of another region",
    "ImplicitlyDenied",
    () =>
      asProfileDeployer("route53:DeleteVPCAssociationAuthorization", g.zoneArns[0]!, {
        "route53:VPCs": ["VPCId=vpc-0aaa,VPCRegion=eu-west-1"],
      }),
  ],
  [
    "(profile) LOB A's deployer changes a hub zone's records",
    "ImplicitlyDenied",
    () => asProfileDeployer("route53:ChangeResourceRecordSets", g.zoneArns[0]!),
  ],

  // Endpoint policies: the hub's interface endpoints serve the organization only.
  [
    "an outside account's role assumes a role through the hub STS endpoint",
    "ImplicitlyDenied",
    () =>
      throughEndpoint(
        "sts",
        `arn:aws:iam::${UNLISTED}:role/Outsider`,
        undefined,
        "sts:AssumeRole",
        lobA().accessRoleArn,
        lobA().account,
      ),
  ],
  [
    "the presigner assumes LOB A's access role through the hub STS endpoint, with its endpoint policy",
    "Allowed",
    () => ({
      ...assumeLobA(g.presignerRoleArn, g.presignerPolicies),
      endpointPolicy: g.endpointPolicies.sts,
      principalOrgId: g.organizationId,
    }),
  ],
  [
    "a LOB administrator presigns through the hub SageMaker API endpoint (endpoint policy)",
    "ExplicitlyDenied",
    () =>
      throughEndpoint(
        "sagemaker-api",
        `arn:aws:iam::${lobA().account}:role/Admin`,
        g.organizationId,
        "sagemaker:CreatePresignedDomainUrl",
        profile("lob-a", "user-lob-a"),
        lobA().account,
      ),
  ],
  [
    "LOB A's access role presigns through the hub SageMaker API endpoint (endpoint policy)",
    "Allowed",
    () => ({
      ...asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": vpce("sagemaker-api"),
      }),
      endpointPolicy: g.endpointPolicies["sagemaker-api"],
      principalOrgId: g.organizationId,
    }),
  ],
  [
    "a LOB's Studio app lists its apps through the hub SageMaker API endpoint",
    "Allowed",
    () => ({
      ...asStudioUser("user-lob-a", "sagemaker:ListApps", "*"),
      endpointPolicy: g.endpointPolicies["sagemaker-api"],
      principalOrgId: g.organizationId,
    }),
  ],
  [
    "an anonymous caller invokes an API of another account through the hub execute-api endpoint",
    "ImplicitlyDenied",
    () => ({
      ...invokeApi("studios", { "aws:SourceVpce": vpce("execute-api") }),
      resource: `arn:aws:execute-api:${g.region}:${UNLISTED}:abcdef1234/v1/GET/x`,
      resourceAccount: UNLISTED,
      resourcePolicy: TRUST_ANYONE_INVOKE,
      endpointPolicy: g.endpointPolicies["execute-api"],
    }),
  ],
  [
    "a corporate user invokes the studio-access API through the hub execute-api endpoint (endpoint policy)",
    "Allowed",
    () => ({
      ...invokeApi("studios/lob-a", { "aws:SourceVpce": vpce("execute-api") }),
      endpointPolicy: g.endpointPolicies["execute-api"],
    }),
  ],

  [
    "a LOB's Studio app invokes a model through the hub SageMaker runtime endpoint",
    "Allowed",
    () =>
      throughEndpoint(
        "sagemaker-runtime",
        lobA().executionRoleArn,
        g.organizationId,
        "sagemaker:InvokeEndpoint",
        lobArn("endpoint/model"),
        lobA().account,
      ),
  ],
  [
    "an outside account invokes a model through the hub SageMaker runtime endpoint",
    "ImplicitlyDenied",
    () =>
      throughEndpoint(
        "sagemaker-runtime",
        `arn:aws:iam::${UNLISTED}:role/Outsider`,
        undefined,
        "sagemaker:InvokeEndpoint",
        lobArn("endpoint/model"),
        lobA().account,
      ),
  ],
  [
    "a LOB's Studio app writes its logs through the hub Logs endpoint",
    "Allowed",
    () =>
      throughEndpoint(
        "logs",
        lobA().executionRoleArn,
        g.organizationId,
        "logs:PutLogEvents",
        `arn:aws:logs:${g.region}:${lobA().account}:log-group:/aws/sagemaker/x:log-stream:y`,
        lobA().account,
      ),
  ],
  [
    "an outside account writes logs through the hub Logs endpoint",
    "ImplicitlyDenied",
    () =>
      throughEndpoint(
        "logs",
        `arn:aws:iam::${UNLISTED}:role/Outsider`,
        undefined,
        "logs:PutLogEvents",
        `arn:aws:logs:${g.region}:${UNLISTED}:log-group:x:log-stream:y`,
        UNLISTED,
      ),
  ],
  [
    "Studio re-authorises LOB A's access role through the hub Studio endpoint",
    "Allowed",
    () => ({
      ...asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": vpce("studio"),
      }),
      endpointPolicy: g.endpointPolicies.studio,
      principalOrgId: g.organizationId,
    }),
  ],
  [
    "an outside account's role uses the hub Studio endpoint",
    "ImplicitlyDenied",
    () =>
      throughEndpoint(
        "studio",
        `arn:aws:iam::${UNLISTED}:role/Outsider`,
        undefined,
        "sagemaker:CreatePresignedDomainUrl",
        `arn:aws:sagemaker:${g.region}:${UNLISTED}:user-profile/d-x/u`,
        UNLISTED,
      ),
  ],
  [
    "the presigner reads the hub's user pool through the hub Cognito endpoint",
    "Allowed",
    () =>
      throughEndpoint(
        "cognito-idp",
        g.presignerRoleArn,
        g.organizationId,
        "cognito-idp:DescribeUserPool",
        `arn:aws:cognito-idp:${g.region}:${g.hubAccount}:userpool/${g.region}_pool`,
        g.hubAccount,
      ),
  ],
  [
    "a hub caller reaches another account's user pool through the hub Cognito endpoint",
    "ImplicitlyDenied",
    () => ({
      ...throughEndpoint(
        "cognito-idp",
        g.presignerRoleArn,
        g.organizationId,
        "cognito-idp:DescribeUserPool",
        `arn:aws:cognito-idp:${g.region}:${UNLISTED}:userpool/${g.region}_other`,
        UNLISTED,
      ),
      resourcePolicy: ANY_COGNITO,
    }),
  ],

  [
    "LOB A's Studio app, granted a bucket by its LOB, reads it through the spoke's S3 gateway endpoint",
    "Allowed",
    () => ({
      ...asStudioUser("user-lob-a", "s3:GetObject", "arn:aws:s3:::lob-a-data/x"),
      // Data access is each LOB's own addition to the execution role.
      identity: [lobA().executionPolicy, ADMIN],
      endpointPolicy: spokeS3Policy("lob-a"),
      principalOrgId: g.organizationId,
    }),
  ],
  [
    "an outside account's credentials used through a spoke's S3 gateway endpoint",
    "ImplicitlyDenied",
    () => ({
      principal: `arn:aws:iam::${UNLISTED}:role/Exfiltrator`,
      action: "s3:PutObject",
      resource: `arn:aws:s3:::outside-bucket/x`,
      resourceAccount: UNLISTED,
      identity: [ADMIN],
      endpointPolicy: spokeS3Policy("lob-b"),
    }),
  ],

  // The hub's data key and audit bucket.
  [
    "the presigner reads the encrypted tables: DynamoDB uses the data key on its behalf",
    "Allowed",
    () =>
      keyThrough(
        g.presignerRoleArn,
        g.presignerPolicies,
        `dynamodb.${g.region}.amazonaws.com`,
        g.hubAccount,
      ),
  ],
  [
    "LOB A's deployer writes its rows: DynamoDB uses the data key on its behalf",
    "Allowed",
    () =>
      keyThrough(
        g.deployers["lob-a"].arn,
        [g.deployers["lob-a"].policy],
        `dynamodb.${g.region}.amazonaws.com`,
        g.hubAccount,
      ),
  ],
  [
    "the presigner decrypts with the data key directly, not through DynamoDB",
    "ImplicitlyDenied",
    () => keyThrough(g.presignerRoleArn, g.presignerPolicies, undefined, g.hubAccount),
  ],
  [
    "an administrator of another account uses the data key through DynamoDB",
    "ImplicitlyDenied",
    () =>
      keyThrough(
        `arn:aws:iam::${UNLISTED}:role/Admin`,
        [ADMIN],
        `dynamodb.${g.region}.amazonaws.com`,
        UNLISTED,
      ),
  ],
  [
    "CloudTrail writes the trail's log files to the audit bucket",
    "Allowed",
    () =>
      trailWrites(
        `arn:aws:cloudtrail:${g.region}:${g.hubAccount}:trail/access-data-events`,
        "true",
      ),
  ],
  [
    "another trail writes into the audit bucket",
    "ImplicitlyDenied",
    () => trailWrites(`arn:aws:cloudtrail:${g.region}:${UNLISTED}:trail/other`, "true"),
  ],
  [
    "anyone reads the audit bucket without TLS",
    "ExplicitlyDenied",
    () =>
      trailWrites(
        `arn:aws:cloudtrail:${g.region}:${g.hubAccount}:trail/access-data-events`,
        "false",
      ),
  ],

  // The guardrail SCP for the LOB accounts: console and CLI bypasses.
  [
    "with the SCP, a LOB administrator presigns from the console (no endpoint)",
    "ExplicitlyDenied",
    () => ({
      principal: `arn:aws:iam::${lobA().account}:role/Admin`,
      action: "sagemaker:CreatePresignedDomainUrl",
      resource: profile("lob-a", "user-lob-a"),
      resourceAccount: lobA().account,
      identity: [ADMIN],
      scp: g.scp,
      context: { "aws:SourceIp": PUBLIC_IP },
    }),
  ],
  [
    "with the SCP, a LOB administrator presigns through a VPC endpoint of their own",
    "ExplicitlyDenied",
    () => ({
      principal: `arn:aws:iam::${lobA().account}:role/Admin`,
      action: "sagemaker:CreatePresignedDomainUrl",
      resource: profile("lob-a", "user-lob-a"),
      resourceAccount: lobA().account,
      identity: [ADMIN],
      scp: g.scp,
      context: { "aws:SourceVpce": FOREIGN_VPCE },
    }),
  ],
  [
    "with the SCP, the access role still presigns through the hub SageMaker API endpoint",
    "Allowed",
    () => ({
      ...asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceVpce": vpce("sagemaker-api"),
      }),
      scp: g.scp,
    }),
  ],
  [
    "with the SCP, a LOB administrator presigns through the hub SageMaker API endpoint (the corporate network path)",
    "ExplicitlyDenied",
    () => ({
      principal: `arn:aws:iam::${lobA().account}:role/Admin`,
      action: "sagemaker:CreatePresignedDomainUrl",
      resource: profile("lob-a", "user-lob-a"),
      resourceAccount: lobA().account,
      identity: [ADMIN],
      scp: g.scp,
      context: { "aws:SourceVpce": vpce("sagemaker-api") },
    }),
  ],
  [
    "with the SCP, a LOB administrator presigns through the hub Studio endpoint",
    "ExplicitlyDenied",
    () => ({
      principal: `arn:aws:iam::${lobA().account}:role/Admin`,
      action: "sagemaker:CreatePresignedDomainUrl",
      resource: profile("lob-a", "user-lob-a"),
      resourceAccount: lobA().account,
      identity: [ADMIN],
      scp: g.scp,
      context: { "aws:SourceVpce": vpce("studio") },
    }),
  ],
  [
    "with the SCP, LOB A's access role presigns from outside the hub endpoints",
    "ExplicitlyDenied",
    () => ({
      ...asAccessRole("sagemaker:CreatePresignedDomainUrl", profile("lob-a", "user-lob-a"), {
        "aws:SourceIp": PUBLIC_IP,
      }),
      scp: g.scp,
    }),
  ],
  [
    "with the SCP, a LOB administrator may still manage the domain (the SCP denies nothing else)",
    "Allowed",
    () => ({
      principal: `arn:aws:iam::${lobA().account}:role/Admin`,
      action: "sagemaker:DescribeDomain",
      resource: `arn:aws:sagemaker:${g.region}:${lobA().account}:domain/${lobA().domainId}`,
      resourceAccount: lobA().account,
      identity: [ADMIN],
      scp: g.scp,
    }),
  ],

  // Teams: each team's execution role, ABAC on the team tag (seed 002).
  [
    "team analytics creates a training job tagged with its own team",
    "Allowed",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:CreateTrainingJob",
        jobArn("training-job", "churn"),
        // An instance type of the team's (#21: a job naming none is refused).
        { ...requestTags({ "studio-access:team": "analytics" }), ...SMALL },
      ),
  ],
  [
    "team analytics creates a training job without a team tag",
    "ImplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:CreateTrainingJob",
        jobArn("training-job", "churn"),
        SMALL,
      ),
  ],
  [
    "team analytics creates a training job tagged as team forecasting's",
    "ImplicitlyDenied",
    () =>
      asTeam("lob-a", "analytics", "sagemaker:CreateTrainingJob", jobArn("training-job", "churn"), {
        ...requestTags({ "studio-access:team": "forecasting" }),
        ...SMALL,
      }),
  ],
  [
    "team analytics gives its new model the team tag (AddTags on create)",
    "Allowed",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:AddTags",
        jobArn("model", "churn"),
        requestTags({ "studio-access:team": "analytics" }),
      ),
  ],
  [
    "team analytics retags team forecasting's model as its own",
    "ImplicitlyDenied",
    () =>
      asTeam("lob-a", "analytics", "sagemaker:AddTags", jobArn("model", "demand"), {
        ...requestTags({ "studio-access:team": "analytics" }),
        ...teamTag("forecasting"),
      }),
  ],
  [
    "team analytics removes the team tag from its own model",
    "ExplicitlyDenied",
    () =>
      asTeam("lob-a", "analytics", "sagemaker:DeleteTags", jobArn("model", "churn"), {
        "aws:TagKeys": ["studio-access:team"],
        ...teamTag("analytics"),
      }),
  ],
  [
    "team analytics stops its own training job",
    "Allowed",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:StopTrainingJob",
        jobArn("training-job", "churn"),
        teamTag("analytics"),
      ),
  ],
  [
    "team analytics stops team forecasting's training job",
    "ImplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:StopTrainingJob",
        jobArn("training-job", "demand"),
        teamTag("forecasting"),
      ),
  ],
  [
    "team analytics stops an untagged training job",
    "ImplicitlyDenied",
    () => asTeam("lob-a", "analytics", "sagemaker:StopTrainingJob", jobArn("training-job", "old")),
  ],
  [
    "team analytics deletes its own model",
    "Allowed",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:DeleteModel",
        jobArn("model", "churn"),
        teamTag("analytics"),
      ),
  ],
  [
    "team analytics deletes team forecasting's model",
    "ImplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:DeleteModel",
        jobArn("model", "demand"),
        teamTag("forecasting"),
      ),
  ],
  [
    "team forecasting deletes team analytics' endpoint",
    "ImplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "forecasting",
        "sagemaker:DeleteEndpoint",
        jobArn("endpoint", "churn"),
        teamTag("analytics"),
      ),
  ],
  [
    "team forecasting updates its own endpoint",
    "Allowed",
    () =>
      asTeam(
        "lob-a",
        "forecasting",
        "sagemaker:UpdateEndpoint",
        jobArn("endpoint", "demand"),
        teamTag("forecasting"),
      ),
  ],
  [
    "team analytics describes team forecasting's endpoint",
    "ImplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:DescribeEndpoint",
        jobArn("endpoint", "demand"),
        teamTag("forecasting"),
      ),
  ],
  [
    "team analytics passes its own role to SageMaker (for its jobs)",
    "Allowed",
    () =>
      asTeam("lob-a", "analytics", "iam:PassRole", lobA().teams.analytics!.arn, {
        "iam:PassedToService": "sagemaker.amazonaws.com",
      }),
  ],
  [
    "team analytics passes team forecasting's role to SageMaker",
    "ImplicitlyDenied",
    () =>
      asTeam("lob-a", "analytics", "iam:PassRole", lobA().teams.forecasting!.arn, {
        "iam:PassedToService": "sagemaker.amazonaws.com",
      }),
  ],
  [
    "team analytics passes its own role to EC2",
    "ImplicitlyDenied",
    () =>
      asTeam("lob-a", "analytics", "iam:PassRole", lobA().teams.analytics!.arn, {
        "iam:PassedToService": "ec2.amazonaws.com",
      }),
  ],
  [
    "team analytics opens its own apps in Studio (the Studio policy holds for teams too)",
    "Allowed",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:CreateApp",
        lobArn(`app/${lobA().domainId}/analytics--user-lob-a/jupyterlab/default`),
        SMALL,
      ),
  ],
  ...[
    ["sagemaker:CreateUserProfile", () => profile("lob-a", "analytics--someone-else")],
    ["sagemaker:UpdateUserProfile", () => profile("lob-a", "analytics--user-lob-a")],
    ["sagemaker:CreatePresignedDomainUrl", () => profile("lob-a", "analytics--user-lob-a")],
    ["sagemaker:DeleteDomain", () => lobArn(`domain/${lobA().domainId}`)],
    ["sagemaker:CreateNotebookInstance", () => lobArn("notebook-instance/outside")],
    ["sagemaker:CreateWorkteam", () => lobArn("workteam/private-crowd/outsiders")],
  ].map(([action, resource]): [string, Outcome, () => Request] => [
    `team forecasting, even granted everything by its own policies, calls ${String(action)}`,
    "ExplicitlyDenied",
    () => asTeam("lob-a", "forecasting", String(action), (resource as () => string)(), {}, [ADMIN]),
  ]),
  [
    "LOB B's one team (default) creates a model tagged with its team",
    "Allowed",
    () =>
      asTeam(
        "lob-b",
        "default",
        "sagemaker:CreateModel",
        `arn:aws:sagemaker:${g.region}:${lobB().account}:model/m`,
        requestTags({ "studio-access:team": "default" }),
      ),
  ],
  [
    "team roles are trusted by SageMaker alone, which may set the profile as source identity",
    "Allowed",
    () => ({
      ...serviceAssumes(
        "sagemaker.amazonaws.com",
        lobA().teams.analytics!.arn,
        lobA().account,
        "lob-a/lob-a-team-analytics trust",
      ),
      action: "sts:SetSourceIdentity",
    }),
  ],
  [
    "Lambda assumes a team role",
    "ImplicitlyDenied",
    () =>
      serviceAssumes(
        "lambda.amazonaws.com",
        lobA().teams.forecasting!.arn,
        lobA().account,
        "lob-a/lob-a-team-forecasting trust",
      ),
  ],
  [
    "LOB B's team role is trusted by SageMaker",
    "Allowed",
    () =>
      serviceAssumes(
        "sagemaker.amazonaws.com",
        lobB().teams.default!.arn,
        lobB().account,
        "lob-b/lob-b-team-default trust",
      ),
  ],

  // The provisioning role: creates a first sign-in's profile, nothing else.
  [
    "the presigner assumes LOB A's provisioning role through the hub STS endpoint",
    "Allowed",
    () => ({
      ...assumeLobA(g.presignerRoleArn, g.presignerPolicies),
      resource: lobA().provisionerRoleArn,
      resourcePolicy: lobA().provisionerTrust,
    }),
  ],
  [
    "the presigner assumes LOB B's provisioning role without going through an endpoint",
    "ImplicitlyDenied",
    () => ({
      ...assumeLobA(g.presignerRoleArn, g.presignerPolicies, {}),
      resource: lobB().provisionerRoleArn,
      resourceAccount: lobB().account,
      resourcePolicy: lobB().provisionerTrust,
    }),
  ],
  [
    "an administrator in LOB A's own account assumes its provisioning role",
    "ImplicitlyDenied",
    () => ({
      ...assumeLobA(`arn:aws:iam::${lobA().account}:role/Admin`, [ADMIN]),
      resource: lobA().provisionerRoleArn,
      resourcePolicy: lobA().provisionerTrust,
    }),
  ],
  [
    "the provisioning role creates dana's analytics profile with her three tags",
    "Allowed",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "analytics--dana-scientist-4b72e7"),
        profileTags("analytics"),
      ),
  ],
  [
    "the provisioning role tags that profile on create (AddTags)",
    "Allowed",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:AddTags",
        newProfile("lob-a", "analytics--dana-scientist-4b72e7"),
        profileTags("analytics"),
      ),
  ],
  [
    "the provisioning role creates an analytics-named profile tagged as forecasting's",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "analytics--dana-scientist-4b72e7"),
        profileTags("forecasting"),
      ),
  ],
  [
    "the provisioning role creates a forecasting-named profile tagged as analytics'",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "forecasting--dana-scientist-4b72e7"),
        profileTags("analytics"),
      ),
  ],
  [
    // One statement serves every team, its resource built from the request's team tag: the tag
    // must still name one of the LOB's teams.
    "the provisioning role creates a profile of a team LOB A does not have, named and tagged alike",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "ghost--dana-scientist-4b72e7"),
        profileTags("ghost"),
      ),
  ],
  [
    "the provisioning role creates an analytics-named profile tagged with the team *",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "analytics--dana-scientist-4b72e7"),
        profileTags("*"),
      ),
  ],
  [
    "the provisioning role creates a profile with no team prefix in a LOB with teams",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "dana"),
        profileTags("analytics"),
      ),
  ],
  [
    "the provisioning role creates a profile without the username tag",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "analytics--x"),
        requestTags({ "studio-access:lob": "lob-a", "studio-access:team": "analytics" }),
      ),
  ],
  [
    "the provisioning role creates a profile with a tag of its own choosing beside the three",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "analytics--x"),
        requestTags({
          "studio-access:lob": "lob-a",
          "studio-access:team": "analytics",
          "studio-access:username": "x",
          owner: "someone",
        }),
      ),
  ],
  [
    "the provisioning role creates a profile tagged with another LOB",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "analytics--x"),
        profileTags("analytics", "lob-b"),
      ),
  ],
  [
    "the provisioning role creates a profile in another domain of its account",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:CreateUserProfile",
        newProfile("lob-a", "analytics--x", "d-0therdomain0"),
        profileTags("analytics"),
      ),
  ],
  [
    "the provisioning role creates a profile from outside the hub SageMaker API endpoint",
    "ImplicitlyDenied",
    () =>
      asProvisioner("lob-a", "sagemaker:CreateUserProfile", newProfile("lob-a", "analytics--x"), {
        ...profileTags("analytics"),
        "aws:SourceVpce": FOREIGN_VPCE,
      }),
  ],
  [
    "the provisioning role watches a profile start (DescribeUserProfile)",
    "Allowed",
    () =>
      asProvisioner("lob-a", "sagemaker:DescribeUserProfile", newProfile("lob-a", "analytics--x")),
  ],
  [
    "the provisioning role reads an existing profile's tags before it waits for it (ListTags)",
    "Allowed",
    () => asProvisioner("lob-a", "sagemaker:ListTags", newProfile("lob-a", "analytics--x")),
  ],
  [
    "the provisioning role reads the tags of a profile of another domain",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-a",
        "sagemaker:ListTags",
        newProfile("lob-a", "analytics--x", "d-000000000000"),
      ),
  ],
  [
    "the provisioning role reads a profile's tags from outside the hub's SageMaker API endpoint",
    "ImplicitlyDenied",
    () =>
      asProvisioner("lob-a", "sagemaker:ListTags", newProfile("lob-a", "analytics--x"), {
        "aws:SourceVpce": FOREIGN_VPCE,
      }),
  ],
  [
    "the provisioning role passes team analytics' role to SageMaker",
    "Allowed",
    () =>
      asProvisioner("lob-a", "iam:PassRole", lobA().teams.analytics!.arn, {
        "iam:PassedToService": "sagemaker.amazonaws.com",
      }),
  ],
  [
    "the provisioning role passes a team role to EC2",
    "ImplicitlyDenied",
    () =>
      asProvisioner("lob-a", "iam:PassRole", lobA().teams.analytics!.arn, {
        "iam:PassedToService": "ec2.amazonaws.com",
      }),
  ],
  [
    "the provisioning role passes the domain's default execution role",
    "ImplicitlyDenied",
    () =>
      asProvisioner("lob-a", "iam:PassRole", lobA().executionRoleArn, {
        "iam:PassedToService": "sagemaker.amazonaws.com",
      }),
  ],
  [
    "the provisioning role passes the access role",
    "ImplicitlyDenied",
    () =>
      asProvisioner("lob-a", "iam:PassRole", lobA().accessRoleArn, {
        "iam:PassedToService": "sagemaker.amazonaws.com",
      }),
  ],
  ...[
    "sagemaker:CreatePresignedDomainUrl",
    "sagemaker:UpdateUserProfile",
    "sagemaker:DeleteUserProfile",
  ].map((action): [string, Outcome, () => Request] => [
    `the provisioning role calls ${action}`,
    "ImplicitlyDenied",
    () => asProvisioner("lob-a", action, newProfile("lob-a", "analytics--user-lob-a")),
  ]),
  [
    "LOB B's provisioning role creates any profile name for its one team, default",
    "Allowed",
    () =>
      asProvisioner(
        "lob-b",
        "sagemaker:CreateUserProfile",
        newProfile("lob-b", "jane-doe-d48722"),
        profileTags("default", "lob-b", "jane.doe"),
      ),
  ],
  [
    "LOB B's provisioning role creates a profile tagged with a team LOB B does not have",
    "ImplicitlyDenied",
    () =>
      asProvisioner(
        "lob-b",
        "sagemaker:CreateUserProfile",
        newProfile("lob-b", "analytics--jane"),
        profileTags("analytics", "lob-b", "jane.doe"),
      ),
  ],
  [
    "LOB B's provisioning role passes LOB A's team role",
    "ImplicitlyDenied",
    () =>
      asProvisioner("lob-b", "iam:PassRole", lobA().teams.analytics!.arn, {
        "iam:PassedToService": "sagemaker.amazonaws.com",
      }),
  ],

  // Offboarding: the hub's lifecycle function and each LOB's lifecycle role.
  [
    "the lifecycle function reads the entitlements table's stream",
    "Allowed",
    () => asLifecycleFn("dynamodb:GetRecords", g.usersStreamArn),
  ],
  [
    "the lifecycle function reads a row again (GetItem)",
    "Allowed",
    () => asLifecycleFn("dynamodb:GetItem", g.usersTableArn),
  ],
  [
    "the lifecycle function sets a row's state, stateAt and detail (UpdateItem)",
    "Allowed",
    () => asLifecycleFn("dynamodb:UpdateItem", g.usersTableArn, updating(OFFBOARDING_UPDATE)),
  ],
  [
    "the lifecycle function sets a row's state alone (UpdateItem, key and state)",
    "Allowed",
    () =>
      asLifecycleFn("dynamodb:UpdateItem", g.usersTableArn, updating(["lob", "userTeam", "state"])),
  ],
  [
    "the lifecycle function lifts a disabled marker (UpdateItem of a #disabled item's state)",
    "ImplicitlyDenied",
    () =>
      asLifecycleFn(
        "dynamodb:UpdateItem",
        g.usersTableArn,
        updating(OFFBOARDING_UPDATE, "NONE", "#disabled"),
      ),
  ],
  [
    "the lifecycle function writes a row's username (UpdateItem)",
    "ImplicitlyDenied",
    () =>
      asLifecycleFn(
        "dynamodb:UpdateItem",
        g.usersTableArn,
        updating(["lob", "userTeam", "state", "username"]),
      ),
  ],
  [
    "the lifecycle function sets state together with profileName (UpdateItem)",
    "ImplicitlyDenied",
    () =>
      asLifecycleFn(
        "dynamodb:UpdateItem",
        g.usersTableArn,
        updating(["lob", "userTeam", "state", "profileName"]),
      ),
  ],
  [
    "the lifecycle function updates a row and reads it all back (ReturnValues ALL_OLD)",
    "ImplicitlyDenied",
    () =>
      asLifecycleFn(
        "dynamodb:UpdateItem",
        g.usersTableArn,
        updating(OFFBOARDING_UPDATE, "ALL_OLD"),
      ),
  ],
  [
    "the lifecycle function deletes a row (DeleteItem)",
    "ImplicitlyDenied",
    () => asLifecycleFn("dynamodb:DeleteItem", g.usersTableArn),
  ],
  // #21: the on-failure destination. Lambda sends a discarded batch's record with the
  // function's role: that role may send to its queue, and nothing else of SQS.
  [
    "the lifecycle function sends to its on-failure queue",
    "Allowed",
    () => asLifecycleFn("sqs:SendMessage", g.failedRecordsQueueArn),
  ],
  [
    "the lifecycle function sends to another queue of the hub",
    "ImplicitlyDenied",
    () => asLifecycleFn("sqs:SendMessage", `arn:aws:sqs:${g.region}:${g.hubAccount}:other-queue`),
  ],
  [
    "the lifecycle function reads its on-failure queue (ReceiveMessage)",
    "ImplicitlyDenied",
    () => asLifecycleFn("sqs:ReceiveMessage", g.failedRecordsQueueArn),
  ],
  [
    "the lifecycle function empties its on-failure queue (PurgeQueue)",
    "ImplicitlyDenied",
    () => asLifecycleFn("sqs:PurgeQueue", g.failedRecordsQueueArn),
  ],
  [
    "the presigner sends to the lifecycle's on-failure queue",
    "ImplicitlyDenied",
    () => asPresigner("sqs:SendMessage", g.failedRecordsQueueArn, g.hubAccount),
  ],
  [
    "the lifecycle function writes a new entitlement (PutItem)",
    "ImplicitlyDenied",
    () => asLifecycleFn("dynamodb:PutItem", g.usersTableArn),
  ],
  [
    "the lifecycle function changes a LOB record",
    "ImplicitlyDenied",
    () => asLifecycleFn("dynamodb:UpdateItem", g.lobsTableArn),
  ],
  [
    "the lifecycle function assumes LOB A's lifecycle role through the hub STS endpoint",
    "Allowed",
    () => ({
      ...asLifecycleFn("sts:AssumeRole", lobA().lifecycleRoleArn, {
        "aws:SourceVpce": vpce("sts"),
      }),
      resourceAccount: lobA().account,
      resourcePolicy: lobA().lifecycleTrust,
    }),
  ],
  [
    "the lifecycle function assumes LOB A's access role (to presign)",
    "ImplicitlyDenied",
    () => ({
      ...asLifecycleFn("sts:AssumeRole", lobA().accessRoleArn, { "aws:SourceVpce": vpce("sts") }),
      resourceAccount: lobA().account,
      resourcePolicy: lobA().accessTrust,
    }),
  ],
  [
    "the presigner assumes LOB A's lifecycle role",
    "ImplicitlyDenied",
    () => ({
      ...assumeLobA(g.presignerRoleArn, g.presignerPolicies),
      resource: lobA().lifecycleRoleArn,
      resourcePolicy: lobA().lifecycleTrust,
    }),
  ],
  [
    "the lifecycle role deletes a profile studio-access made in its LOB",
    "Allowed",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:DeleteUserProfile",
        newProfile("lob-a", "forecasting--x"),
        madeProfile(),
      ),
  ],
  [
    "the lifecycle role deletes a profile tagged with its LOB but no user",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:DeleteUserProfile",
        newProfile("lob-a", "forecasting--x"),
        resourceTags({ "studio-access:lob": "lob-a", "studio-access:team": "forecasting" }),
      ),
  ],
  [
    "the lifecycle role deletes a profile made outside studio-access (no LOB tag)",
    "ImplicitlyDenied",
    () => asLobLifecycle("lob-a", "sagemaker:DeleteUserProfile", newProfile("lob-a", "admin-made")),
  ],
  [
    "the lifecycle role deletes a profile from outside the hub SageMaker API endpoint",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:DeleteUserProfile",
        newProfile("lob-a", "forecasting--x"),
        { ...madeProfile(), "aws:SourceVpce": FOREIGN_VPCE },
      ),
  ],
  [
    "the lifecycle role describes a profile already deleted (no tags left)",
    "Allowed",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:DescribeUserProfile",
        newProfile("lob-a", "forecasting--x"),
      ),
  ],
  [
    "the lifecycle role reads the tags of a profile of its domain",
    "Allowed",
    () => asLobLifecycle("lob-a", "sagemaker:ListTags", newProfile("lob-a", "forecasting--x")),
  ],
  [
    "the lifecycle role reads the tags of a profile in another domain of its account",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:ListTags",
        newProfile("lob-a", "forecasting--x", "d-0therdomain0"),
      ),
  ],
  [
    "the lifecycle role deletes an app of its domain (the domain's LOB tag)",
    "Allowed",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:DeleteApp",
        lobArn(`app/${lobA().domainId}/forecasting--x/jupyterlab/default`),
        resourceTags({ "studio-access:lob": "lob-a" }),
      ),
  ],
  [
    "the lifecycle role deletes an app tagged with another LOB",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:DeleteApp",
        lobArn(`app/${lobA().domainId}/forecasting--x/jupyterlab/default`),
        resourceTags({ "studio-access:lob": "lob-b" }),
      ),
  ],
  [
    "the lifecycle role deletes an untagged app",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:DeleteApp",
        lobArn(`app/${lobA().domainId}/forecasting--x/jupyterlab/default`),
      ),
  ],
  [
    "the lifecycle role deletes a space owned by a profile of its domain",
    "Allowed",
    () =>
      asLobLifecycle("lob-a", "sagemaker:DeleteSpace", space("demand-model"), {
        "sagemaker:OwnerUserProfileArn": newProfile("lob-a", "forecasting--x"),
      }),
  ],
  [
    "the lifecycle role deletes a space owned by a profile of another domain",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle("lob-a", "sagemaker:DeleteSpace", space("demand-model"), {
        "sagemaker:OwnerUserProfileArn": newProfile("lob-a", "forecasting--x", "d-0therdomain0"),
      }),
  ],
  [
    "the lifecycle role deletes a space without an owner (a shared space)",
    "ImplicitlyDenied",
    () => asLobLifecycle("lob-a", "sagemaker:DeleteSpace", space("team-space")),
  ],
  [
    "the lifecycle role deletes an app in another domain of its account",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-a",
        "sagemaker:DeleteApp",
        lobArn("app/d-0therdomain0/x/jupyterlab/default"),
        resourceTags({ "studio-access:lob": "lob-a" }),
      ),
  ],
  ...[
    ["sagemaker:CreatePresignedDomainUrl", () => newProfile("lob-a", "analytics--user-lob-a")],
    ["sagemaker:CreateUserProfile", () => newProfile("lob-a", "analytics--someone")],
    ["sagemaker:DeleteDomain", () => lobArn(`domain/${lobA().domainId}`)],
  ].map(([action, resource]): [string, Outcome, () => Request] => [
    `the lifecycle role calls ${String(action)}`,
    "ImplicitlyDenied",
    () => asLobLifecycle("lob-a", String(action), (resource as () => string)()),
  ]),
  [
    "Lambda assumes the lifecycle function's role",
    "Allowed",
    () =>
      serviceAssumes(
        "lambda.amazonaws.com",
        g.lifecycleFnRoleArn,
        g.hubAccount,
        "shared/access-lifecycle trust",
      ),
  ],
  [
    "LOB A's lifecycle role assumes LOB B's lifecycle role",
    "ImplicitlyDenied",
    () => ({
      principal: lobA().lifecycleRoleArn,
      action: "sts:AssumeRole",
      resource: lobB().lifecycleRoleArn,
      resourceAccount: lobB().account,
      identity: [ADMIN],
      resourcePolicy: lobB().lifecycleTrust,
      context: { "aws:SourceVpce": vpce("sts") },
    }),
  ],
  [
    "LOB B's lifecycle role deletes a profile tagged as LOB A's",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-b",
        "sagemaker:DeleteUserProfile",
        newProfile("lob-b", "x"),
        madeProfile("lob-a"),
      ),
  ],

  // Home directories (lob-a: homeDirectories remove; lob-b keeps them).
  [
    "LOB A's lifecycle role invokes LOB A's home-directory function through the hub Lambda endpoint",
    "Allowed",
    () => ({
      ...asLobLifecycle("lob-a", "lambda:InvokeFunction", homes().functionArn, {
        "aws:SourceVpce": vpce("lambda"),
        ...resourceTags({ "studio-access:lob": "lob-a" }),
      }),
      endpointPolicy: g.endpointPolicies.lambda,
      principalOrgId: g.organizationId,
    }),
  ],
  [
    "LOB A's lifecycle role invokes a home-directory function tagged for another LOB",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle("lob-a", "lambda:InvokeFunction", homes().functionArn, {
        "aws:SourceVpce": vpce("lambda"),
        ...resourceTags({ "studio-access:lob": "lob-b" }),
      }),
  ],
  [
    "LOB A's lifecycle role invokes an untagged home-directory function",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle("lob-a", "lambda:InvokeFunction", homes().functionArn, {
        "aws:SourceVpce": vpce("lambda"),
      }),
  ],
  [
    "LOB A's lifecycle role invokes its home-directory function from outside the hub Lambda endpoint",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle("lob-a", "lambda:InvokeFunction", homes().functionArn, {
        "aws:SourceVpce": FOREIGN_VPCE,
        ...resourceTags({ "studio-access:lob": "lob-a" }),
      }),
  ],
  [
    "LOB A's lifecycle role invokes another function of its account",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-a",
        "lambda:InvokeFunction",
        homes().functionArn.replace("studio-access-homes", "anything-else"),
        { "aws:SourceVpce": vpce("lambda"), ...resourceTags({ "studio-access:lob": "lob-a" }) },
      ),
  ],
  [
    "LOB B's lifecycle role (homeDirectories keep) invokes a home-directory function in its account",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle(
        "lob-b",
        "lambda:InvokeFunction",
        homes().functionArn.replace(lobA().account, lobB().account),
        { "aws:SourceVpce": vpce("lambda"), ...resourceTags({ "studio-access:lob": "lob-b" }) },
      ),
  ],
  [
    "LOB B's lifecycle role invokes LOB A's home-directory function",
    "ImplicitlyDenied",
    () =>
      asLobLifecycle("lob-b", "lambda:InvokeFunction", homes().functionArn, {
        "aws:SourceVpce": vpce("lambda"),
        ...resourceTags({ "studio-access:lob": "lob-a" }),
      }),
  ],
  [
    "an administrator of the organization invokes another function through the hub Lambda endpoint (endpoint policy)",
    "ImplicitlyDenied",
    () =>
      throughEndpoint(
        "lambda",
        `arn:aws:iam::${lobA().account}:role/Admin`,
        g.organizationId,
        "lambda:InvokeFunction",
        homes().functionArn.replace("studio-access-homes", "anything-else"),
        lobA().account,
      ),
  ],
  [
    "a principal outside the organization invokes a home-directory function through the hub Lambda endpoint",
    "ImplicitlyDenied",
    () =>
      throughEndpoint(
        "lambda",
        `arn:aws:iam::${UNLISTED}:role/Admin`,
        undefined,
        "lambda:InvokeFunction",
        homes().functionArn.replace(lobA().account, UNLISTED),
        UNLISTED,
      ),
  ],
  [
    "Lambda assumes the home-directory function's role",
    "Allowed",
    () => ({
      principal: "lambda.amazonaws.com",
      action: "sts:AssumeRole",
      resource: lobA().lifecycleRoleArn.replace("StudioAccessRole-lifecycle", "homes"),
      resourceAccount: lobA().account,
      resourcePolicy: homes().trust,
    }),
  ],
  [
    "LOB A's access role assumes the home-directory function's role",
    "ImplicitlyDenied",
    () => ({
      principal: lobA().accessRoleArn,
      action: "sts:AssumeRole",
      resource: lobA().lifecycleRoleArn.replace("StudioAccessRole-lifecycle", "homes"),
      resourceAccount: lobA().account,
      identity: [ADMIN],
      resourcePolicy: homes().trust,
    }),
  ],
  ...(
    [
      [
        "mounts the home EFS as root through its access point",
        "elasticfilesystem:ClientRootAccess",
        true,
        "Allowed",
      ],
      [
        "writes the home EFS through its access point",
        "elasticfilesystem:ClientWrite",
        true,
        "Allowed",
      ],
      [
        "mounts the home EFS without its access point",
        "elasticfilesystem:ClientMount",
        false,
        "ImplicitlyDenied",
      ],
      [
        "writes as root without its access point",
        "elasticfilesystem:ClientRootAccess",
        false,
        "ImplicitlyDenied",
      ],
    ] as const
  ).map(([what, action, throughAccessPoint, outcome]): [string, Outcome, () => Request] => [
    `the home-directory function ${what}`,
    outcome,
    () => ({
      principal: `arn:aws:sts::${lobA().account}:assumed-role/homes/studio-access-homes`,
      action,
      resource: homes().fileSystemArn,
      resourceAccount: lobA().account,
      identity: [homes().policy],
      context: accessPointContext(throughAccessPoint),
    }),
  ]),
  [
    "the home-directory function mounts another file system",
    "ImplicitlyDenied",
    () => ({
      principal: `arn:aws:sts::${lobA().account}:assumed-role/homes/studio-access-homes`,
      action: "elasticfilesystem:ClientRootAccess",
      resource: homes().fileSystemArn.replace(/fs-\w+$/, "fs-0123456789abcdef0"),
      resourceAccount: lobA().account,
      identity: [homes().policy],
      context: { "elasticfilesystem:AccessPointArn": homes().accessPointArn },
    }),
  ],
  [
    "the home-directory function deletes the file system",
    "ImplicitlyDenied",
    () => ({
      principal: `arn:aws:sts::${lobA().account}:assumed-role/homes/studio-access-homes`,
      action: "elasticfilesystem:DeleteFileSystem",
      resource: homes().fileSystemArn,
      resourceAccount: lobA().account,
      identity: [homes().policy],
    }),
  ],

  // The admin role (`studio-access admin`).
  [
    "a configured admin assumes the admin role",
    "Allowed",
    () => ({
      principal: ADMIN_PRINCIPAL,
      action: "sts:AssumeRole",
      resource: g.adminRoleArn,
      resourceAccount: g.hubAccount,
      identity: [ADMIN],
      resourcePolicy: g.adminTrust,
    }),
  ],
  [
    "another administrator of the hub account assumes the admin role",
    "ImplicitlyDenied",
    () => ({
      principal: `arn:aws:iam::${g.hubAccount}:role/Admin`,
      action: "sts:AssumeRole",
      resource: g.adminRoleArn,
      resourceAccount: g.hubAccount,
      identity: [ADMIN],
      resourcePolicy: g.adminTrust,
    }),
  ],
  [
    "a LOB's deployer principal assumes the admin role",
    "ImplicitlyDenied",
    () => ({
      principal: deployerPrincipal("lob-a"),
      action: "sts:AssumeRole",
      resource: g.adminRoleArn,
      resourceAccount: g.hubAccount,
      identity: [ADMIN],
      resourcePolicy: g.adminTrust,
    }),
  ],
  [
    "the admin role grants (PutItem)",
    "Allowed",
    () => asAdmin("dynamodb:PutItem", g.usersTableArn),
  ],
  [
    "the admin role disables a user of the hub's pool",
    "Allowed",
    () => asAdmin("cognito-idp:AdminDisableUser", g.userPoolArn),
  ],
  [
    "the admin role enables a user of the hub's pool again (admin grant --enable)",
    "Allowed",
    () => asAdmin("cognito-idp:AdminEnableUser", g.userPoolArn),
  ],
  [
    "the admin role enables a user of another pool",
    "ImplicitlyDenied",
    () =>
      asAdmin(
        "cognito-idp:AdminEnableUser",
        g.userPoolArn.replace(/userpool\/.+$/, "userpool/us-east-1_Other1"),
      ),
  ],
  [
    "the admin role looks a user of the hub's pool up (admin grant warns of a name it lacks)",
    "Allowed",
    () => asAdmin("cognito-idp:AdminGetUser", g.userPoolArn),
  ],
  [
    "the admin role looks a user of another pool up",
    "ImplicitlyDenied",
    () =>
      asAdmin(
        "cognito-idp:AdminGetUser",
        g.userPoolArn.replace(/userpool\/.+$/, "userpool/us-east-1_Other1"),
      ),
  ],
  [
    "the admin role looks a user up in a pool of another account",
    "ImplicitlyDenied",
    () => ({
      ...asAdmin("cognito-idp:AdminGetUser", g.userPoolArn.replace(/:\d{12}:/, ":999999999999:")),
      resourceAccount: "999999999999",
    }),
  ],
  [
    "the admin role lists the pool's users",
    "ImplicitlyDenied",
    () => asAdmin("cognito-idp:ListUsers", g.userPoolArn),
  ],
  [
    "the admin role deletes a user of the hub's pool",
    "ImplicitlyDenied",
    () => asAdmin("cognito-idp:AdminDeleteUser", g.userPoolArn),
  ],
  [
    "the admin role revokes (UpdateItem)",
    "Allowed",
    () => asAdmin("dynamodb:UpdateItem", g.usersTableArn),
  ],
  [
    "the admin role reads a row and the disabled marker by their key (admin disable, admin list --user)",
    "Allowed",
    () => asAdmin("dynamodb:GetItem", g.usersTableArn),
  ],
  [
    "the admin role lists a user's entitlements (the username index)",
    "Allowed",
    () => asAdmin("dynamodb:Query", `${g.usersTableArn}/index/by-username`),
  ],
  [
    "the admin role deletes a row, skipping offboarding",
    "ImplicitlyDenied",
    () => asAdmin("dynamodb:DeleteItem", g.usersTableArn),
  ],
  [
    "the admin role changes a LOB record",
    "ImplicitlyDenied",
    () => asAdmin("dynamodb:PutItem", g.lobsTableArn),
  ],
  [
    "the admin role assumes a LOB's access role",
    "ImplicitlyDenied",
    () => ({
      ...asAdmin("sts:AssumeRole", lobA().accessRoleArn, { "aws:SourceVpce": vpce("sts") }),
      resourceAccount: lobA().account,
      resourcePolicy: lobA().accessTrust,
    }),
  ],

  // Instance types (#21): whatever a team's own policies allow (ADMIN here), its role starts only
  // its types: per action that carries sagemaker:InstanceTypes, an allowed type passes, any other
  // is denied, and none is denied where the action needs one.
  ...INSTANCE_TYPE_ACTIONS.flatMap((action): [string, Outcome, () => Request][] => {
    const asForecasting = (context: Record<string, string | string[]>) => () =>
      asTeam("lob-a", "forecasting", action, resourceOf(action), context, [ADMIN]);
    const required = (INSTANCE_TYPE_REQUIRED_ACTIONS as readonly string[]).includes(action);
    return [
      [
        `team forecasting's ${action} with its GPU type ml.g4dn.xlarge`,
        "Allowed",
        asForecasting({ "sagemaker:InstanceTypes": ["ml.g4dn.xlarge"] }),
      ],
      [
        `team forecasting's ${action} with ml.p4d.24xlarge`,
        "ExplicitlyDenied",
        asForecasting({ "sagemaker:InstanceTypes": ["ml.p4d.24xlarge"] }),
      ],
      [
        `team forecasting's ${action} with an allowed and a refused type together`,
        "ExplicitlyDenied",
        asForecasting({ "sagemaker:InstanceTypes": ["ml.t3.medium", "ml.m5.24xlarge"] }),
      ],
      [
        `team forecasting's ${action} naming no instance type`,
        required ? "ExplicitlyDenied" : "Allowed",
        asForecasting({}),
      ],
    ];
  }),
  // Actions that start instances without naming them in sagemaker:InstanceTypes (the attack
  // review of #21): refused whatever a team's own policies allow, and with none.
  ...UNLIMITED_INSTANCE_ACTIONS.map((action): Scenario => [
    `team forecasting with a broad own policy calls ${action} (its instances not in sagemaker:InstanceTypes)`,
    "ExplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "forecasting",
        action,
        lobArn(
          {
            "sagemaker:CreateAutoMLJob": "automl-job/auto",
            "sagemaker:CreateAutoMLJobV2": "automl-job/auto",
            "sagemaker:CreateInferenceRecommendationsJob": "inference-recommendations-job/rec",
            "sagemaker:CreateOptimizationJob": "optimization-job/opt",
            "sagemaker:StartNotebookInstance": "notebook-instance/old-nb",
          }[action],
        ),
        requestTags({ "studio-access:team": "forecasting" }),
        [ADMIN],
      ),
  ]),
  [
    "team analytics (no policy of its own) creates an AutoML V2 job, which picks its own instances",
    "ExplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:CreateAutoMLJobV2",
        jobArn("automl-job", "auto"),
        requestTags({ "studio-access:team": "analytics" }),
      ),
  ],
  [
    "team analytics creates an endpoint from forecasting's endpoint config (forecasting's GPU types)",
    "ExplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:CreateEndpoint",
        jobArn("endpoint-config", "fc-gpu"),
        {
          ...requestTags({ "studio-access:team": "analytics" }),
          ...teamTag("forecasting"),
        },
      ),
  ],
  [
    "team analytics with a broad own policy updates its endpoint to forecasting's endpoint config",
    "ExplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:UpdateEndpoint",
        jobArn("endpoint-config", "fc-gpu"),
        teamTag("forecasting"),
        [ADMIN],
      ),
  ],
  [
    "team analytics creates an endpoint from its own endpoint config",
    "Allowed",
    () =>
      asTeam("lob-a", "analytics", "sagemaker:CreateEndpoint", jobArn("endpoint-config", "mine"), {
        ...requestTags({ "studio-access:team": "analytics" }),
        ...teamTag("analytics"),
      }),
  ],
  [
    "team forecasting starts an app naming the upper-case ML.P4D.24XLARGE",
    "ExplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "forecasting",
        "sagemaker:CreateApp",
        lobArn(`app/${lobA().domainId}/forecasting--user-lob-a/jupyterlab/x`),
        { "sagemaker:InstanceTypes": ["ML.P4D.24XLARGE"] },
        [ADMIN],
      ),
  ],
  [
    "team analytics (the LOB's defaults) starts ml.g4dn.xlarge, forecasting's type",
    "ExplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:CreateApp",
        lobArn(`app/${lobA().domainId}/analytics--user-lob-a/jupyterlab/default`),
        { "sagemaker:InstanceTypes": ["ml.g4dn.xlarge"] },
      ),
  ],
  [
    "the LOB's default execution role starts an app of its own profile on ml.p4d.24xlarge",
    "ExplicitlyDenied",
    () =>
      asStudioUser("user-lob-a", "sagemaker:CreateApp", ownApp("user-lob-a"), {
        "sagemaker:InstanceTypes": ["ml.p4d.24xlarge"],
      }),
  ],
  [
    "lob-b's default execution role starts an app on ml.p4d.24xlarge (lob-b's default types)",
    "ExplicitlyDenied",
    () => ({
      principal: `arn:aws:sts::${lobB().account}:assumed-role/${lobB().executionRoleArn.split("/").pop() ?? ""}/SageMaker`,
      action: "sagemaker:CreateApp",
      resource: `arn:aws:sagemaker:${g.region}:${lobB().account}:app/${lobB().domainId}/user-lob-b/jupyterlab/default`,
      resourceAccount: lobB().account,
      identity: [lobB().executionPolicy, lobB().executionInstanceTypes],
      context: {
        "sagemaker:DomainId": lobB().domainId,
        "sagemaker:UserProfileName": "user-lob-b",
        "sagemaker:InstanceTypes": ["ml.p4d.24xlarge"],
      },
    }),
  ],
  [
    "the LOB's default execution role starts an app of its own profile naming no type",
    "ExplicitlyDenied",
    () => asStudioUser("user-lob-a", "sagemaker:CreateApp", ownApp("user-lob-a")),
  ],
  [
    "a team's own policy cannot widen its instance types (an Allow of ml.p4d.24xlarge)",
    "ExplicitlyDenied",
    () =>
      asTeam(
        "lob-a",
        "analytics",
        "sagemaker:CreateTrainingJob",
        jobArn("training-job", "big"),
        {
          ...requestTags({ "studio-access:team": "analytics" }),
          "sagemaker:InstanceTypes": ["ml.p4d.24xlarge"],
        },
        [
          {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "sagemaker:CreateTrainingJob",
                Resource: "*",
                Condition: {
                  "ForAllValues:StringEquals": { "sagemaker:InstanceTypes": ["ml.p4d.24xlarge"] },
                },
              },
            ],
          },
        ],
      ),
  ],
  // admin usage (#21): the admin role reads the LOBs' running apps through each LOB's usage reader.
  ...(["lob-a", "lob-b"] as const).map((lob): Scenario => [
    `the admin role assumes ${lob}'s usage reader role (admin usage)`,
    "Allowed",
    () => assumeReader(lob, ADMIN_SESSION, g.adminPolicies),
  ]),
  [
    "the admin role assumes a usage reader role in an account that is no configured LOB's",
    "ImplicitlyDenied",
    () => ({
      ...assumeReader("lob-a", ADMIN_SESSION, g.adminPolicies),
      resource: `arn:aws:iam::${UNLISTED}:role/studio-access/StudioAccessRole-usage`,
      resourceAccount: UNLISTED,
      resourcePolicy: TRUST_ANYONE,
    }),
  ],
  [
    "the admin role assumes lob-a's lifecycle role",
    "ImplicitlyDenied",
    () => ({
      ...assumeReader("lob-a", ADMIN_SESSION, g.adminPolicies),
      resource: lobA().lifecycleRoleArn,
      resourcePolicy: TRUST_ANYONE,
      context: { "aws:SourceVpce": vpce("sts") },
    }),
  ],
  [
    "the hub's presigner (all rights of its own) assumes lob-a's usage reader role",
    "ImplicitlyDenied",
    () => assumeReader("lob-a", g.presignerRoleArn, [ADMIN]),
  ],
  [
    "an administrator of the hub account assumes lob-a's usage reader role",
    "ImplicitlyDenied",
    () => assumeReader("lob-a", `arn:aws:iam::${g.hubAccount}:role/Admin`, [ADMIN]),
  ],
  [
    "an administrator of lob-a's own account assumes its usage reader role",
    "ImplicitlyDenied",
    () => assumeReader("lob-a", `arn:aws:iam::${lobA().account}:role/Admin`, [ADMIN]),
  ],
  ["lob-a's usage reader lists apps", "Allowed", () => asReader("sagemaker:ListApps", "*")],
  [
    "lob-a's usage reader describes an app of its domain",
    "Allowed",
    () => asReader("sagemaker:DescribeApp", readerArn("app", "dana/jupyterlab/default")),
  ],
  [
    "lob-a's usage reader describes a space of its domain (its owner)",
    "Allowed",
    () => asReader("sagemaker:DescribeSpace", readerArn("space", "forecast-space")),
  ],
  [
    "lob-a's usage reader reads a profile's tags in its domain",
    "Allowed",
    () => asReader("sagemaker:ListTags", readerArn("user-profile", "dana")),
  ],
  [
    "lob-a's usage reader describes an app of another domain",
    "ImplicitlyDenied",
    () =>
      asReader(
        "sagemaker:DescribeApp",
        readerArn("app", "dana/jupyterlab/default").replace(lobA().domainId, "d-other0000000"),
      ),
  ],
  [
    "lob-a's usage reader reads the tags of a profile of another domain",
    "ImplicitlyDenied",
    () =>
      asReader(
        "sagemaker:ListTags",
        readerArn("user-profile", "dana").replace(lobA().domainId, "d-other0000000"),
      ),
  ],
  [
    "lob-b's usage reader describes an app of its own domain",
    "Allowed",
    () =>
      asReader(
        "sagemaker:DescribeApp",
        `arn:aws:sagemaker:${g.region}:${lobB().account}:app/${lobB().domainId}/erin/jupyterserver/default`,
        "lob-b",
      ),
  ],
  [
    "lob-b's usage reader describes an app of lob-a's domain",
    "ImplicitlyDenied",
    () =>
      asReader(
        "sagemaker:DescribeApp",
        readerArn("app", "dana/jupyterlab/default").replace(lobA().account, lobB().account),
        "lob-b",
      ),
  ],
  ...(
    [
      ["CreateApp", "app", "dana/jupyterlab/big"],
      ["DeleteApp", "app", "dana/jupyterlab/default"],
      ["UpdateSpace", "space", "forecast-space"],
      ["DeleteSpace", "space", "forecast-space"],
      ["CreateSpace", "space", "new-space"],
      ["UpdateUserProfile", "user-profile", "dana"],
      ["DeleteUserProfile", "user-profile", "dana"],
      ["CreateUserProfile", "user-profile", "dana"],
      ["CreatePresignedDomainUrl", "user-profile", "dana"],
      ["AddTags", "user-profile", "dana"],
      ["DeleteTags", "user-profile", "dana"],
      ["UpdateDomain", "domain", ""],
    ] as const
  ).map(([action, kind, name]): Scenario => [
    `lob-a's usage reader calls ${action} (read-only: never)`,
    "ImplicitlyDenied",
    () =>
      asReader(
        `sagemaker:${action}`,
        kind === "domain"
          ? `arn:aws:sagemaker:${g.region}:${lobA().account}:domain/${lobA().domainId}`
          : readerArn(kind, name),
      ),
  ]),
  // #22: the hub's AssumeRole grants name each role once, in any account, and list the LOB
  // accounts in aws:ResourceAccount; the SageMaker API endpoint admits presigning by the access
  // role's name in a LOB account. Each role trusts anyone here, so only the hub's grant decides.
  ...(
    [
      ["the presigner", "access role", () => asPresigner, () => lobA().accessRoleArn],
      ["the presigner", "provisioning role", () => asPresigner, () => lobB().provisionerRoleArn],
      [
        "the lifecycle function",
        "lifecycle role",
        () => asHubFunction(g.lifecycleFnRoleArn, g.lifecycleFnPolicies),
        () => lobB().lifecycleRoleArn,
      ],
      [
        "the admin role",
        "usage reader role",
        () => asHubFunction(g.adminRoleArn, g.adminPolicies),
        () => lobA().usageReaderRoleArn,
      ],
    ] as const
  ).flatMap(([who, role, as, arnOf]): Scenario[] => {
    const inAccount = (account: string) => arnOf().replace(/::\d{12}:/, `::${account}:`);
    const assume = (arn: string) => {
      const account = arn.split(":")[4] ?? "";
      return as()("sts:AssumeRole", arn, account, TRUST_ANYONE);
    };
    return [
      [`${who} assumes a LOB's ${role} (#22)`, "Allowed", () => assume(arnOf())],
      [
        `${who} assumes the ${role}'s name in an account of the organization that is no LOB (#22)`,
        "ImplicitlyDenied",
        () => assume(inAccount(IN_ORG)),
      ],
      [
        `${who} assumes the ${role}'s name in an account outside the organization (#22)`,
        "ImplicitlyDenied",
        () => assume(inAccount(UNLISTED)),
      ],
      [
        `${who} assumes a role of another name in a LOB account (#22)`,
        "ImplicitlyDenied",
        () => assume(`${arnOf()}-admin`),
      ],
      [
        `${who} assumes the ${role}'s name under another path in a LOB account (#22)`,
        "ImplicitlyDenied",
        () => assume(arnOf().replace(/:role\/(.*\/)?/, ":role/other/")),
      ],
    ];
  }),
  [
    "the presigner assumes a LOB's lifecycle role (#22)",
    "ImplicitlyDenied",
    () => asPresigner("sts:AssumeRole", lobA().lifecycleRoleArn, lobA().account, TRUST_ANYONE),
  ],
  [
    "the lifecycle function assumes a LOB's provisioning role (#22)",
    "ImplicitlyDenied",
    () =>
      asHubFunction(g.lifecycleFnRoleArn, g.lifecycleFnPolicies)(
        "sts:AssumeRole",
        lobA().provisionerRoleArn,
        lobA().account,
        TRUST_ANYONE,
      ),
  ],
  [
    "the admin role assumes a LOB's access role (#22)",
    "ImplicitlyDenied",
    () =>
      asHubFunction(g.adminRoleArn, g.adminPolicies)(
        "sts:AssumeRole",
        lobA().accessRoleArn,
        lobA().account,
        TRUST_ANYONE,
      ),
  ],
  [
    "LOB B's access role presigns through the hub SageMaker API endpoint (#22)",
    "Allowed",
    () => presignThroughEndpoint(lobB().accessRoleArn, g.organizationId),
  ],
  [
    "LOB A's provisioning role presigns through the hub SageMaker API endpoint (#22)",
    "ExplicitlyDenied",
    () => presignThroughEndpoint(lobA().provisionerRoleArn, g.organizationId),
  ],
  [
    "a role of the access role's name in an organization account that is no LOB presigns through the hub SageMaker API endpoint (#22)",
    "ExplicitlyDenied",
    () =>
      presignThroughEndpoint(
        lobA().accessRoleArn.replace(lobA().account, IN_ORG),
        g.organizationId,
      ),
  ],
  [
    "a role of the access role's name outside the organization presigns through the hub SageMaker API endpoint (#22)",
    "ExplicitlyDenied",
    () => presignThroughEndpoint(lobA().accessRoleArn.replace(lobA().account, UNLISTED), undefined),
  ],
  [
    "a role of the access role's name under another path in a LOB account presigns through the hub SageMaker API endpoint (#22)",
    "ExplicitlyDenied",
    () =>
      presignThroughEndpoint(
        lobA().accessRoleArn.replace(":role/", ":role/other/"),
        g.organizationId,
      ),
  ],
];

describe("IAM evaluation of the generated policies (@cloud-copilot/iam-simulate)", () => {
  it.each(SCENARIOS)("%s: %s", async (_, expected, request) => {
    expect(await simulate(request())).toBe(expected);
  });

  it("evaluated every trust, identity, resource and service control policy the program generates", () => {
    // The API Gateway logging role has a trust policy only (its permissions are AWS-managed). The
    // data key's statement for CloudWatch Logs rests on kms:EncryptionContext:aws:logs:arn, a key
    // the simulator drops; that statement is asserted exactly in access-app.test.ts instead.
    const notEvaluated = g.all.filter(
      (d) => !evaluated.has(d.doc) && d.source !== "shared/access-apigateway-logs trust",
    );
    expect(notEvaluated.map((d) => d.source)).toEqual([]);
    expect(g.all.length).toBe(72);
  });
});
