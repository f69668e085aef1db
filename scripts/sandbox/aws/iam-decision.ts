import type { PolicyDocument } from "../../../components/policies/document";
import { evaluateIam, type Outcome } from "../../lib/iam-eval";
import type { Iam } from "./iam";
import type { Organizations } from "./organizations";

/**
 * IAM's decision, the one every emulated service asks: the caller's identity policies, the
 * resource's policy, the endpoint's policy, the caller's organization and the SCPs that cap it.
 * Every AssumeRole, presign, Studio login, Lambda Invoke and DynamoDB request is decided here.
 */

/** Who makes a request: a session of a role (or the role itself, as Lambda hands it). */
export interface Caller {
  readonly principal: string;
  readonly roleArn: string;
}

export interface DecisionRequest {
  action: string;
  resource: string;
  resourceAccount: string;
  resourcePolicy?: PolicyDocument;
  context?: Record<string, string | string[]>;
}

/** Tags as IAM's request context sees them: `<prefix>/<key>` (aws:ResourceTag, aws:RequestTag…). */
export function tagContext(
  prefix: "aws:ResourceTag" | "aws:RequestTag" | "aws:PrincipalTag",
  tags: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [`${prefix}/${k}`, v]));
}

export class IamDecision {
  constructor(
    private readonly iam: Iam,
    private readonly organizations: Organizations,
    /** Each interface endpoint's policy, evaluated with every request through it (as AWS does). */
    private readonly endpointPolicies: ReadonlyMap<string, PolicyDocument>,
  ) {}

  /**
   * IAM's decision on a call a session makes through an endpoint (or from outside any): the
   * session role's identity policies, the endpoint's source, policy and organization, and the
   * request's own context.
   */
  decide(caller: Caller, vpceId: string | undefined, request: DecisionRequest): Promise<Outcome> {
    return this.evaluate(caller, vpceId, {
      ...request,
      context: { ...networkContext(vpceId), ...request.context },
    });
  }

  /**
   * IAM's decision for a call made with a role's credentials: its inline policies, with its tags as
   * `aws:PrincipalTag/<key>`. The rehearsal shows ABAC with it (calls made from inside Studio are
   * not emulated).
   */
  decideAsRole(
    roleArn: string,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ): Promise<Outcome> {
    const role = this.iam.roles.get(roleArn);
    if (!role) throw new Error(`no role ${roleArn}`);
    const principal = `arn:aws:sts::${role.account}:assumed-role/${roleArn.split("/").pop() ?? ""}/SageMaker`;
    return this.evaluate({ principal, roleArn }, undefined, {
      action,
      resource,
      resourceAccount: role.account,
      context: { ...tagContext("aws:PrincipalTag", role.tags), ...context },
    });
  }

  /** The decision with the request's context as given (no network keys added). */
  evaluate(caller: Caller, vpceId: string | undefined, request: DecisionRequest): Promise<Outcome> {
    return evaluateIam({
      principal: caller.principal,
      ...request,
      identity: this.iam.identityPolicies(caller.roleArn),
      context: request.context ?? {},
      ...this.boundaries(caller, vpceId),
    });
  }

  /**
   * What IAM adds to every decision: the endpoint's policy, the caller's organization and the
   * SCPs that cap the caller's account.
   */
  private boundaries(
    caller: Caller,
    vpceId: string | undefined,
  ): { endpointPolicy?: PolicyDocument; principalOrgId?: string; scps: PolicyDocument[] } {
    return {
      endpointPolicy: vpceId ? this.endpointPolicies.get(vpceId) : undefined,
      principalOrgId: this.organizations.organizationOf(caller.principal),
      scps: this.organizations.scpsOf(caller.principal, caller.roleArn),
    };
  }
}

/** Where a request comes from: the endpoint it arrived through, or a public address. */
function networkContext(vpceId: string | undefined): Record<string, string> {
  return vpceId ? { "aws:SourceVpce": vpceId } : { "aws:SourceIp": "203.0.113.10" };
}
