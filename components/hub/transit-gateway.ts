import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { HubPlacement } from "./placement";
import type { SpokeRange } from "./spoke-ranges";

export interface HubTransitGatewayArgs {
  readonly vpcId: pulumi.Input<string>;
  /** The hub subnets the hub VPC's attachment has an interface in. */
  readonly subnetIds: pulumi.Input<string>[];
  /** The hub VPC's route table, which routes the spokes' ranges to the transit gateway. */
  readonly routeTableId: pulumi.Input<string>;
  /** Each spoke range to route back, by the key its route is named after (see `spokeRanges`). */
  readonly spokeRanges: readonly SpokeRange[];
}

/**
 * The transit gateway on which spokes reach the hub and never each other: two route tables (the
 * hub's, into which spokes propagate; the spokes', into which only the hub propagates), the hub
 * VPC's attachment, and the hub VPC's routes back to the spokes.
 */
export class HubTransitGateway {
  readonly gateway: aws.ec2transitgateway.TransitGateway;
  readonly hubRouteTable: aws.ec2transitgateway.RouteTable;
  readonly spokesRouteTable: aws.ec2transitgateway.RouteTable;
  readonly hubAttachment: aws.ec2transitgateway.VpcAttachment;

  constructor({ name, parent }: HubPlacement, args: HubTransitGatewayArgs) {
    this.gateway = new aws.ec2transitgateway.TransitGateway(
      `${name}-tgw`,
      {
        description: "studio-access hub: spokes reach the hub, never each other",
        defaultRouteTableAssociation: "disable",
        defaultRouteTablePropagation: "disable",
        // Each spoke's attachment is accepted explicitly by its own stack, through the hub provider.
        autoAcceptSharedAttachments: "disable",
        dnsSupport: "enable",
        tags: { Name: `${name}-tgw` },
      },
      { parent },
    );
    const transitGatewayId = this.gateway.id;
    this.hubRouteTable = new aws.ec2transitgateway.RouteTable(
      `${name}-tgw-hub`,
      { transitGatewayId, tags: { Name: `${name}-tgw-hub` } },
      { parent },
    );
    this.spokesRouteTable = new aws.ec2transitgateway.RouteTable(
      `${name}-tgw-spokes`,
      { transitGatewayId, tags: { Name: `${name}-tgw-spokes` } },
      { parent },
    );
    this.hubAttachment = new aws.ec2transitgateway.VpcAttachment(
      `${name}-tgw-hub-vpc`,
      {
        transitGatewayId,
        vpcId: args.vpcId,
        subnetIds: args.subnetIds,
        transitGatewayDefaultRouteTableAssociation: false,
        transitGatewayDefaultRouteTablePropagation: false,
        tags: { Name: `${name}-tgw-hub-vpc` },
      },
      { parent },
    );
    new aws.ec2transitgateway.RouteTableAssociation(
      `${name}-tgw-hub-vpc`,
      {
        transitGatewayAttachmentId: this.hubAttachment.id,
        transitGatewayRouteTableId: this.hubRouteTable.id,
      },
      { parent },
    );
    new aws.ec2transitgateway.RouteTablePropagation(
      `${name}-tgw-hub-vpc-to-spokes`,
      {
        transitGatewayAttachmentId: this.hubAttachment.id,
        transitGatewayRouteTableId: this.spokesRouteTable.id,
      },
      { parent },
    );
    // The way back to the spokes: owned by the hub, which knows every spoke's range, so no LOB
    // needs rights on the hub's route table.
    for (const [key, cidr] of args.spokeRanges) {
      new aws.ec2.Route(
        `${name}-to-${key}`,
        { routeTableId: args.routeTableId, destinationCidrBlock: cidr, transitGatewayId },
        { parent, dependsOn: [this.hubAttachment] },
      );
    }
  }
}
