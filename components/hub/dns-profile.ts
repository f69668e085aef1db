import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { HubPlacement } from "./placement";

/**
 * How the spokes resolve the hub's endpoint zones (hub config `dnsSharing`).
 *
 * - `zones` (the default): each LOB stack authorizes (through its hub deployer role) and associates
 *   its VPC with every spoke-facing zone. Free, and it works for any VPC, including one that already
 *   has a Route 53 Profile of its own; but a private hosted zone takes at most 300 VPCs ("Quotas on
 *   private hosted zones", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html),
 *   so the hub VPC and 299 LOBs.
 * - `profile`: the hub puts every spoke-facing zone in one Route 53 Profile and shares it through
 *   RAM with each LOB account; each LOB associates its VPC with the Profile once. A Profile takes
 *   1,000 VPCs by default, adjustable ("AssociateProfile", Route 53 API Reference,
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53profiles_AssociateProfile.html:
 *   "A VPC can have only one Profile associated with it, but a Profile can be associated with 1000
 *   of VPCs (and you can request a higher quota)"). It is not free: "$0.75 per AWS account for up
 *   to 100 Profile-VPC associations" an hour, "$0.0014 per Profile-VPC association per hour"
 *   beyond (Amazon Route 53 pricing, https://aws.amazon.com/route53/pricing/, as read 2026-09-20;
 *   if each LOB account pays for its own association, about $550 a month per LOB). And a VPC that
 *   already has a Profile cannot take ours. Hence `zones` stays the default, and `profile` is the way past 299
 *   LOBs.
 */
export type DnsSharing = "zones" | "profile";

/** The Profile the spokes associate with. */
export interface DnsProfile {
  readonly profileId: pulumi.Output<string>;
  readonly profileArn: pulumi.Output<string>;
}

/**
 * One Route 53 Profile holding every spoke-facing hub zone (one resource association per zone),
 * shared through a RAM share of its own with each LOB account (one principal association per LOB,
 * never the organization, as the transit gateway's share; external principals refused). See "What
 * are Amazon Route 53 Profiles?" and "Working with shared Route 53 Profiles"
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/profiles.html,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/sharing-profiles.html): a consumer with
 * the default read-only permission may associate the Profile with its own VPCs, and may not change
 * what the Profile holds.
 */
export function shareDnsProfile(
  { name, parent }: HubPlacement,
  args: {
    /** The zones spokes resolve, by endpoint key (the hub-only ones left out). */
    readonly zones: Readonly<Record<string, { readonly zoneArn: pulumi.Input<string> }>>;
    readonly lobs: Readonly<Record<string, { readonly accountId: string }>>;
  },
): DnsProfile {
  const profile = new aws.route53.ProfilesProfile(
    `${name}-dns-profile`,
    { name: `${name}-studio-access`, tags: { Name: `${name}-dns-profile` } },
    { parent },
  );
  for (const [key, { zoneArn }] of Object.entries(args.zones)) {
    new aws.route53.ProfilesResourceAssociation(
      `${name}-dns-profile-${key}`,
      { name: `${name}-${key}`, profileId: profile.id, resourceArn: zoneArn },
      { parent },
    );
  }
  const share = new aws.ram.ResourceShare(
    `${name}-dns-profile-share`,
    { allowExternalPrincipals: false, tags: { Name: `${name}-dns-profile-share` } },
    { parent },
  );
  new aws.ram.ResourceAssociation(
    `${name}-dns-profile-share`,
    { resourceArn: profile.arn, resourceShareArn: share.arn },
    { parent },
  );
  for (const [lob, { accountId }] of Object.entries(args.lobs)) {
    new aws.ram.PrincipalAssociation(
      `${name}-dns-profile-share-${lob}`,
      { principal: accountId, resourceShareArn: share.arn },
      { parent },
    );
  }
  return { profileId: profile.id, profileArn: profile.arn };
}
