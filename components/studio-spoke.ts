import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EndpointKey } from "./lib/endpoints";
import { isolatedVpc } from "./lib/isolated-vpc";
import {
  accessRolePolicy,
  accessRoleTrustPolicy,
  serviceTrustPolicy,
  studioExecutionPolicy,
} from "./lib/policies";

/** What the hub stack publishes for its spokes (its StackReference outputs, resolved). */
export interface HubOutputs {
  readonly region: string;
  readonly hubAccountId: string;
  readonly lobAccounts: Readonly<Record<string, string>>;
  readonly accessRoleName: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly routeTableId: string;
  readonly availabilityZoneIds: readonly string[];
  readonly transitGatewayId: string;
  readonly hubTgwRouteTableId: string;
  readonly spokesTgwRouteTableId: string;
  readonly endpointSecurityGroupId: string;
  readonly endpointIds: Readonly<Record<EndpointKey, string>>;
  readonly zoneIds: Readonly<Record<EndpointKey, string>>;
  readonly usersTableName: string;
  readonly lobsTableName: string;
  readonly presignerRoleArn: string;
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
  /** Usernames entitled to this LOB's Studio; each gets a user profile of the same name. */
  readonly members: readonly string[];
  /** What happens to the domain's home EFS when the domain is deleted. @default "Retain" */
  readonly homeEfsRetention: "Retain" | "Delete";
  readonly hub: HubOutputs;
  /** Provider for the hub account: the LOB's pieces there are created and deleted with this stack. */
  readonly hubProvider: pulumi.ProviderResource;
}

/**
 * A LOB's Studio: a VpcOnly, IAM-authenticated domain in an isolated VPC whose only way out is the
 * hub's transit gateway, the access role the hub's presigner assumes, and (through the hub
 * provider) the LOB's registration in the hub: attachment acceptance and routing, DNS, tables.
 */
