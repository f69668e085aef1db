import * as pulumi from "@pulumi/pulumi";
import { cidrContains, cidrsOverlap, parseCidr } from "../components/lib/cidr";
import type { CorporateConnection } from "../components/corporate-link";
import { EXTRA_ENDPOINTS, type ExtraEndpoint } from "../components/lib/endpoints";
import { DEFAULT_IAM_LIMITS, QUOTAS, type IamLimits } from "../components/lib/quotas";
import { hubRolePlans, lobRolePlans, roleQuotaProblems } from "../components/lib/role-quotas";
import { certificateProblem, idpFromMetadata, toPem, type IdpTrust } from "../components/lib/saml";
import { profileNameFor } from "../functions/shared/profile-name";
import { LOB_NAME } from "../functions/shared/tables";
import type { HomeDirectories } from "../functions/shared/homes";
import { DEFAULT_TEAM, TEAM_NAME, teamProfileName } from "../functions/shared/teams";
import type { PolicyDocument } from "../components/policies/document";
import type { SamlEntryConfig } from "../components/lib/saml";
import type { TeamConfig } from "../components/studio-spoke";

export type { SamlEntryConfig, TeamConfig };

/** The config namespace: keys are written `studio-access:<key>` in the stack files. */
export const NAMESPACE = "studio-access";

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
  readonly apiStageName: string;
  readonly apiThrottling: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetentionDays: number;
  readonly mfa: MfaMode;
  readonly userPoolDeletionProtection: boolean;
  readonly threatProtection: "off" | "audit" | "enforced";
  readonly auditTrail: boolean;
  readonly customerManagedKey: boolean;
  /** The SAML entry; absent, there is none. */
  readonly saml?: SamlEntryConfig;
  /** Principals that may assume the admin role (`studio-access admin`). */
  readonly admins: readonly string[];
  /** The hub account's IAM quotas, as raised there (`iamQuotas`). */
  readonly iamLimits: IamLimits;
}

export interface LobConfig {
  readonly kind: "lob";
  readonly region: string;
  readonly profile?: string;
  readonly lob: string;
  readonly sharedStack: string;
  /** A role in the hub account to use instead of the deployer role the hub created for this LOB. */
  readonly hubRoleArn?: string;
  readonly availabilityZones: number;
  /** The LOB's teams; a config without `teams` is the one team `default`, of `members`. */
  readonly teams: readonly TeamConfig[];
  readonly homeEfsRetention: "Retain" | "Delete";
  /** What offboarding does with a revoked user's home directory on the domain's EFS. */
  readonly homeDirectories: HomeDirectories;
  /** The LOB account's IAM quotas, as raised there (`iamQuotas`). */
  readonly iamLimits: IamLimits;
}

export type StackConfig = SharedConfig | LobConfig;

/**
 * Every problem found in a stack's config, each naming the key, the value and what was expected.
 * A RunError, so `pulumi up` prints the message alone, without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/[\w+=,.@/-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ACCESS_ROLE_NAME = /^[\w+=,.@-]{1,52}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/;
const STACK_NAME = /^[^/\s]+\/[^/\s]+\/[^/\s]+$/;
const STAGE_NAME = /^[A-Za-z0-9_]{1,128}$/;
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

const SHARED_KEYS = [
  "kind",
  "hubAccountId",
  "organizationId",
  "hubVpcCidr",
  "availabilityZones",
  "lobs",
  "spokesSupernet",
  "extraEndpoints",
  "corporate",
  "clientCidrs",
  "users",
  "presignedUrl",
  "accessRoleName",
  "resolverInboundEndpoint",
  "apiStageName",
  "apiThrottling",
  "logRetentionDays",
  "mfa",
  "userPoolDeletionProtection",
  "threatProtection",
  "auditTrail",
  "customerManagedKey",
  "saml",
  "admins",
  "iamQuotas",
];
const LOB_KEYS = [
  "kind",
  "lob",
  "sharedStack",
  "hubRoleArn",
  "availabilityZones",
  "members",
  "teams",
  "homeEfsRetention",
  "homeDirectories",
  "iamQuotas",
];
const TEAM_KEYS = ["members", "policies", "tags"];
const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,128}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const show = (value: unknown): string =>
  typeof value === "string" ? `"${value}"` : JSON.stringify(value);

/** Reads one namespace's raw values (as Pulumi hands them over: strings, objects as JSON). */
class Reader {
  readonly problems: string[] = [];

  constructor(
    private readonly values: Readonly<Record<string, string>>,
    private readonly prefix: string,
  ) {}

  problem(key: string, value: unknown, expected: string): void {
    this.problems.push(`${this.prefix}:${key} is ${show(value)}: expected ${expected}`);
  }

  missing(key: string, expected: string): void {
    this.problems.push(`${this.prefix}:${key} is not set: expected ${expected}`);
  }

