import * as aws from "@pulumi/aws";
import {
  validateResourceOfType,
  type Policies,
  type PolicyResource,
  type ReportViolation,
} from "@pulumi/policy";

/**
 * The design's security invariants as Pulumi policies (DESIGN §4). Each one names what it found and
 * what is expected. They read resource inputs only, so they also run over the offline plan; the
 * authorizer rule is a stack validation, which also reads which resources each input was made from
 * (`propertyDependencies`, "Interface PolicyResource",
 * https://www.pulumi.com/docs/reference/pkg/nodejs/pulumi/policy/interfaces/PolicyResource.html;
 * "Policies", resource and stack validation policies,
 * https://www.pulumi.com/docs/discovery-governance/concepts/policy-as-code/policies/).
 */

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : [];

function statementsOf(policy: unknown): Statement[] {
  const doc: unknown = typeof policy === "string" ? JSON.parse(policy) : policy;
  if (typeof doc !== "object" || doc === null) return [];
  const statements = (doc as { Statement?: unknown }).Statement;
  return (Array.isArray(statements) ? statements : statements ? [statements] : []) as Statement[];
}

const SAGEMAKER_FULL_ACCESS = /:policy\/AmazonSageMakerFullAccess$/;

/** The operation name of the SAML entry's method, the one method without the JWT authorizer. */
export const SAML_ACS_OPERATION = "SamlAssertionConsumerService";

/**
 * The operation names of the web portal's GET methods (the page, its assets, the pool's settings):
 * they serve nothing secret (the page signs in itself), so they have no authorizer either.
 */
export const PORTAL_OPERATIONS = ["PortalPage", "PortalAsset", "PortalSettings"] as const;

/**
 * The methods without the JWT authorizer: each by operation name and HTTP method, and by what is
 * hard to fake, the resource path it is on (from the API's root, through the resources'
 * `parentId`s) and the function its AWS_PROXY integration invokes (by the function's logical name,
 * `<app>-portal` or `<app>-saml`).
 */
const UNAUTHENTICATED: readonly {
  operation: string;
  httpMethod: string;
  paths: readonly string[];
  fn: string;
}[] = [
  { operation: SAML_ACS_OPERATION, httpMethod: "POST", paths: ["/saml"], fn: "saml" },
  { operation: "PortalPage", httpMethod: "GET", paths: ["/"], fn: "portal" },
  { operation: "PortalAsset", httpMethod: "GET", paths: ["/assets/{file}"], fn: "portal" },
  { operation: "PortalSettings", httpMethod: "GET", paths: ["/settings"], fn: "portal" },
];

const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";
const API_RESOURCE = "aws:apigateway/resource:Resource";
const REST_API = "aws:apigateway/restApi:RestApi";
const FUNCTION = "aws:lambda/function:Function";

/** The one resource of `type` that `property` of `r` is made from, or undefined. */
function madeFrom(r: PolicyResource, property: string, type: string): PolicyResource | undefined {
  const found = (r.propertyDependencies[property] ?? []).filter((d) => d.type === type);
  return found.length === 1 ? found[0] : undefined;
}

/**
 * The path of the API resource `method` is on ("/" for the API's root resource), walking the
 * resources' `parentId`s up to the method's own RestApi; undefined when it cannot be followed.
 */
function methodPath(method: PolicyResource): string | undefined {
  const api = madeFrom(method, "restApi", REST_API);
  if (!api) return undefined;
  const parts: string[] = [];
  let at: PolicyResource = method;
  let property = "resourceId";
  for (let depth = 0; depth < 32; depth++) {
    const resource = madeFrom(at, property, API_RESOURCE);
    if (!resource) {
      // The root resource: the API's rootResourceId, of the method's own API.
      return madeFrom(at, property, REST_API)?.urn === api.urn ? `/${parts.join("/")}` : undefined;
    }
    if (madeFrom(resource, "restApi", REST_API)?.urn !== api.urn) return undefined;
    parts.unshift(String(resource.props.pathPart));
    at = resource;
    property = "parentId";
  }
  return undefined;
}

