import * as aws from "@pulumi/aws";
import type { SpokeNetwork } from "./network";
import type { SpokeScope } from "./scope";

/**
 * The Studio apps' security group: each other and the home EFS, S3 through the spoke's gateway
 * endpoint, and HTTPS to the hub's interface endpoints; nothing else.
 */
export function studioSecurityGroup(
  scope: SpokeScope,
  network: SpokeNetwork,
): aws.ec2.SecurityGroup {
  const { name, hub } = scope;
  const here = { parent: scope.parent };
  const studioSg = new aws.ec2.SecurityGroup(
    `${name}-studio`,
    {
      vpcId: network.vpc.id,
      description: `Studio apps of ${scope.lob}: each other, EFS, and HTTPS to the hub endpoints`,
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
    `${name}-studio-to-s3`,
    {
      securityGroupId: studioSg.id,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      prefixListId: network.s3PrefixListId,
      description: "S3 through the spoke's gateway endpoint",
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
  return studioSg;
}