  raw(key: string): string | undefined {
    return this.values[key];
  }

  string(key: string, pattern: RegExp, expected: string, fallback?: string): string {
    const value = this.values[key] ?? fallback;
    if (value === undefined) this.missing(key, expected);
    else if (!pattern.test(value)) this.problem(key, value, expected);
    return value ?? "";
  }

  integer(key: string, min: number, max: number, fallback: number): number {
    return this.integerValue(key, this.values[key] ?? fallback, min, max);
  }

  integerValue(key: string, value: unknown, min: number, max: number): number {
    const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number) || number < min || number > max) {
      this.problem(key, value, `a whole number from ${min} to ${max}`);
      return min;
    }
    return number;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.values[key] ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(key, value, `one of ${allowed.join(", ")}`);
    return fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.values[key];
    if (value === undefined) return fallback;
    if (value !== "true" && value !== "false") this.problem(key, value, "true or false");
    return value === "true";
  }

  /** A structured value: Pulumi passes YAML objects and lists as JSON text. */
  json(key: string, expected: string, fallback: unknown): unknown {
    const value = this.values[key];
    if (value === undefined) return fallback;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      this.problem(key, value, expected);
      return fallback;
    }
  }

  unknownKeys(known: readonly string[], replaced: Readonly<Record<string, string>> = {}): void {
    for (const key of Object.keys(this.values)) {
      const instead = replaced[key];
      if (instead !== undefined) {
        this.problems.push(`${this.prefix}:${key} is no longer a setting: ${instead}`);
      } else if (!known.includes(key)) {
        this.problems.push(
          `${this.prefix}:${key} is not a setting of this stack kind (known: ${known.join(", ")})`,
        );
      }
    }
  }

  /** Refuses keys of a nested object that are not among `known`, as for top-level keys. */
  unknownNested(key: string, value: Record<string, unknown>, known: readonly string[]): void {
    for (const nested of Object.keys(value)) {
      if (!known.includes(nested)) {
        this.problems.push(
          `${this.prefix}:${key}.${nested} is not a setting (known: ${known.join(", ")})`,
        );
      }
    }
  }

  cidr(key: string, value: unknown, minPrefix: number, maxPrefix: number): string {
    const expected = `an IPv4 CIDR from /${minPrefix} to /${maxPrefix}, such as 10.0.0.0/${minPrefix}`;
    const parsed = typeof value === "string" ? parseCidr(value) : undefined;
    if (!parsed || parsed.prefix < minPrefix || parsed.prefix > maxPrefix) {
      if (value === undefined) this.missing(key, expected);
      else this.problem(key, value, expected);
    }
    return typeof value === "string" ? value : "";
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseShared(r: Reader, region: string, profile: string | undefined): SharedConfig {
  const hubAccountId = r.string("hubAccountId", ACCOUNT_ID, "a 12-digit AWS account id");
  const hubVpcCidr = r.cidr("hubVpcCidr", r.raw("hubVpcCidr"), 16, 24);
  const availabilityZones = r.integer("availabilityZones", 2, 6, 2);

  const lobsRaw = r.json("lobs", "a map of LOB name to {accountId, vpcCidr, deployer}", undefined);
  const lobs: Record<string, LobEntry> = {};
  const expectedLob =
    '{accountId: "<12 digits>", vpcCidr: "<CIDR>", deployer: "<role ARN in that account>"}';
  if (r.raw("lobs") === undefined) {
    r.missing(
      "lobs",
      `a map of LOB name to ${expectedLob}, such as lob-a: {accountId: "222222222222", ...}`,
    );
  } else if (lobsRaw === undefined) {
    // Not JSON: reported by json() already.
  } else if (!isRecord(lobsRaw) || Object.keys(lobsRaw).length === 0) {
    r.problem("lobs", lobsRaw, `a non-empty map of LOB name to ${expectedLob}`);
  } else {
    const owners = new Map<string, string>();
    for (const [lob, entry] of Object.entries(lobsRaw)) {
      if (!LOB_NAME.test(lob)) {
        r.problem(
          `lobs.${lob}`,
          lob,
          "a LOB name of lower-case letters, digits and dashes (at most 63)",
        );
      }
      if (!isRecord(entry)) {
        r.problem(`lobs.${lob}`, entry, expectedLob);
        continue;
      }
      r.unknownNested(`lobs.${lob}`, entry, ["accountId", "vpcCidr", "deployer"]);
      const account =
        typeof entry.accountId === "number" ? String(entry.accountId) : entry.accountId;
      if (typeof account !== "string" || !ACCOUNT_ID.test(account)) {
        r.problem(`lobs.${lob}.accountId`, entry.accountId, "a 12-digit AWS account id, quoted");
        continue;
      }
      if (account === hubAccountId)
        r.problem(`lobs.${lob}.accountId`, account, "an account other than the hub's");
      const owner = owners.get(account);
      if (owner)
        r.problem(
          `lobs.${lob}.accountId`,
          account,
          `an account of its own (${owner} uses it already)`,
        );
      owners.set(account, lob);
      const vpcCidr = r.cidr(`lobs.${lob}.vpcCidr`, entry.vpcCidr, 16, 24);
      const deployer = entry.deployer;
      const deployerAccount =
        typeof deployer === "string" ? PRINCIPAL_ARN.exec(deployer)?.[1] : undefined;
      if (deployerAccount !== account) {
        r.problem(
          `lobs.${lob}.deployer`,
          deployer,
          `the ARN of the role (or user) in ${account} that deploys this LOB's stack`,
        );
      }
      lobs[lob] = {
        accountId: account,
        vpcCidr,
        deployer: typeof deployer === "string" ? deployer : "",
      };
    }
  }

  const clientCidrsRaw = r.json("clientCidrs", "a list of IPv4 CIDRs", []);
  const clientCidrs: string[] = [];
  if (!Array.isArray(clientCidrsRaw))
    r.problem("clientCidrs", clientCidrsRaw, "a list of IPv4 CIDRs");
  else clientCidrsRaw.forEach((c, i) => clientCidrs.push(r.cidr(`clientCidrs[${i}]`, c, 8, 32)));

  // Every range the transit gateway routes must be distinct: hub, each spoke, each client range.
  // Ranges refused on their own are left out, so each mistake is reported once.
  const within = (cidr: string, min: number, max: number) => {
    const parsed = parseCidr(cidr);
    return parsed !== undefined && parsed.prefix >= min && parsed.prefix <= max;
  };
  const ranges: { key: string; cidr: string }[] = [
    { key: "hubVpcCidr", cidr: hubVpcCidr },
    ...Object.entries(lobs).map(([lob, e]) => ({ key: `lobs.${lob}.vpcCidr`, cidr: e.vpcCidr })),
  ]
    .filter((range) => within(range.cidr, 16, 24))
    .concat(
      clientCidrs
        .map((cidr, i) => ({ key: `clientCidrs[${i}]`, cidr }))
        .filter((range) => within(range.cidr, 8, 32)),
    );
  ranges.forEach((range, i) => {
    const parsed = parseCidr(range.cidr);
    const earlier = ranges.slice(0, i).find((other) => {
      const o = parseCidr(other.cidr);
      return parsed && o && cidrsOverlap(parsed, o);
    });
    if (earlier) {
      r.problem(
        range.key,
        range.cidr,
        `a range that does not overlap ${earlier.key} (${earlier.cidr})`,
      );
    }
  });

  // Many spokes: one supernet instead of a route and an endpoint rule each, within AWS's quotas.
  const supernetRaw = r.raw("spokesSupernet");
  const spokesSupernet =
    supernetRaw === undefined ? undefined : r.cidr("spokesSupernet", supernetRaw, 8, 24);
  const supernet = spokesSupernet === undefined ? undefined : parseCidr(spokesSupernet);
  if (supernet) {
    for (const [lob, entry] of Object.entries(lobs)) {
      const range = parseCidr(entry.vpcCidr);
      if (range && !cidrContains(supernet, range))
        r.problem(
          `lobs.${lob}.vpcCidr`,
          entry.vpcCidr,
          `a range inside spokesSupernet ${spokesSupernet ?? ""}`,
        );
    }
    clientCidrs.forEach((cidr, i) => {
      const range = parseCidr(cidr);
      if (range && cidrsOverlap(supernet, range))
        r.problem(
          `clientCidrs[${i}]`,
          cidr,
          `a range outside spokesSupernet ${spokesSupernet ?? ""} (corporate ranges reach only the API and Studio endpoints)`,
        );
    });
  } else {
    const count = Object.keys(lobs).length;
    const rules = count + 1;
    if (
      rules > QUOTAS.securityGroupInboundRules.limit ||
      count > QUOTAS.routesPerRouteTable.limit
    ) {
      r.problem(
        "lobs",
        `${String(count)} LOBs`,
        `at most ${String(QUOTAS.routesPerRouteTable.limit)} LOBs without spokesSupernet: each needs a hub route (quota ${String(QUOTAS.routesPerRouteTable.limit)} per route table) and an endpoint rule (quota ${String(QUOTAS.securityGroupInboundRules.limit)} per security group); set spokesSupernet to a range holding every LOB's`,
      );
    }
  }

  const corporateRaw = r.json(
    "corporate",
    "{transitGatewayAttachmentId} or {vpn: {customerGatewayIp, bgpAsn}}",
    undefined,
  );
  let corporate: CorporateConnection | undefined;
  const corporateExpected =
    'either {transitGatewayAttachmentId: "tgw-attach-…"} (an existing Direct Connect gateway or VPN attachment) or {vpn: {customerGatewayIp, bgpAsn}}';
  if (corporateRaw !== undefined) {
    if (!isRecord(corporateRaw)) r.problem("corporate", corporateRaw, corporateExpected);
    else if ("transitGatewayAttachmentId" in corporateRaw === "vpn" in corporateRaw)
      r.problem("corporate", corporateRaw, corporateExpected);
    else if ("transitGatewayAttachmentId" in corporateRaw) {
      r.unknownNested("corporate", corporateRaw, ["transitGatewayAttachmentId"]);
      const id = corporateRaw.transitGatewayAttachmentId;
      if (typeof id !== "string" || !/^tgw-attach-[0-9a-f]{8,17}$/.test(id))
        r.problem(
          "corporate.transitGatewayAttachmentId",
          id,
          "a transit gateway attachment id, tgw-attach-…",
        );
      else corporate = { transitGatewayAttachmentId: id };
    } else {
      r.unknownNested("corporate", corporateRaw, ["vpn"]);
      const vpn = corporateRaw.vpn;
      if (!isRecord(vpn)) r.problem("corporate.vpn", vpn, "{customerGatewayIp, bgpAsn}");
      else {
        r.unknownNested("corporate.vpn", vpn, ["customerGatewayIp", "bgpAsn"]);
        const ip = vpn.customerGatewayIp;
        const ipOk =
          typeof ip === "string" && parseCidr(`${ip}/32`) !== undefined && !ip.includes("/");
        if (!ipOk)
          r.problem(
            "corporate.vpn.customerGatewayIp",
            ip,
            "the corporate VPN device's public IPv4 address",
          );
        const asn = r.integerValue("corporate.vpn.bgpAsn", vpn.bgpAsn, 1, 4294967294);
        if (ipOk) corporate = { vpn: { customerGatewayIp: ip, bgpAsn: asn } };
      }
    }
  }

  const extrasRaw = r.json("extraEndpoints", "a list of endpoint names", []);
  const extraEndpoints: ExtraEndpoint[] = [];
  const extrasExpected = `a list of ${EXTRA_ENDPOINTS.join(", ")}`;
  if (!Array.isArray(extrasRaw)) r.problem("extraEndpoints", extrasRaw, extrasExpected);
  else
    extrasRaw.forEach((name, i) => {
      if (!(EXTRA_ENDPOINTS as readonly unknown[]).includes(name))
        r.problem(`extraEndpoints[${i}]`, name, `one of ${EXTRA_ENDPOINTS.join(", ")}`);
      else if (extraEndpoints.includes(name as ExtraEndpoint))
        r.problem(`extraEndpoints[${i}]`, name, "an endpoint not already listed");
      else extraEndpoints.push(name as ExtraEndpoint);
    });

  const usersRaw = r.json("users", "a list of {username, email}", []);
  const users: UserConfig[] = [];
  if (!Array.isArray(usersRaw)) r.problem("users", usersRaw, "a list of {username, email}");
  else {
    const seen = new Set<string>();
    usersRaw.forEach((user, i) => {
      const username = isRecord(user) ? user.username : undefined;
      const email = isRecord(user) ? user.email : undefined;
      if (isRecord(user)) r.unknownNested(`users[${i}]`, user, ["username", "email"]);
      const profile = typeof username === "string" ? profileNameFor(username) : undefined;
      if (typeof username !== "string" || profile === undefined) {
        r.problem(
          `users[${i}].username`,
          username,
          "a Cognito username (no spaces, at most 128 characters) with a letter or digit",
        );
      } else if (seen.has(username)) {
        r.problem(`users[${i}].username`, username, "a username not already listed");
      }
      if (typeof email !== "string" || !EMAIL.test(email))
        r.problem(`users[${i}].email`, email, "an email address");
      if (typeof username === "string" && typeof email === "string") {
        seen.add(username);
        users.push({ username, email });
      }
    });
  }

  const presigned = r.json("presignedUrl", "{expiresInSeconds, sessionExpirationSeconds}", {});
  const p = isRecord(presigned) ? presigned : {};
  if (!isRecord(presigned))
    r.problem("presignedUrl", presigned, "{expiresInSeconds, sessionExpirationSeconds}");
  else r.unknownNested("presignedUrl", p, ["expiresInSeconds", "sessionExpirationSeconds"]);
  const presignedUrl = {
    expiresInSeconds: r.integerValue(
      "presignedUrl.expiresInSeconds",
      p.expiresInSeconds ?? 20,
      5,
      300,
    ),
    sessionExpirationSeconds: r.integerValue(
      "presignedUrl.sessionExpirationSeconds",
      p.sessionExpirationSeconds ?? 28800,
      1800,
      43200,
    ),
  };

  const throttling = r.json("apiThrottling", "{rateLimit, burstLimit}", {});
  const t = isRecord(throttling) ? throttling : {};
  if (!isRecord(throttling)) r.problem("apiThrottling", throttling, "{rateLimit, burstLimit}");
  else r.unknownNested("apiThrottling", t, ["rateLimit", "burstLimit"]);
  const apiThrottling = {
    rateLimit: r.integerValue("apiThrottling.rateLimit", t.rateLimit ?? 20, 1, 10000),
    burstLimit: r.integerValue("apiThrottling.burstLimit", t.burstLimit ?? 40, 1, 5000),
  };

  const retention = r.integer("logRetentionDays", 1, 3653, 365);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
    r.problem(
      "logRetentionDays",
      retention,
      `one of CloudWatch's retention periods (${LOG_RETENTION_DAYS.join(", ")})`,
    );
  }

  // (A clientCidrs that is not a list is reported on its own.)
  if (corporateRaw !== undefined && Array.isArray(clientCidrsRaw) && clientCidrsRaw.length === 0)
    r.problem(
      "corporate",
      corporateRaw,
      "no corporate link while clientCidrs is empty: it would route nothing",
    );
  if (corporateRaw === undefined && clientCidrs.length > 0)
    r.missing(
      "corporate",
      "how the corporate network reaches the hub, for clientCidrs: {transitGatewayAttachmentId} or {vpn: {customerGatewayIp, bgpAsn}}",
    );

  const resolverInboundEndpoint = r.boolean("resolverInboundEndpoint", false);
  if (resolverInboundEndpoint && clientCidrs.length === 0) {
    r.problem(
      "resolverInboundEndpoint",
      true,
      "false while clientCidrs is empty: the endpoint would answer no one",
    );
  }

  const mfa = r.oneOf<MfaMode>("mfa", ["required", "optional", "off"], "required");
  const threatProtection = r.oneOf(
    "threatProtection",
    ["off", "audit", "enforced"] as const,
    "off",
  );
  const saml = parseSaml(r, lobs);
  const adminsRaw = r.json("admins", "a list of IAM role or user ARNs", []);
  const admins: string[] = [];
  if (!Array.isArray(adminsRaw)) r.problem("admins", adminsRaw, "a list of IAM role or user ARNs");
  else
    adminsRaw.forEach((admin, i) => {
      if (typeof admin !== "string" || !PRINCIPAL_ARN.test(admin))
        r.problem(
          `admins[${i}]`,
          admin,
          "an IAM role or user ARN (arn:aws:iam::<account>:role/<name>) that may assume the hub's admin role",
        );
      else if (admins.includes(admin))
        r.problem(`admins[${i}]`, admin, "a principal not already listed");
      else admins.push(admin);
    });

  // "-provisioner" and "-lifecycle" name its siblings, within IAM's 64 characters.
  const accessRoleName = r.string(
    "accessRoleName",
    ACCESS_ROLE_NAME,
    "an IAM role name of at most 52 characters",
    "StudioAccessRole",
  );
  // Every role the hub makes, within the hub account's IAM quotas: the presigner's and the SAML
  // entry's AssumeRole grants add a managed policy per 42 or so LOBs, the admin role's trust names
  // every admin.
  const iamLimits = parseIamQuotas(r);
  r.problems.push(
    ...roleQuotaProblems(
      hubRolePlans({
        region,
        hubAccountId,
        lobs,
        accessRoleName,
        extraEndpoints,
        ...(saml ? { saml } : {}),
        admins,
      }),
      iamLimits,
      NAMESPACE,
    ),
  );

  return {
    kind: "shared",
    region,
    profile,
    hubAccountId,
    organizationId: r.string(
      "organizationId",
      ORGANIZATION_ID,
      "the AWS Organizations id of the hub and LOB accounts, such as o-abcd123456",
    ),
    hubVpcCidr,
    availabilityZones,
    lobs,
    spokesSupernet,
    extraEndpoints,
    corporate,
    clientCidrs,
    users,
    presignedUrl,
    accessRoleName,
    resolverInboundEndpoint,
    apiStageName: r.string("apiStageName", STAGE_NAME, "letters, digits and underscores", "v1"),
    apiThrottling,
    logRetentionDays: retention,
    mfa,
    userPoolDeletionProtection: r.boolean("userPoolDeletionProtection", true),
    threatProtection,
    auditTrail: r.boolean("auditTrail", true),
    customerManagedKey: r.boolean("customerManagedKey", true),
    ...(saml ? { saml } : {}),
    admins,
    iamLimits,
  };
}

