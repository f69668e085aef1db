import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { HubPlacement } from "./placement";

/**
 * The DynamoDB gateway endpoint on the hub route table: the hub functions' only way to their
 * tables, with no internet path. Their security group sends HTTPS to its prefix list.
 */
export function dynamodbGateway(
  { name, parent }: HubPlacement,
  args: {
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly routeTableId: pulumi.Input<string>;
  },
): aws.ec2.VpcEndpoint {
  return new aws.ec2.VpcEndpoint(
    `${name}-dynamodb`,
    {
      vpcId: args.vpcId,
      serviceName: `com.amazonaws.${args.region}.dynamodb`,
      vpcEndpointType: "Gateway",
      routeTableIds: [args.routeTableId],
      tags: { Name: `${name}-dynamodb` },
    },
    { parent },
  );
}
