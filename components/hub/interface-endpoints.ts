import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import {
  endpointServices,
  recordName,
  regionalDnsEntry,
  type EndpointKey,
  type ExtraEndpoint,
} from "../lib/endpoints";
import type { PolicyDocument } from "../policies/document";
import type { HubPlacement } from "./placement";

export interface HubEndpoint {
  readonly id: pulumi.Output<string>;
  readonly serviceName: string;
  readonly zoneId: pulumi.Output<string>;
  /** The zone's ARN (what a Route 53 Profile's resource association names). */
  readonly zoneArn: pulumi.Output<string>;
  readonly zoneName: string;
  /** The endpoint's regional DNS name and its zone (what the zone's alias record points to). */
  readonly target: pulumi.Output<{ dnsName: string; hostedZoneId: string }>;
  /** Whether spokes associate this endpoint's zone (the hub-only Cognito endpoint is not theirs). */
  readonly forSpokes: boolean;
  /** Whether corporate clients reach this endpoint (the API and Studio). */
  readonly forClients: boolean;
}

export interface InterfaceEndpointsArgs {
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  /** Every hub subnet holds an ENI of every endpoint. */
  readonly subnetIds: pulumi.Input<string>[];
  /** Endpoints beyond the core ones. */
  readonly extraEndpoints?: readonly ExtraEndpoint[];
  /** The group on every endpoint (the hub and the spokes). */
  readonly endpointSecurityGroupId: pulumi.Input<string>;
  /** The group added on the endpoints corporate clients reach. */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  /** Each endpoint's policy, by its key (see `hubEndpointPolicies`). */
  readonly policy: (key: EndpointKey) => PolicyDocument;
}

/**
 * The central interface endpoints, with private DNS off, and for each the private hosted zone that
 * makes it resolvable instead: an alias record to the endpoint's regional name, in a zone the hub
 * VPC resolves and spokes associate their own VPCs with.
 */
export class InterfaceEndpoints {
  readonly endpoints: Readonly<Record<EndpointKey, HubEndpoint>>;

  constructor({ name, parent }: HubPlacement, args: InterfaceEndpointsArgs) {
    const { region } = args;
    const endpoints: Partial<Record<EndpointKey, HubEndpoint>> = {};
    for (const service of endpointServices(region, args.extraEndpoints)) {
      const endpoint = new aws.ec2.VpcEndpoint(
        `${name}-${service.key}`,
        {
          vpcId: args.vpcId,
          serviceName: service.serviceName,
          vpcEndpointType: "Interface",
          privateDnsEnabled: false,
          subnetIds: args.subnetIds,
          securityGroupIds: service.clients
            ? [args.endpointSecurityGroupId, args.clientSecurityGroupId]
            : [args.endpointSecurityGroupId],
          policy: JSON.stringify(args.policy(service.key)),
          tags: { Name: `${name}-${service.key}` },
        },
        { parent },
      );
      const zone = new aws.route53.Zone(
        `${name}-${service.key}`,
        {
          name: service.zoneName,
          comment: `studio-access: ${service.serviceName} through the hub endpoint`,
          vpcs: [{ vpcId: args.vpcId, vpcRegion: region }],
        },
        // Spokes associate their VPCs with separate resources; the inline list must not undo them.
        { parent, ignoreChanges: ["vpcs"] },
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
        { parent },
      );
      endpoints[service.key] = {
        id: endpoint.id,
        serviceName: service.serviceName,
        zoneId: zone.zoneId,
        zoneArn: zone.arn,
        zoneName: service.zoneName,
        target,
        forSpokes: service.audience === "hub-and-spokes",
        forClients: service.clients,
      };
    }
    // Every core key is present: endpointServices always lists the core endpoints.
    this.endpoints = endpoints as Record<EndpointKey, HubEndpoint>;
  }
}