const IAM_QUOTAS_EXPECTED =
  "{managedPoliciesPerRole, roleTrustPolicyCharacters}: the account's IAM quotas where Service Quotas raised them";

/**
 * `iamQuotas`: the account's IAM quotas that Service Quotas can raise, as raised there; IAM's
 * defaults when unset. A value below the default or above what AWS grants is refused.
 */
function parseIamQuotas(r: Reader): IamLimits {
  const raw = r.json("iamQuotas", IAM_QUOTAS_EXPECTED, {});
  if (!isRecord(raw)) {
    r.problem("iamQuotas", raw, IAM_QUOTAS_EXPECTED);
    return DEFAULT_IAM_LIMITS;
  }
  r.unknownNested("iamQuotas", raw, ["managedPoliciesPerRole", "roleTrustPolicyCharacters"]);
  const adjusted = (key: "managedPoliciesPerRole" | "roleTrustPolicyCharacters") => {
    const quota = QUOTAS[key];
    return r.integerValue(
      `iamQuotas.${key}`,
      raw[key] ?? quota.limit,
      quota.limit,
      quota.adjustable.upTo,
    );
  };
  return {
    ...DEFAULT_IAM_LIMITS,
    managedPoliciesPerRole: adjusted("managedPoliciesPerRole"),
    roleTrustPolicyCharacters: adjusted("roleTrustPolicyCharacters"),
  };
}

