import { z } from "zod";
import {
  cidrContains,
  cidrsOverlap,
  firstEarlierOverlaps,
  parseCidr,
} from "../../components/lib/cidr";
import type { CorporateConnection } from "../../components/corporate-link";
import type { DnsSharing } from "../../components/hub-network";
import { EXTRA_ENDPOINTS, type ExtraEndpoint } from "../../components/lib/endpoints";
import { DEFAULT_IAM_LIMITS, QUOTAS, type IamLimits } from "../../components/lib/quotas";
import { hubRolePlans, roleQuotaProblems } from "../../components/lib/role-quotas";
import type { SamlEntryConfig } from "../../components/lib/saml";
import { LOB_NAME } from "../../functions/shared/tables";
import {
  accountId,
  cidr,
  flag,
  integer,
  matching,
  NAMESPACE,
  noRepeats,
  parseSection,
  PRINCIPAL_ARN,
  Problems,
  refuse,
  sameButCase,
  strict,
  unknownKeys,
  within,
  writtenAs,
} from "./common";
import type { ApiDomainConfig } from "../../components/access/api-domain";
import { apiDomain, apiDomainProblems } from "./api-domain";
import { alarms, alarmsProblems, type AlarmsConfig } from "./alarms";
import { corporate } from "./corporate";
import { hubIamQuotas } from "./iam-quotas";
import { hubQuotaProblems } from "./hub-quotas";
import { LOBS_FILE_EXPECTED, lobsSource } from "./lobs-file";
import { hubAllowReplacement, hubAllowReplacementProblems } from "./replacement";
import { idleShutdown } from "./studio-limits";
import { DEFAULT_IDLE_SHUTDOWN, type IdleShutdown } from "../../functions/shared/idle-shutdown";
import { saml, samlEntry } from "./saml";
import { username } from "./teams";

export interface UserConfig {
  readonly username: string;
  readonly email: string;
}

/** A spoke as the hub knows it: its account, its range, and who deploys it. */
export interface LobEntry {
  readonly accountId: string;
  readonly vpcCidr: string;
  /** The LOB account's deployment principal: the only one that may assume its hub deployer role. */
  readonly deployer: string;
}

export type MfaMode = "required" | "optional" | "off";

export interface SharedConfig {
  readonly kind: "shared";
  readonly region: string;
  readonly profile?: string;
  readonly hubAccountId: string;
  readonly organizationId: string;
  readonly hubVpcCidr: string;
  readonly availabilityZones: number;
  readonly lobs: Readonly<Record<string, LobEntry>>;
  /** The YAML file the LOBs were read from (`lobsFile`, relative to the project), if not inline. */
  readonly lobsFile?: string;
  /** One range holding every spoke's: the hub then needs one route and one endpoint rule for all. */
  readonly spokesSupernet?: string;
  /** Interface endpoints beyond the core ones, for the LOBs' Studio apps. */
  readonly extraEndpoints: readonly ExtraEndpoint[];
  /** How the corporate network (the client ranges) reaches the hub. */
  readonly corporate?: CorporateConnection;
  readonly clientCidrs: readonly string[];
  readonly users: readonly UserConfig[];
  readonly presignedUrl: {
    readonly expiresInSeconds: number;
    readonly sessionExpirationSeconds: number;
  };
  readonly accessRoleName: string;
  readonly resolverInboundEndpoint: boolean;
  /** How the spokes resolve the hub's zones: a VPC association each, or one Route 53 Profile. */
  readonly dnsSharing: DnsSharing;
  readonly apiStageName: string;
  readonly apiThrottling: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetentionDays: number;
  readonly mfa: MfaMode;
  /** Whether AWS refuses to delete the user pool and the entitlement and LOB tables. */
  readonly deletionProtection: boolean;
  readonly threatProtection: "off" | "audit" | "enforced";
  readonly auditTrail: boolean;
  readonly customerManagedKey: boolean;
  /** The SAML entry; absent, there is none. */
  readonly saml?: SamlEntryConfig;
  /** Principals that may assume the admin role (`studio-access admin`). */
  readonly admins: readonly string[];
  /** The hub account's IAM quotas, as raised there (`iamQuotas`). */
  readonly iamLimits: IamLimits;
  /** The hub account's quota of IAM roles, as raised there (`iamQuotas.rolesPerAccount`). */
  readonly rolesPerAccount: number;
  /** A private custom domain name for the API; absent, the execute-api address. */
  readonly apiDomain?: ApiDomainConfig;
  /** The stateful resources this update may replace, by label (stacks/replacement-guard.ts). */
  readonly allowReplacement: readonly string[];
  /** Idle shutdown of Studio apps, every LOB's default (issue #21): on, 120 minutes. */
  readonly idleShutdown: IdleShutdown;
  /** Who hears the hub's alarms; absent, the alarms notify nobody. */
  readonly alarms?: AlarmsConfig;
}

