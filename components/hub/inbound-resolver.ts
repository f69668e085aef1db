import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { cidrNameKey, type HubPlacement } from "./placement";

export interface InboundResolverArgs {
  readonly vpcId: pulumi.Input<string>;
  /** One resolver address in each hub subnet. */
  readonly subnetIds: pulumi.Input<string>[];
  /** The corporate networks whose DNS forwarders may query it. */
  readonly clientCidrs: readonly string[];
}

/**
 * A Route 53 Resolver inbound endpoint, so corporate DNS can forward the endpoint zones to the hub:
 * DNS (TCP and UDP 53) from the corporate networks only.
 */
export class InboundResolver {
  /** The resolver's addresses, for the corporate forwarders. */
  readonly ips: pulumi.Output<string[]>;

  constructor({ name, parent }: HubPlacement, args: InboundResolverArgs) {
    const dnsSg = new aws.ec2.SecurityGroup(
      `${name}-resolver`,
      {
        vpcId: args.vpcId,
        description: "Route 53 Resolver inbound endpoint: DNS from corporate networks",
      },
      { parent },
    );
    for (const cidr of args.clientCidrs) {
      for (const protocol of ["tcp", "udp"]) {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-resolver-${protocol}-${cidrNameKey(cidr)}`,
          {
            securityGroupId: dnsSg.id,
            ipProtocol: protocol,
            fromPort: 53,
            toPort: 53,
            cidrIpv4: cidr,
            description: "corporate DNS forwarders",
          },
          { parent },
        );
      }
    }
    const resolver = new aws.route53.ResolverEndpoint(
      `${name}-inbound`,
      {
        direction: "INBOUND",
        securityGroupIds: [dnsSg.id],
        ipAddresses: args.subnetIds.map((subnetId) => ({ subnetId })),
      },
      { parent },
    );
    this.ips = resolver.ipAddresses.apply((ips) => ips.flatMap((ip) => (ip.ip ? [ip.ip] : [])));
  }
}
