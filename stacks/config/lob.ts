import { z } from "zod";
import type { IamLimits } from "../../components/lib/quotas";
import { DEFAULT_IAM_LIMITS } from "../../components/lib/quotas";
import { lobRolePlans, roleQuotaProblems } from "../../components/lib/role-quotas";
import type { TeamConfig } from "../../components/studio-spoke";
import type { HomeDirectories } from "../../functions/shared/homes";
import { LOB_NAME } from "../../functions/shared/tables";
import { DEFAULT_TEAM } from "../../functions/shared/teams";
import {
  integer,
  matching,
  NAMESPACE,
  parseSection,
  Problems,
  sameButCase,
  unknownKeys,
} from "./common";
import type { BudgetConfig } from "../../components/spoke/budgets";
import { budget, budgetQuotaProblems } from "./budget";
import { iamQuotas } from "./iam-quotas";
import { lobAllowReplacement } from "./replacement";
import { idleShutdown, instanceTypes, spaceStorage } from "./studio-limits";
import { DEFAULT_SPACE_STORAGE, type SpaceStorage } from "../../functions/shared/space-storage";
import { DEFAULT_INSTANCE_TYPES } from "../../components/policies/instance-types";
import type { IdleShutdown } from "../../functions/shared/idle-shutdown";
import { members, teams } from "./teams";

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
  /** The LOB's monthly cost budget, when it has one (each team's is on its TeamConfig). */
  readonly budget?: BudgetConfig;
  /** The stateful resources this update may replace, by label (stacks/replacement-guard.ts). */
  readonly allowReplacement: readonly string[];
  /** Idle shutdown of the LOB's Studio apps; absent, the hub's `idleShutdown` (issue #21). */
  readonly idleShutdown?: IdleShutdown;
  /** The instance types a team without its own `instanceTypes` may start. */
  readonly instanceTypes: readonly string[];
  /** A space's storage for a team without its own `spaceStorage` (issue #21). */
  readonly spaceStorage: SpaceStorage;
}

/** A LOB stack's settings (`studio-access:kind: lob`), in the order they are listed. */
export const lobShape = {
  kind: z.literal("lob"),
  lob: matching(
    LOB_NAME,
    "a LOB name of lower-case letters, digits and dashes, as in the hub's lobs",
  ),
  sharedStack: matching(
    /^[^/\s]+\/[^/\s]+\/[^/\s]+$/,
    "the hub stack's full name, <organization>/studio-access/<stack>",
  ),
  hubRoleArn: matching(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/,
    "an IAM role ARN in the hub account",
  ).optional(),
  availabilityZones: integer(2, 6).default(2).describe("how many zones the LOB's VPC spans"),
  // The one team "default" (members), or named teams (teams), not both.
  members: members.optional(),
  teams: teams.optional(),
  homeEfsRetention: z.enum(["Retain", "Delete"], { error: "Retain or Delete" }).default("Retain"),
  homeDirectories: z
    .enum(["keep", "remove"], {
      error:
        "keep (a revoked user's files stay on the domain's EFS) or remove (offboarding deletes them)",
    })
    .default("keep"),
  iamQuotas,
  budget: budget.optional(),
  allowReplacement: lobAllowReplacement,
  idleShutdown: idleShutdown.optional(),
  instanceTypes: instanceTypes.default([...DEFAULT_INSTANCE_TYPES]),
  spaceStorage: spaceStorage.default(DEFAULT_SPACE_STORAGE),
};

/** Keys of earlier versions, each with what replaced it. */
const RETIRED = {
  vpcCidr: "the hub names each LOB's range: set lobs.<lob>.vpcCidr in the shared stack",
  hubProfile:
    "the LOB stack reaches the hub through the deployer role the hub creates for it (or hubRoleArn)",
};

/** A LOB stack's config: each key checked alone, then what holds between them. */
export function parseLob(
  values: Readonly<Record<string, string>>,
  region: string,
  profile: string | undefined,
  problems: Problems,
): LobConfig {
  unknownKeys(values, Object.keys(lobShape), RETIRED, problems);
  const parsed = parseSection(lobShape, values, problems);
  if ("teams" in values && parsed.members !== undefined)
    problems.at(
      "members",
      parsed.members,
      "no top-level members when teams are set: list them under teams.<team>.members",
    );
  // No teams: the LOB is one team, "default", of `members`.
  const lobTeams: TeamConfig[] =
    "teams" in values
      ? (parsed.teams ?? [])
      : [
          {
            name: DEFAULT_TEAM,
            members: parsed.members ?? [],
            managedPolicyArns: [],
            inlinePolicies: [],
            tags: {},
          },
        ];
  for (const team of lobTeams)
    sameButCase(
      team.members.map((username, i) => ({
        key: team.name === DEFAULT_TEAM ? `members[${i}]` : `teams.${team.name}.members[${i}]`,
        username,
      })),
      problems,
    );
  const config: LobConfig = {
    kind: "lob",
    region,
    profile,
    lob: parsed.lob ?? "",
    sharedStack: parsed.sharedStack ?? "",
    hubRoleArn: parsed.hubRoleArn,
    availabilityZones: parsed.availabilityZones ?? 2,
    teams: lobTeams,
    homeEfsRetention: parsed.homeEfsRetention ?? "Retain",
    homeDirectories: parsed.homeDirectories ?? "keep",
    iamLimits: parsed.iamQuotas ?? DEFAULT_IAM_LIMITS,
    ...(parsed.budget ? { budget: parsed.budget } : {}),
    allowReplacement: parsed.allowReplacement ?? [],
    ...(parsed.idleShutdown !== undefined ? { idleShutdown: parsed.idleShutdown } : {}),
    instanceTypes: parsed.instanceTypes ?? [...DEFAULT_INSTANCE_TYPES],
    spaceStorage: parsed.spaceStorage ?? DEFAULT_SPACE_STORAGE,
  };
  // AWS Budgets' quotas, before anything is declared.
  budgetQuotaProblems(
    [
      ...(parsed.budget ? [{ key: "budget", budget: parsed.budget }] : []),
      ...lobTeams.flatMap((team) =>
        team.budget ? [{ key: `teams.${team.name}.budget`, budget: team.budget }] : [],
      ),
    ],
    problems,
  );
  // Every role the LOB's stack makes, within the LOB account's IAM quotas: each team's role holds
  // studio-access's policies and the team's own, the provisioning role a grant per team.
  problems.list.push(
    ...roleQuotaProblems(
      lobRolePlans({
        region,
        lob: config.lob,
        teams: lobTeams,
        homeDirectories: config.homeDirectories,
        instanceTypes: config.instanceTypes,
      }),
      config.iamLimits,
      NAMESPACE,
    ),
  );
  return config;
}

/** Teams nobody is in yet: allowed (members come later), but worth a word in the plan. */
export function emptyTeamWarnings(config: LobConfig): string[] {
  return config.teams
    .filter((team) => team.members.length === 0)
    .map((team) =>
      team.name === DEFAULT_TEAM
        ? `${NAMESPACE}:members is empty: the LOB has no users yet; list their usernames in members (or under teams.<team>.members)`
        : `${NAMESPACE}:teams.${team.name} has no members: its role and policies are made but nobody can use them; list usernames in teams.${team.name}.members, or remove the team`,
    );
}
