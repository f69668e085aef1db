import { anonymousPrincipal, runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../components/lib/policies";

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
  readonly context?: Readonly<Record<string, string | string[]>>;
}

const FULL_AWS_ACCESS: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

export async function evaluateIam(request: IamRequest): Promise<Outcome> {
  const response = await runSimulation(
    {
      identityPolicies: (request.identity ?? []).map((policy, i) => ({
        name: `identity-${i}`,
        policy,
      })),
      serviceControlPolicies: request.scp
        ? [
            {
              orgIdentifier: "ou-lobs",
              policies: [
                { name: "FullAWSAccess", policy: FULL_AWS_ACCESS },
                { name: "guardrail", policy: request.scp },
              ],
            },
          ]
        : [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
      request: {
        principal: request.principal === "anonymous" ? anonymousPrincipal : request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: { ...request.context },
      },
    },
    {},
  );
  if (response.resultType === "error") {
    throw new Error(`the IAM simulator refused the request: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult;
}