/** The functions AWS_PROXY integrations of `method` (same API, resource and HTTP method) invoke. */
function proxiedFunctions(method: PolicyResource, all: readonly PolicyResource[]): string[] {
  const api = madeFrom(method, "restApi", REST_API)?.urn;
  const resourceOf = (r: PolicyResource) =>
    (madeFrom(r, "resourceId", API_RESOURCE) ?? madeFrom(r, "resourceId", REST_API))?.urn;
  return all
    .filter(
      (i) =>
        i.type === INTEGRATION &&
        i.props.httpMethod === method.props.httpMethod &&
        api !== undefined &&
        madeFrom(i, "restApi", REST_API)?.urn === api &&
        resourceOf(i) === resourceOf(method),
    )
    .map((i) => (i.props.type === "AWS_PROXY" ? (madeFrom(i, "uri", FUNCTION)?.name ?? "") : ""));
}

/** Why `method` (authorization NONE) is not one of UNAUTHENTICATED, or undefined when it is. */
function unauthenticatedProblem(
  method: PolicyResource,
  all: readonly PolicyResource[],
): string | undefined {
  const { httpMethod, operationName } = method.props as Record<string, unknown>;
  const admitted = UNAUTHENTICATED.find(
    (m) => m.operation === operationName && m.httpMethod === httpMethod,
  );
  if (!admitted) return "";
  const path = methodPath(method);
  if (path === undefined || !admitted.paths.includes(path))
    return `, on ${path ?? "a resource not followed to the API's root"}, not ${admitted.paths.join(" or ")} where ${String(operationName)} is admitted`;
  const functions = proxiedFunctions(method, all);
  if (functions.length !== 1 || !functions[0]?.endsWith(`-${admitted.fn}`))
    return `, integrated with ${functions.length === 0 ? "nothing" : functions.map((f) => f || "no function through AWS_PROXY").join(", ")}, not an AWS_PROXY to the ${admitted.fn} function where ${String(operationName)} is admitted`;
  return undefined;
}

function reportFullAccess(arns: unknown, report: ReportViolation): void {
  for (const arn of asList(arns)) {
    if (SAGEMAKER_FULL_ACCESS.test(arn))
      report(`attaches ${arn}; Studio roles get least-privilege inline policies instead`);
  }
}

/** A role of an exact path and name in any account: the wildcard is the ARN's account field alone. */
const ANY_ACCOUNT_ROLE = /^arn:aws[a-z-]*:iam::\*:role\/[^*?]+$/;

/**
 * Whether the statement holds the request to listed accounts: `StringEquals` on
 * `aws:ResourceAccount` (condition keys are case-insensitive) with 12-digit account ids only.
 */
function accountsListed(s: Statement): boolean {
  const equals = s.Condition?.StringEquals ?? {};
  const key = Object.keys(equals).find((k) => k.toLowerCase() === "aws:resourceaccount");
  const accounts = key === undefined ? [] : asList(equals[key]);
  return accounts.length > 0 && accounts.every((a) => /^\d{12}$/.test(a));
}

/**
 * Allow statements that let the holder assume a role matched by a wildcard. One wildcard is
 * admitted (#22): in the account field of an exact role path and name, when the statement lists
 * the accounts in `aws:ResourceAccount`, which matches the same roles as their ARNs would.
 */
function reportWildcardAssumeRole(policy: unknown, report: ReportViolation): void {
  for (const s of statementsOf(policy)) {
    if (s.Effect !== "Allow") continue;
    const actions = asList(s.Action).map((a) => a.toLowerCase());
    const assumes =
      s.NotAction !== undefined ||
      actions.some((a) => a === "*" || a === "sts:*" || a.startsWith("sts:assumerole"));
    if (!assumes) continue;
    if (s.NotResource !== undefined) {
      report("allows sts:AssumeRole with NotResource; list the exact role ARNs");
      continue;
    }
    const listed = accountsListed(s);
    for (const resource of asList(s.Resource)) {
      if (resource.includes("*") && !(listed && ANY_ACCOUNT_ROLE.test(resource)))
        report(
          `allows sts:AssumeRole on "${resource}"; list the exact role ARNs, or an exact role name in any account with StringEquals aws:ResourceAccount over the accounts`,
        );
    }
  }
}

function reportOpenCidrs(cidrs: unknown, where: string, report: ReportViolation): void {
  for (const cidr of asList(cidrs)) {
    if (cidr === "0.0.0.0/0" || cidr === "::/0") report(`${where} allows ingress from ${cidr}`);
  }
}

