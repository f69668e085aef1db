import { DEFAULT_TEAM, teamRoleArn } from "../../functions/shared/teams";
import { HOMES_FUNCTION_NAME } from "../../functions/shared/homes";
import { serviceTrustPolicy, type PolicyDocument } from "../policies/document";
import {
  lifecycleRoleName,
  lobAccessRoleNames,
  usageReaderRolePathName,
} from "../policies/role-names";
import {
  adminPolicy,
  adminTrustPolicy,
  assumeRolesPolicies,
  authorizerPolicy,
  portalPolicy,
  lifecyclePolicy,
  presignerPolicy,
  samlEntryPolicy,
} from "../policies/hub-roles";
import {
  accessRolePolicy,
  accessRoleTrustPolicy,
  homesFunctionPolicy,
  lifecycleLobPolicy,
  provisionerPolicy,
  usageReaderPolicy,
  usageReaderTrustPolicy,
} from "../policies/lob-roles";
import {
  executionRoleTrustPolicy,
  studioExecutionPolicy,
  teamAbacPolicy,
  teamDenyPolicy,
} from "../policies/studio-roles";
import { deployerPolicy, deployerTrustPolicy } from "../policies/hub-deployer-roles";
import { instanceTypesPolicy } from "../policies/instance-types";
import { failedRecordsPolicy } from "../policies/monitoring";
import { QUOTAS, type IamLimits } from "./quotas";
import { endpointServices, type ExtraEndpoint } from "./endpoints";

/**
 * Every IAM role the program makes, as IAM will measure it, computed from the config alone before
 * anything is declared: its trust policy, its inline policies (from the same builders the
 * components call), how many managed policies it has attached and how many tags it carries. Values
 * AWS or Pulumi pick at `pulumi up` (ids, generated names) are stood in for by placeholders of the
 * longest form they take, so a config that fits here fits with any real values.
 */
export interface RolePlan {
  /** The role's Pulumi resource name, as the component declares it. */
  readonly resource: string;
  /** How an error names the role: "lob-a's execution role of team analytics". */
  readonly role: string;
  /** The config key whose value makes the role grow, and that an error names. */
  readonly key: string;
  /** A more precise key for some quotas (a team's tags, rather than its policies). */
  readonly keyFor?: Partial<Record<keyof IamLimits, string>>;
  readonly trust: PolicyDocument;
  /** Its inline policies: studio-access's own, then (for a team role) the team's documents. */
  readonly inline: readonly PolicyDocument[];
  readonly managedPolicies: number;
  /** Its tags, the provider's default tags included. */
  readonly tags: number;
  /** What to change when the role is over a quota, by quota; a generic hint otherwise. */
  readonly remedies: Partial<Record<keyof IamLimits, string>>;
}

/** The figures IAM checks against its quotas, for one role. */
export interface RoleUse {
  readonly roleInlinePolicyCharacters: number;
  readonly managedPoliciesPerRole: number;
  readonly roleTrustPolicyCharacters: number;
  readonly tagsPerRole: number;
}

/**
 * A policy's size as IAM counts it: its characters without white space ("IAM does not count white
 * space when calculating the size of a policy against these quotas", IAM and AWS STS quotas,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export function policyCharacters(doc: PolicyDocument): number {
  return JSON.stringify(doc).replace(/\s/g, "").length;
}

export function roleUse(plan: RolePlan): RoleUse {
  return {
    roleInlinePolicyCharacters: plan.inline.reduce((n, doc) => n + policyCharacters(doc), 0),
    managedPoliciesPerRole: plan.managedPolicies,
    roleTrustPolicyCharacters: policyCharacters(plan.trust),
    tagsPerRole: plan.tags,
  };
}

/**
 * The stack tags every resource carries through the provider's default tags (`stackTags()` in
 * stacks/shared.ts): studio-access:stack and studio-access:managed-by. A LOB's provider adds
 * studio-access:lob.
 */
export const STACK_TAG_COUNT = 2;

