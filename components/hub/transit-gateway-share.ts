import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { HubPlacement } from "./placement";

/**
 * Shares the transit gateway through RAM with every LOB account (and with nothing outside the
 * organization), so each LOB's stack can attach its spoke VPC to it.
 */
export function shareTransitGateway(
  { name, parent }: HubPlacement,
  transitGatewayArn: pulumi.Input<string>,
  lobs: Readonly<Record<string, { readonly accountId: string }>>,
): void {
  const share = new aws.ram.ResourceShare(
    `${name}-tgw-share`,
    { allowExternalPrincipals: false, tags: { Name: `${name}-tgw-share` } },
    { parent },
  );
  new aws.ram.ResourceAssociation(
    `${name}-tgw-share`,
    { resourceArn: transitGatewayArn, resourceShareArn: share.arn },
    { parent },
  );
  for (const [lob, { accountId }] of Object.entries(lobs)) {
    new aws.ram.PrincipalAssociation(
      `${name}-tgw-share-${lob}`,
      { principal: accountId, resourceShareArn: share.arn },
      { parent },
    );
  }
}
