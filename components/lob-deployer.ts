import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deployerPolicy, deployerTrustPolicy } from "./policies/hub-deployer-roles";

export interface LobDeployerRoleArgs {
  readonly region: string;
  readonly hubAccountId: string;
  /** The LOB this role serves; its hub-side pieces carry this name. */
  readonly lob: string;
  /** The LOB account's deployment principal: the only one that may assume the role. */
  readonly deployer: string;
  /** The route table spokes are associated with. */
  readonly spokesRouteTableId: pulumi.Input<string>;
  /** The route table spokes propagate into. */
  readonly hubRouteTableId: pulumi.Input<string>;
  /** The hub zones a spoke VPC associates with. */
  readonly zoneIds: pulumi.Input<string>[];
  readonly usersTableArn: pulumi.Input<string>;
  readonly lobsTableArn: pulumi.Input<string>;
  /** How spokes resolve the hub zones (see deployerPolicy). @default "zones" */
  readonly dnsSharing?: "zones" | "profile";
}

/**
 * The role a LOB's stack uses for its pieces in the hub account, owned by the hub: trusted by that
 * LOB's deployment principal alone, allowed exactly what the AWS provider calls for those pieces,
 * each confined to that LOB (its own attachment, its own table rows).
 */
export class LobDeployerRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: LobDeployerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:hub:LobDeployerRole", name, {}, opts);
    const role = new aws.iam.Role(
      `${name}-deployer`,
      {
        name: `studio-access-${args.lob}-deployer`,
        description: `Deploys ${args.lob}'s pieces in the studio-access hub, and nothing else`,
        assumeRolePolicy: JSON.stringify(deployerTrustPolicy({ deployer: args.deployer })),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-deployer`,
      {
        role: role.id,
        policy: pulumi
          .all([
            args.spokesRouteTableId,
            args.hubRouteTableId,
            pulumi.all(args.zoneIds),
            args.usersTableArn,
            args.lobsTableArn,
          ])
          .apply(([spokes, hub, zoneIds, usersTableArn, lobsTableArn]) =>
            JSON.stringify(
              deployerPolicy({
                region: args.region,
                hubAccountId: args.hubAccountId,
                lob: args.lob,
                spokesRouteTableId: spokes,
                hubRouteTableId: hub,
                zoneIds,
                usersTableArn,
                lobsTableArn,
                ...(args.dnsSharing === "profile" ? { dnsSharing: args.dnsSharing } : {}),
              }),
            ),
          ),
      },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
