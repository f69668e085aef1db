import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { isolatedVpc } from "../lib/isolated-vpc";
import { organizationEndpointPolicy } from "../policies/endpoints";
import type { SpokeScope } from "./scope";

export interface SpokeNetworkArgs {
  /** The spoke VPC's range, split into one isolated subnet per AZ. */
  readonly vpcCidr: string;
  /** How many of the hub's AZs the spoke uses. */
  readonly availabilityZones: number;
}

/**
 * The spoke network: isolated subnets in the hub's first AZs, one route table (its default route
 * to the transit gateway comes with HubLink.join), and the S3 gateway endpoint on it.
 */
export class SpokeNetwork {
  readonly vpc: aws.ec2.Vpc;
  readonly routeTable: aws.ec2.RouteTable;
  readonly subnets: aws.ec2.Subnet[];
  readonly subnetIds: pulumi.Output<string>[];
  /** S3's prefix list, for the Studio security group's egress through the gateway endpoint. */
  readonly s3PrefixListId: pulumi.Output<string>;

  constructor(scope: SpokeScope, args: SpokeNetworkArgs) {
    const { hub, name } = scope;
    if (args.availabilityZones > hub.availabilityZoneIds.length) {
      throw new Error(
        `availabilityZones is ${args.availabilityZones} but the hub spans ${hub.availabilityZoneIds.length} AZs; ` +
          `a spoke can use at most the hub's AZs`,
      );
    }
    const { vpc, routeTable, subnets } = isolatedVpc(
      name,
      {
        cidrBlock: args.vpcCidr,
        availabilityZoneIds: hub.availabilityZoneIds.slice(0, args.availabilityZones),
      },
      { parent: scope.parent },
    );
    this.vpc = vpc;
    this.routeTable = routeTable;
    this.subnets = subnets;
    this.subnetIds = subnets.map((s) => s.id);

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
      { parent: scope.parent },
    );
    this.s3PrefixListId = s3.prefixListId;
  }
}