const SAML_EXPECTED =
  "{idpCertificates: [PEM, …]} or {idpMetadataXml}, with idpEntityId (unless the metadata gives it), and optionally userAttribute, groupsAttribute, groupLobs";
const ATTRIBUTE_NAME = /^[\w.:/-]{1,256}$/;
const SAML_CERTIFICATE_BYTES = 3000;

/** The optional `saml` map: the IdP's trust (certificates or metadata) and the group mapping. */
function parseSaml(
  r: Reader,
  lobs: Readonly<Record<string, LobEntry>>,
): SamlEntryConfig | undefined {
  const raw = r.json("saml", SAML_EXPECTED, undefined);
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    r.problem("saml", raw, SAML_EXPECTED);
    return undefined;
  }
  r.unknownNested("saml", raw, [
    "idpCertificates",
    "idpMetadataXml",
    "idpEntityId",
    "userAttribute",
    "groupsAttribute",
    "groupLobs",
  ]);
  let trust: IdpTrust | undefined;
  if ("idpCertificates" in raw === "idpMetadataXml" in raw) {
    r.problem("saml", Object.keys(raw), "exactly one of idpCertificates and idpMetadataXml");
  } else if ("idpMetadataXml" in raw) {
    const xml = raw.idpMetadataXml;
    try {
      if (typeof xml !== "string") throw new Error("is not text");
      trust = idpFromMetadata(xml);
    } catch (error) {
      r.problem(
        "saml.idpMetadataXml",
        "<metadata>",
        `the IdP's SAML metadata XML; it ${(error as Error).message}`,
      );
    }
  } else {
    const list = raw.idpCertificates;
    if (!Array.isArray(list) || list.length === 0 || list.length > 4)
      r.problem("saml.idpCertificates", list, "a list of 1 to 4 PEM certificates");
    else
      trust = {
        entityId: "",
        certificates: list.map((c) => (typeof c === "string" ? toPem(c) : "")),
      };
  }
  // They travel in the function's environment, which Lambda caps at 4 KB for all its variables.
  const certificateBytes = (trust?.certificates ?? []).reduce((n, pem) => n + pem.length, 0);
  if (certificateBytes > SAML_CERTIFICATE_BYTES)
    r.problem(
      "saml.idpCertificates",
      `${String(certificateBytes)} characters of PEM`,
      `at most ${String(SAML_CERTIFICATE_BYTES)} (Lambda's environment holds 4 KB in all): list the current certificate and the next one only`,
    );
  trust?.certificates.forEach((pem, i) => {
    const problem = certificateProblem(pem);
    if (problem)
      r.problem(
        `saml.idpCertificates[${String(i)}]`,
        "<certificate>",
        `a valid IdP certificate; it is ${problem}`,
      );
  });
  const entityId = typeof raw.idpEntityId === "string" ? raw.idpEntityId : trust?.entityId;
  if (!entityId) r.missing("saml.idpEntityId", "the IdP's entity id (its issuer)");
  else if (trust?.entityId && raw.idpEntityId !== undefined && raw.idpEntityId !== trust.entityId)
    r.problem("saml.idpEntityId", raw.idpEntityId, `the metadata's entityID (${trust.entityId})`);
  const attribute = (key: "userAttribute" | "groupsAttribute") => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || !ATTRIBUTE_NAME.test(value)) {
      r.problem(`saml.${key}`, value, "a SAML attribute name");
      return undefined;
    }
    return value;
  };
  const groupLobs: Record<string, string[]> = {};
  if (raw.groupLobs !== undefined) {
    if (!isRecord(raw.groupLobs))
      r.problem("saml.groupLobs", raw.groupLobs, "a map of group name to a list of LOBs");
    else
      for (const [group, value] of Object.entries(raw.groupLobs)) {
        if (
          !Array.isArray(value) ||
          value.length === 0 ||
          !value.every((l) => {
            if (typeof l !== "string") return false;
            const [lob = "", team, ...rest] = l.split("/");
            return lob in lobs && rest.length === 0 && (team === undefined || TEAM_NAME.test(team));
          })
        )
          r.problem(
            `saml.groupLobs.${group}`,
            value,
            `a list of LOBs of lobs (${Object.keys(lobs).join(", ")}), each alone or with a team (lob-a/analytics)`,
          );
        else groupLobs[group] = value as string[];
      }
  }
  const groupsAttribute = attribute("groupsAttribute");
  if (Object.keys(groupLobs).length > 0 && groupsAttribute === undefined)
    r.missing("saml.groupsAttribute", "the attribute listing the user's groups, for groupLobs");
  const userAttribute = attribute("userAttribute");
  return {
    idpCertificates: trust?.certificates ?? [],
    idpEntityId: entityId ?? "",
    ...(userAttribute ? { userAttribute } : {}),
    ...(groupsAttribute ? { groupsAttribute } : {}),
    groupLobs,
  };
}