export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

const EXPECTED_LOB =
  '{accountId: "<12 digits>", vpcCidr: "<CIDR>", deployer: "<role ARN in that account>"}';
const LOB_NAMES = "a LOB name of lower-case letters, digits and dashes (at most 63)";

const lobEntry = strict(
  {
    accountId: accountId("a 12-digit AWS account id, quoted"),
    vpcCidr: cidr(16, 24),
    deployer: z.string().optional(),
  },
  EXPECTED_LOB,
).superRefine((entry, ctx) => {
  // The deployer's account is the LOB's: only that account's pipeline deploys its stack.
  if (typeof entry.accountId !== "string") return;
  const deployerAccount =
    entry.deployer === undefined ? undefined : PRINCIPAL_ARN.exec(entry.deployer)?.[1];
  if (deployerAccount !== entry.accountId)
    refuse(
      ctx,
      ["deployer"],
      entry.deployer,
      `the ARN of the role (or user) in ${entry.accountId} that deploys this LOB's stack`,
    );
});

export const lobs = z
  .record(z.string(), lobEntry, {
    error: (issue) =>
      issue.input === undefined
        ? `a map of LOB name to ${EXPECTED_LOB}, such as lob-a: {accountId: "222222222222", ...}`
        : `a non-empty map of LOB name to ${EXPECTED_LOB}`,
  })
  .superRefine((value, ctx) => {
    if (Object.keys(value).length === 0)
      refuse(ctx, [], value, `a non-empty map of LOB name to ${EXPECTED_LOB}`);
    for (const name of Object.keys(value))
      if (!LOB_NAME.test(name)) refuse(ctx, [name], name, LOB_NAMES);
  })
  .describe("a map of LOB name to {accountId, vpcCidr, deployer}");
// The names are checked in code (to name each one refused): editors get them as a key pattern.
// So is the deployer, which each LOB needs: editors get it as a required principal ARN.
const writtenLobEntry = z.strictObject({
  ...lobEntry.shape,
  deployer: matching(PRINCIPAL_ARN, "the ARN of the role (or user) that deploys this LOB's stack"),
});
writtenAs.set(
  lobs,
  z.record(matching(LOB_NAME, LOB_NAMES), writtenLobEntry).describe(lobs.description ?? ""),
);

const logRetentionDays = integer(1, 3653).superRefine((days, ctx) => {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days))
    refuse(
      ctx,
      [],
      days,
      `one of CloudWatch's retention periods (${LOG_RETENTION_DAYS.join(", ")})`,
    );
});
// Editors list the periods CloudWatch takes.
writtenAs.set(logRetentionDays, z.literal(LOG_RETENTION_DAYS));

const listOf = <T extends z.ZodType>(item: T, expected: string) =>
  z.array(item, { error: expected }).describe(expected);

