import {
  DEFAULT_IAM_LIMITS,
  QUOTAS,
  type IamLimits,
  type Quota,
  type QuotaKey,
} from "../../components/lib/quotas";
import type { PolicyDocument } from "../../components/policies/document";
import {
  hubRolePlans,
  roleQuotaProblems,
  roleUse,
  type RolePlan,
} from "../../components/lib/role-quotas";
import { ConfigError, NAMESPACE, parseStackConfig, pulumiConfigBytes } from "../../stacks/config";
import { environmentBytes } from "../../components/lib/jwks";
import { formatCidr, parseCidr } from "../../components/lib/cidr";
import { sageMakerApiEndpointPolicy } from "../../components/policies/endpoints";
import { loadStackConfig, type StackRun } from "./mock-stack";

/**
 * A hub config with `count` LOBs: example accounts 400000000000 + i, /20 ranges inside the
 * supernet 10.64.0.0/10, and the repository's shared stack file for everything else.
 */
export function scaledHubConfig(count: number, withSupernet = true): Record<string, string> {
  // Past 299 LOBs the endpoint zones hold no more VPCs: the hub shares them through a Profile.
  const overZones = count + 1 > QUOTAS.vpcsPerPrivateHostedZone.limit;
  const supernet = parseCidr("10.64.0.0/10");
  if (!supernet) throw new Error("bad supernet");
  const lobs = Object.fromEntries(
    Array.from({ length: count }, (_, i) => {
      const accountId = String(400000000000 + i);
      return [
        `lob-${String(i).padStart(3, "0")}`,
        {
          accountId,
          vpcCidr: formatCidr({ base: supernet.base + i * 2 ** 12, prefix: 20 }),
          deployer: `arn:aws:iam::${accountId}:role/studio-access-deployer`,
        },
      ];
    }),
  );
  // The example hub names its LOBs by lobsFile: replaced here by the inline map.
  const { "studio-access:lobsFile": _, ...example } = loadStackConfig("shared");
  return {
    ...example,
    "studio-access:lobs": JSON.stringify(lobs),
    ...(withSupernet ? { "studio-access:spokesSupernet": "10.64.0.0/10" } : {}),
    ...(overZones ? { "studio-access:dnsSharing": "profile" } : {}),
  };
}

export interface QuotaUse {
  readonly key: QuotaKey;
  readonly used: number;
  readonly limit: number;
  readonly what: string;
  readonly source: string;
}

const asObject = (value: unknown): Record<string, unknown> => {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
};

/** A resource's tag keys as AWS sees them: its own, and its provider's default tags. */
export function tagsOf(run: StackRun, resource: StackRun["resources"][number]): Set<string> {
  const provider = run.providers.find((p) => p.name === resource.providerName);
  const defaults = asObject(asObject(provider?.inputs.defaultTags).tags);
  return new Set([...Object.keys(asObject(resource.inputs.tags)), ...Object.keys(defaults)]);
}

const maxCount = (values: readonly unknown[]): number => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
};

/**
 * How much of each quota a hub and its `lobCount` spokes use, from the hub's planned resources
 * (spoke-side numbers follow from the design: each spoke attaches once and associates every
 * spoke-facing zone once, or the hub's Route 53 Profile once when the hub has one).
 */