/**
 * A list of usernames, each with a valid profile name in `team`. Two usernames never share a
 * profile name (`profileNameFor` hashes every username), so only repeats are refused.
 */
function parseMembers(r: Reader, key: string, raw: unknown, team: string): string[] {
  const members: string[] = [];
  if (!Array.isArray(raw)) {
    r.problem(key, raw, "a list of usernames");
    return members;
  }
  raw.forEach((member, i) => {
    const profile = typeof member === "string" ? teamProfileName(member, team) : undefined;
    if (typeof member !== "string" || profile === undefined) {
      r.problem(
        `${key}[${i}]`,
        member,
        "a Cognito username (no spaces, at most 128 characters) with a letter or digit",
      );
    } else if (members.includes(member)) {
      r.problem(`${key}[${i}]`, member, "a username not already listed");
    } else {
      members.push(member);
    }
  });
  return members;
}

/** `teams: {<team>: {members?, policies?, tags?}}`, each value checked and named on failure. */
function parseTeams(r: Reader, raw: unknown): TeamConfig[] {
  if (
    typeof raw !== "object" ||
    raw === null ||
    Array.isArray(raw) ||
    Object.keys(raw).length === 0
  ) {
    r.problem(
      "teams",
      raw,
      "an object of team name to {members, policies, tags}, with at least one team",
    );
    return [];
  }
  const teams: TeamConfig[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const key = `teams.${name}`;
    if (!TEAM_NAME.test(name) || name === DEFAULT_TEAM) {
      r.problem(
        "teams",
        name,
        `team names of lower-case letters and digits in dash-separated words, at most 20 characters, other than "${DEFAULT_TEAM}"`,
      );
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      r.problem(key, value, "an object with members, policies and tags");
      continue;
    }
    const team = value as Record<string, unknown>;
    for (const unknownKey of Object.keys(team).filter((k) => !TEAM_KEYS.includes(k)))
      r.problem(
        `${key}.${unknownKey}`,
        team[unknownKey],
        `no such setting (known: ${TEAM_KEYS.join(", ")})`,
      );
    const managedPolicyArns: string[] = [];
    const inlinePolicies: PolicyDocument[] = [];
    const policies = team.policies ?? [];
    if (!Array.isArray(policies))
      r.problem(`${key}.policies`, policies, "a list of managed policy ARNs or policy documents");
    else
      policies.forEach((policy, i) => {
        if (typeof policy === "string" && MANAGED_POLICY_ARN.test(policy))
          managedPolicyArns.push(policy);
        else if (
          typeof policy === "object" &&
          policy !== null &&
          (policy as Record<string, unknown>).Version === "2012-10-17" &&
          Array.isArray((policy as Record<string, unknown>).Statement) &&
          ((policy as Record<string, unknown[]>).Statement ?? []).length > 0
        )
          inlinePolicies.push(policy as PolicyDocument);
        else
          r.problem(
            `${key}.policies[${i}]`,
            policy,
            'a managed policy ARN (arn:aws:iam::aws:policy/... or arn:aws:iam::<account>:policy/...) or a policy document {Version: "2012-10-17", Statement: [...]}',
          );
      });
    const tags: Record<string, string> = {};
    const tagsRaw = team.tags ?? {};
    if (typeof tagsRaw !== "object" || Array.isArray(tagsRaw))
      r.problem(`${key}.tags`, tagsRaw, "an object of tag key to value");
    else {
      // How many fit on the team's role is checked with the other IAM quotas, in parseLob.
      const entries = Object.entries(tagsRaw as Record<string, unknown>);
      for (const [tagKey, tagValue] of entries) {
        if (!TAG_KEY.test(tagKey) || /^(aws:|studio-access:)/i.test(tagKey))
          r.problem(
            `${key}.tags`,
            tagKey,
            "tag keys of IAM's characters, not starting with aws: or studio-access:",
          );
        else if (typeof tagValue !== "string" || !TAG_VALUE.test(tagValue))
          r.problem(
            `${key}.tags.${tagKey}`,
            tagValue,
            "a tag value of at most 256 of IAM's characters",
          );
        else tags[tagKey] = tagValue;
      }
    }
    teams.push({
      name,
      members: parseMembers(r, `${key}.members`, team.members ?? [], name),
      managedPolicyArns,
      inlinePolicies,
      tags,
    });
  }
  return teams;
}