/** Placeholders of the longest form each generated value takes. */
const PLACEHOLDER = {
  /** An account id: always 12 digits. */
  account: "000000000000",
  /** A SageMaker domain id: d- and 12 characters. */
  domainId: "d-xxxxxxxxxxxx",
  /** A VPC endpoint id: vpce- and 17 hexadecimal digits. */
  endpointId: "vpce-00000000000000000",
  /** A transit gateway route table id: tgw-rtb- and 17 hexadecimal digits. */
  tgwRouteTableId: "tgw-rtb-00000000000000000",
  /** A Route 53 hosted zone id: at most 32 characters. */
  zoneId: `Z${"0".repeat(31)}`,
  /** An EFS file system and access point id: fs- / fsap- and 17 hexadecimal digits. */
  fileSystemId: "fs-00000000000000000",
  accessPointId: "fsap-00000000000000000",
  /** A DynamoDB stream label: an ISO 8601 time to the millisecond. */
  streamLabel: "2026-12-04T00:00:00.000",
  /** A Cognito user pool id: <region>_ and 9 characters. */
  poolSuffix: "_xxxxxxxxx",
} as const;

/** A name Pulumi generates from a logical one: the name, a dash and 7 random characters. */
const autoName = (logical: string) => `${logical}-xxxxxxx`;

/** What the hub's roles depend on: the shared stack's config. */
export interface HubRoleInputs {
  readonly region: string;
  readonly hubAccountId: string;
  /** Each LOB's account and the principal that deploys it. */
  readonly lobs: Readonly<
    Record<string, { readonly accountId: string; readonly deployer: string }>
  >;
  readonly accessRoleName: string;
  /** The extra endpoints: each has a zone spokes associate (the deployer role authorizes each). */
  readonly extraEndpoints: readonly ExtraEndpoint[];
  /** The SAML entry, when there is one. */
  readonly saml?: unknown;
  readonly admins: readonly string[];
}

