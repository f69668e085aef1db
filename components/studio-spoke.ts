import * as pulumi from "@pulumi/pulumi";
import type { HomeDirectories } from "../functions/shared/homes";
import type { IdleShutdown } from "../functions/shared/idle-shutdown";
import type { SpaceStorage } from "../functions/shared/space-storage";
import type { StudioDrain } from "./studio-cleanup";
import { AccessRoles } from "./spoke/access-roles";
import { SpokeBudgets, type BudgetConfig } from "./spoke/budgets";
import { StudioDomain } from "./spoke/domain";
import { homeDirectoryRemover } from "./spoke/homes";
import { HubLink, type HubJoin } from "./spoke/hub-link";
import { SpokeNetwork } from "./spoke/network";
import type { HubOutputs, SpokeScope } from "./spoke/scope";
import { studioSecurityGroup } from "./spoke/security-group";
import { TeamRoles, type TeamConfig } from "./spoke/team-roles";
import { usageReaderRole } from "./spoke/usage-reader";

export type { HubJoin } from "./spoke/hub-link";
export type { HubOutputs } from "./spoke/scope";
export type { TeamConfig } from "./spoke/team-roles";
export type { BudgetConfig } from "./spoke/budgets";

export interface StudioSpokeArgs {
  /** The LOB's name: a key of the hub's lobAccounts. */
  readonly lob: string;
  /** The LOB's account; every resource not in the hub lands here. */
  readonly accountId: string;
  /** The spoke VPC's range, split into one isolated subnet per AZ. */
  readonly vpcCidr: string;
  /** How many of the hub's AZs the spoke uses. @default 2 */
  readonly availabilityZones: number;
  /** The LOB's teams: each gets an execution role; its members' profiles come on first sign-in. */
  readonly teams: readonly TeamConfig[];
  /** What happens to the domain's home EFS when the domain is deleted. @default "Retain" */
  readonly homeEfsRetention: "Retain" | "Delete";
  /** What offboarding does with a revoked user's home directory. @default "keep" */
  readonly homeDirectories: HomeDirectories;
  /** The home-directory function's bundle folder: needed when `homeDirectories` is `remove`. */
  readonly homesBundleDir?: Promise<string>;
  /** Retention of the LOB's function logs, in days. @default 365 */
  readonly logRetentionDays?: number;
  /** The AWS profile the LOB stack runs with: destroy-time clean-up uses the same credentials. */
  readonly awsProfile?: string;
  /** How long destroy-time clean-up waits for apps, spaces and mount targets to go. @default 900 */
  readonly cleanupTimeoutSeconds: number;
  /** How often it looks again meanwhile. @default 10000 */
  readonly cleanupPollMilliseconds: number;
  readonly hub: HubOutputs;
  /** The LOB's monthly cost budget, when it has one (each team's is on its TeamConfig). */
  readonly budget?: BudgetConfig;
  /** The LOB's idle shutdown (its own, or the hub's): the domain's default (issue #21). */
  readonly idleShutdown: IdleShutdown;
  /** The LOB's instance types: its default role's, and a team's without its own. */
  readonly instanceTypes: readonly string[];
  /** The LOB's space storage: the domain's default for every profile (issue #21). */
  readonly spaceStorage: SpaceStorage;
}

/**
 * A LOB's Studio, all in the LOB account: a VpcOnly, IAM-authenticated domain in an isolated VPC
 * whose only way out is the hub's transit gateway, and the access role the hub's presigner assumes.
 * Its pieces in the hub account are a HubRegistration; `joinHub` then routes and resolves through it.
 * Each concern is a part in components/spoke/, composed here; all their resources are this
 * component's children (see SpokeScope).
 */
export class StudioSpoke extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly transitGatewayAttachmentId: pulumi.Output<string>;
  /** Drains and deletes every profile before the domain goes: entitlements go before it. */
  readonly drain: StudioDrain;
  /** What opening and provisioning need: registration in the hub waits for them, and goes first. */
  readonly ready: pulumi.Resource[];
  readonly domainId: pulumi.Output<string>;
  readonly accessRoleArn: pulumi.Output<string>;
  readonly provisionerRoleArn: pulumi.Output<string>;
  readonly lifecycleRoleArn: pulumi.Output<string>;
  /** The role `studio-access admin usage` reads apps through, when the hub has an admin role. */
  readonly usageReaderRoleArn?: pulumi.Output<string>;
  /** The domain's default execution role (Studio basics, no team). */
  readonly executionRoleArn: pulumi.Output<string>;
  /** Team name → its execution role's ARN. */
  readonly teamRoleArns: Readonly<Record<string, pulumi.Output<string>>>;
  private readonly hubLink: HubLink;

  constructor(name: string, args: StudioSpokeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:spoke:StudioSpoke", name, {}, opts);
    const scope: SpokeScope = {
      name,
      parent: this,
      lob: args.lob,
      accountId: args.accountId,
      hub: args.hub,
    };
    const network = new SpokeNetwork(scope, args);
    this.hubLink = new HubLink(scope, network);
    const securityGroup = studioSecurityGroup(scope, network);
    const studio = new StudioDomain(scope, { ...args, network, securityGroup });
    const teams = new TeamRoles(scope, {
      teams: args.teams,
      studioPolicy: studio.studioPolicy,
      instanceTypes: args.instanceTypes,
    });
    const roles = new AccessRoles(scope, {
      domainId: studio.domain.id,
      teams: args.teams.map((t) => t.name),
      homeDirectories: args.homeDirectories,
    });
    const usage = args.hub.adminRoleArn
      ? usageReaderRole(scope, { domainId: studio.domain.id, adminRoleArn: args.hub.adminRoleArn })
      : undefined;
    const homes = homeDirectoryRemover(scope, { ...args, network, domain: studio.domain });
    new SpokeBudgets(scope, { budget: args.budget, teams: args.teams });

    this.vpcId = network.vpc.id;
    this.transitGatewayAttachmentId = this.hubLink.attachment.id;
    this.drain = studio.drain;
    this.domainId = studio.domain.id;
    this.executionRoleArn = studio.executionRole.arn;
    this.teamRoleArns = teams.arns;
    this.accessRoleArn = roles.accessRoleArn;
    this.provisionerRoleArn = roles.provisionerRoleArn;
    this.lifecycleRoleArn = roles.lifecycleRoleArn;
    if (usage) this.usageReaderRoleArn = usage.roleArn;
    this.ready = [...roles.policies, ...teams.policies, ...(homes ? [homes] : [])];
    this.registerOutputs({ domainId: this.domainId, accessRoleArn: this.accessRoleArn });
  }

  /**
   * Once the hub has accepted the attachment and authorized the zones: the default route to the
   * transit gateway, and the spoke VPC's association with each hub zone.
   */
  joinHub(join: HubJoin): void {
    this.hubLink.join(join);
  }
}
