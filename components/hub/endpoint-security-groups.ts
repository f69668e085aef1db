import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { cidrNameKey, type HubPlacement } from "./placement";
import type { SpokeRange } from "./spoke-ranges";

export interface EndpointSecurityGroupsArgs {
  readonly vpcId: pulumi.Input<string>;
  /** The hub VPC's range. */
  readonly vpcCidr: string;
  /** Each spoke range admitted, by the key its rule is named after (see `spokeRanges`). */
  readonly spokeRanges: readonly SpokeRange[];
  /** Corporate networks admitted to the API and Studio endpoints. */
  readonly clientCidrs: readonly string[];
}

/**
 * Who may reach the interface endpoints, on HTTPS only: one group for the hub and the spokes, on
 * every endpoint; one for corporate ranges, on the API and Studio endpoints only, so that from the
 * corporate network STS and the SageMaker API are out of reach.
 */
export class EndpointSecurityGroups {
  /** The hub and every spoke: on every interface endpoint. */
  readonly endpoints: aws.ec2.SecurityGroup;
  /** Corporate networks: on the endpoints that serve clients only. */
  readonly clients: aws.ec2.SecurityGroup;

  constructor({ name, parent }: HubPlacement, args: EndpointSecurityGroupsArgs) {
    this.endpoints = new aws.ec2.SecurityGroup(
      `${name}-endpoints`,
      {
        vpcId: args.vpcId,
        description: "Central VPC endpoints: HTTPS from the hub and the spokes",
      },
      { parent },
    );
    this.clients = new aws.ec2.SecurityGroup(
      `${name}-client-endpoints`,
      {
        vpcId: args.vpcId,
        description: "API and Studio endpoints: HTTPS from corporate networks",
      },
      { parent },
    );
    const httpsFrom = (
      group: aws.ec2.SecurityGroup,
      key: string,
      cidr: string,
      description: string,
    ) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-endpoints-https-${key}`,
        {
          securityGroupId: group.id,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: cidr,
          description,
        },
        { parent },
      );
    httpsFrom(this.endpoints, "hub", args.vpcCidr, "hub VPC");
    for (const [key, cidr] of args.spokeRanges)
      httpsFrom(
        this.endpoints,
        key,
        cidr,
        key === "spokes" ? "every spoke (supernet)" : `spoke ${key}`,
      );
    for (const cidr of args.clientCidrs)
      httpsFrom(this.clients, `client-${cidrNameKey(cidr)}`, cidr, "corporate network");
  }
}
