import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { profileNameFor } from "../functions/shared/profile-name";
import { ENTITLEMENTS_KEY, LOBS_KEY } from "../functions/shared/tables";
import { LOB_TAG } from "./lib/policies";
import type { HubJoin, HubOutputs } from "./studio-spoke";

export interface HubRegistrationArgs {
  /** The LOB registering. Every piece is tagged or keyed with it: its deployer role allows no other. */
  readonly lob: string;
  readonly accountId: string;
  readonly hub: HubOutputs;
  /** The spoke VPC to authorize on the hub zones. */
  readonly vpcId: pulumi.Input<string>;
  /** The spoke's attachment to the hub transit gateway, pending acceptance. */
  readonly transitGatewayAttachmentId: pulumi.Input<string>;
  readonly domainId: pulumi.Input<string>;
  readonly accessRoleArn: pulumi.Input<string>;
  /** Members and their user profiles: an entitlement appears only once its profile exists. */
  readonly members: ReadonlyMap<string, pulumi.Resource>;
  /** What must exist before the LOB's record (the access role's policy): it goes first on destroy. */
  readonly recordDependsOn: pulumi.Resource[];
}

/**
 * A LOB's pieces in the hub account, created through the hub provider (the LOB's deployer role):
 * the accepted attachment, its association with the `spokes` route table and propagation into the
 * `hub` table, the zone authorizations, and the LOB's rows in the tables.
 */
export class HubRegistration extends pulumi.ComponentResource implements HubJoin {
  readonly accepted: pulumi.Resource;
  readonly authorizations: Readonly<Record<string, aws.route53.VpcAssociationAuthorization>>;

  constructor(name: string, args: HubRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:hub:HubRegistration", name, {}, opts);
    const { hub, lob } = args;
    const here = { parent: this };

    const accepted = new aws.ec2transitgateway.VpcAttachmentAccepter(
      `${name}-tgw`,
      {
        transitGatewayAttachmentId: args.transitGatewayAttachmentId,
        transitGatewayDefaultRouteTableAssociation: false,
        transitGatewayDefaultRouteTablePropagation: false,
        tags: { Name: `${name}-tgw`, [LOB_TAG]: lob },
      },
      here,
    );
    this.accepted = accepted;
    // The spoke joins the `spokes` table (which only the hub propagates into) and announces its
    // range to the `hub` table only: no route leads from one spoke to another.
    new aws.ec2transitgateway.RouteTableAssociation(
      `${name}-tgw-spokes`,
      {
        transitGatewayAttachmentId: accepted.transitGatewayAttachmentId,
        transitGatewayRouteTableId: hub.spokesTgwRouteTableId,
      },
      here,
    );
    new aws.ec2transitgateway.RouteTablePropagation(
      `${name}-tgw-to-hub`,
      {
        transitGatewayAttachmentId: accepted.transitGatewayAttachmentId,
        transitGatewayRouteTableId: hub.hubTgwRouteTableId,
      },
      here,
    );

    // DNS: the hub's zones answer in the spoke VPC too, so Studio reaches SageMaker and STS privately.
    const authorizations: Record<string, aws.route53.VpcAssociationAuthorization> = {};
    for (const [key, zoneId] of Object.entries(hub.zoneIds)) {
      authorizations[key] = new aws.route53.VpcAssociationAuthorization(
        `${name}-${key}`,
        { zoneId, vpcId: args.vpcId, vpcRegion: hub.region },
        here,
      );
    }
    this.authorizations = authorizations;

    // The LOB's rows in the hub tables; the presigner reads both in one round trip. Items appear
    // only once what they point to works, and on destroy they go first: access ends before the
    // profile or role it leads to.
    new aws.dynamodb.TableItem(
      `${name}-lob`,
      {
        tableName: hub.lobsTableName,
        hashKey: LOBS_KEY.partition,
        item: pulumi.all([args.domainId, args.accessRoleArn]).apply(([domainId, roleArn]) =>
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
      { ...here, dependsOn: args.recordDependsOn },
    );
    for (const [member, profile] of args.members) {
      new aws.dynamodb.TableItem(
        `${name}-member-${member}`,
        {
          tableName: hub.usersTableName,
          hashKey: ENTITLEMENTS_KEY.partition,
          rangeKey: ENTITLEMENTS_KEY.sort,
          item: JSON.stringify({
            lob: { S: lob },
            username: { S: member },
            profileName: { S: profileNameFor(member) ?? member },
          }),
        },
        { ...here, dependsOn: [profile] },
      );
    }
    this.registerOutputs({});
  }
}
