import { TAGS } from "../../functions/shared/teams";
import { policyDocument, type PolicyDocument } from "./document";

/*
 * Each LOB's deployer role in the hub account: the role a LOB's stack assumes to register itself
 * with the hub (components/lob-deployer.ts makes it, components/hub-registration.ts uses it).
 * Every hub-side piece of a LOB carries the LOB tag (`TAGS.lob`); the role may touch only its own.
 */

/**
 * Trust of a LOB's deployer role in the hub: only that LOB's deployment principal, named in the hub
 * config. Nothing else in the LOB account, and no other account, may assume it.
 */
export function deployerTrustPolicy(args: { deployer: string }): PolicyDocument {
  return policyDocument({
    Sid: "LobDeploymentPrincipalOnly",
    Effect: "Allow",
    Principal: { AWS: args.deployer },
    Action: "sts:AssumeRole",
  });
}

/**
 * What a LOB's stack does in the hub account, each piece confined to that LOB: accept its transit
 * gateway attachment and tag it as its own; associate only its own attachment, only with the
 * `spokes` route table, and propagate it only into the `hub` table (no routes, no other table);
 * authorize VPC associations with the hub zones in the hub's region; write only its own rows of the
 * tables (`dynamodb:LeadingKeys` = the LOB). The actions are those the AWS provider calls to create,
 * read, update and delete these resources.
 */
export function deployerPolicy(args: {
  region: string;
  hubAccountId: string;
  lob: string;
  spokesRouteTableId: string;
  hubRouteTableId: string;
  zoneIds: readonly string[];
  usersTableArn: string;
  lobsTableArn: string;
  /**
   * How the spokes resolve the hub zones. With `profile`, a LOB associates its VPC with the hub's
   * shared Route 53 Profile in its own account, and the role may no longer authorize zone
   * associations: it may only delete the authorizations a LOB made before the hub switched (see
   * docs/deploying.md, "From zone associations to a Route 53 Profile"). @default "zones"
   */
  dnsSharing?: "zones" | "profile";
}): PolicyDocument {
  const ec2 = (resource: string) => `arn:aws:ec2:${args.region}:${args.hubAccountId}:${resource}`;
  const attachments = ec2("transit-gateway-attachment/*");
  const zones = [...args.zoneIds].sort().map((id) => `arn:aws:route53:::hostedzone/${id}`);
  const ownAttachment = { StringEquals: { [`aws:ResourceTag/${TAGS.lob}`]: args.lob } };
  return policyDocument(
    {
      Sid: "ReadTransitGateway",
      Effect: "Allow",
      Action: [
        "ec2:DescribeTransitGateways",
        "ec2:DescribeTransitGatewayAttachments",
        "ec2:DescribeTransitGatewayVpcAttachments",
        "ec2:DescribeTransitGatewayRouteTables",
        "ec2:GetTransitGatewayRouteTableAssociations",
        "ec2:GetTransitGatewayRouteTablePropagations",
      ],
      Resource: "*",
    },
    {
      // A pending attachment carries no hub-side tag yet; acceptance alone routes nothing.
      Sid: "AcceptAttachment",
      Effect: "Allow",
      Action: "ec2:AcceptTransitGatewayVpcAttachment",
      Resource: attachments,
    },
    {
      Sid: "TagAttachmentAsOwn",
      Effect: "Allow",
      Action: "ec2:CreateTags",
      Resource: attachments,
      Condition: {
        StringEquals: { [`aws:RequestTag/${TAGS.lob}`]: args.lob },
        StringEqualsIfExists: { [`aws:ResourceTag/${TAGS.lob}`]: args.lob },
      },
    },
    {
      Sid: "UntagOwnAttachment",
      Effect: "Allow",
      Action: "ec2:DeleteTags",
      Resource: attachments,
      Condition: {
        ...ownAttachment,
        "ForAllValues:StringNotEquals": { "aws:TagKeys": [TAGS.lob] },
      },
    },
    {
      Sid: "OwnAttachmentOnly",
      Effect: "Allow",
      Action: [
        "ec2:AssociateTransitGatewayRouteTable",
        "ec2:DisassociateTransitGatewayRouteTable",
        "ec2:EnableTransitGatewayRouteTablePropagation",
        "ec2:DisableTransitGatewayRouteTablePropagation",
        "ec2:DeleteTransitGatewayVpcAttachment",
      ],
      Resource: attachments,
      Condition: ownAttachment,
    },
    {
      Sid: "AssociateWithSpokesTable",
      Effect: "Allow",
      Action: ["ec2:AssociateTransitGatewayRouteTable", "ec2:DisassociateTransitGatewayRouteTable"],
      Resource: ec2(`transit-gateway-route-table/${args.spokesRouteTableId}`),
    },
    {
      Sid: "PropagateIntoHubTable",
      Effect: "Allow",
      Action: [
        "ec2:EnableTransitGatewayRouteTablePropagation",
        "ec2:DisableTransitGatewayRouteTablePropagation",
      ],
      Resource: ec2(`transit-gateway-route-table/${args.hubRouteTableId}`),
    },
    args.dnsSharing === "profile"
      ? {
          // A LOB that associated its VPC with the zones before the hub switched to the Profile
          // deletes its authorizations on its next update; it creates none.
          Sid: "RemoveZoneAuthorizations",
          Effect: "Allow",
          Action: "route53:DeleteVPCAssociationAuthorization",
          Resource: zones,
          Condition: { StringLike: { "route53:VPCs": `VPCId=*,VPCRegion=${args.region}` } },
        }
      : {
          // route53:VPCs pins the region; the VPC id is the spoke's, unknown until its stack runs.
          Sid: "AuthorizeZoneAssociations",
          Effect: "Allow",
          Action: [
            "route53:CreateVPCAssociationAuthorization",
            "route53:DeleteVPCAssociationAuthorization",
          ],
          Resource: zones,
          Condition: { StringLike: { "route53:VPCs": `VPCId=*,VPCRegion=${args.region}` } },
        },
    {
      Sid: "ReadZoneAuthorizations",
      Effect: "Allow",
      Action: ["route53:ListVPCAssociationAuthorizations", "route53:GetHostedZone"],
      Resource: zones,
    },
    {
      Sid: "OwnTableRowsOnly",
      Effect: "Allow",
      Action: [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
      ],
      Resource: [args.usersTableArn, args.lobsTableArn],
      Condition: {
        "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [args.lob] },
        Null: { "dynamodb:LeadingKeys": "false" },
      },
    },
  );
}
