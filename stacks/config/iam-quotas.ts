import { DEFAULT_IAM_LIMITS, QUOTAS, type IamLimits } from "../../components/lib/quotas";
import { integer, strict } from "./common";

const IAM_QUOTAS_EXPECTED =
  "{managedPoliciesPerRole, roleTrustPolicyCharacters}: the account's IAM quotas where Service Quotas raised them";

const HUB_IAM_QUOTAS_EXPECTED =
  "{managedPoliciesPerRole, roleTrustPolicyCharacters, rolesPerAccount}: the hub account's IAM quotas where Service Quotas raised them";

/** A quota at IAM's default or raised, up to what AWS grants. */
const adjusted = (
  key: "managedPoliciesPerRole" | "roleTrustPolicyCharacters" | "rolesPerAccount",
) => integer(QUOTAS[key].limit, QUOTAS[key].adjustable.upTo).default(QUOTAS[key].limit);

/**
 * `iamQuotas`: the account's IAM quotas that Service Quotas can raise, as raised there; IAM's
 * defaults when unset. A value below the default or above what AWS grants is refused.
 */
export const iamQuotas = strict(
  {
    managedPoliciesPerRole: adjusted("managedPoliciesPerRole"),
    roleTrustPolicyCharacters: adjusted("roleTrustPolicyCharacters"),
  },
  IAM_QUOTAS_EXPECTED,
)
  .prefault({})
  .transform((quotas): IamLimits => ({ ...DEFAULT_IAM_LIMITS, ...quotas }))
  .describe(IAM_QUOTAS_EXPECTED);

/** The hub's IAM quotas as raised: each role's, and the account's roles (one deployer per LOB). */
export interface HubIamQuotas {
  readonly limits: IamLimits;
  readonly rolesPerAccount: number;
}

/**
 * The hub's `iamQuotas`: a LOB's keys, and `rolesPerAccount`, which the hub's roles reach first
 * (it makes a deployer role per LOB).
 */
export const hubIamQuotas = strict(
  {
    managedPoliciesPerRole: adjusted("managedPoliciesPerRole"),
    roleTrustPolicyCharacters: adjusted("roleTrustPolicyCharacters"),
    rolesPerAccount: adjusted("rolesPerAccount"),
  },
  HUB_IAM_QUOTAS_EXPECTED,
)
  .prefault({})
  .transform(({ rolesPerAccount, ...quotas }): HubIamQuotas => ({
    limits: { ...DEFAULT_IAM_LIMITS, ...quotas },
    rolesPerAccount,
  }))
  .describe(HUB_IAM_QUOTAS_EXPECTED);
