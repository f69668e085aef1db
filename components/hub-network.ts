import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isolatedVpc } from "./lib/isolated-vpc";
import {
  endpointServices,
  recordName,
  regionalDnsEntry,
  type EndpointKey,
  type ExtraEndpoint,
} from "./lib/endpoints";
import type { PolicyDocument } from "./policies/document";
import { accessRoleArn } from "./policies/role-names";
import {
  executeApiEndpointPolicy,
  lambdaEndpointPolicy,
  organizationEndpointPolicy,
  sageMakerApiEndpointPolicy,
} from "./policies/endpoints";

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
}

export interface HubEndpoint {
  readonly id: pulumi.Output<string>;
  readonly serviceName: string;
  readonly zoneId: pulumi.Output<string>;
  readonly zoneName: string;
  /** Whether spokes associate this endpoint's zone (the hub-only Cognito endpoint is not theirs). */
  readonly forSpokes: boolean;
  /** Whether corporate clients reach this endpoint (the API and Studio). */
  readonly forClients: boolean;
}

/**
 * The hub account's network: an isolated VPC, a transit gateway on which spokes reach the hub and
 * never each other, the central interface endpoints with private DNS off, and a private hosted zone
 * per endpoint service that hub, spoke and corporate resolvers use instead.
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

  constructor(name: string, args: HubNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:hub:HubNetwork", name, {}, opts);
    const parent = { parent: this };
    const { region } = args;

    this.availabilityZoneIds = pulumi.output([...args.availabilityZoneIds]);
    const { vpc, routeTable, subnets } = isolatedVpc(
      name,
      {
        cidrBlock: args.vpcCidr,
        availabilityZoneIds: [...args.availabilityZoneIds],
      },
      parent,
    );
    this.vpcId = vpc.id;
    this.vpcCidr = args.vpcCidr;
    this.routeTableId = routeTable.id;
    this.subnetIds = subnets.map((s) => s.id);

    const tgw = new aws.ec2transitgateway.TransitGateway(
      `${name}-tgw`,
      {
        description: "studio-access hub: spokes reach the hub, never each other",
        defaultRouteTableAssociation: "disable",
        defaultRouteTablePropagation: "disable",
        // Each spoke's attachment is accepted explicitly by its own stack, through the hub provider.
        autoAcceptSharedAttachments: "disable",
        dnsSupport: "enable",
        tags: { Name: `${name}-tgw` },
      },
      parent,
    );
    this.transitGatewayId = tgw.id;
    const hubRt = new aws.ec2transitgateway.RouteTable(
      `${name}-tgw-hub`,
      { transitGatewayId: tgw.id, tags: { Name: `${name}-tgw-hub` } },
      parent,
    );
    const spokesRt = new aws.ec2transitgateway.RouteTable(
      `${name}-tgw-spokes`,
      { transitGatewayId: tgw.id, tags: { Name: `${name}-tgw-spokes` } },
      parent,
    );
    this.hubTgwRouteTableId = hubRt.id;
    this.spokesTgwRouteTableId = spokesRt.id;
    const hubAttachment = new aws.ec2transitgateway.VpcAttachment(
      `${name}-tgw-hub-vpc`,
      {
        transitGatewayId: tgw.id,
        vpcId: vpc.id,
        subnetIds: this.subnetIds,
        transitGatewayDefaultRouteTableAssociation: false,
        transitGatewayDefaultRouteTablePropagation: false,
        tags: { Name: `${name}-tgw-hub-vpc` },
      },
      parent,
    );
    this.hubAttachmentId = hubAttachment.id;
    new aws.ec2transitgateway.RouteTableAssociation(
      `${name}-tgw-hub-vpc`,
      { transitGatewayAttachmentId: hubAttachment.id, transitGatewayRouteTableId: hubRt.id },
      parent,
    );
    new aws.ec2transitgateway.RouteTablePropagation(
      `${name}-tgw-hub-vpc-to-spokes`,
      { transitGatewayAttachmentId: hubAttachment.id, transitGatewayRouteTableId: spokesRt.id },
      parent,
    );

    const share = new aws.ram.ResourceShare(
      `${name}-tgw-share`,
      { allowExternalPrincipals: false, tags: { Name: `${name}-tgw-share` } },
      parent,
    );
    new aws.ram.ResourceAssociation(
      `${name}-tgw-share`,
      { resourceArn: tgw.arn, resourceShareArn: share.arn },
      parent,
    );
    for (const [lob, { accountId }] of Object.entries(args.lobs)) {
      new aws.ram.PrincipalAssociation(
        `${name}-tgw-share-${lob}`,
        { principal: accountId, resourceShareArn: share.arn },
        parent,
      );
    }
    // The way back to the spokes: owned by the hub, which knows every spoke's range, so no LOB
    // needs rights on the hub's route table. One route for the supernet, or one per spoke.
    const spokeRanges: [string, string][] = args.spokesSupernet
      ? [["spokes", args.spokesSupernet]]
      : Object.entries(args.lobs).map(([lob, { vpcCidr }]) => [lob, vpcCidr]);
    for (const [key, cidr] of spokeRanges) {
      new aws.ec2.Route(
        `${name}-to-${key}`,
        { routeTableId: routeTable.id, destinationCidrBlock: cidr, transitGatewayId: tgw.id },
        { ...parent, dependsOn: [hubAttachment] },
      );
    }

    const endpointSg = new aws.ec2.SecurityGroup(
      `${name}-endpoints`,
      {
        vpcId: vpc.id,
        description: "Central VPC endpoints: HTTPS from the hub and the spokes",
      },
      parent,
    );
    this.endpointSecurityGroupId = endpointSg.id;
    // Corporate ranges get a group of their own, on the API and Studio endpoints only: from the
    // corporate network, STS and the SageMaker API are out of reach.
    const clientSg = new aws.ec2.SecurityGroup(
      `${name}-client-endpoints`,
      {
        vpcId: vpc.id,
        description: "API and Studio endpoints: HTTPS from corporate networks",
      },
      parent,
    );
    const httpsFrom = (
      group: aws.ec2.SecurityGroup,
      key: string,
      cidr: string,
      description: string,
    ) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-endpoints-https-${key}`,
        {
          securityGroupId: group.id,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: cidr,
          description,
        },
        parent,
      );
    httpsFrom(endpointSg, "hub", args.vpcCidr, "hub VPC");
    for (const [key, cidr] of spokeRanges)
      httpsFrom(
        endpointSg,
        key,
        cidr,
        key === "spokes" ? "every spoke (supernet)" : `spoke ${key}`,
      );
    for (const cidr of args.clientCidrs)
      httpsFrom(clientSg, `client-${cidr.replace(/[./]/g, "-")}`, cidr, "corporate network");

    const accessRoles = Object.values(args.lobs).map((lob) =>
      accessRoleArn(lob.accountId, args.accessRoleName),
    );
    const policies: Partial<Record<EndpointKey, PolicyDocument>> = {
      "sagemaker-api": sageMakerApiEndpointPolicy({
        organizationId: args.organizationId,
        accessRoleArns: accessRoles,
      }),
      "sagemaker-runtime": organizationEndpointPolicy(args),
      sts: organizationEndpointPolicy(args),
      logs: organizationEndpointPolicy(args),
      studio: organizationEndpointPolicy(args),
      "execute-api": executeApiEndpointPolicy({ region, hubAccountId: args.hubAccountId }),
      lambda: lambdaEndpointPolicy({ region, organizationId: args.organizationId }),
      "cognito-idp": {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "HubUserPoolsOnly",
            Effect: "Allow",
            Principal: "*",
            Action: "cognito-idp:*",
            Resource: `arn:aws:cognito-idp:${region}:${args.hubAccountId}:userpool/*`,
          },
        ],
      },
    };

    const endpoints: Partial<Record<EndpointKey, HubEndpoint>> = {};
    for (const service of endpointServices(region, args.extraEndpoints)) {
      const endpoint = new aws.ec2.VpcEndpoint(
        `${name}-${service.key}`,
        {
          vpcId: vpc.id,
          serviceName: service.serviceName,
          vpcEndpointType: "Interface",
          privateDnsEnabled: false,
          subnetIds: this.subnetIds,
          securityGroupIds: service.clients ? [endpointSg.id, clientSg.id] : [endpointSg.id],
          // The core endpoints' own policies; extra ones serve the organization.
          policy: JSON.stringify(policies[service.key] ?? organizationEndpointPolicy(args)),
          tags: { Name: `${name}-${service.key}` },
        },
        parent,
      );
      const zone = new aws.route53.Zone(
        `${name}-${service.key}`,
        {
          name: service.zoneName,
          comment: `studio-access: ${service.serviceName} through the hub endpoint`,
          vpcs: [{ vpcId: vpc.id, vpcRegion: region }],
        },
        // Spokes associate their VPCs with separate resources; the inline list must not undo them.
        { ...parent, ignoreChanges: ["vpcs"] },
      );
      const target = endpoint.dnsEntries.apply(regionalDnsEntry);
      new aws.route53.Record(
        `${name}-${service.key}`,
        {
          zoneId: zone.zoneId,
          name: recordName(service),
          type: "A",
          aliases: [
            { name: target.dnsName, zoneId: target.hostedZoneId, evaluateTargetHealth: true },
          ],
        },
        parent,
      );
      endpoints[service.key] = {
        id: endpoint.id,
        serviceName: service.serviceName,
        zoneId: zone.zoneId,
        zoneName: service.zoneName,
        forSpokes: service.audience === "hub-and-spokes",
        forClients: service.clients,
      };
    }
    this.endpoints = endpoints as Record<EndpointKey, HubEndpoint>;

    const dynamodb = new aws.ec2.VpcEndpoint(
      `${name}-dynamodb`,
      {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${region}.dynamodb`,
        vpcEndpointType: "Gateway",
        routeTableIds: [routeTable.id],
        tags: { Name: `${name}-dynamodb` },
      },
      parent,
    );
    this.dynamodbPrefixListId = dynamodb.prefixListId;

    if (args.resolverInboundEndpoint) {
      const dnsSg = new aws.ec2.SecurityGroup(
        `${name}-resolver`,
        {
          vpcId: vpc.id,
          description: "Route 53 Resolver inbound endpoint: DNS from corporate networks",
        },
        parent,
      );
      for (const cidr of args.clientCidrs) {
        for (const protocol of ["tcp", "udp"]) {
          new aws.vpc.SecurityGroupIngressRule(
            `${name}-resolver-${protocol}-${cidr.replace(/[./]/g, "-")}`,
            {
              securityGroupId: dnsSg.id,
              ipProtocol: protocol,
              fromPort: 53,
              toPort: 53,
              cidrIpv4: cidr,
              description: "corporate DNS forwarders",
            },
            parent,
          );
        }
      }
      const resolver = new aws.route53.ResolverEndpoint(
        `${name}-inbound`,
        {
          direction: "INBOUND",
          securityGroupIds: [dnsSg.id],
          ipAddresses: this.subnetIds.map((subnetId) => ({ subnetId })),
        },
        parent,
      );
      this.resolverInboundIps = resolver.ipAddresses.apply((ips) =>
        ips.flatMap((ip) => (ip.ip ? [ip.ip] : [])),
      );
    }

    this.registerOutputs({ vpcId: this.vpcId, transitGatewayId: this.transitGatewayId });
  }
}