export class StudioSpoke extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly domainId: pulumi.Output<string>;
  readonly accessRoleArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly userProfileNames: readonly string[];

  constructor(name: string, args: StudioSpokeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:spoke:StudioSpoke", name, {}, opts);
    const { hub, lob } = args;
    const here = { parent: this };
    const inHub = { parent: this, provider: args.hubProvider };
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
    const accepted = new aws.ec2transitgateway.VpcAttachmentAccepter(
      `${name}-tgw`,
      {
        transitGatewayAttachmentId: attachment.id,
        transitGatewayDefaultRouteTableAssociation: false,
        transitGatewayDefaultRouteTablePropagation: false,
        tags: { Name: `${name}-tgw`, "studio-access:lob": lob },
      },
      inHub,
    );
    // The spoke joins the `spokes` table (which only the hub propagates into) and announces its
    // range to the `hub` table only: no route leads from one spoke to another.
    new aws.ec2transitgateway.RouteTableAssociation(
      `${name}-tgw-spokes`,
      {
        transitGatewayAttachmentId: accepted.transitGatewayAttachmentId,
        transitGatewayRouteTableId: hub.spokesTgwRouteTableId,
      },
      inHub,
    );
    new aws.ec2transitgateway.RouteTablePropagation(
      `${name}-tgw-to-hub`,
      {
        transitGatewayAttachmentId: accepted.transitGatewayAttachmentId,
        transitGatewayRouteTableId: hub.hubTgwRouteTableId,
      },
      inHub,
    );
    new aws.ec2.Route(
      `${name}-default`,
      {
        routeTableId: routeTable.id,
        destinationCidrBlock: "0.0.0.0/0",
        transitGatewayId: hub.transitGatewayId,
      },
      { ...here, dependsOn: [accepted] },
    );
    new aws.ec2.Route(
      `${name}-hub-return`,
      {
        routeTableId: hub.routeTableId,
        destinationCidrBlock: args.vpcCidr,
        transitGatewayId: hub.transitGatewayId,
      },
      { ...inHub, dependsOn: [accepted] },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-endpoints-https`,
      {
        securityGroupId: hub.endpointSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: args.vpcCidr,
        description: `spoke ${lob}`,
      },
      inHub,
    );

    // DNS: the hub's zones answer in the spoke VPC too, so Studio reaches SageMaker and STS privately.
    for (const [key, zoneId] of Object.entries(hub.zoneIds)) {
      const authorization = new aws.route53.VpcAssociationAuthorization(
        `${name}-${key}`,
        { zoneId, vpcId: vpc.id, vpcRegion: hub.region },
        inHub,
      );
      new aws.route53.ZoneAssociation(
        `${name}-${key}`,
        { zoneId, vpcId: vpc.id, vpcRegion: hub.region },
        { ...here, dependsOn: [authorization] },
      );
    }

    // Studio: security group, execution role, domain, one profile per member.
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
      { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("sagemaker.amazonaws.com")) },
      here,
    );
    this.executionRoleArn = executionRole.arn;
    const userSettings = { executionRole: executionRole.arn, securityGroups: [studioSg.id] };
    const domain = new aws.sagemaker.Domain(
      `${name}-domain`,
      {
        domainName: `studio-access-${lob}`,
        authMode: "IAM",
        appNetworkAccessType: "VpcOnly",
        vpcId: vpc.id,
        subnetIds,
        defaultUserSettings: userSettings,
        retentionPolicy: { homeEfsFileSystem: args.homeEfsRetention },
        tags: { "studio-access:lob": lob },
      },
      here,
    );
    this.domainId = domain.id;
    new aws.iam.RolePolicy(
      `${name}-execution`,
      {
        role: executionRole.id,
        policy: domain.id.apply((domainId) =>
          JSON.stringify(
            studioExecutionPolicy({ region: hub.region, accountId: args.accountId, domainId }),
          ),
        ),
      },
      here,
    );
    const profiles = new Map<string, aws.sagemaker.UserProfile>();
    for (const member of args.members) {
      const profile = new aws.sagemaker.UserProfile(
        `${name}-profile-${member}`,
        {
          domainId: domain.id,
          userProfileName: member,
          userSettings,
          tags: { "studio-access:lob": lob, "studio-access:username": member },
        },
        here,
      );
      profiles.set(member, profile);
    }
    this.userProfileNames = [...args.members];

    // The role the hub's presigner assumes; its name is fixed so the hub can list it in advance.
    const accessRole = new aws.iam.Role(
      `${name}-access`,
      {
        name: hub.accessRoleName,
        description: `Lets the studio-access presigner open ${lob}'s Studio through the hub endpoints`,
        assumeRolePolicy: JSON.stringify(
          accessRoleTrustPolicy({
            presignerRoleArn: hub.presignerRoleArn,
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
              sageMakerApiEndpointId: hub.endpointIds["sagemaker-api"],
              studioEndpointId: hub.endpointIds.studio,
            }),
          ),
        ),
      },
      here,
    );

    // The LOB's registration in the hub tables; the presigner reads both in one round trip. Items
    // appear only once what they point to works, and on destroy they go first: access ends before
    // the profile or role it leads to.
    new aws.dynamodb.TableItem(
      `${name}-lob`,
      {
        tableName: hub.lobsTableName,
        hashKey: "lob",
        item: pulumi.all([domain.id, accessRole.arn]).apply(([domainId, roleArn]) =>
          JSON.stringify({
            lob: { S: lob },
            accountId: { S: args.accountId },
            region: { S: hub.region },
            domainId: { S: domainId },
            accessRoleArn: { S: roleArn },
            enabled: { BOOL: true },
          }),
        ),
      },
      { ...inHub, dependsOn: [accessPolicy] },
    );
    for (const [member, profile] of profiles) {
      new aws.dynamodb.TableItem(
        `${name}-member-${member}`,
        {
          tableName: hub.usersTableName,
          hashKey: "username",
          rangeKey: "lob",
          item: JSON.stringify({
            username: { S: member },
            lob: { S: lob },
            profileName: { S: member },
          }),
        },
        { ...inHub, dependsOn: [profile] },
      );
    }

    this.registerOutputs({ domainId: this.domainId, accessRoleArn: this.accessRoleArn });
  }
}