/** The hub's roles, as components/access/ and components/lob-deployer.ts make them. */
export function hubRolePlans(hub: HubRoleInputs): RolePlan[] {
  const { region, hubAccountId: account } = hub;
  // The AccessApp's parts name their resources "access-<key>" (stacks/shared.ts: "access").
  const table = (key: string) =>
    `arn:aws:dynamodb:${region}:${account}:table/${autoName(`access-${key}`)}`;
  const logGroup = (key: string) =>
    `arn:aws:logs:${region}:${account}:log-group:${autoName(`access-${key}`)}`;
  const usersTableArn = table("entitlements");
  const lobsTableArn = table("lobs");
  const lambdaTrust = serviceTrustPolicy("lambda.amazonaws.com");
  const common = { tags: STACK_TAG_COUNT, remedies: {} };
  const accounts = Object.values(hub.lobs).map((lob) => lob.accountId);
  const spokeZones = endpointServices(region, hub.extraEndpoints).filter(
    (e) => e.audience === "hub-and-spokes",
  ).length;
  const lobCount = `${String(accounts.length)} LOBs`;
  // The same grants as components/access/ declares: the role names, in the LOB accounts.
  const assumeAccess = assumeRolesPolicies(
    "AssumeLobAccessRoles",
    lobAccessRoleNames(hub.accessRoleName),
    accounts,
  ).length;
  const assumeLifecycle = assumeRolesPolicies(
    "AssumeLobLifecycleRoles",
    [lifecycleRoleName(hub.accessRoleName)],
    accounts,
  ).length;
  const assumeUsage = assumeRolesPolicies(
    "AssumeLobUsageReaders",
    [usageReaderRolePathName(hub.accessRoleName)],
    accounts,
  ).length;
  const grants = (what: string) =>
    `it is granted ${what} in managed policies of at most ${QUOTAS.managedPolicyCharacters.limit.toLocaleString("en-US")} characters, about 390 accounts each: fewer LOBs fit in fewer`;
  const plans: RolePlan[] = [
    {
      resource: "access-authorizer",
      role: "the hub's authorizer function role",
      key: "lobs",
      trust: lambdaTrust,
      inline: [authorizerPolicy({ logGroupArn: logGroup("authorizer") })],
      managedPolicies: 0,
      ...common,
    },
    {
      resource: "access-portal",
      role: "the hub's portal function role",
      key: "lobs",
      trust: lambdaTrust,
      inline: [portalPolicy({ logGroupArn: logGroup("portal") })],
      managedPolicies: 0,
      ...common,
    },
    {
      resource: "access-presigner",
      role: "the hub's presigner function role",
      key: "lobs",
      trust: lambdaTrust,
      inline: [
        presignerPolicy({ usersTableArn, lobsTableArn, logGroupArn: logGroup("presigner") }),
      ],
      managedPolicies: assumeAccess,
      ...common,
      remedies: {
        managedPoliciesPerRole: grants(`each of the ${lobCount}' access and provisioning roles`),
      },
    },
    {
      resource: "access-lifecycle",
      role: "the hub's lifecycle function role",
      key: "lobs",
      trust: lambdaTrust,
      inline: [
        lifecyclePolicy({
          usersTableArn,
          streamArn: `${usersTableArn}/stream/${PLACEHOLDER.streamLabel}`,
          lobsTableArn,
          logGroupArn: logGroup("lifecycle"),
        }),
        // Its on-failure queue (auto-named, so planned at SQS's longest name, 80 characters).
        failedRecordsPolicy({ queueArn: `arn:aws:sqs:${region}:${account}:${"q".repeat(80)}` }),
      ],
      managedPolicies: assumeLifecycle,
      ...common,
      remedies: { managedPoliciesPerRole: grants(`each of the ${lobCount}' lifecycle roles`) },
    },
  ];
  if (hub.saml !== undefined)
    plans.push({
      resource: "access-saml",
      role: "the hub's SAML entry function role",
      key: "lobs",
      trust: lambdaTrust,
      inline: [
        samlEntryPolicy({
          usersTableArn,
          lobsTableArn,
          replayTableArn: table("replay"),
          logGroupArn: logGroup("saml"),
        }),
      ],
      managedPolicies: assumeAccess,
      ...common,
      remedies: {
        managedPoliciesPerRole: grants(`each of the ${lobCount}' access and provisioning roles`),
      },
    });
  if (hub.admins.length > 0)
    plans.push({
      resource: "access-admin",
      role: "the hub's admin role",
      key: "admins",
      trust: adminTrustPolicy({ admins: hub.admins }),
      inline: [
        adminPolicy({
          usersTableArn,
          lobsTableArn,
          userPoolArn: `arn:aws:cognito-idp:${region}:${account}:userpool/${region}${PLACEHOLDER.poolSuffix}`,
        }),
      ],
      managedPolicies: assumeUsage,
      ...common,
      remedies: {
        roleTrustPolicyCharacters: "its trust policy names every admin: list fewer",
        managedPoliciesPerRole: grants(`each of the ${lobCount}' usage reader roles`),
      },
    });
  plans.push({
    resource: "access-apigateway-logs",
    role: "the hub's API Gateway logging role",
    key: "apiStageName",
    trust: serviceTrustPolicy("apigateway.amazonaws.com"),
    inline: [],
    managedPolicies: 1,
    ...common,
  });
  for (const [lob, entry] of Object.entries(hub.lobs))
    plans.push({
      resource: `${lob}-deployer`,
      role: `${lob}'s deployer role in the hub`,
      key: `lobs.${lob}`,
      trust: deployerTrustPolicy({ deployer: entry.deployer }),
      inline: [
        deployerPolicy({
          region,
          hubAccountId: account,
          lob,
          spokesRouteTableId: PLACEHOLDER.tgwRouteTableId,
          hubRouteTableId: PLACEHOLDER.tgwRouteTableId,
          zoneIds: Array.from({ length: spokeZones }, () => PLACEHOLDER.zoneId),
          usersTableArn,
          lobsTableArn,
        }),
      ],
      managedPolicies: 0,
      ...common,
    });
  return plans;
}

