import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AccessScope } from "./scope";

export interface FunctionNetworkArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly subnetIds: pulumi.Input<string>[];
  /** The DynamoDB gateway endpoint's prefix list: the functions' only way to their tables. */
  readonly dynamodbPrefixListId: pulumi.Input<string>;
}

/**
 * Where the functions that reach the tables and the LOBs run: the hub subnets, with one security
 * group that sends HTTPS to the hub's endpoints and DynamoDB only. The presigner had it first,
 * hence its name; the SAML entry and the lifecycle function share it.
 */
export class FunctionNetwork {
  readonly vpcConfig: {
    subnetIds: pulumi.Input<string>[];
    securityGroupIds: pulumi.Input<string>[];
  };

  constructor(scope: AccessScope, args: FunctionNetworkArgs) {
    const { name } = scope;
    const parent = { parent: scope.parent };
    const group = new aws.ec2.SecurityGroup(
      `${name}-presigner`,
      { vpcId: args.vpcId, description: "Presigner: HTTPS to the hub endpoints and DynamoDB only" },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-presigner-to-endpoints`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: args.vpcCidr,
        description: "hub interface endpoints",
      },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-presigner-to-dynamodb`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        prefixListId: args.dynamodbPrefixListId,
        description: "DynamoDB gateway endpoint",
      },
      parent,
    );
    this.vpcConfig = { subnetIds: args.subnetIds, securityGroupIds: [group.id] };
  }
}
