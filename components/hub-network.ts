import * as pulumi from "@pulumi/pulumi";
import { isolatedVpc } from "./lib/isolated-vpc";
import type { EndpointKey, ExtraEndpoint } from "./lib/endpoints";
import { dynamodbGateway } from "./hub/dynamodb-gateway";
import { hubEndpointPolicies } from "./hub/endpoint-policies";
import { EndpointSecurityGroups } from "./hub/endpoint-security-groups";
import { InboundResolver } from "./hub/inbound-resolver";
import { shareDnsProfile, type DnsProfile, type DnsSharing } from "./hub/dns-profile";
import { InterfaceEndpoints, type HubEndpoint } from "./hub/interface-endpoints";
import type { HubPlacement } from "./hub/placement";
import { spokeRanges } from "./hub/spoke-ranges";
import { HubTransitGateway } from "./hub/transit-gateway";
import { shareTransitGateway } from "./hub/transit-gateway-share";

export type { HubEndpoint } from "./hub/interface-endpoints";
export type { DnsSharing } from "./hub/dns-profile";

export interface HubNetworkArgs {
  /** The region of the hub and every spoke (PrivateLink is regional). */
  readonly region: string;
  /** The hub VPC's range; split evenly into one isolated subnet per AZ. */
  readonly vpcCidr: string;
  /**
   * The AZ ids that carry a subnet, an endpoint ENI and a TGW attachment: zones needing no opt-in
   * where every interface endpoint service is offered (see `eligibleAvailabilityZones`).
   */
  readonly availabilityZoneIds: readonly string[];
  /** The hub account: interface endpoints serve its API and its user pools only. */
  readonly hubAccountId: string;
  /** The AWS Organizations id: interface endpoints serve its principals only. */
  readonly organizationId: string;
  /**
   * Every LOB: its account (shared the transit gateway through RAM) and its VPC range (routed back
   * from the hub VPC and admitted to the endpoints).
   */
  readonly lobs: Readonly<Record<string, { readonly accountId: string; readonly vpcCidr: string }>>;
  /** The role name every LOB creates for the presigner: the only principal that may presign. */
  readonly accessRoleName: string;
  /**
   * A range holding every spoke's: one route and one endpoint rule serve them all, however many
   * LOBs there are. Without it, each LOB gets its own route and rule. @default undefined
   */
  readonly spokesSupernet?: string;
  /** Endpoints beyond the core ones, for the LOBs' Studio apps (e.g. ECR). @default [] */
  readonly extraEndpoints?: readonly ExtraEndpoint[];
  /** Corporate networks allowed to reach the endpoints (the API and Studio) on 443. */
  readonly clientCidrs: readonly string[];
  /** Whether to create a Route 53 Resolver inbound endpoint for corporate DNS forwarding. @default false */
  readonly resolverInboundEndpoint: boolean;
  /**
   * How spokes resolve the hub zones: `zones`, each LOB associates its VPC with every zone; or
   * `profile`, a Route 53 Profile holding them, RAM-shared to the LOB accounts (see DnsSharing).
   * @default "zones"
   */
  readonly dnsSharing?: DnsSharing;
}

/**
 * The hub account's network: an isolated VPC, a transit gateway on which spokes reach the hub and
 * never each other, the central interface endpoints with private DNS off, and a private hosted zone
 * per endpoint service that hub, spoke and corporate resolvers use instead. Each is a part in
 * components/hub/, composed here; all their resources are this component's children (see
 * HubPlacement).
 */
export class HubNetwork extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: string;
  readonly subnetIds: pulumi.Output<string>[];
  readonly availabilityZoneIds: pulumi.Output<string[]>;
  readonly routeTableId: pulumi.Output<string>;
  /** The hub VPC's attachment to the transit gateway. */
  readonly hubAttachmentId: pulumi.Output<string>;
  readonly transitGatewayId: pulumi.Output<string>;
  /** Associated with the hub attachment; spokes propagate into it so the hub can answer them. */
  readonly hubTgwRouteTableId: pulumi.Output<string>;
  /** Associated with every spoke attachment; only the hub propagates into it. */
  readonly spokesTgwRouteTableId: pulumi.Output<string>;
  readonly endpointSecurityGroupId: pulumi.Output<string>;
  readonly endpoints: Readonly<Record<EndpointKey, HubEndpoint>>;
  readonly dynamodbPrefixListId: pulumi.Output<string>;
  readonly resolverInboundIps?: pulumi.Output<string[]>;
  /** In `profile` mode: the Route 53 Profile holding the spoke-facing zones. */
  readonly dnsProfile?: DnsProfile;

  constructor(name: string, args: HubNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:hub:HubNetwork", name, {}, opts);
    const placement: HubPlacement = { name, parent: this };
    const { region } = args;

    this.availabilityZoneIds = pulumi.output([...args.availabilityZoneIds]);
    const { vpc, routeTable, subnets } = isolatedVpc(
      name,
      { cidrBlock: args.vpcCidr, availabilityZoneIds: [...args.availabilityZoneIds] },
      { parent: this },
    );
    this.vpcId = vpc.id;
    this.vpcCidr = args.vpcCidr;
    this.routeTableId = routeTable.id;
    this.subnetIds = subnets.map((s) => s.id);
    const spokes = spokeRanges(args);

    const tgw = new HubTransitGateway(placement, {
      vpcId: vpc.id,
      subnetIds: this.subnetIds,
      routeTableId: routeTable.id,
      spokeRanges: spokes,
    });
    shareTransitGateway(placement, tgw.gateway.arn, args.lobs);
    this.transitGatewayId = tgw.gateway.id;
    this.hubTgwRouteTableId = tgw.hubRouteTable.id;
    this.spokesTgwRouteTableId = tgw.spokesRouteTable.id;
    this.hubAttachmentId = tgw.hubAttachment.id;

    const groups = new EndpointSecurityGroups(placement, {
      vpcId: vpc.id,
      vpcCidr: args.vpcCidr,
      spokeRanges: spokes,
      clientCidrs: args.clientCidrs,
    });
    this.endpointSecurityGroupId = groups.endpoints.id;
    this.endpoints = new InterfaceEndpoints(placement, {
      region,
      vpcId: vpc.id,
      subnetIds: this.subnetIds,
      extraEndpoints: args.extraEndpoints,
      endpointSecurityGroupId: groups.endpoints.id,
      clientSecurityGroupId: groups.clients.id,
      policy: hubEndpointPolicies(args),
    }).endpoints;
    if (args.dnsSharing === "profile")
      this.dnsProfile = shareDnsProfile(placement, {
        zones: Object.fromEntries(
          Object.entries(this.endpoints)
            .filter(([, endpoint]) => endpoint.forSpokes)
            .map(([key, endpoint]) => [key, { zoneArn: endpoint.zoneArn }]),
        ),
        lobs: args.lobs,
      });
    this.dynamodbPrefixListId = dynamodbGateway(placement, {
      region,
      vpcId: vpc.id,
      routeTableId: routeTable.id,
    }).prefixListId;

    if (args.resolverInboundEndpoint)
      this.resolverInboundIps = new InboundResolver(placement, {
        vpcId: vpc.id,
        subnetIds: this.subnetIds,
        clientCidrs: args.clientCidrs,
      }).ips;

    this.registerOutputs({ vpcId: this.vpcId, transitGatewayId: this.transitGatewayId });
  }
}