/** What a LOB's roles depend on: the LOB stack's config (the hub's values are placeholders). */
export interface LobRoleInputs {
  readonly region: string;
  readonly lob: string;
  readonly teams: readonly {
    readonly name: string;
    readonly managedPolicyArns: readonly string[];
    readonly inlinePolicies: readonly PolicyDocument[];
    readonly tags: Readonly<Record<string, string>>;
    /** The team's own instance types; absent, the LOB's. */
    readonly instanceTypes?: readonly string[];
  }[];
  readonly homeDirectories: "keep" | "remove";
  /** The LOB's instance types (LOB `instanceTypes`): its default role's, and a team's by default. */
  readonly instanceTypes: readonly string[];
}

/**
 * A LOB's roles, as components/spoke/ (domain.ts, team-roles.ts, access-roles.ts) and
 * components/home-directories.ts make them.
 */
export function lobRolePlans(spoke: LobRoleInputs): RolePlan[] {
  const { region, lob } = spoke;
  const accountId = PLACEHOLDER.account;
  const domainId = PLACEHOLDER.domainId;
  const hubRole = (logical: string) =>
    `arn:aws:iam::${PLACEHOLDER.account}:role/${autoName(`access-${logical}`)}`;
  // The provider's default tags: the stack's, and the LOB's (stacks/lob.ts).
  const ownTags = STACK_TAG_COUNT + 1;
  const common = { tags: ownTags, managedPolicies: 0, remedies: {} };
  const executionTrust = executionRoleTrustPolicy();
  const studio = studioExecutionPolicy({ region, accountId, domainId });
  // The hub's SAML entry may be added later: its role is counted in the trust from the start.
  const accessTrust = accessRoleTrustPolicy({
    presignerRoleArn: hubRole("presigner"),
    samlRoleArn: hubRole("saml"),
    stsEndpointId: PLACEHOLDER.endpointId,
  });
  const plans: RolePlan[] = [
    {
      resource: `${lob}-execution`,
      role: `${lob}'s Studio execution role`,
      key: "teams",
      trust: executionTrust,
      inline: [studio, instanceTypesPolicy(spoke.instanceTypes)],
      ...common,
    },
  ];
  for (const team of spoke.teams) {
    // The default team (a LOB without teams) has no policies or tags of its own in the config.
    const key = team.name === DEFAULT_TEAM ? "members" : `teams.${team.name}`;
    // Its team and LOB tags are studio-access's own; the LOB tag is also a default tag.
    const teamOwnTags = ownTags + 1;
    const own = [
      studio,
      teamAbacPolicy({ region, accountId, teamRoleArn: teamRoleArn(accountId, team.name) }),
      teamDenyPolicy(),
      instanceTypesPolicy(team.instanceTypes ?? spoke.instanceTypes),
    ];
    const ownCharacters = own.reduce((n, doc) => n + policyCharacters(doc), 0);
    plans.push({
      resource: `${lob}-team-${team.name}`,
      role: `${lob}'s execution role of team ${team.name}`,
      key: team.name === DEFAULT_TEAM ? key : `${key}.policies`,
      keyFor: team.name === DEFAULT_TEAM ? {} : { tagsPerRole: `${key}.tags` },
      trust: executionTrust,
      inline: [...own, ...team.inlinePolicies],
      managedPolicies: team.managedPolicyArns.length,
      // The config refuses team tag keys starting with studio-access:, so none is counted twice.
      tags: Object.keys(team.tags).length + teamOwnTags,
      remedies: {
        roleInlinePolicyCharacters: `${ownCharacters.toLocaleString("en-US")} of them are studio-access's own: move the team's policy documents into customer managed policies and list their ARNs instead`,
        managedPoliciesPerRole: "list fewer managed policy ARNs (combine some into one policy)",
        tagsPerRole: `${String(teamOwnTags)} of them are studio-access's own: give the team at most ${String(QUOTAS.tagsPerRole.limit - teamOwnTags)} tags`,
      },
    });
  }
  const teams = spoke.teams.map((t) => t.name);
  plans.push(
    {
      resource: `${lob}-access`,
      role: `${lob}'s access role`,
      key: "teams",
      trust: accessTrust,
      inline: [
        accessRolePolicy({
          region,
          accountId,
          domainId,
          lob,
          sageMakerApiEndpointId: PLACEHOLDER.endpointId,
          studioEndpointId: PLACEHOLDER.endpointId,
        }),
      ],
      ...common,
    },
    {
      resource: `${lob}-provisioner`,
      role: `${lob}'s provisioning role`,
      key: "teams",
      trust: accessTrust,
      inline: [
        provisionerPolicy({
          region,
          accountId,
          domainId,
          lob,
          teams,
          sageMakerApiEndpointId: PLACEHOLDER.endpointId,
        }),
      ],
      ...common,
      remedies: {
        roleInlinePolicyCharacters: `its policy grows with each team: give ${lob} fewer teams, or shorter team names`,
      },
    },
    {
      resource: `${lob}-lifecycle`,
      role: `${lob}'s lifecycle role`,
      key: "homeDirectories",
      trust: accessRoleTrustPolicy({
        presignerRoleArn: hubRole("lifecycle"),
        stsEndpointId: PLACEHOLDER.endpointId,
      }),
      inline: [
        lifecycleLobPolicy({
          region,
          accountId,
          domainId,
          lob,
          sageMakerApiEndpointId: PLACEHOLDER.endpointId,
          ...(spoke.homeDirectories === "remove"
            ? { removeHomes: { lambdaEndpointId: PLACEHOLDER.endpointId } }
            : {}),
        }),
      ],
      ...common,
    },
  );
  // The usage reader (admin usage) exists when the hub has admins; the hub may get them later, so
  // it is counted from the start.
  plans.push({
    resource: `${lob}-usage`,
    role: `${lob}'s usage reader role`,
    key: "teams",
    trust: usageReaderTrustPolicy({ adminRoleArn: hubRole("admin") }),
    inline: [usageReaderPolicy({ region, accountId, domainId, lob })],
    ...common,
  });
  if (spoke.homeDirectories === "remove") {
    const efs = `arn:aws:elasticfilesystem:${region}:${accountId}`;
    plans.push({
      resource: `${lob}-homes`,
      role: `${lob}'s home-directory function role`,
      key: "homeDirectories",
      trust: serviceTrustPolicy("lambda.amazonaws.com"),
      inline: [
        homesFunctionPolicy({
          fileSystemArn: `${efs}:file-system/${PLACEHOLDER.fileSystemId}`,
          accessPointArn: `${efs}:access-point/${PLACEHOLDER.accessPointId}`,
          logGroupArn: `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${HOMES_FUNCTION_NAME}`,
        }),
      ],
      ...common,
    });
  }
  return plans;
}

