import { anonymousPrincipal, runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../components/policies/document";

/**
 * IAM decisions for the offline rehearsal and the security tests, by @cloud-copilot/iam-simulate.
 * The simulator is AGPL and a devDependency: it runs only here, never in a function bundle.
 */
export type Outcome = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface IamRequest {
  /** A principal ARN, or "anonymous" for an unsigned caller. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identity?: readonly PolicyDocument[];
  readonly resourcePolicy?: PolicyDocument;
  /** A service control policy applying to the principal's account (FullAWSAccess is added). */
  readonly scp?: PolicyDocument;
  /**
   * Further SCPs attached beside it, at the same level: an action must be allowed by one of them
   * (FullAWSAccess allows all) and denied by none.
   */
  readonly scps?: readonly PolicyDocument[];
  /** The policy of the VPC endpoint the request came through, if any. */
  readonly endpointPolicy?: PolicyDocument;
  /** The principal's AWS Organizations id, when its account is in one (`aws:PrincipalOrgID`). */
  readonly principalOrgId?: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

const FULL_AWS_ACCESS: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::(\d{12}):/;

/**
 * The global keys IAM sets from the principal: `aws:PrincipalArn` is the role's ARN for a role
 * session, and `aws:PrincipalAccount` its account ("AWS global condition context keys", IAM User
 * Guide). The simulator takes them as given, so they are derived here once for every caller.
 */
export function principalContext(
  principal: string,
  orgId: string | undefined,
): Record<string, string> {
  const session = ASSUMED_ROLE.exec(principal);
  const account = session?.[2] ?? IAM_PRINCIPAL.exec(principal)?.[1];
  if (account === undefined) return {};
  return {
    "aws:PrincipalArn": session
      ? `arn:${session[1] ?? "aws"}:iam::${account}:role/${session[3] ?? ""}`
      : principal,
    "aws:PrincipalAccount": account,
    ...(orgId ? { "aws:PrincipalOrgID": orgId } : {}),
  };
}

/**
 * Studio's request context names the calling user's domain and profile, and AWS's own managed
 * policy (AmazonSageMakerFullAccess) uses them as policy variables on CreateApp and CreateSpace.
 * The simulator keeps only the context keys its action data lists, which drops these, so they are
 * resolved in the documents here when the request gives them.
 */
const STUDIO_VARIABLES = ["sagemaker:UserProfileName", "sagemaker:DomainId"] as const;

function resolveStudioVariables(
  doc: PolicyDocument,
  context: Readonly<Record<string, string | string[]>>,
): PolicyDocument {
  let text = JSON.stringify(doc);
  for (const key of STUDIO_VARIABLES) {
    const value = context[key];
    if (typeof value === "string") text = text.replaceAll(`\${${key}}`, value);
  }
  return JSON.parse(text) as PolicyDocument;
}

export async function evaluateIam(request: IamRequest): Promise<Outcome> {
  const context = request.context ?? {};
  const scps = [...(request.scp ? [request.scp] : []), ...(request.scps ?? [])];
  const response = await runSimulation(
    {
      identityPolicies: (request.identity ?? []).map((policy, i) => ({
        name: `identity-${i}`,
        policy: resolveStudioVariables(policy, context),
      })),
      serviceControlPolicies:
        scps.length > 0
          ? [
              {
                orgIdentifier: "ou-lobs",
                policies: [
                  { name: "FullAWSAccess", policy: FULL_AWS_ACCESS },
                  ...scps.map((policy, i) => ({
                    name: i === 0 ? "guardrail" : `guardrail-${String(i)}`,
                    policy,
                  })),
                ],
              },
            ]
          : [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
      vpcEndpointPolicies: request.endpointPolicy
        ? [{ name: "endpoint", policy: request.endpointPolicy }]
        : undefined,
      request: {
        principal: request.principal === "anonymous" ? anonymousPrincipal : request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: {
          // IAM sets aws:ResourceAccount to the account that owns the resource ("AWS global
          // condition context keys", IAM User Guide); the simulator takes it as given (#22).
          ...(/^\d{12}$/.test(request.resourceAccount)
            ? { "aws:ResourceAccount": request.resourceAccount }
            : {}),
          ...principalContext(request.principal, request.principalOrgId),
          ...context,
        },
      },
    },
    {},
  );
  if (response.resultType === "error") {
    throw new Error(`the IAM simulator refused the request: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult;
}