export function quotaUsage(
  hub: StackRun,
  lobCount: number,
  config: Readonly<Record<string, string>>,
): QuotaUse[] {
  const of = (type: string) => hub.resources.filter((r) => r.type === type);
  const policyLength = (r: { inputs: Record<string, unknown> }) =>
    typeof r.inputs.policy === "string" ? r.inputs.policy.length : 0;
  // A role's inline policies count together (by role); JSON.stringify writes no whitespace.
  const inline = new Map<string, number>();
  for (const r of of("aws:iam/rolePolicy:RolePolicy"))
    inline.set(String(r.inputs.role), (inline.get(String(r.inputs.role)) ?? 0) + policyLength(r));
  const profile = of("aws:route53/profilesProfile:ProfilesProfile").length > 0;
  const used: Record<QuotaKey, number> = {
    securityGroupInboundRules: maxCount(
      of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(
        (r) => r.inputs.securityGroupId,
      ),
    ),
    routesPerRouteTable: maxCount(of("aws:ec2/route:Route").map((r) => r.inputs.routeTableId)),
    // The hub VPC, and each spoke VPC; with a Route 53 Profile (dnsSharing: profile), the hub VPC
    // alone, and each spoke VPC associates with the Profile instead (one Profile per VPC).
    vpcsPerPrivateHostedZone: profile ? 1 : 1 + lobCount,
    vpcsPerRoute53Profile: profile ? lobCount : 0,
    profilesPerVpc: profile ? 1 : 0,
    // The hub VPC's attachment, and each spoke's.
    attachmentsPerTransitGateway: 1 + lobCount,
    // The hub table holds a propagated route per spoke; the spokes table, the hub's.
    routesPerTransitGateway: lobCount + 1,
    rolesPerAccount: of("aws:iam/role:Role").length,
    // One association per LOB account on the transit gateway's share (never the organization),
    // and on the Profile's in profile mode.
    principalsPerResourceShare: maxCount(
      of("aws:ram/principalAssociation:PrincipalAssociation").map((r) => r.inputs.resourceShareArn),
    ),
    principalsPerRegion: of("aws:ram/principalAssociation:PrincipalAssociation").length,
    endpointPolicyCharacters: Math.max(
      0,
      ...of("aws:ec2/vpcEndpoint:VpcEndpoint").map(policyLength),
    ),
    roleInlinePolicyCharacters: Math.max(0, ...inline.values()),
    managedPolicyCharacters: Math.max(0, ...of("aws:iam/policy:Policy").map(policyLength)),
    managedPoliciesPerRole: maxCount(
      of("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r) => r.inputs.role),
    ),
    roleTrustPolicyCharacters: Math.max(
      0,
      ...of("aws:iam/role:Role").map((r) => String(r.inputs.assumeRolePolicy).length),
    ),
    tagsPerRole: Math.max(0, ...of("aws:iam/role:Role").map((r) => tagsOf(hub, r).size)),
    // Budgets are in the LOB accounts, never the hub's: each LOB's config checks its own.
    budgetsPerAccount: of("aws:budgets/budget:Budget").length,
    notificationsPerBudget: Math.max(
      0,
      ...of("aws:budgets/budget:Budget").map((r) => (r.inputs.notifications as unknown[]).length),
    ),
    subscribersPerNotification: 0,
    lambdaEnvironmentBytes: Math.max(
      0,
      ...of("aws:lambda/function:Function").map((r) =>
        environmentBytes(
          asObject(asObject(r.inputs.environment).variables) as Record<string, string>,
        ),
      ),
    ),
    apiResourcePolicyCharacters: Math.max(
      0,
      ...of("aws:apigateway/restApi:RestApi").map(policyLength),
    ),
    pulumiConfigBytes: pulumiConfigBytes(config),
  };
  // An adjustable quota the config says Service Quotas raised (iamQuotas.<name>) counts as raised.
  const raised = asObject(config[`${NAMESPACE}:iamQuotas`]);
  return (Object.keys(QUOTAS) as QuotaKey[]).map((key) => {
    const quota: Quota = QUOTAS[key];
    const configured = quota.adjustable
      ? raised[quota.adjustable.configKey.replace(/^iamQuotas\./, "")]
      : undefined;
    return typeof configured === "number"
      ? {
          key,
          used: used[key],
          ...quota,
          limit: configured,
          source: `${quota.source}; raised: ${quota.adjustable?.configKey ?? ""} ${String(configured)}`,
        }
      : { key, used: used[key], ...quota };
  });
}

/** The largest n in [lo, hi] that `fits`, given that fitting is monotone in n. */
export function largest(fits: (n: number) => boolean, lo: number, hi: number): number {
  if (!fits(lo)) throw new Error(`even ${String(lo)} does not fit`);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Whether a config (its keys without the namespace) passes every check of stacks/config.ts. */
export function configFits(values: Record<string, string>, region = "us-east-1"): boolean {
  try {
    parseStackConfig(values, { region });
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

/** Pulumi's flat config (`studio-access:<key>`) as parseStackConfig takes it. */
export const unprefixed = (config: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith(`${NAMESPACE}:`))
      .map(([key, value]) => [key.slice(NAMESPACE.length + 1), value]),
  );

/** `n` team names of the longest form, 20 characters: t00-xxxxxxxxxxxxxxxx. */
export const longTeamNames = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `t${String(i).padStart(2, "0")}-${"x".repeat(16)}`);

/** `n` admin ARNs of the longest form: role names of IAM's 64 characters. */
export const longAdminArns = (n: number): string[] =>
  Array.from(
    { length: n },
    (_, i) => `arn:aws:iam::${String(100000000000 + i)}:role/${"a".repeat(64)}`,
  );

/** A LOB stack's config with these teams (us-east-1). */
export const lobConfig = (
  teams: Record<string, unknown>,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  kind: "lob",
  lob: "lob-a",
  sharedStack: "example-org/studio-access/shared",
  teams: JSON.stringify(teams),
  ...extra,
});

/** A team policy document of exactly `characters` characters as IAM counts them. */
export function documentOf(characters: number): PolicyDocument {
  const doc = (pad: number): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::b/${"a".repeat(pad)}` },
    ],
  });
  const base = JSON.stringify(doc(0)).length;
  if (characters < base) throw new Error(`a document has at least ${String(base)} characters`);
  return doc(characters - base);
}

/**
 * Whether the hub's roles fit IAM's quotas with `count` LOBs (the example hub otherwise): the
 * roles alone, as the config check builds them, without the config's other checks (whose range
 * overlap test takes a second per parse at a thousand LOBs).
 */
export function hubRolesFit(
  count: number,
  change: { accessRoleName?: string; iamLimits?: IamLimits } = {},
): boolean {
  const config = parseStackConfig(unprefixed(scaledHubConfig(2)), { region: "us-east-1" });
  if (config.kind !== "shared") throw new Error("the example hub is not a shared stack");
  const lobs = Object.fromEntries(
    Array.from({ length: count }, (_, i) => {
      const accountId = String(400000000000 + i);
      return [
        `lob-${String(i).padStart(3, "0")}`,
        { accountId, deployer: `arn:aws:iam::${accountId}:role/studio-access-deployer` },
      ];
    }),
  );
  const plans = hubRolePlans({
    ...config,
    lobs,
    accessRoleName: change.accessRoleName ?? config.accessRoleName,
  });
  return roleQuotaProblems(plans, change.iamLimits ?? config.iamLimits, NAMESPACE).length === 0;
}

/** The hub's LOB accounts as `scaledHubConfig` numbers them. */
const scaledAccounts = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => String(400000000000 + i));

/**
 * The hub SageMaker API endpoint's policy with `count` LOBs (the example organization id at its
 * longest, 34 characters), as IAM counts it: whether it fits the endpoint policy quota.
 */
export function sageMakerApiPolicyLength(
  count: number,
  accessRoleName = "StudioAccessRole",
): number {
  return JSON.stringify(
    sageMakerApiEndpointPolicy({
      organizationId: `o-${"x".repeat(32)}`,
      accessRoleName,
      lobAccountIds: scaledAccounts(count),
    }),
  ).length;
}

const sageMakerApiPolicyFits = (count: number, accessRoleName?: string) =>
  sageMakerApiPolicyLength(count, accessRoleName) <= QUOTAS.endpointPolicyCharacters.limit;

export interface LargestFit {
  readonly what: string;
  readonly largest: number;
  /** The quota that stops the next step. */
  readonly limitedBy: string;
}

/**
 * The largest configs the IAM quota checks accept, one dimension at a time (everything else as in
 * the example stacks, region us-east-1), by IAM's default quotas and by the raised ones where AWS
 * raises them. Each search parses configs only, nothing is planned: it takes a few seconds.
 */
export function largestFits(): LargestFit[] {
  const raised = (quota: "managedPoliciesPerRole" | "roleTrustPolicyCharacters") => ({
    iamQuotas: JSON.stringify({ [quota]: QUOTAS[quota].adjustable.upTo }),
  });
  const hub = (extra: Record<string, string> = {}) => ({
    ...unprefixed(scaledHubConfig(2)),
    ...extra,
  });
  const teams = (n: number, extra: Record<string, string> = {}) =>
    lobConfig(Object.fromEntries(longTeamNames(n).map((t) => [t, {}])), extra);
  const arns = (n: number) =>
    Array.from({ length: n }, (_, i) => `arn:aws:iam::222222222222:policy/team-${String(i)}`);
  const tags = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag-${String(i)}`, "v"]));
  const admins = (n: number, extra: Record<string, string> = {}) =>
    hub({ admins: JSON.stringify(longAdminArns(n)), ...extra });
  // The hub's grants and its SageMaker API endpoint policy list the LOB accounts, 15 characters
  // each (#22): thousands fit, past what other quotas (the zones' VPC associations, roles per
  // account, the spokes' supernet) allow a hub.
  const presigner = "the presigner's managed policies per role, 391 LOB accounts each";
  const others = "other quotas hold a hub to fewer LOBs first";
  return [
    {
      what: "LOBs in a hub (accessRoleName StudioAccessRole)",
      largest: largest((n) => hubRolesFit(n), 1000, 10_000),
      limitedBy: `${presigner} (10); ${others}`,
    },
    {
      what: "LOBs in a hub (accessRoleName of 52 characters)",
      largest: largest((n) => hubRolesFit(n, { accessRoleName: "S".repeat(52) }), 1000, 10_000),
      limitedBy: `${presigner.replace("391", "386")} (10)`,
    },
    {
      what: "LOBs in a hub (52 characters, managedPoliciesPerRole 20)",
      largest: largest(
        (n) =>
          hubRolesFit(n, {
            accessRoleName: "S".repeat(52),
            iamLimits: { ...DEFAULT_IAM_LIMITS, managedPoliciesPerRole: 20 },
          }),
        1000,
        20_000,
      ),
      limitedBy: `${presigner.replace("391", "386")} (20)`,
    },
    {
      what: "LOBs in a hub (the SageMaker API endpoint policy, accessRoleName of 52 characters)",
      largest: largest((n) => sageMakerApiPolicyFits(n, "S".repeat(52)), 2, 10_000),
      limitedBy: `the endpoint policy's ${QUOTAS.endpointPolicyCharacters.limit.toLocaleString("en-US")} characters, 15 per LOB account`,
    },
    {
      what: "teams in a LOB (20-character names)",
      largest: largest((n) => configFits(teams(n)), 1, 500),
      limitedBy: "the provisioning role's inline policy characters (10,240)",
    },
    {
      what: "managed policy ARNs of a team",
      largest: largest((n) => configFits(lobConfig({ analytics: { policies: arns(n) } })), 0, 50),
      limitedBy: "managed policies per role (10)",
    },
    {
      what: "managed policy ARNs of a team (managedPoliciesPerRole 20)",
      largest: largest(
        (n) =>
          configFits(
            lobConfig({ analytics: { policies: arns(n) } }, raised("managedPoliciesPerRole")),
          ),
        0,
        50,
      ),
      limitedBy: "managed policies per role (20)",
    },
    {
      what: "tags of a team",
      largest: largest((n) => configFits(lobConfig({ analytics: { tags: tags(n) } })), 0, 100),
      limitedBy: "tags per role (50, of which studio-access puts 4)",
    },
    {
      what: "characters of a team's own policy documents",
      largest: largest(
        (n) => configFits(lobConfig({ analytics: { policies: [documentOf(n)] } })),
        200,
        20000,
      ),
      limitedBy: "inline policy characters per role (10,240, with studio-access's own)",
    },
    {
      what: "admins (role ARNs of 64-character names)",
      largest: largest((n) => configFits(admins(n)), 1, 500),
      limitedBy: "the admin role's trust policy characters (2,048)",
    },
    {
      what: "admins (roleTrustPolicyCharacters 8,192)",
      largest: largest((n) => configFits(admins(n, raised("roleTrustPolicyCharacters"))), 1, 500),
      limitedBy: "the admin role's trust policy characters (8,192)",
    },
  ];
}

export interface RoleQuotaUse {
  readonly quota: keyof IamLimits;
  readonly what: string;
  /** The most any role uses, and that role. */
  readonly used: number;
  readonly role: string;
  readonly limit: number;
}

/** For each IAM quota checked per role, the role of these stacks that uses it most. */
export function iamQuotaUse(
  plans: readonly RolePlan[],
  limits = DEFAULT_IAM_LIMITS,
): RoleQuotaUse[] {
  return (Object.keys(limits) as (keyof IamLimits)[]).map((quota) => {
    const top = plans
      .map((plan) => ({ role: plan.role, used: roleUse(plan)[quota] }))
      .reduce((a, b) => (b.used > a.used ? b : a), { role: "", used: 0 });
    return {
      quota,
      what: QUOTAS[quota].what,
      used: top.used,
      role: top.role,
      limit: limits[quota],
    };
  });
}