function parseLob(r: Reader, region: string, profile: string | undefined): LobConfig {
  const lob = r.string(
    "lob",
    LOB_NAME,
    "a LOB name of lower-case letters, digits and dashes, as in the hub's lobs",
  );
  const sharedStack = r.string(
    "sharedStack",
    STACK_NAME,
    "the hub stack's full name, <organization>/studio-access/<stack>",
  );
  const hubRoleArn = r.raw("hubRoleArn");
  if (hubRoleArn !== undefined && !ROLE_ARN.test(hubRoleArn))
    r.problem("hubRoleArn", hubRoleArn, "an IAM role ARN in the hub account");
  const membersRaw = r.json("members", "a list of usernames", undefined);
  const teamsRaw = r.json(
    "teams",
    "an object of team name to {members, policies, tags}",
    undefined,
  );
  let teams: TeamConfig[] = [];
  if (teamsRaw === undefined) {
    teams = [
      {
        name: DEFAULT_TEAM,
        members: parseMembers(r, "members", membersRaw ?? [], DEFAULT_TEAM),
        managedPolicyArns: [],
        inlinePolicies: [],
        tags: {},
      },
    ];
  } else {
    if (membersRaw !== undefined)
      r.problem(
        "members",
        membersRaw,
        "no top-level members when teams are set: list them under teams.<team>.members",
      );
    teams = parseTeams(r, teamsRaw);
  }
  const retention = r.raw("homeEfsRetention") ?? "Retain";
  if (retention !== "Retain" && retention !== "Delete")
    r.problem("homeEfsRetention", retention, "Retain or Delete");
  const homes = r.raw("homeDirectories") ?? "keep";
  if (homes !== "keep" && homes !== "remove")
    r.problem(
      "homeDirectories",
      homes,
      "keep (a revoked user's files stay on the domain's EFS) or remove (offboarding deletes them)",
    );
  const homeDirectories = homes === "remove" ? "remove" : "keep";
  // Every role the LOB's stack makes, within the LOB account's IAM quotas: each team's role holds
  // studio-access's policies and the team's own, the provisioning role a grant per team.
  const iamLimits = parseIamQuotas(r);
  r.problems.push(
    ...roleQuotaProblems(
      lobRolePlans({ region, lob, teams, homeDirectories }),
      iamLimits,
      NAMESPACE,
    ),
  );
  return {
    kind: "lob",
    region,
    profile,
    lob,
    sharedStack,
    hubRoleArn,
    availabilityZones: r.integer("availabilityZones", 2, 6, 2),
    teams,
    homeEfsRetention: retention === "Delete" ? "Delete" : "Retain",
    homeDirectories,
    iamLimits,
  };
}

