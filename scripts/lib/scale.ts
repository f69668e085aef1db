import { QUOTAS, type QuotaKey } from "../../components/lib/quotas";
import { formatCidr, parseCidr } from "../../components/lib/cidr";
import { loadStackConfig, type StackRun } from "./mock-stack";

/**
 * A hub config with `count` LOBs: example accounts 400000000000 + i, /20 ranges inside the
 * supernet 10.64.0.0/10, and the repository's shared stack file for everything else.
 */
export function scaledHubConfig(count: number, withSupernet = true): Record<string, string> {
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
  return {
    ...loadStackConfig("shared"),
    "studio-access:lobs": JSON.stringify(lobs),
    ...(withSupernet ? { "studio-access:spokesSupernet": "10.64.0.0/10" } : {}),
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
 * spoke-facing zone once).
 */
export function quotaUsage(hub: StackRun, lobCount: number): QuotaUse[] {
  const of = (type: string) => hub.resources.filter((r) => r.type === type);
  const policyLength = (r: { inputs: Record<string, unknown> }) =>
    typeof r.inputs.policy === "string" ? r.inputs.policy.length : 0;
  // A role's inline policies count together (by role); JSON.stringify writes no whitespace.
  const inline = new Map<string, number>();
  for (const r of of("aws:iam/rolePolicy:RolePolicy"))
    inline.set(String(r.inputs.role), (inline.get(String(r.inputs.role)) ?? 0) + policyLength(r));
  const used: Record<QuotaKey, number> = {
    securityGroupInboundRules: maxCount(
      of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(
        (r) => r.inputs.securityGroupId,
      ),
    ),
    routesPerRouteTable: maxCount(of("aws:ec2/route:Route").map((r) => r.inputs.routeTableId)),
    // The hub VPC, and each spoke VPC.
    vpcsPerPrivateHostedZone: 1 + lobCount,
    // The hub VPC's attachment, and each spoke's.
    attachmentsPerTransitGateway: 1 + lobCount,
    // The hub table holds a propagated route per spoke; the spokes table, the hub's.
    routesPerTransitGateway: lobCount + 1,
    rolesPerAccount: of("aws:iam/role:Role").length,
    // One association per LOB account on the transit gateway's share (never the organization).
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
  };
  return (Object.keys(QUOTAS) as QuotaKey[]).map((key) => ({
    key,
    used: used[key],
    ...QUOTAS[key],
  }));
}
