import { policies } from "../../policy/policies";
import {
  loadStackConfig,
  runStackUnderMocks,
  type RecordedResource,
} from "../../scripts/lib/mock-stack";
import { TestIdp } from "../../scripts/sandbox/saml-idp";
import { planRepositoryStacks, type Planned } from "../helpers/stacks";
import { runPolicies } from "./run-policies";

let planned: Planned;
let resources: RecordedResource[];
beforeAll(async () => {
  planned = await planRepositoryStacks();
  resources = [planned.shared, planned.lobA, planned.lobB].flatMap((run) => run.resources);
}, 60_000);

/** The program's resources with one of them changed. */
function breaking(
  type: string,
  name: string,
  change: (inputs: Record<string, unknown>) => Record<string, unknown>,
): RecordedResource[] {
  let found = 0;
  const out = resources.map((r) => {
    if (r.type !== type || r.name !== name) return r;
    found += 1;
    return { ...r, inputs: change({ ...r.inputs }) };
  });
  if (found !== 1) throw new Error(`no ${type} ${name} to break`);
  return out;
}

function adding(resource: Omit<RecordedResource, "custom" | "id" | "state">): RecordedResource[] {
  return [...resources, { ...resource, custom: true, id: `${resource.name}-id`, state: {} }];
}

/**
 * The presigner's managed AssumeRole grant, on `resource` instead of its role names, and with
 * `condition` instead of its account list (none: the reference's grant).
 */
const assumeGrantWith =
  (resource: string, condition?: unknown) => (inputs: Record<string, unknown>) => {
    const doc = JSON.parse(inputs.policy as string) as {
      Statement: { Sid?: string; Resource?: unknown; Condition?: unknown }[];
    };
    for (const s of doc.Statement)
      if (s.Sid === "AssumeLobAccessRoles") {
        s.Resource = resource;
        s.Condition = condition;
      }
    return { ...inputs, policy: JSON.stringify(doc) };
  };

/** The presigner's inline policy, with an AssumeRole statement on `resource` added. */
const inlineAssumeOn = (resource: string) => (inputs: Record<string, unknown>) => {
  const doc = JSON.parse(inputs.policy as string) as { Statement: unknown[] };
  doc.Statement.push({ Effect: "Allow", Action: "sts:AssumeRole", Resource: resource });
  return { ...inputs, policy: JSON.stringify(doc) };
};

describe("the policy pack", () => {
  it("has the design's thirteen invariants, all mandatory", () => {
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual([
      ["central-endpoints-private-dns-off", "mandatory"],
      ["no-ingress-from-anywhere", "mandatory"],
      ["private-api-source-vpce", "mandatory"],
      ["authorizer-on-every-method", "mandatory"],
      ["studio-domain-vpconly-iam", "mandatory"],
      ["no-sagemaker-full-access", "mandatory"],
      ["no-wildcard-assume-role", "mandatory"],
      ["dynamodb-pitr", "mandatory"],
      ["lambda-log-retention", "mandatory"],
      ["tgw-default-association-off", "mandatory"],
      ["interface-endpoint-policy", "mandatory"],
      ["authorizer-cache-ttl", "mandatory"],
      ["cognito-mfa", "mandatory"],
    ]);
  });

  it("passes the program's resources of all three stacks", async () => {
    // 280 (#21): the admin role's usage grant (a policy and its attachment) and each LOB's usage
    // reader role and policy; the instance-type policy of each execution role; the hub's alarms,
    // metric filters, dashboard and on-failure queue with its grant.
    expect(resources.filter((r) => r.custom).length).toBe(280);
    expect(await runPolicies(policies, resources)).toEqual([]);
  });

  it("passes a hub with the SAML entry (its POST /saml and the portal's GETs are the methods without the JWT authorizer)", async () => {
    const idp = await TestIdp.create();
    const withSaml = await runStackUnderMocks({
      stack: "shared",
      config: {
        ...loadStackConfig("shared"),
        "studio-access:saml": JSON.stringify({
          idpCertificates: [idp.certificate],
          idpEntityId: idp.entityId,
        }),
      },
    });
    const methods = withSaml.resources.filter((r) => r.type === "aws:apigateway/method:Method");
    expect(methods).toHaveLength(6);
    // Each exemption, on its own resource and integration, passes.
    expect(
      methods
        .filter((m) => m.inputs.authorization === "NONE")
        .map((m) => `${String(m.inputs.httpMethod)} ${String(m.inputs.operationName)} ${m.name}`)
        .sort(),
    ).toEqual([
      "GET PortalAsset access-portal-asset",
      "GET PortalPage access-portal-page",
      "GET PortalSettings access-portal-settings",
      "POST SamlAssertionConsumerService access-saml",
    ]);
    expect(await runPolicies(policies, withSaml.resources)).toEqual([]);

    // The SAML entry's name on a POST whose integration invokes the portal function instead.
    const portal = withSaml.resources.find(
      (r) => r.name === "access-portal" && r.type === "aws:lambda/function:Function",
    );
    const toPortal = withSaml.resources.map((r) =>
      r.type === "aws:apigateway/integration:Integration" && r.name === "access-saml"
        ? { ...r, inputs: { ...r.inputs, uri: portal?.state.invokeArn } }
        : r,
    );
    expect(await runPolicies(policies, toPortal)).toEqual([
      {
        policy: "authorizer-on-every-method",
        resource: "access-saml",
        message:
          'POST has authorization "NONE" and no authorizer, integrated with access-portal, not an AWS_PROXY to the saml function where SamlAssertionConsumerService is admitted; expected CUSTOM with the JWT authorizer',
      },
    ]);
  }, 60_000);
});