/**
 * Validates a stack's configuration before any resource is declared.
 * @param values the `studio-access:` keys, without the prefix, as Pulumi hands them over
 * @param aws the stack's `aws:region` and `aws:profile`
 */
export function parseStackConfig(
  values: Readonly<Record<string, string>>,
  aws: { region?: string; profile?: string },
): StackConfig {
  const r = new Reader(values, NAMESPACE);
  const region = aws.region ?? "";
  if (aws.region === undefined)
    r.problems.push(
      "aws:region is not set: expected the AWS region of this stack, such as us-east-1",
    );
  else if (!REGION.test(aws.region))
    r.problems.push(`aws:region is ${show(aws.region)}: expected an AWS region such as us-east-1`);

  const kind = values.kind;
  let config: StackConfig | undefined;
  if (kind === "shared") {
    r.unknownKeys(SHARED_KEYS, {
      lobAccounts:
        'name every LOB in lobs instead, with its range and deployer: lobs: {lob-a: {accountId: "222222222222", vpcCidr: "10.1.0.0/16", deployer: "arn:aws:iam::222222222222:role/..."}}',
    });
    config = parseShared(r, region, aws.profile);
  } else if (kind === "lob") {
    r.unknownKeys(LOB_KEYS, {
      vpcCidr: "the hub names each LOB's range: set lobs.<lob>.vpcCidr in the shared stack",
      hubProfile:
        "the LOB stack reaches the hub through the deployer role the hub creates for it (or hubRoleArn)",
    });
    config = parseLob(r, region, aws.profile);
  } else if (kind === undefined) {
    r.missing("kind", "shared (the hub stack) or lob (a LOB's stack)");
  } else {
    r.problem("kind", kind, "shared (the hub stack) or lob (a LOB's stack)");
  }
  if (r.problems.length > 0 || !config) throw new ConfigError(r.problems);
  return config;
}
