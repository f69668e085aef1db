import { evaluateIam, type IamRequest, type Outcome } from "../../scripts/lib/iam-eval";
import { handler as authorizer, verifier } from "../../functions/authorizer";
import type { PolicyDocument } from "../../components/lib/policies";
import { accessTokenClaims, makeSigningKey, signJwt } from "../helpers/jwt";
import { captureLogs } from "../helpers/logs";
import { one } from "../helpers/stacks";
import { collectGenerated, type Generated } from "./generated";

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
  const token = signJwt(
    { alg: "RS256", kid: key.kid },
    accessTokenClaims({
      userPoolId: process.env.USER_POOL_ID!,
      clientId: process.env.USER_POOL_CLIENT_ID!,
      username: "user-lob-a",
    }),
    key.privateKey,
  );
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
  for (const doc of [...(request.identity ?? []), request.resourcePolicy, request.scp])
    if (doc) evaluated.add(doc);
  return evaluateIam(request);
}

const lobA = () => g.lobs["lob-a"];
const lobB = () => g.lobs["lob-b"];
const vpce = (key: string) => g.endpointIds[key]!;
const profile = (lob: "lob-a" | "lob-b", name: string, domain?: string) =>
  `arn:aws:sagemaker:${g.region}:${g.lobs[lob].account}:user-profile/${domain ?? g.lobs[lob].domainId}/${name}`;
const session = (lob: "lob-a" | "lob-b") =>
  `arn:aws:sts::${g.lobs[lob].account}:assumed-role/StudioAccessRole/studio-access-presigner`;

/** Assuming LOB A's access role: the caller's identity, the role's trust policy, and the request's endpoint. */
const assumeLobA = (
  principal: string,
  identity: PolicyDocument[],
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
const asAccessRole = (
  action: string,
  resource: string,
  context: Record<string, string>,
  lob: "lob-a" | "lob-b" = "lob-a",
): Request => ({
  principal: session(lob),
  action,
  resource,
  resourceAccount: g.lobs[lob].account,
  identity: [g.lobs[lob].accessPolicy],
  context,
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
  identity: [g.presignerPolicy],
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

const SCENARIOS: [string, Outcome, () => Request][] = [
  // Who may assume LOB A's access role.
  [
    "the presigner assumes LOB A's access role through the hub STS endpoint",
    "Allowed",
    () => assumeLobA(g.presignerRoleArn, [g.presignerPolicy]),
  ],
  [
    "the presigner assumes LOB B's access role through the hub STS endpoint",
    "Allowed",
    () => ({
      ...assumeLobA(g.presignerRoleArn, [g.presignerPolicy]),
      resource: lobB().accessRoleArn,
      resourceAccount: lobB().account,
      resourcePolicy: lobB().accessTrust,
    }),
  ],
  [
    "the presigner assumes LOB A's access role without going through an endpoint",
    "ImplicitlyDenied",
    () => assumeLobA(g.presignerRoleArn, [g.presignerPolicy], {}),
  ],
  [
    "the presigner assumes LOB A's access role through another VPC endpoint",
    "ImplicitlyDenied",
    () => assumeLobA(g.presignerRoleArn, [g.presignerPolicy], { "aws:SourceVpce": FOREIGN_VPCE }),
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
    "a Studio user's execution role starts an app in its own domain",
    "Allowed",
    () => ({
      ...asAccessRole(
        "sagemaker:CreateApp",
        `arn:aws:sagemaker:${g.region}:${lobA().account}:app/${lobA().domainId}/user-lob-a/jupyterlab/default`,
        {},
      ),
      principal: lobA().executionRoleArn,
      identity: [lobA().executionPolicy],
    }),
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
];

describe("IAM evaluation of the generated policies (@cloud-copilot/iam-simulate)", () => {
  it.each(SCENARIOS)("%s: %s", async (_, expected, request) => {
    expect(await simulate(request())).toBe(expected);
  });

  it("evaluated every trust, identity, resource and service control policy the program generates", () => {
    // The API Gateway logging role has a trust policy only (its permissions are AWS-managed).
    const notEvaluated = g.all.filter(
      (d) => !evaluated.has(d.doc) && d.source !== "shared/access-apigateway-logs trust",
    );
    expect(notEvaluated.map((d) => d.source)).toEqual([]);
    expect(g.all.length).toBe(15);
  });
});