const VARIANTS: [string, string, () => RecordedResource[], string][] = [
  [
    "the STS endpoint with private DNS on",
    "central-endpoints-private-dns-off",
    () =>
      breaking("aws:ec2/vpcEndpoint:VpcEndpoint", "hub-sts", (i) => ({
        ...i,
        privateDnsEnabled: true,
      })),
    "the com.amazonaws.us-east-1.sts endpoint has privateDnsEnabled: true; expected false",
  ],
  [
    "an endpoint rule open to the internet",
    "no-ingress-from-anywhere",
    () =>
      breaking(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "hub-endpoints-https-hub",
        (i) => ({ ...i, cidrIpv4: "0.0.0.0/0" }),
      ),
    "the rule allows ingress from 0.0.0.0/0",
  ],
  [
    "an inline IPv6 ingress open to the internet",
    "no-ingress-from-anywhere",
    () =>
      breaking("aws:ec2/securityGroup:SecurityGroup", "lob-a-studio", (i) => ({
        ...i,
        ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }],
      })),
    "an inline ingress rule allows ingress from ::/0",
  ],
  [
    "a REGIONAL API",
    "private-api-source-vpce",
    () =>
      breaking("aws:apigateway/restApi:RestApi", "access-api", (i) => ({
        ...i,
        endpointConfiguration: { types: "REGIONAL" },
      })),
    "endpoint types are [REGIONAL]; expected [PRIVATE]",
  ],
  [
    "an API policy allowing everyone",
    "private-api-source-vpce",
    () =>
      breaking("aws:apigateway/restApi:RestApi", "access-api", (i) => ({
        ...i,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: "*",
              Action: "execute-api:Invoke",
              Resource: "execute-api:/*",
            },
          ],
        }),
      })),
    "its resource policy allows invocation without a StringEquals aws:SourceVpce condition",
  ],
  [
    "a private API without a resource policy",
    "private-api-source-vpce",
    () =>
      breaking("aws:apigateway/restApi:RestApi", "access-api", (i) => ({
        ...i,
        policy: undefined,
      })),
    "has no resource policy allowing invocation through a VPC endpoint",
  ],
  [
    "a method open to anyone",
    "authorizer-on-every-method",
    () =>
      breaking("aws:apigateway/method:Method", "access-open", (i) => ({
        ...i,
        authorization: "NONE",
        authorizerId: undefined,
      })),
    'GET has authorization "NONE" and no authorizer; expected CUSTOM with the JWT authorizer',
  ],
  [
    "a method without authorizer posing as the SAML entry on GET",
    "authorizer-on-every-method",
    () =>
      breaking("aws:apigateway/method:Method", "access-open", (i) => ({
        ...i,
        authorization: "NONE",
        authorizerId: undefined,
        operationName: "SamlAssertionConsumerService",
      })),
    'GET has authorization "NONE" and no authorizer; expected CUSTOM with the JWT authorizer',
  ],
  [
    "a method without authorizer posing as the portal's page on POST",
    "authorizer-on-every-method",
    () =>
      breaking("aws:apigateway/method:Method", "access-open", (i) => ({
        ...i,
        httpMethod: "POST",
        authorization: "NONE",
        authorizerId: undefined,
        operationName: "PortalPage",
      })),
    'POST has authorization "NONE" and no authorizer; expected CUSTOM with the JWT authorizer',
  ],
  [
    // The attack review (#20): an operation name alone no longer admits a method.
    "GET /studios/{lob} without authorizer, named as the portal's asset route",
    "authorizer-on-every-method",
    () =>
      breaking("aws:apigateway/method:Method", "access-open", (i) => ({
        ...i,
        authorization: "NONE",
        authorizerId: undefined,
        operationName: "PortalAsset",
      })),
    'GET has authorization "NONE" and no authorizer, on /studios/{lob}, not /assets/{file} where PortalAsset is admitted; expected CUSTOM with the JWT authorizer',
  ],
  [
    "the portal's settings method named as its page, on /settings",
    "authorizer-on-every-method",
    () =>
      breaking("aws:apigateway/method:Method", "access-portal-settings", (i) => ({
        ...i,
        operationName: "PortalPage",
      })),
    'GET has authorization "NONE" and no authorizer, on /settings, not / where PortalPage is admitted; expected CUSTOM with the JWT authorizer',
  ],
  [
    "the portal's page integrated with the presigner",
    "authorizer-on-every-method",
    () =>
      breaking("aws:apigateway/integration:Integration", "access-portal-page", (i) => ({
        ...i,
        uri: resources.find(
          (r) => r.name === "access-presigner" && r.type === "aws:lambda/function:Function",
        )?.state.invokeArn,
      })),
    'GET has authorization "NONE" and no authorizer, integrated with access-presigner, not an AWS_PROXY to the portal function where PortalPage is admitted; expected CUSTOM with the JWT authorizer',
  ],
  [
    "the portal's asset route integrated other than through AWS_PROXY",
    "authorizer-on-every-method",
    () =>
      breaking("aws:apigateway/integration:Integration", "access-portal-asset", (i) => ({
        ...i,
        type: "HTTP_PROXY",
        uri: "https://example.com/{file}",
      })),
    'GET has authorization "NONE" and no authorizer, integrated with no function through AWS_PROXY, not an AWS_PROXY to the portal function where PortalAsset is admitted; expected CUSTOM with the JWT authorizer',
  ],
  [
    "the portal's settings route with IAM authorization instead of none",
    "authorizer-on-every-method",
    () =>
      breaking("aws:apigateway/method:Method", "access-portal-settings", (i) => ({
        ...i,
        authorization: "AWS_IAM",
      })),
    'GET has authorization "AWS_IAM" and no authorizer; expected CUSTOM with the JWT authorizer',
  ],
  [
    "a domain on the public internet",
    "studio-domain-vpconly-iam",
    () =>
      breaking("aws:sagemaker/domain:Domain", "lob-a-domain", (i) => ({
        ...i,
        appNetworkAccessType: "PublicInternetOnly",
      })),
    'appNetworkAccessType is "PublicInternetOnly"; expected VpcOnly',
  ],
  [
    "a domain with IAM Identity Center sign-in",
    "studio-domain-vpconly-iam",
    () =>
      breaking("aws:sagemaker/domain:Domain", "lob-b-domain", (i) => ({ ...i, authMode: "SSO" })),
    'authMode is "SSO"; expected IAM',
  ],
  [
    "an execution role with AmazonSageMakerFullAccess",
    "no-sagemaker-full-access",
    () =>
      breaking("aws:iam/role:Role", "lob-a-execution", (i) => ({
        ...i,
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
      })),
    "attaches arn:aws:iam::aws:policy/AmazonSageMakerFullAccess; Studio roles get least-privilege inline policies instead",
  ],
  [
    "an attachment of AmazonSageMakerFullAccess",
    "no-sagemaker-full-access",
    () =>
      adding({
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "lob-b-full",
        inputs: {
          role: "lob-b-execution",
          policyArn: "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
        },
      }),
    "attaches arn:aws:iam::aws:policy/AmazonSageMakerFullAccess; Studio roles get least-privilege inline policies instead",
  ],
  [
    "the reference's AssumeRole on arn:aws:iam::*:role/...",
    "no-wildcard-assume-role",
    () =>
      breaking(
        "aws:iam/policy:Policy",
        "access-assume-access-0",
        assumeGrantWith("arn:aws:iam::*:role/StudioAccessRole"),
      ),
    'allows sts:AssumeRole on "arn:aws:iam::*:role/StudioAccessRole"; list the exact role ARNs, or an exact role name in any account with StringEquals aws:ResourceAccount over the accounts',
  ],
  [
    "AssumeRole on any role name of the listed accounts (#22)",
    "no-wildcard-assume-role",
    () =>
      breaking(
        "aws:iam/policy:Policy",
        "access-assume-access-0",
        assumeGrantWith("arn:aws:iam::*:role/*", {
          StringEquals: { "aws:ResourceAccount": ["222222222222"] },
        }),
      ),
    'allows sts:AssumeRole on "arn:aws:iam::*:role/*"; list the exact role ARNs, or an exact role name in any account with StringEquals aws:ResourceAccount over the accounts',
  ],
  [
    "AssumeRole on the role name in accounts matched by a pattern (#22)",
    "no-wildcard-assume-role",
    () =>
      breaking(
        "aws:iam/policy:Policy",
        "access-assume-access-0",
        assumeGrantWith("arn:aws:iam::*:role/StudioAccessRole", {
          StringLike: { "aws:ResourceAccount": ["2222*"] },
        }),
      ),
    'allows sts:AssumeRole on "arn:aws:iam::*:role/StudioAccessRole"; list the exact role ARNs, or an exact role name in any account with StringEquals aws:ResourceAccount over the accounts',
  ],
  [
    "AssumeRole on any role of a LOB account, inline",
    "no-wildcard-assume-role",
    () =>
      breaking(
        "aws:iam/rolePolicy:RolePolicy",
        "access-presigner",
        inlineAssumeOn("arn:aws:iam::222222222222:role/*"),
      ),
    'allows sts:AssumeRole on "arn:aws:iam::222222222222:role/*"; list the exact role ARNs, or an exact role name in any account with StringEquals aws:ResourceAccount over the accounts',
  ],
  [
    "a table without point-in-time recovery",
    "dynamodb-pitr",
    () =>
      breaking("aws:dynamodb/table:Table", "access-entitlements", (i) => ({
        ...i,
        pointInTimeRecovery: { enabled: false },
      })),
    "point-in-time recovery is off; expected pointInTimeRecovery.enabled: true",
  ],
  [
    "a log group kept forever",
    "lambda-log-retention",
    () =>
      breaking("aws:cloudwatch/logGroup:LogGroup", "access-presigner", (i) => ({
        ...i,
        retentionInDays: undefined,
      })),
    "has no retentionInDays; logs would be kept forever",
  ],
  [
    "a function logging into an unmanaged group",
    "lambda-log-retention",
    () =>
      breaking("aws:lambda/function:Function", "access-authorizer", (i) => ({
        ...i,
        loggingConfig: undefined,
      })),
    "has no loggingConfig.logGroup; it would log into an unmanaged group kept forever",
  ],
  [
    "a transit gateway propagating by default",
    "tgw-default-association-off",
    () =>
      breaking("aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw", (i) => ({
        ...i,
        defaultRouteTablePropagation: "enable",
      })),
    'defaultRouteTablePropagation is "enable"; expected disable',
  ],
  [
    "an interface endpoint with no policy (AWS's default: full access)",
    "interface-endpoint-policy",
    () =>
      breaking("aws:ec2/vpcEndpoint:VpcEndpoint", "hub-sts", (i) => ({ ...i, policy: undefined })),
    "the com.amazonaws.us-east-1.sts endpoint has no policy; expected one scoped to the organization or the hub",
  ],
  [
    "an interface endpoint policy open to everyone",
    "interface-endpoint-policy",
    () =>
      breaking("aws:ec2/vpcEndpoint:VpcEndpoint", "hub-logs", (i) => ({
        ...i,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
        }),
      })),
    "the com.amazonaws.us-east-1.logs endpoint policy allows every action on every resource to anyone",
  ],
  [
    "an authorizer caching decisions for 5 minutes",
    "authorizer-cache-ttl",
    () =>
      breaking("aws:apigateway/authorizer:Authorizer", "access-jwt", (i) => ({
        ...i,
        authorizerResultTtlInSeconds: 300,
      })),
    "caches decisions for 300 s; expected 60 s or less",
  ],
  [
    "an authorizer left at API Gateway's default cache",
    "authorizer-cache-ttl",
    () =>
      breaking("aws:apigateway/authorizer:Authorizer", "access-jwt", (i) => ({
        ...i,
        authorizerResultTtlInSeconds: undefined,
      })),
    "caches decisions for 300 s; expected 60 s or less",
  ],
  [
    "a password-only user pool",
    "cognito-mfa",
    () =>
      breaking("aws:cognito/userPool:UserPool", "access-users", (i) => ({
        ...i,
        mfaConfiguration: "OFF",
      })),
    'mfaConfiguration is "OFF"; expected ON (or OPTIONAL)',
  ],
];

describe("the policy pack catches each broken variant with the policy that should", () => {
  it.each(VARIANTS)("%s: %s", async (_, policy, variant, message) => {
    expect(await runPolicies(policies, variant())).toEqual([
      expect.objectContaining({ policy, message }),
    ]);
  });

  it("covers every policy with at least one broken variant", () => {
    expect(new Set(VARIANTS.map(([, policy]) => policy))).toEqual(
      new Set(policies.map((p) => p.name)),
    );
  });
});
