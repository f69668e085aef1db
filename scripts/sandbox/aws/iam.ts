import type { PolicyDocument } from "../../../components/policies/document";

/** IAM's roles and customer managed policies, as the stacks create and destroy them. */

export interface Role {
  readonly arn: string;
  readonly account: string;
  trust: PolicyDocument;
  readonly policies: Map<string, PolicyDocument>;
  /** The ARNs of the customer managed policies attached to it. */
  readonly attached: Set<string>;
  /** The role's tags: IAM gives them to its sessions as `aws:PrincipalTag/<key>` (ABAC). */
  readonly tags: Readonly<Record<string, string>>;
}

export class Iam {
  readonly roles = new Map<string, Role>();
  /** Customer managed policies, by ARN. */
  readonly managedPolicies = new Map<string, PolicyDocument>();

  createRole(arn: string, trust: PolicyDocument, tags: Record<string, string> = {}): void {
    const account = arn.split(":")[4] ?? "";
    this.roles.set(arn, { arn, account, trust, policies: new Map(), attached: new Set(), tags });
  }

  /** A role's ARN from its name (unique in an account, whatever its path). */
  roleArnByName(account: string, name: string): string | undefined {
    return [...this.roles.values()].find((r) => r.account === account && r.arn.endsWith(`/${name}`))
      ?.arn;
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
   * The identity policies of the role a caller's credentials belong to: its inline policies and
   * the customer managed policies attached to it.
   */
  identityPolicies(roleArn: string): PolicyDocument[] {
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
}