const UNIT: Record<keyof IamLimits, (n: string) => string> = {
  roleInlinePolicyCharacters: (n) => `${n} characters of inline policy`,
  managedPoliciesPerRole: (n) => `${n} attached managed policies`,
  roleTrustPolicyCharacters: (n) => `a trust policy of ${n} characters`,
  tagsPerRole: (n) => `${n} tags`,
};

/**
 * One message per role and quota it would exceed: the config key, the role (its LOB and team), the
 * figure, the limit and the way past it.
 */
export function roleQuotaProblems(
  plans: readonly RolePlan[],
  limits: IamLimits,
  namespace: string,
): string[] {
  const problems: string[] = [];
  for (const plan of plans) {
    const use = roleUse(plan);
    for (const quota of Object.keys(UNIT) as (keyof IamLimits)[]) {
      const used = use[quota];
      const limit = limits[quota];
      if (used <= limit) continue;
      const documented = QUOTAS[quota] as {
        what: string;
        adjustable?: { upTo: number; configKey: string };
      };
      const raise =
        documented.adjustable && limit < documented.adjustable.upTo
          ? `; or have the quota raised (Service Quotas, up to ${documented.adjustable.upTo.toLocaleString("en-US")}) and set ${namespace}:${documented.adjustable.configKey}`
          : "";
      const remedy = plan.remedies[quota] ?? "no config of this stack can reach it: report it";
      problems.push(
        `${namespace}:${plan.keyFor?.[quota] ?? plan.key} gives ${plan.role} ${UNIT[quota](used.toLocaleString("en-US"))}, over IAM's quota of ${limit.toLocaleString("en-US")} ${documented.what}: ${remedy}${raise}`,
      );
    }
  }
  return problems;
}
