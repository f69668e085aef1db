/**
 * The hub's count-based quotas, checked against the config before anything is declared: each
 * figure from the config alone, its limit from the one table (components/lib/quotas.ts), and a
 * message naming the figure, the limit and the way past it. (Route 53's VPC associations and the
 * per-role IAM quotas are checked where their figures are built: hub.ts and role-quotas.ts.)
 */
import { QUOTAS, type QuotaKey } from "../../components/lib/quotas";
import { hubEndpointPolicies } from "../../components/hub/endpoint-policies";
import { endpointServices, type ExtraEndpoint } from "../../components/lib/endpoints";
import { apiResourcePolicy } from "../../components/policies/resources";
import { NAMESPACE, type Problems } from "./common";
import { MAX_ARG_STRLEN, pulumiConfigBytes } from "./lobs-file";

const n = (value: number) => value.toLocaleString("en-US");

/** The longest form of an interface endpoint id AWS gives (vpce- and 17 hex digits). */
const ENDPOINT_ID = "vpce-0123456789abcdef0";

/** What the hub's count-based quotas are measured from: the config's values, nothing deployed. */
export interface HubQuotaInputs {
  readonly region: string;
  readonly hubAccountId: string;
  readonly organizationId: string;
  readonly lobs: Readonly<Record<string, { readonly accountId: string }>>;
  readonly accessRoleName: string;
  readonly extraEndpoints: readonly ExtraEndpoint[];
  /** How the spokes see the hub's endpoint zones: `profile` adds a RAM share of the Profile. */
  readonly dnsSharing: "zones" | "profile";
  /** Whether a corporate link attaches to the transit gateway (a VPN or an existing attachment). */
  readonly corporate: boolean;
  /** The roles the hub account holds as declared (role-quotas' hubRolePlans), and its quota. */
  readonly roles: number;
  readonly rolesPerAccount: number;
  /** The hub stack's config as Pulumi hands it to the program (`studio-access:<key>`). */
  readonly pulumiConfig: Readonly<Record<string, string>>;
  /** Whether the LOBs are inline (`lobs`) rather than in `lobsFile`. */
  readonly lobsInline: boolean;
}

/** Each count the hub's config gives, by quota, for the quotas checked here. */
export function hubQuotaFigures(hub: HubQuotaInputs): Partial<Record<QuotaKey, number>> {
  const lobs = Object.keys(hub.lobs).length;
  const policies = hubEndpointPolicies(hub);
  const endpointPolicy = Math.max(
    0,
    ...endpointServices(hub.region, hub.extraEndpoints).map(
      ({ key }) => JSON.stringify(policies(key)).length,
    ),
  );
  return {
    // The hub VPC's attachment, each spoke's, and the corporate link's.
    attachmentsPerTransitGateway: 1 + lobs + (hub.corporate ? 1 : 0),
    // The spokes table holds the hub's route (and the corporate link's); the hub table a route per
    // spoke (and the corporate link's).
    routesPerTransitGateway: lobs + 1 + (hub.corporate ? 2 : 0),
    // The transit gateway's share names each LOB account (never the organization); with
    // dnsSharing: profile, the Profile's share names each again.
    principalsPerResourceShare: lobs,
    principalsPerRegion: lobs * (hub.dnsSharing === "profile" ? 2 : 1),
    rolesPerAccount: hub.roles,
    endpointPolicyCharacters: endpointPolicy,
    apiResourcePolicyCharacters: JSON.stringify(
      apiResourcePolicy({ executeApiEndpointId: ENDPOINT_ID }),
    ).length,
    pulumiConfigBytes: pulumiConfigBytes(hub.pulumiConfig),
  };
}

/** The way past each limit, by quota. */
const WAY_PAST: Partial<Record<QuotaKey, (hub: HubQuotaInputs) => string>> = {
  attachmentsPerTransitGateway: () =>
    "split the LOBs between hubs, or have the quota raised in Service Quotas (Transit Gateway, attachments per transit gateway)",
  routesPerTransitGateway: () =>
    "split the LOBs between hubs (each spoke's range is a propagated route), or ask AWS Support to raise routes per transit gateway",
  principalsPerResourceShare: () =>
    "split the LOBs between hubs, or have the quota raised in Service Quotas (AWS RAM, principal associations per resource share)",
  principalsPerRegion: (hub) =>
    `${hub.dnsSharing === "profile" ? "the transit gateway's and the Route 53 Profile's shares each name every LOB account: " : ""}split the LOBs between hubs or regions, or have the quota raised in Service Quotas (AWS RAM)`,
  rolesPerAccount: (hub) =>
    `the hub makes a deployer role per LOB (counted here with its other roles and the admins' roles in the hub account): have the quota "Roles per account" raised in Service Quotas (IAM, up to ${n(QUOTAS.rolesPerAccount.adjustable.upTo)}) and set ${NAMESPACE}:iamQuotas.rolesPerAccount to it, less the roles the account holds besides (its pipeline's, service-linked roles)${hub.rolesPerAccount >= QUOTAS.rolesPerAccount.adjustable.upTo ? "; past that, split the LOBs between hubs" : ""}`,
  endpointPolicyCharacters: () =>
    "the SageMaker API endpoint's policy lists every LOB account (15 characters each): split the LOBs between hubs",
  apiResourcePolicyCharacters: () =>
    "the API's resource policy does not grow with the config: report it",
  pulumiConfigBytes: (hub) =>
    hub.lobsInline
      ? `Pulumi hands the whole config to the program in one environment variable, which Linux refuses past ${n(MAX_ARG_STRLEN)} bytes: move the lobs map to a YAML file in the repository and name it with ${NAMESPACE}:lobsFile (docs/configuration.md)`
      : `Pulumi hands the whole config to the program in one environment variable, which Linux refuses past ${n(MAX_ARG_STRLEN)} bytes: shorten the largest settings`,
};

/** The config key each quota's figure grows with. */
const KEY: Partial<Record<QuotaKey, (hub: HubQuotaInputs) => string>> = {
  rolesPerAccount: (hub) => (hub.lobsInline ? "lobs" : "lobsFile"),
  apiResourcePolicyCharacters: () => "apiStageName",
  pulumiConfigBytes: (hub) => (hub.lobsInline ? "lobs" : "config"),
};

/** One line per count-based quota the hub's config would exceed. */
export function hubQuotaProblems(hub: HubQuotaInputs, problems: Problems): void {
  const figures = hubQuotaFigures(hub);
  for (const [quota, used] of Object.entries(figures) as [QuotaKey, number][]) {
    const limit = quota === "rolesPerAccount" ? hub.rolesPerAccount : QUOTAS[quota].limit;
    if (used <= limit) continue;
    const key = KEY[quota]?.(hub) ?? (hub.lobsInline ? "lobs" : "lobsFile");
    problems.line(
      key,
      `gives the hub ${n(used)} ${QUOTAS[quota].what} (${n(Object.keys(hub.lobs).length)} LOBs), over the limit of ${n(limit)} (${QUOTAS[quota].source}): ${WAY_PAST[quota]?.(hub) ?? "fewer LOBs per hub"}`,
    );
  }
}
