import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EndpointKey } from "./lib/endpoints";
import { TAGS, TEAM_ROLE_PATH, teamRoleName } from "../functions/shared/teams";
import { isolatedVpc } from "./lib/isolated-vpc";
import { NfsSweep, StudioDrain } from "./studio-cleanup";
import { HomeDirectoryRemover } from "./home-directories";
import type { HomeDirectories } from "../functions/shared/homes";
import type { PolicyDocument } from "./policies/document";
import { lifecycleRoleName, provisionerRoleName } from "./policies/role-names";
import {
  accessRolePolicy,
  accessRoleTrustPolicy,
  lifecycleLobPolicy,
  provisionerPolicy,
} from "./policies/lob-roles";
import {
  executionRoleTrustPolicy,
  studioExecutionPolicy,
  teamAbacPolicy,
  teamDenyPolicy,
} from "./policies/studio-roles";
import { organizationEndpointPolicy } from "./policies/endpoints";

/** What the hub stack publishes for its spokes (its StackReference outputs, resolved). */
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
}

export interface HubOutputs {
  readonly region: string;
  readonly hubAccountId: string;
  readonly organizationId: string;
  readonly lobs: Readonly<Record<string, { readonly accountId: string; readonly vpcCidr: string }>>;
  readonly accessRoleName: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly availabilityZoneIds: readonly string[];
  readonly transitGatewayId: string;
  readonly hubTgwRouteTableId: string;
  readonly spokesTgwRouteTableId: string;
  readonly endpointIds: Readonly<Record<EndpointKey, string>>;
  /** The zones spokes associate with (every endpoint's but the hub-only ones). */
  readonly zoneIds: Readonly<Partial<Record<EndpointKey, string>>>;
  readonly usersTableName: string;
  readonly lobsTableName: string;
  readonly presignerRoleArn: string;
  /** The hub's lifecycle function role: the LOB's lifecycle role trusts it (offboarding). */
  readonly lifecycleRoleArn: string;
  /** The SAML entry's role, when the hub has one: it may assume the access role too. */
  readonly samlRoleArn?: string;
  /** LOB → the role the hub created for that LOB's hub-side pieces. */
  readonly deployerRoleArns: Readonly<Record<string, string>>;
}

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
}

/** What the hub side gives the spoke once it has accepted the attachment and authorized the zones. */
export interface HubJoin {
  readonly accepted: pulumi.Resource;
  readonly authorizations: Readonly<Record<string, aws.route53.VpcAssociationAuthorization>>;
}