export const policies: Policies = [
  {
    name: "central-endpoints-private-dns-off",
    description:
      "Interface endpoints keep private DNS off: the hub's private hosted zones resolve them, for spokes too.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ec2.VpcEndpoint, (endpoint, _, report) => {
      if (endpoint.vpcEndpointType === "Interface" && endpoint.privateDnsEnabled === true) {
        report(`the ${endpoint.serviceName} endpoint has privateDnsEnabled: true; expected false`);
      }
    }),
  },
  {
    name: "no-ingress-from-anywhere",
    description: "No security group accepts traffic from 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    validateResource: [
      validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _, report) => {
        reportOpenCidrs([rule.cidrIpv4, rule.cidrIpv6].filter(Boolean), "the rule", report);
      }),
      validateResourceOfType(aws.ec2.SecurityGroup, (group, _, report) => {
        for (const rule of group.ingress ?? []) {
          reportOpenCidrs(
            [...asList(rule.cidrBlocks), ...asList(rule.ipv6CidrBlocks)],
            "an inline ingress rule",
            report,
          );
        }
      }),
      validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _, report) => {
        if (rule.type === "ingress")
          reportOpenCidrs(
            [...asList(rule.cidrBlocks), ...asList(rule.ipv6CidrBlocks)],
            "the rule",
            report,
          );
      }),
    ],
  },
  {
    name: "private-api-source-vpce",
    description:
      "REST APIs are PRIVATE, with a resource policy that allows invocation only with aws:SourceVpce.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.apigateway.RestApi, (api, _, report) => {
      const types = asList(api.endpointConfiguration?.types);
      if (types.length !== 1 || types[0] !== "PRIVATE")
        report(`endpoint types are [${types.join(", ")}]; expected [PRIVATE]`);
      const allows = statementsOf(api.policy).filter((s) => s.Effect === "Allow");
      if (allows.length === 0)
        report("has no resource policy allowing invocation through a VPC endpoint");
      for (const s of allows) {
        const vpce = Object.entries(s.Condition?.StringEquals ?? {}).find(
          ([key]) => key.toLowerCase() === "aws:sourcevpce",
        );
        if (!vpce || asList(vpce[1]).length === 0)
          report(
            "its resource policy allows invocation without a StringEquals aws:SourceVpce condition",
          );
      }
    }),
  },
  {
    name: "authorizer-on-every-method",
    description:
      "Every API method is protected by the custom (JWT) authorizer, but the SAML entry's POST /saml (operation SamlAssertionConsumerService, an AWS_PROXY to the SAML function), whose credential is the signed SAML response, and the web portal's GET /, /assets/{file} and /settings (operations PortalPage, PortalAsset, PortalSettings, each an AWS_PROXY to the portal function), which serve nothing secret.",
    enforcementLevel: "mandatory",
    // A stack validation: a method's inputs alone name neither its resource's path nor its
    // integration, which an operation name could only claim.
    validateStack: ({ resources }, report) => {
      for (const method of resources.filter((r) => r.type === METHOD)) {
        const { httpMethod, authorization, authorizerId } = method.props as Record<string, unknown>;
        const why = authorization === "NONE" ? unauthenticatedProblem(method, resources) : "";
        if (why !== undefined && (authorization !== "CUSTOM" || !authorizerId))
          report(
            `${String(httpMethod)} has authorization "${String(authorization)}"${authorizerId ? "" : " and no authorizer"}${why}; expected CUSTOM with the JWT authorizer`,
            method.urn,
          );
      }
    },
  },
  {
    name: "studio-domain-vpconly-iam",
    description: "Studio domains are VpcOnly and use IAM authentication (presigned URLs).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.sagemaker.Domain, (domain, _, report) => {
      if (domain.appNetworkAccessType !== "VpcOnly")
        report(
          `appNetworkAccessType is "${String(domain.appNetworkAccessType)}"; expected VpcOnly`,
        );
      if (domain.authMode !== "IAM") report(`authMode is "${domain.authMode}"; expected IAM`);
    }),
  },
  {
    name: "no-sagemaker-full-access",
    description: "No role gets the AmazonSageMakerFullAccess managed policy.",
    enforcementLevel: "mandatory",
    validateResource: [
      validateResourceOfType(aws.iam.Role, (role, _, report) => {
        reportFullAccess(role.managedPolicyArns, report);
      }),
      validateResourceOfType(aws.iam.RolePolicyAttachment, (attachment, _, report) => {
        reportFullAccess(attachment.policyArn, report);
      }),
      validateResourceOfType(aws.iam.PolicyAttachment, (attachment, _, report) => {
        reportFullAccess(attachment.policyArn, report);
      }),
    ],
  },
  {
    name: "no-wildcard-assume-role",
    description:
      "sts:AssumeRole is granted on exact role ARNs, or exact role names in the accounts aws:ResourceAccount lists; never on a wildcard otherwise (arn:aws:iam::*:role/...).",
    enforcementLevel: "mandatory",
    validateResource: [
      validateResourceOfType(aws.iam.RolePolicy, (policy, _, report) => {
        reportWildcardAssumeRole(policy.policy, report);
      }),
      validateResourceOfType(aws.iam.Policy, (policy, _, report) => {
        reportWildcardAssumeRole(policy.policy, report);
      }),
      validateResourceOfType(aws.iam.Role, (role, _, report) => {
        for (const inline of role.inlinePolicies ?? [])
          reportWildcardAssumeRole(inline.policy, report);
      }),
    ],
  },
  {
    name: "dynamodb-pitr",
    description: "DynamoDB tables have point-in-time recovery on.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _, report) => {
      if (table.pointInTimeRecovery?.enabled !== true)
        report("point-in-time recovery is off; expected pointInTimeRecovery.enabled: true");
    }),
  },
  {
    name: "lambda-log-retention",
    description:
      "Lambda functions log into a managed log group, and every log group has a retention period.",
    enforcementLevel: "mandatory",
    validateResource: [
      validateResourceOfType(aws.lambda.Function, (fn, _, report) => {
        if (!fn.loggingConfig?.logGroup) {
          report(
            "has no loggingConfig.logGroup; it would log into an unmanaged group kept forever",
          );
        }
      }),
      validateResourceOfType(aws.cloudwatch.LogGroup, (group, _, report) => {
        if (!group.retentionInDays) report("has no retentionInDays; logs would be kept forever");
      }),
    ],
  },
  {
    name: "tgw-default-association-off",
    description:
      "Transit gateways do not associate or propagate by default, so spokes never reach each other.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(
      aws.ec2transitgateway.TransitGateway,
      (tgw, _, report) => {
        if (tgw.defaultRouteTableAssociation !== "disable") {
          report(
            `defaultRouteTableAssociation is "${String(tgw.defaultRouteTableAssociation)}"; expected disable`,
          );
        }
        if (tgw.defaultRouteTablePropagation !== "disable") {
          report(
            `defaultRouteTablePropagation is "${String(tgw.defaultRouteTablePropagation)}"; expected disable`,
          );
        }
      },
    ),
  },
  {
    name: "interface-endpoint-policy",
    description:
      "Every interface endpoint carries a policy: the default one lets any principal of any account through.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ec2.VpcEndpoint, (endpoint, _, report) => {
      if (endpoint.vpcEndpointType !== "Interface") return;
      const statements = statementsOf(endpoint.policy);
      if (statements.length === 0) {
        report(
          `the ${endpoint.serviceName} endpoint has no policy; expected one scoped to the organization or the hub`,
        );
        return;
      }
      for (const s of statements) {
        const open =
          s.Effect === "Allow" &&
          asList(s.Action).includes("*") &&
          asList(s.Resource).includes("*") &&
          s.Condition === undefined;
        if (open)
          report(
            `the ${endpoint.serviceName} endpoint policy allows every action on every resource to anyone`,
          );
      }
    }),
  },
  {
    name: "authorizer-cache-ttl",
    description:
      "API Gateway caches an authorizer's decision for at most 60 s, so a revoked user is locked out within a minute.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.apigateway.Authorizer, (authorizer, _, report) => {
      // API Gateway's default, when unset, is 300 s.
      const ttl = authorizer.authorizerResultTtlInSeconds ?? 300;
      if (ttl > 60) report(`caches decisions for ${String(ttl)} s; expected 60 s or less`);
    }),
  },
  {
    name: "cognito-mfa",
    description: "The user pool asks for a second factor (TOTP); password-only sign-in is off.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.cognito.UserPool, (pool, _, report) => {
      const mode = pool.mfaConfiguration ?? "OFF";
      if (mode === "OFF") report('mfaConfiguration is "OFF"; expected ON (or OPTIONAL)');
      else if (pool.softwareTokenMfaConfiguration?.enabled !== true)
        report("softwareTokenMfaConfiguration.enabled is not true; expected TOTP on");
    }),
  },
];
