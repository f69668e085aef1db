import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { splitCidr } from "./cidr";

export interface IsolatedVpc {
  readonly vpc: aws.ec2.Vpc;
  readonly routeTable: aws.ec2.RouteTable;
  readonly subnets: aws.ec2.Subnet[];
}

/**
 * A VPC with DNS on, no internet path, and one isolated subnet per AZ id sharing one route table.
 * Hub and spokes are built alike; subnets are named by AZ slot (a, b, …), not by list index.
 */
export function isolatedVpc(
  name: string,
  args: { cidrBlock: string; availabilityZoneIds: pulumi.Input<string>[] },
  opts: pulumi.CustomResourceOptions,
): IsolatedVpc {
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    {
      cidrBlock: args.cidrBlock,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: `${name}-vpc` },
    },
    opts,
  );
  const routeTable = new aws.ec2.RouteTable(
    `${name}-isolated`,
    { vpcId: vpc.id, tags: { Name: `${name}-isolated` } },
    opts,
  );
  const subnets = splitCidr(args.cidrBlock, args.availabilityZoneIds.length).map((cidrBlock, i) => {
    const az = String.fromCharCode(97 + i);
    const subnet = new aws.ec2.Subnet(
      `${name}-isolated-${az}`,
      {
        vpcId: vpc.id,
        cidrBlock,
        availabilityZoneId: args.availabilityZoneIds[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-isolated-${az}` },
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-isolated-${az}`,
      { subnetId: subnet.id, routeTableId: routeTable.id },
      opts,
    );
    return subnet;
  });
  return { vpc, routeTable, subnets };
}
