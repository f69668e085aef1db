import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** How the corporate network reaches the hub's transit gateway. */
export type CorporateConnection =
  | { readonly transitGatewayAttachmentId: string }
  | { readonly vpn: { readonly customerGatewayIp: string; readonly bgpAsn: number } };

export interface CorporateLinkArgs {
  /** An existing Direct Connect gateway or VPN attachment, or a Site-to-Site VPN to create. */
  readonly connection: CorporateConnection;
  /** The corporate ranges: routed from the hub to the corporate attachment, and back. */
  readonly clientCidrs: readonly string[];
  readonly transitGatewayId: pulumi.Input<string>;
  /** The hub VPC's attachment: the only destination corporate traffic may reach. */
  readonly hubAttachmentId: pulumi.Input<string>;
  /** The `hub` transit gateway route table (associated with the hub VPC). */
  readonly hubTgwRouteTableId: pulumi.Input<string>;
  /** The hub VPC's route table. */
  readonly hubRouteTableId: pulumi.Input<string>;
}

/**
 * The corporate network's way to the hub and back: its attachment (an existing one, or a
 * Site-to-Site VPN on the transit gateway) is associated with a `corporate` route table into which
 * only the hub VPC propagates, so it reaches the hub and never a spoke; the hub VPC routes the
 * client ranges to the transit gateway, and the `hub` table routes them to the corporate
 * attachment. Spokes' route table gets nothing: spokes never reach the corporate network.
 */
export class CorporateLink extends pulumi.ComponentResource {
  readonly attachmentId: pulumi.Output<string>;
  readonly routeTableId: pulumi.Output<string>;
  readonly vpnConnectionId?: pulumi.Output<string>;

  constructor(name: string, args: CorporateLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:hub:CorporateLink", name, {}, opts);
    const parent = { parent: this };
    const { connection } = args;

    if ("vpn" in connection) {
      const gateway = new aws.ec2.CustomerGateway(
        `${name}-gateway`,
        {
          bgpAsn: String(connection.vpn.bgpAsn),
          ipAddress: connection.vpn.customerGatewayIp,
          type: "ipsec.1",
          tags: { Name: `${name}-gateway` },
        },
        parent,
      );
      const vpn = new aws.ec2.VpnConnection(
        `${name}-vpn`,
        {
          customerGatewayId: gateway.id,
          transitGatewayId: args.transitGatewayId,
          type: "ipsec.1",
          staticRoutesOnly: false,
          tags: { Name: `${name}-vpn` },
        },
        parent,
      );
      this.vpnConnectionId = vpn.id;
      this.attachmentId = vpn.transitGatewayAttachmentId;
    } else {
      this.attachmentId = pulumi.output(connection.transitGatewayAttachmentId);
    }

    const table = new aws.ec2transitgateway.RouteTable(
      `${name}-tgw`,
      { transitGatewayId: args.transitGatewayId, tags: { Name: `${name}-tgw` } },
      parent,
    );
    this.routeTableId = table.id;
    new aws.ec2transitgateway.RouteTableAssociation(
      `${name}-tgw`,
      { transitGatewayAttachmentId: this.attachmentId, transitGatewayRouteTableId: table.id },
      parent,
    );
    new aws.ec2transitgateway.RouteTablePropagation(
      `${name}-tgw-hub-vpc`,
      { transitGatewayAttachmentId: args.hubAttachmentId, transitGatewayRouteTableId: table.id },
      parent,
    );
    for (const cidr of args.clientCidrs) {
      const key = cidr.replace(/[./]/g, "-");
      new aws.ec2transitgateway.Route(
        `${name}-from-hub-${key}`,
        {
          destinationCidrBlock: cidr,
          transitGatewayAttachmentId: this.attachmentId,
          transitGatewayRouteTableId: args.hubTgwRouteTableId,
        },
        parent,
      );
      new aws.ec2.Route(
        `${name}-hub-vpc-${key}`,
        {
          routeTableId: args.hubRouteTableId,
          destinationCidrBlock: cidr,
          transitGatewayId: args.transitGatewayId,
        },
        parent,
      );
    }
    this.registerOutputs({ attachmentId: this.attachmentId, routeTableId: this.routeTableId });
  }
}
