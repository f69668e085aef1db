import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { HomeDirectories } from "../functions/shared/homes";
import { idleShutdownItem, type IdleShutdown } from "../functions/shared/idle-shutdown";
import { spaceStorageItem, type SpaceStorage } from "../functions/shared/space-storage";
import { ENTITLEMENTS_KEY, LOBS_KEY, seedKey } from "../functions/shared/tables";
import { DEFAULT_TEAM, TAGS, teamProfileName } from "../functions/shared/teams";
import type { HubJoin, HubOutputs } from "./studio-spoke";

export interface HubRegistrationArgs {
  /** The LOB registering. Every piece is tagged or keyed with it: its deployer role allows no other. */
  readonly lob: string;
  readonly accountId: string;
  readonly hub: HubOutputs;
  /** The spoke VPC to authorize on the hub zones. */
  readonly vpcId: pulumi.Input<string>;
  /** The spoke's attachment to the hub transit gateway, pending acceptance. */
  readonly transitGatewayAttachmentId: pulumi.Input<string>;
  readonly domainId: pulumi.Input<string>;
  readonly accessRoleArn: pulumi.Input<string>;
  /**
   * The LOB's teams and their members (seed entitlements: profiles come on first sign-in), each
   * with its effective idle shutdown, which the presigner sets on the profiles it creates.
   */
  readonly teams: readonly {
    readonly name: string;
    readonly members: readonly string[];
    readonly idleShutdown: IdleShutdown;
    /** Its space storage, which the presigner sets on the profiles it creates (issue #21). */
    readonly spaceStorage: SpaceStorage;
  }[];
  /** What offboarding does with a revoked user's home directory (written to the LOB record). */
  readonly homeDirectories: HomeDirectories;
  /**
   * What must exist before the LOB's rows (the access and provisioning roles' policies, the team
   * roles, the drain that deletes profiles): the rows go first on destroy, so access ends before
   * what it leads to.
   */
  readonly recordDependsOn: pulumi.Resource[];
}

/**
 * A LOB's pieces in the hub account, created through the hub provider (the LOB's deployer role):
 * the accepted attachment, its association with the `spokes` route table and propagation into the
 * `hub` table, the zone authorizations, and the LOB's rows in the tables.
 */
export class HubRegistration extends pulumi.ComponentResource implements HubJoin {
  readonly accepted: pulumi.Resource;
  readonly authorizations: Readonly<Record<string, aws.route53.VpcAssociationAuthorization>>;

  constructor(name: string, args: HubRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:hub:HubRegistration", name, {}, opts);
    const { hub, lob } = args;
    const here = { parent: this };

    const accepted = new aws.ec2transitgateway.VpcAttachmentAccepter(
      `${name}-tgw`,
      {
        transitGatewayAttachmentId: args.transitGatewayAttachmentId,
        transitGatewayDefaultRouteTableAssociation: false,
        transitGatewayDefaultRouteTablePropagation: false,
        tags: { Name: `${name}-tgw`, [TAGS.lob]: lob },
      },
      here,
    );
    this.accepted = accepted;
    // The spoke joins the `spokes` table (which only the hub propagates into) and announces its
    // range to the `hub` table only: no route leads from one spoke to another.
    new aws.ec2transitgateway.RouteTableAssociation(
      `${name}-tgw-spokes`,
      {
        transitGatewayAttachmentId: accepted.transitGatewayAttachmentId,
        transitGatewayRouteTableId: hub.spokesTgwRouteTableId,
      },
      here,
    );
    new aws.ec2transitgateway.RouteTablePropagation(
      `${name}-tgw-to-hub`,
      {
        transitGatewayAttachmentId: accepted.transitGatewayAttachmentId,
        transitGatewayRouteTableId: hub.hubTgwRouteTableId,
      },
      here,
    );

    // DNS: the hub's zones answer in the spoke VPC too, so Studio reaches SageMaker and STS privately.
    // Through the hub's Route 53 Profile when it has one (the spoke associates with it in its own
    // account, nothing to authorize here); otherwise each zone authorizes the spoke VPC.
    const authorizations: Record<string, aws.route53.VpcAssociationAuthorization> = {};
    const zoneIds = hub.dnsProfileId === undefined ? hub.zoneIds : {};
    for (const [key, zoneId] of Object.entries(zoneIds)) {
      authorizations[key] = new aws.route53.VpcAssociationAuthorization(
        `${name}-${key}`,
        { zoneId, vpcId: args.vpcId, vpcRegion: hub.region },
        here,
      );
    }
    this.authorizations = authorizations;

    // The LOB's rows in the hub tables; the presigner reads both in one round trip. Items appear
    // only once what they point to works, and on destroy they go first: access ends before the
    // profile or role it leads to.
    const members: aws.dynamodb.TableItem[] = [];
    for (const team of args.teams) {
      for (const member of team.members) {
        // The default team keeps the resource names of releases before teams.
        const id =
          team.name === DEFAULT_TEAM
            ? `${name}-member-${member}`
            : `${name}-member-${team.name}-${member}`;
        members.push(
          new aws.dynamodb.TableItem(
            id,
            {
              tableName: hub.usersTableName,
              hashKey: ENTITLEMENTS_KEY.partition,
              rangeKey: ENTITLEMENTS_KEY.sort,
              item: JSON.stringify({
                lob: { S: lob },
                // The seed's own key, never an admin row's: the provider's create fails on an
                // item already at its key, and `admin grant` writes `<username>#<team>`. The two
                // rows coexist; the user is in the team while either lets them in (functions/
                // shared/tables.ts, entitlementOf).
                [ENTITLEMENTS_KEY.sort]: { S: seedKey(member, team.name) },
                username: { S: member },
                team: { S: team.name },
                profileName: { S: teamProfileName(member, team.name) ?? member },
                // A seed from the stack's config: `admin revoke` leaves it (remove it there).
                source: { S: "config" },
              }),
            },
            { ...here, dependsOn: args.recordDependsOn },
          ),
        );
      }
    }
    new aws.dynamodb.TableItem(
      `${name}-lob`,
      {
        tableName: hub.lobsTableName,
        hashKey: LOBS_KEY.partition,
        item: pulumi.all([args.domainId, args.accessRoleArn]).apply(([domainId, roleArn]) =>
          JSON.stringify({
            lob: { S: lob },
            accountId: { S: args.accountId },
            region: { S: hub.region },
            domainId: { S: domainId },
            accessRoleArn: { S: roleArn },
            enabled: { BOOL: true },
            teams: { L: args.teams.map((t) => ({ S: t.name })) },
            // Whether offboarding removes a revoked user's home directory (the lifecycle function).
            homeDirectories: { S: args.homeDirectories },
            // Each team's idle shutdown, for the profiles the presigner creates (issue #21).
            idleShutdown: {
              M: Object.fromEntries(
                args.teams.map((t) => [t.name, idleShutdownItem(t.idleShutdown)]),
              ),
            },
            // And each team's space storage, likewise.
            spaceStorage: {
              M: Object.fromEntries(
                args.teams.map((t) => [t.name, spaceStorageItem(t.spaceStorage)]),
              ),
            },
          }),
        ),
      },
      // After its members' rows, so on destroy it goes first: the LOB is unknown to the API at
      // once, and the lifecycle function leaves the rows' profiles to the domain's drain.
      { ...here, dependsOn: [...args.recordDependsOn, ...members] },
    );
    this.registerOutputs({});
  }
}
