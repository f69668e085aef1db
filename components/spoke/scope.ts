import type * as pulumi from "@pulumi/pulumi";
import type { IdleShutdown } from "../../functions/shared/idle-shutdown";
import type { EndpointKey } from "../lib/endpoints";

/** What the hub stack publishes for its spokes (its StackReference outputs, resolved). */
export interface HubOutputs {
  readonly region: string;
  readonly hubAccountId: string;
  readonly organizationId: string;
  readonly lobs: Readonly<Record<string, { readonly accountId: string; readonly vpcCidr: string }>>;
  readonly accessRoleName: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly availabilityZoneIds: readonly string[];
  readonly transitGatewayId: string;
  readonly hubTgwRouteTableId: string;
  readonly spokesTgwRouteTableId: string;
  readonly endpointIds: Readonly<Record<EndpointKey, string>>;
  /** The zones spokes associate with (every endpoint's but the hub-only ones). */
  readonly zoneIds: Readonly<Partial<Record<EndpointKey, string>>>;
  /**
   * The hub's Route 53 Profile holding those zones, when the hub shares them that way (hub config
   * `dnsSharing: profile`): the spoke associates its VPC with the Profile instead of each zone.
   */
  readonly dnsProfileId?: string;
  readonly usersTableName: string;
  readonly lobsTableName: string;
  readonly presignerRoleArn: string;
  /** The hub's lifecycle function role: the LOB's lifecycle role trusts it (offboarding). */
  readonly lifecycleRoleArn: string;
  /** The SAML entry's role, when the hub has one: it may assume the access role too. */
  readonly samlRoleArn?: string;
  /** The hub's admin role, when the hub has admins: the LOB's usage reader role trusts it. */
  readonly adminRoleArn?: string;
  /** LOB → the role the hub created for that LOB's hub-side pieces. */
  readonly deployerRoleArns: Readonly<Record<string, string>>;
  /** The hub-wide idle shutdown, every LOB's default (absent from a hub older than issue #21). */
  readonly idleShutdown?: IdleShutdown;
}

/**
 * What every part of a spoke shares. Each part names its resources `<name>-<key>` and parents them
 * to the StudioSpoke itself, as when it was one constructor: the parts are code, not components,
 * so no live resource's URN changes (tests/stacks/urns.test.ts).
 */
export interface SpokeScope {
  /** The StudioSpoke's name, every resource name's prefix ("lob-a" → "lob-a-domain"). */
  readonly name: string;
  readonly parent: pulumi.Resource;
  /** The LOB's name. */
  readonly lob: string;
  /** The LOB's account, where every resource of the spoke lands. */
  readonly accountId: string;
  readonly hub: HubOutputs;
}
