import type { PolicyDocument } from "../../../components/policies/document";

/** The account of a principal's ARN (a role's or a session's). */
export function principalAccount(principal: string): string | undefined {
  return /:(\d{12}):/.exec(principal)?.[1];
}

/** AWS Organizations: the organization, its accounts, and the service control policies that cap them. */
export class Organizations {
  /**
   * The organization and its accounts: their principals carry `aws:PrincipalOrgID`. Its management
   * account, when given, is one of them that SCPs never affect.
   */
  organization: { id: string; accounts: Set<string>; managementAccount?: string } | undefined;
  /**
   * Service control policies and the member accounts each is attached to (to the account or to an
   * OU holding it). IAM evaluates them with every request a principal of those accounts makes; they
   * grant nothing (FullAWSAccess stays attached beside them), they only cap. "SCPs don't affect
   * users or roles in the management account" and "SCPs do not affect any service-linked role",
   * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
   */
  readonly serviceControlPolicies: {
    readonly accounts: Set<string>;
    readonly policy: PolicyDocument;
  }[] = [];

  /**
   * Attaches an SCP to member accounts, as the management account does with AttachPolicy
   * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html).
   */
  attachServiceControlPolicy(accounts: Iterable<string>, policy: PolicyDocument): void {
    const targets = new Set(accounts);
    for (const account of targets) {
      if (!this.organization?.accounts.has(account))
        throw new Error(`TargetNotFoundException: account ${account} is not in the organization`);
      if (account === this.organization.managementAccount)
        throw new Error(
          `ConstraintViolationException: account ${account} is the management account, which SCPs do not affect`,
        );
    }
    this.serviceControlPolicies.push({ accounts: targets, policy });
  }

  /** The organization a principal's account belongs to (`aws:PrincipalOrgID`). */
  organizationOf(principal: string): string | undefined {
    const account = principalAccount(principal);
    return account && this.organization?.accounts.has(account) ? this.organization.id : undefined;
  }

  /**
   * The SCPs that cap a principal: those attached to its account, if the account is a member of
   * the organization and not its management account, and the principal is not a service-linked
   * role (`role/aws-service-role/…`). Both exceptions: orgs_manage_policies_scps.html (cited at
   * `serviceControlPolicies`).
   */
  scpsOf(principal: string, roleArn: string): PolicyDocument[] {
    const account = principalAccount(principal);
    if (!account || !this.organization?.accounts.has(account)) return [];
    if (account === this.organization.managementAccount) return [];
    if (/:role\/aws-service-role\//.test(roleArn)) return [];
    return this.serviceControlPolicies
      .filter((scp) => scp.accounts.has(account))
      .map((scp) => scp.policy);
  }
}
