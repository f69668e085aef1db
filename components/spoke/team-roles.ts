import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { TAGS, TEAM_ROLE_PATH, teamRoleName } from "../../functions/shared/teams";
import type { IdleShutdown } from "../../functions/shared/idle-shutdown";
import type { SpaceStorage } from "../../functions/shared/space-storage";
import type { PolicyDocument } from "../policies/document";
import { instanceTypesPolicy } from "../policies/instance-types";
import { executionRoleTrustPolicy, teamAbacPolicy, teamDenyPolicy } from "../policies/studio-roles";
import type { BudgetConfig } from "./budgets";
import type { SpokeScope } from "./scope";

/** A team of a LOB: its own execution role, and a profile per member. */
export interface TeamConfig {
  readonly name: string;
  /** Seed entitlements: each member's profile is created on their first sign-in. */
  readonly members: readonly string[];
  /** Managed policy ARNs attached to the team's execution role. */
  readonly managedPolicyArns: readonly string[];
  /** Inline policies of the team's execution role. */
  readonly inlinePolicies: readonly PolicyDocument[];
  /** Tags of the team's execution role (its team and LOB tags are studio-access's own). */
  readonly tags: Readonly<Record<string, string>>;
  /** The team's monthly cost budget, when it has one (components/spoke/budgets.ts). */
  readonly budget?: BudgetConfig;
  /** Idle shutdown of its members' JupyterLab and Code Editor apps; absent, the LOB's. */
  readonly idleShutdown?: IdleShutdown;
  /** The instance types its role may start; absent, the LOB's `instanceTypes`. */
  readonly instanceTypes?: readonly string[];
  /** A space's storage for its members' profiles; absent, the LOB's `spaceStorage`. */
  readonly spaceStorage?: SpaceStorage;
}

export interface TeamRolesArgs {
  readonly teams: readonly TeamConfig[];
  /** Studio basics in the LOB's domain, which every team role has. */
  readonly studioPolicy: pulumi.Input<string>;
  /** The LOB's instance types: a team without its own `instanceTypes` gets these. */
  readonly instanceTypes: readonly string[];
}

/**
 * One Studio execution role per team, tagged with its team and LOB: Studio basics, the team's
 * ABAC, deny and instance-type policies, and the team's own inline and managed policies.
 */
export class TeamRoles {
  /** Team name → its execution role's ARN. */
  readonly arns: Readonly<Record<string, pulumi.Output<string>>>;
  /** Every role's policies and attachments: provisioning a profile waits for them. */
  readonly policies: pulumi.Resource[] = [];

  constructor(scope: SpokeScope, args: TeamRolesArgs) {
    const { name, hub, lob } = scope;
    const here = { parent: scope.parent };
    const arns: Record<string, pulumi.Output<string>> = {};
    for (const team of args.teams) {
      const id = `${name}-team-${team.name}`;
      // Tagged with its team: ABAC reads the tag as aws:PrincipalTag in teamAbacPolicy.
      const role = new aws.iam.Role(
        id,
        {
          name: teamRoleName(team.name),
          path: TEAM_ROLE_PATH,
          description: `Studio execution role of team ${team.name} in ${lob}`,
          assumeRolePolicy: JSON.stringify(executionRoleTrustPolicy()),
          tags: { ...team.tags, [TAGS.lob]: lob, [TAGS.team]: team.name },
        },
        here,
      );
      arns[team.name] = role.arn;
      const policies: [string, pulumi.Input<string>][] = [
        ["studio", args.studioPolicy],
        [
          "abac",
          role.arn.apply((teamRoleArn) =>
            JSON.stringify(
              teamAbacPolicy({ region: hub.region, accountId: scope.accountId, teamRoleArn }),
            ),
          ),
        ],
        ["deny", JSON.stringify(teamDenyPolicy())],
        // The instance types it may start (issue #21): Deny of every other, whatever else allows.
        [
          "instance-types",
          JSON.stringify(instanceTypesPolicy(team.instanceTypes ?? args.instanceTypes)),
        ],
        ...team.inlinePolicies.map((doc, i): [string, string] => [
          `inline-${String(i)}`,
          JSON.stringify(doc),
        ]),
      ];
      for (const [suffix, policy] of policies)
        this.policies.push(
          new aws.iam.RolePolicy(`${id}-${suffix}`, { role: role.id, policy }, here),
        );
      team.managedPolicyArns.forEach((policyArn, i) => {
        this.policies.push(
          new aws.iam.RolePolicyAttachment(
            `${id}-managed-${String(i)}`,
            { role: role.name, policyArn },
            here,
          ),
        );
      });
    }
    this.arns = arns;
  }
}
