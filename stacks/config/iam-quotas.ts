import { DEFAULT_IAM_LIMITS, QUOTAS, type IamLimits } from "../../components/lib/quotas";
import { integer, strict } from "./common";

const IAM_QUOTAS_EXPECTED =
  "{managedPoliciesPerRole, roleTrustPolicyCharacters}: the account's IAM quotas where Service Quotas raised them";

/** A quota at IAM's default or raised, up to what AWS grants. */
const adjusted = (key: "managedPoliciesPerRole" | "roleTrustPolicyCharacters") =>
  integer(QUOTAS[key].limit, QUOTAS[key].adjustable.upTo).default(QUOTAS[key].limit);

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
