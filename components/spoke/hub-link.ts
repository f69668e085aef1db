import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { SpokeNetwork } from "./network";
import type { SpokeScope } from "./scope";

/** What the hub side gives the spoke once it has accepted the attachment and authorized the zones. */
export interface HubJoin {
  readonly accepted: pulumi.Resource;
  readonly authorizations: Readonly<Record<string, aws.route53.VpcAssociationAuthorization>>;
}

/**
 * The spoke's link to the hub: its transit gateway attachment now, and once the hub has accepted
 * it (`join`), the default route through it and the associations with the hub's zones.
 */
export class HubLink {
  readonly attachment: aws.ec2transitgateway.VpcAttachment;

  constructor(
    private readonly scope: SpokeScope,
    private readonly network: SpokeNetwork,
  ) {
    const { name, hub } = scope;
    this.attachment = new aws.ec2transitgateway.VpcAttachment(
      `${name}-tgw`,
      {
        transitGatewayId: hub.transitGatewayId,
        vpcId: network.vpc.id,
        subnetIds: network.subnetIds,
        tags: { Name: `${name}-tgw` },
      },
      { parent: scope.parent },
    );
  }

  /**
   * Once the hub has accepted the attachment and authorized the zones: the default route to the
   * transit gateway, and the spoke VPC's association with each hub zone (or, when the hub shares
   * them through a Route 53 Profile, with that Profile).
   */
  join(join: HubJoin): void {
    const { name, hub, parent } = this.scope;
    new aws.ec2.Route(
      `${name}-default`,
      {
        routeTableId: this.network.routeTable.id,
        destinationCidrBlock: "0.0.0.0/0",
        transitGatewayId: hub.transitGatewayId,
      },
      { parent, dependsOn: [join.accepted] },
    );
    if (hub.dnsProfileId !== undefined) {
      // One association with the hub's Profile, which holds every spoke-facing zone. The provider
      // waits for the association to be COMPLETE (GetProfileAssociation until its status is), as
      // the Terraform AWS provider's internal/service/route53profiles/association.go does. A VPC
      // takes one Profile only ("AssociateProfile", Route 53 API Reference,
      // https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53profiles_AssociateProfile.html).
      new aws.route53.ProfilesAssociation(
        `${name}-dns-profile`,
        {
          name: `${name}-studio-access`,
          profileId: hub.dnsProfileId,
          resourceId: this.network.vpc.id,
        },
        { parent },
      );
      return;
    }
    for (const [key, authorization] of Object.entries(join.authorizations)) {
      new aws.route53.ZoneAssociation(
        `${name}-${key}`,
        {
          zoneId: authorization.zoneId,
          vpcId: this.network.vpc.id,
          vpcRegion: hub.region,
        },
        { parent, dependsOn: [authorization] },
      );
    }
  }
}