/**
 * A LOB's Studio, all in the LOB account: a VpcOnly, IAM-authenticated domain in an isolated VPC
 * whose only way out is the hub's transit gateway, and the access role the hub's presigner assumes.
 * Its pieces in the hub account are a HubRegistration; `joinHub` then routes and resolves through it.
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
  /** The domain's default execution role (Studio basics, no team). */
  readonly executionRoleArn: pulumi.Output<string>;
  /** Team name → its execution role's ARN. */
  readonly teamRoleArns: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: StudioSpokeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:spoke:StudioSpoke", name, {}, opts);
    const { hub, lob } = args;
    const here = { parent: this };
    this.name = name;
    if (args.availabilityZones > hub.availabilityZoneIds.length) {
      throw new Error(
        `availabilityZones is ${args.availabilityZones} but the hub spans ${hub.availabilityZoneIds.length} AZs; ` +
          `a spoke can use at most the hub's AZs`,
      );
    }

    // The spoke network: isolated subnets in the hub's AZs, everything routed to the transit gateway.
    const { vpc, routeTable, subnets } = isolatedVpc(
      name,
      {
        cidrBlock: args.vpcCidr,
        availabilityZoneIds: hub.availabilityZoneIds.slice(0, args.availabilityZones),
      },
      here,
    );
    this.vpcId = vpc.id;
    const subnetIds = subnets.map((s) => s.id);

    const attachment = new aws.ec2transitgateway.VpcAttachment(
      `${name}-tgw`,
      {
        transitGatewayId: hub.transitGatewayId,
        vpcId: vpc.id,
        subnetIds,
        tags: { Name: `${name}-tgw` },
      },
      here,
    );
    this.transitGatewayAttachmentId = attachment.id;
    this.routeTableId = routeTable.id;
    this.hubRegion = hub.region;
    this.transitGatewayId = hub.transitGatewayId;

    // Studio: security group, execution roles (the domain's default, one per team), domain.
    const studioSg = new aws.ec2.SecurityGroup(
      `${name}-studio`,
      {
        vpcId: vpc.id,
        description: `Studio apps of ${lob}: each other, EFS, and HTTPS to the hub endpoints`,
      },
      here,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-studio-from-self`,
      {
        securityGroupId: studioSg.id,
        ipProtocol: "-1",
        referencedSecurityGroupId: studioSg.id,
        description: "Studio apps and EFS",
      },
      here,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-studio-to-self`,
      {
        securityGroupId: studioSg.id,
        ipProtocol: "-1",
        referencedSecurityGroupId: studioSg.id,
        description: "Studio apps and EFS",
      },
      here,
    );
    // S3 without leaving the network: a gateway endpoint on the spoke's route table, serving the
    // organization's principals (Studio's execution role among them).
    const s3 = new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${hub.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: [routeTable.id],
        policy: JSON.stringify(organizationEndpointPolicy({ organizationId: hub.organizationId })),
        tags: { Name: `${name}-s3` },
      },
      here,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-studio-to-s3`,
      {
        securityGroupId: studioSg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        prefixListId: s3.prefixListId,
        description: "S3 through the spoke's gateway endpoint",
      },
      here,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-studio-to-hub`,
      {
        securityGroupId: studioSg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: hub.vpcCidr,
        description: "hub interface endpoints",
      },
      here,
    );

    const executionRole = new aws.iam.Role(
      `${name}-execution`,
      { assumeRolePolicy: JSON.stringify(executionRoleTrustPolicy()) },
      here,
    );
    this.executionRoleArn = executionRole.arn;
    const userSettings = { executionRole: executionRole.arn, securityGroups: [studioSg.id] };
    const cleanup = {
      region: hub.region,
      ...(args.awsProfile ? { profile: args.awsProfile } : {}),
      timeoutSeconds: args.cleanupTimeoutSeconds,
      pollMilliseconds: args.cleanupPollMilliseconds,
    };
    const domainName = `studio-access-${lob}`;
    // Deleted after the domain (which depends on it) and before the subnets and VPC (which it
    // depends on): removes what SageMaker leaves behind in the VPC.
    const sweep = new NfsSweep(
      `${name}-nfs-sweep`,
      {
        ...cleanup,
        vpcId: vpc.id,
        domainName,
        deleteFileSystem: args.homeEfsRetention === "Delete",
      },
      { ...here, dependsOn: subnets },
    );
    const domain = new aws.sagemaker.Domain(
      `${name}-domain`,
      {
        domainName,
        authMode: "IAM",
        appNetworkAccessType: "VpcOnly",
        vpcId: vpc.id,
        subnetIds,
        defaultUserSettings: userSettings,
        retentionPolicy: { homeEfsFileSystem: args.homeEfsRetention },
        // Every call made from Studio carries the user profile's name as its source identity.
        domainSettings: { executionRoleIdentityConfig: "USER_PROFILE_NAME" },
        tags: { "studio-access:lob": lob },
      },
      { ...here, dependsOn: [sweep] },
    );
    this.domainId = domain.id;
    const studioPolicy = domain.id.apply((domainId) =>
      JSON.stringify(
        studioExecutionPolicy({ region: hub.region, accountId: args.accountId, domainId }),
      ),
    );
    // The domain's default: Studio basics and no team, for a profile made outside studio-access.
    new aws.iam.RolePolicy(
      `${name}-execution`,
      { role: executionRole.id, policy: studioPolicy },
      here,
    );
    const ready: pulumi.Resource[] = [];
    const teamRoleArns: Record<string, pulumi.Output<string>> = {};
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
      teamRoleArns[team.name] = role.arn;
      const policies: [string, pulumi.Input<string>][] = [
        ["studio", studioPolicy],
        [
          "abac",
          role.arn.apply((teamRoleArn) =>
            JSON.stringify(
              teamAbacPolicy({ region: hub.region, accountId: args.accountId, teamRoleArn }),
            ),
          ),
        ],
        ["deny", JSON.stringify(teamDenyPolicy())],
        ...team.inlinePolicies.map((doc, i): [string, string] => [
          `inline-${String(i)}`,
          JSON.stringify(doc),
        ]),
      ];
      for (const [suffix, policy] of policies)
        ready.push(new aws.iam.RolePolicy(`${id}-${suffix}`, { role: role.id, policy }, here));
      team.managedPolicyArns.forEach((policyArn, i) => {
        ready.push(
          new aws.iam.RolePolicyAttachment(
            `${id}-managed-${String(i)}`,
            { role: role.name, policyArn },
            here,
          ),
        );
      });
    }
    this.teamRoleArns = teamRoleArns;

    // Deleted before the domain (which it depends on): stops every app, deletes every space and
    // then every user profile, as SageMaker refuses to delete a domain that has them.
    this.drain = new StudioDrain(
      `${name}-drain`,
      { ...cleanup, domainId: domain.id },
      {
        ...here,
        dependsOn: [domain],
      },
    );

    // The role the hub's presigner assumes; its name is fixed so the hub can list it in advance.
    const accessRole = new aws.iam.Role(
      `${name}-access`,
      {
        name: hub.accessRoleName,
        description: `Lets the studio-access presigner open ${lob}'s Studio through the hub endpoints`,
        assumeRolePolicy: JSON.stringify(
          accessRoleTrustPolicy({
            presignerRoleArn: hub.presignerRoleArn,
            ...(hub.samlRoleArn ? { samlRoleArn: hub.samlRoleArn } : {}),
            stsEndpointId: hub.endpointIds.sts,
          }),
        ),
        maxSessionDuration: 3600,
      },
      here,
    );
    this.accessRoleArn = accessRole.arn;
    const accessPolicy = new aws.iam.RolePolicy(
      `${name}-access`,
      {
        role: accessRole.id,
        policy: domain.id.apply((domainId) =>
          JSON.stringify(
            accessRolePolicy({
              region: hub.region,
              accountId: args.accountId,
              domainId,
              lob,
              sageMakerApiEndpointId: hub.endpointIds["sagemaker-api"],
              studioEndpointId: hub.endpointIds.studio,
            }),
          ),
        ),
      },
      here,
    );

    // Creates a user's profile on first sign-in, with exactly their team's role and tags; the same
    // principals as the access role may assume it, the same way.
    const provisionerRole = new aws.iam.Role(
      `${name}-provisioner`,
      {
        name: provisionerRoleName(hub.accessRoleName),
        description: `Lets the studio-access presigner create ${lob}'s user profiles on first sign-in`,
        assumeRolePolicy: accessRole.assumeRolePolicy,
        maxSessionDuration: 3600,
      },
      here,
    );
    this.provisionerRoleArn = provisionerRole.arn;
    const provisioning = new aws.iam.RolePolicy(
      `${name}-provisioner`,
      {
        role: provisionerRole.id,
        policy: domain.id.apply((domainId) =>
          JSON.stringify(
            provisionerPolicy({
              region: hub.region,
              accountId: args.accountId,
              domainId,
              lob,
              teams: args.teams.map((t) => t.name),
              sageMakerApiEndpointId: hub.endpointIds["sagemaker-api"],
            }),
          ),
        ),
      },
      here,
    );
    // Offboards a revoked user: drains their apps and spaces and deletes the profile, as the hub's
    // lifecycle function, through the hub endpoints; only profiles tagged with this LOB.
    const lifecycleRole = new aws.iam.Role(
      `${name}-lifecycle`,
      {
        name: lifecycleRoleName(hub.accessRoleName),
        description: `Lets the studio-access lifecycle function offboard ${lob}'s revoked users`,
        assumeRolePolicy: JSON.stringify(
          accessRoleTrustPolicy({
            presignerRoleArn: hub.lifecycleRoleArn,
            stsEndpointId: hub.endpointIds.sts,
          }),
        ),
        maxSessionDuration: 3600,
      },
      here,
    );
    this.lifecycleRoleArn = lifecycleRole.arn;
    const removeHomes = args.homeDirectories === "remove";
    const offboarding = new aws.iam.RolePolicy(
      `${name}-lifecycle`,
      {
        role: lifecycleRole.id,
        policy: domain.id.apply((domainId) =>
          JSON.stringify(
            lifecycleLobPolicy({
              region: hub.region,
              accountId: args.accountId,
              domainId,
              lob,
              sageMakerApiEndpointId: hub.endpointIds["sagemaker-api"],
              ...(removeHomes ? { removeHomes: { lambdaEndpointId: hub.endpointIds.lambda } } : {}),
            }),
          ),
        ),
      },
      here,
    );
    if (removeHomes) {
      if (!args.homesBundleDir)
        throw new Error("homeDirectories is remove, but no bundle of the home-directory function");
      const homes = new HomeDirectoryRemover(
        `${name}-homes`,
        {
          lob,
          vpcId: vpc.id,
          subnetIds,
          domainId: domain.id,
          fileSystemId: domain.homeEfsFileSystemId,
          bundleDir: args.homesBundleDir,
          logRetentionDays: args.logRetentionDays ?? 365,
        },
        here,
      );
      ready.push(homes);
    }
    this.ready = [accessPolicy, provisioning, offboarding, ...ready];

    this.registerOutputs({ domainId: this.domainId, accessRoleArn: this.accessRoleArn });
  }

  private readonly name: string;
  private readonly routeTableId: pulumi.Output<string>;
  private readonly hubRegion: string;
  private readonly transitGatewayId: string;

  /**
   * Once the hub has accepted the attachment and authorized the zones: the default route to the
   * transit gateway, and the spoke VPC's association with each hub zone.
   */
  joinHub(join: HubJoin): void {
    const name = this.name;
    new aws.ec2.Route(
      `${name}-default`,
      {
        routeTableId: this.routeTableId,
        destinationCidrBlock: "0.0.0.0/0",
        transitGatewayId: this.transitGatewayId,
      },
      { parent: this, dependsOn: [join.accepted] },
    );
    for (const [key, authorization] of Object.entries(join.authorizations)) {
      new aws.route53.ZoneAssociation(
        `${name}-${key}`,
        {
          zoneId: authorization.zoneId,
          vpcId: this.vpcId,
          vpcRegion: this.hubRegion,
        },
        { parent: this, dependsOn: [authorization] },
      );
    }
  }
}