/** The hub stack's settings (`studio-access:kind: shared`), in the order they are listed. */
export const hubShape = {
  kind: z.literal("shared"),
  hubAccountId: matching(/^\d{12}$/, "a 12-digit AWS account id").describe(
    'the hub account\'s 12-digit id, quoted ("111111111111")',
  ),
  organizationId: matching(
    /^o-[a-z0-9]{10,32}$/,
    "the AWS Organizations id of the hub and LOB accounts, such as o-abcd123456",
  ),
  hubVpcCidr: cidr(16, 24),
  availabilityZones: integer(2, 6).default(2).describe("how many zones the hub VPC spans"),
  // Exactly one of lobs and lobsFile (checked in parseShared, naming both).
  lobs: lobs.optional().describe(lobs.description ?? ""),
  lobsFile: z
    .string({ error: LOBS_FILE_EXPECTED })
    .min(1, { error: LOBS_FILE_EXPECTED })
    .describe(`${LOBS_FILE_EXPECTED}, holding the map lobs holds inline (exactly one of the two)`)
    .optional(),
  spokesSupernet: cidr(8, 24)
    .describe("one range holding every LOB's vpcCidr: one hub route and endpoint rule for all")
    .optional(),
  extraEndpoints: listOf(
    z.enum(EXTRA_ENDPOINTS, { error: `one of ${EXTRA_ENDPOINTS.join(", ")}` }),
    "a list of endpoint names",
  )
    .superRefine(noRepeats("an endpoint not already listed"))
    .default([]),
  corporate: corporate.optional(),
  clientCidrs: listOf(cidr(8, 32), "a list of IPv4 CIDRs").default([]),
  users: listOf(
    strict(
      { username, email: matching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an email address") },
      "{username, email}",
    ),
    "a list of {username, email}",
  )
    .superRefine(noRepeats<{ username: string }>("a username not already listed", "username"))
    .default([]),
  presignedUrl: strict(
    {
      expiresInSeconds: integer(5, 300).default(20),
      sessionExpirationSeconds: integer(1800, 43200).default(28800),
    },
    "{expiresInSeconds, sessionExpirationSeconds}",
  )
    .prefault({})
    .describe("{expiresInSeconds, sessionExpirationSeconds}"),
  // "-provisioner" and "-lifecycle" name its siblings, within IAM's 64 characters.
  accessRoleName: matching(
    /^[\w+=,.@-]{1,52}$/,
    "an IAM role name of at most 52 characters",
  ).default("StudioAccessRole"),
  resolverInboundEndpoint: flag()
    .default(false)
    .describe("a Route 53 inbound resolver, so clientCidrs resolve the private endpoints"),
  // Zones by default: free, and open to a LOB whose VPC already has a Route 53 Profile of its own;
  // a Profile past 299 LOBs (components/hub/dns-profile.ts says why).
  dnsSharing: z
    .enum(["zones", "profile"], { error: "one of zones, profile" })
    .default("zones")
    .describe(
      "how LOB VPCs resolve the hub's endpoint zones: zones (each LOB associates its VPC with every zone, up to 299 LOBs) or profile (one Route 53 Profile shared with the LOB accounts, up to 1,000)",
    ),
  apiStageName: matching(/^[A-Za-z0-9_]{1,128}$/, "letters, digits and underscores").default("v1"),
  apiThrottling: strict(
    {
      rateLimit: integer(1, 10000).default(20),
      burstLimit: integer(1, 5000).default(40),
    },
    "{rateLimit, burstLimit}",
  )
    .prefault({})
    .describe("{rateLimit, burstLimit}"),
  logRetentionDays: logRetentionDays.default(365),
  mfa: z
    .enum(["required", "optional", "off"], { error: "one of required, optional, off" })
    .default("required")
    .describe("the user pool's TOTP MFA"),
  deletionProtection: flag()
    .default(true)
    .describe("whether AWS refuses to delete the user pool and the entitlement and LOB tables"),
  threatProtection: z
    .enum(["off", "audit", "enforced"], { error: "one of off, audit, enforced" })
    .default("off"),
  auditTrail: flag().default(true),
  customerManagedKey: flag().default(true),
  saml,
  admins: listOf(
    matching(
      PRINCIPAL_ARN,
      "an IAM role or user ARN (arn:aws:iam::<account>:role/<name>) that may assume the hub's admin role",
    ),
    "a list of IAM role or user ARNs",
  )
    .superRefine(noRepeats("a principal not already listed"))
    .default([]),
  iamQuotas: hubIamQuotas,
  apiDomain,
  allowReplacement: hubAllowReplacement,
  idleShutdown: idleShutdown.default(DEFAULT_IDLE_SHUTDOWN),
  alarms,
};

/** Keys of earlier versions, each with what replaced it. */
const RETIRED = {
  userPoolDeletionProtection:
    "deletionProtection covers the user pool and the entitlement and LOB tables: set studio-access:deletionProtection instead",
  lobAccounts:
    'name every LOB in lobs instead, with its range and deployer: lobs: {lob-a: {accountId: "222222222222", vpcCidr: "10.1.0.0/16", deployer: "arn:aws:iam::222222222222:role/..."}}',
};

/** Checks between LOBs: each in an account of its own, other than the hub's. */
function lobAccountProblems(
  hubAccountId: string | undefined,
  entries: Readonly<Record<string, LobEntry>>,
  problems: Problems,
): void {
  const owners = new Map<string, string>();
  for (const [lob, { accountId: account }] of Object.entries(entries)) {
    if (account === hubAccountId)
      problems.at(`lobs.${lob}.accountId`, account, "an account other than the hub's");
    const owner = owners.get(account);
    if (owner)
      problems.at(
        `lobs.${lob}.accountId`,
        account,
        `an account of its own (${owner} uses it already)`,
      );
    owners.set(account, lob);
  }
}

/**
 * Every range the transit gateway routes must be distinct: hub, each spoke, each client range.
 * Ranges refused on their own are left out, so each mistake is reported once.
 */
function overlapProblems(
  hubVpcCidr: string | undefined,
  entries: Readonly<Record<string, LobEntry>>,
  clientCidrs: readonly string[],
  problems: Problems,
): void {
  const ranges = [
    ...(hubVpcCidr === undefined ? [] : [{ key: "hubVpcCidr", cidr: hubVpcCidr }]),
    ...Object.entries(entries).map(([lob, e]) => ({ key: `lobs.${lob}.vpcCidr`, cidr: e.vpcCidr })),
  ]
    .filter((range) => within(range.cidr, 16, 24))
    .concat(
      clientCidrs
        .map((cidr, i) => ({ key: `clientCidrs[${i}]`, cidr }))
        .filter((range) => within(range.cidr, 8, 32)),
    );
  const earliest = firstEarlierOverlaps(ranges.map((range) => range.cidr));
  ranges.forEach((range, i) => {
    const earlier = ranges[earliest[i] ?? -1];
    if (earlier)
      problems.at(
        range.key,
        range.cidr,
        `a range that does not overlap ${earlier.key} (${earlier.cidr})`,
      );
  });
}

/** Many spokes: one supernet instead of a route and an endpoint rule each, within AWS's quotas. */
function supernetProblems(
  spokesSupernet: string | undefined,
  entries: Readonly<Record<string, LobEntry>>,
  clientCidrs: readonly string[],
  problems: Problems,
): void {
  const supernet = spokesSupernet === undefined ? undefined : parseCidr(spokesSupernet);
  if (supernet) {
    for (const [lob, entry] of Object.entries(entries)) {
      const range = parseCidr(entry.vpcCidr);
      if (range && !cidrContains(supernet, range))
        problems.at(
          `lobs.${lob}.vpcCidr`,
          entry.vpcCidr,
          `a range inside spokesSupernet ${spokesSupernet ?? ""}`,
        );
    }
    clientCidrs.forEach((cidr, i) => {
      const range = parseCidr(cidr);
      if (range && cidrsOverlap(supernet, range))
        problems.at(
          `clientCidrs[${i}]`,
          cidr,
          `a range outside spokesSupernet ${spokesSupernet ?? ""} (corporate ranges reach only the API and Studio endpoints)`,
        );
    });
  } else {
    // The hub VPC's route table holds a route per spoke and one per corporate range
    // (corporate-link.ts); the endpoint group a rule per spoke and the hub's own.
    const count = Object.keys(entries).length;
    const routes = QUOTAS.routesPerRouteTable.limit - clientCidrs.length;
    if (count + 1 > QUOTAS.securityGroupInboundRules.limit || count > routes)
      problems.at(
        "lobs",
        `${String(count)} LOBs`,
        `at most ${String(Math.min(routes, QUOTAS.securityGroupInboundRules.limit - 1))} LOBs without spokesSupernet: each needs a hub route (quota ${String(QUOTAS.routesPerRouteTable.limit)} per route table, ${String(clientCidrs.length)} of them taken by clientCidrs) and an endpoint rule (quota ${String(QUOTAS.securityGroupInboundRules.limit)} per security group); set spokesSupernet to a range holding every LOB's vpcCidr and no client range`,
      );
  }
  // With the supernet: one spoke route, and one per corporate range.
  if (supernet && 1 + clientCidrs.length > QUOTAS.routesPerRouteTable.limit)
    problems.at(
      "clientCidrs",
      `${String(clientCidrs.length)} ranges`,
      `at most ${String(QUOTAS.routesPerRouteTable.limit - 1)} ranges: each is a route in the hub VPC's route table (quota ${String(QUOTAS.routesPerRouteTable.limit)}, one taken by spokesSupernet); summarize them into fewer ranges`,
    );
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * The quotas the DNS sharing touches (issue #22): in `zones` mode every spoke VPC and the hub's
 * associate with each endpoint zone; in `profile` mode every spoke VPC associates with the one
 * Profile, which a second RAM share (beside the transit gateway's) offers to each LOB account.
 */
export function dnsSharingProblems(
  mode: DnsSharing,
  entries: Readonly<Record<string, LobEntry>>,
  problems: Problems,
): void {
  const lobCount = Object.keys(entries).length;
  const zone = QUOTAS.vpcsPerPrivateHostedZone;
  if (mode === "zones" && lobCount + 1 > zone.limit)
    problems.at(
      "lobs",
      `${count(lobCount)} LOBs`,
      `at most ${count(zone.limit - 1)} LOBs with dnsSharing: zones (the default): the hub VPC and every LOB's associate with each endpoint zone, ${count(lobCount + 1)} VPCs over Route 53's quota of ${count(zone.limit)} ${zone.what}; set studio-access:dnsSharing: profile (one Route 53 Profile holds the zones, and each LOB's VPC associates with it once; billed hourly, see docs/configuration.md)`,
    );
  const profile = QUOTAS.vpcsPerRoute53Profile;
  if (mode === "profile" && lobCount > profile.limit)
    problems.at(
      "lobs",
      `${count(lobCount)} LOBs`,
      `at most ${count(profile.limit)} LOBs with dnsSharing: profile: each LOB's VPC associates with the hub's Route 53 Profile, ${count(lobCount)} over Route 53's default quota of ${count(profile.limit)} ${profile.what}; split the LOBs across hubs (the quota is adjustable through Service Quotas, which this check does not read)`,
    );
  // RAM principals (one per LOB account on each share) are counted with the other count-based
  // quotas: hub-quotas.ts.
}

/** The hub stack's config: each key checked alone, then what holds between them. */
export function parseShared(
  values: Readonly<Record<string, string>>,
  region: string,
  profile: string | undefined,
  problems: Problems,
  projectDir: string,
): SharedConfig {
  unknownKeys(values, Object.keys(hubShape), RETIRED, problems);
  // The LOBs inline, or read from lobsFile and then checked as the same map, each problem naming
  // the file and the key in it (`lobsFile lobs.yaml: lob-a.vpcCidr`).
  const source = lobsSource(values, projectDir, problems);
  if (source?.file !== undefined) problems.nameKey("lobs", `lobsFile ${source.file}`);
  const { lobs: _inline, ...others } = values;
  const parsed = parseSection(
    hubShape,
    source === undefined ? others : { ...others, lobs: source.text },
    problems,
  );
  const entries: Record<string, LobEntry> = Object.fromEntries(
    Object.entries(parsed.lobs ?? {}).map(([lob, e]) => [
      lob,
      { accountId: e.accountId, vpcCidr: e.vpcCidr, deployer: e.deployer ?? "" },
    ]),
  );
  const clientCidrs = parsed.clientCidrs ?? [];
  lobAccountProblems(parsed.hubAccountId, entries, problems);
  overlapProblems(parsed.hubVpcCidr, entries, clientCidrs, problems);
  supernetProblems(parsed.spokesSupernet, entries, clientCidrs, problems);
  dnsSharingProblems(parsed.dnsSharing ?? "zones", entries, problems);
  sameButCase(
    (parsed.users ?? []).map((user, i) => ({
      key: `users[${i}].username`,
      username: user.username,
    })),
    problems,
  );

  // (A clientCidrs that is not a list is reported on its own.)
  if (parsed.corporate !== undefined && parsed.clientCidrs?.length === 0)
    problems.at(
      "corporate",
      parsed.corporate,
      "no corporate link while clientCidrs is empty: it would route nothing",
    );
  if (!("corporate" in values) && clientCidrs.length > 0)
    problems.missing(
      "corporate",
      "how the corporate network reaches the hub, for clientCidrs: {transitGatewayAttachmentId} or {vpn: {customerGatewayIp, bgpAsn}}",
    );
  if (parsed.resolverInboundEndpoint === true && clientCidrs.length === 0)
    problems.at(
      "resolverInboundEndpoint",
      true,
      "false while clientCidrs is empty: the endpoint would answer no one",
    );

  const samlConfig = samlEntry(parsed.saml, Object.keys(entries), problems);
  const domain = apiDomainProblems(
    parsed.apiDomain,
    {
      region,
      hubAccountId: parsed.hubAccountId,
      ...(samlConfig?.idpEntityId ? { samlEntityId: samlConfig.idpEntityId } : {}),
    },
    problems,
  );
  const alarmsConfig = alarmsProblems(
    parsed.alarms,
    {
      region,
      hubAccountId: parsed.hubAccountId,
      customerManagedKey: parsed.customerManagedKey ?? true,
    },
    problems,
  );
  const config: SharedConfig = {
    kind: "shared",
    region,
    profile,
    hubAccountId: parsed.hubAccountId ?? "",
    organizationId: parsed.organizationId ?? "",
    hubVpcCidr: parsed.hubVpcCidr ?? "",
    availabilityZones: parsed.availabilityZones ?? 2,
    lobs: entries,
    ...(source?.file === undefined ? {} : { lobsFile: source.file }),
    spokesSupernet: parsed.spokesSupernet,
    extraEndpoints: parsed.extraEndpoints ?? [],
    corporate: parsed.corporate,
    clientCidrs,
    users: parsed.users ?? [],
    presignedUrl: parsed.presignedUrl ?? { expiresInSeconds: 20, sessionExpirationSeconds: 28800 },
    accessRoleName: parsed.accessRoleName ?? "StudioAccessRole",
    resolverInboundEndpoint: parsed.resolverInboundEndpoint ?? false,
    dnsSharing: parsed.dnsSharing ?? "zones",
    apiStageName: parsed.apiStageName ?? "v1",
    apiThrottling: parsed.apiThrottling ?? { rateLimit: 20, burstLimit: 40 },
    logRetentionDays: parsed.logRetentionDays ?? 365,
    mfa: parsed.mfa ?? "required",
    deletionProtection: parsed.deletionProtection ?? true,
    threatProtection: parsed.threatProtection ?? "off",
    auditTrail: parsed.auditTrail ?? true,
    customerManagedKey: parsed.customerManagedKey ?? true,
    ...(samlConfig ? { saml: samlConfig } : {}),
    admins: parsed.admins ?? [],
    iamLimits: parsed.iamQuotas?.limits ?? DEFAULT_IAM_LIMITS,
    rolesPerAccount: parsed.iamQuotas?.rolesPerAccount ?? QUOTAS.rolesPerAccount.limit,
    ...(domain ? { apiDomain: domain } : {}),
    allowReplacement: parsed.allowReplacement ?? [],
    idleShutdown: parsed.idleShutdown ?? DEFAULT_IDLE_SHUTDOWN,
    ...(alarmsConfig ? { alarms: alarmsConfig } : {}),
  };
  hubAllowReplacementProblems(config.allowReplacement, Object.keys(entries), problems);
  // Every role the hub makes, within the hub account's IAM quotas: the presigner's and the SAML
  // entry's AssumeRole grants add a managed policy per 42 or so LOBs, the admin role's trust names
  // every admin.
  const rolePlans = hubRolePlans({
    region,
    hubAccountId: config.hubAccountId,
    lobs: entries,
    accessRoleName: config.accessRoleName,
    extraEndpoints: config.extraEndpoints,
    ...(samlConfig ? { saml: samlConfig } : {}),
    admins: config.admins,
  });
  problems.list.push(...roleQuotaProblems(rolePlans, config.iamLimits, NAMESPACE));
  // The count-based quotas: the account's roles (every one hubRolePlans lists, a deployer per LOB
  // among them), transit gateway attachments and routes, RAM principals, policy sizes, and the
  // config's own size as Pulumi hands it over.
  hubQuotaProblems(
    {
      region,
      hubAccountId: config.hubAccountId,
      organizationId: config.organizationId,
      lobs: entries,
      accessRoleName: config.accessRoleName,
      extraEndpoints: config.extraEndpoints,
      dnsSharing: config.dnsSharing,
      corporate: config.corporate !== undefined,
      // The program's roles, and the admins' roles that live in the hub account (they count too).
      roles:
        rolePlans.length +
        config.admins.filter((arn) => arn.startsWith(`arn:aws:iam::${config.hubAccountId}:role/`))
          .length,
      rolesPerAccount: config.rolesPerAccount,
      pulumiConfig: Object.fromEntries(
        Object.entries(values).map(([key, value]) => [`${NAMESPACE}:${key}`, value]),
      ),
      lobsInline: source?.file === undefined,
    },
    problems,
  );
  return config;
}
