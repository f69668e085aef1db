import { z } from "zod";
import type { CorporateConnection } from "../../components/corporate-link";
import { parseCidr } from "../../components/lib/cidr";
import { integer, refuse, strict, writtenAs } from "./common";

const EITHER =
  'either {transitGatewayAttachmentId: "tgw-attach-…"} (an existing Direct Connect gateway or VPN attachment) or {vpn: {customerGatewayIp, bgpAsn}}';

const vpn = strict(
  {
    customerGatewayIp: z
      .string({ error: "the corporate VPN device's public IPv4 address" })
      .refine((ip) => parseCidr(`${ip}/32`) !== undefined && !ip.includes("/"), {
        error: "the corporate VPN device's public IPv4 address",
      }),
    bgpAsn: integer(1, 4294967294),
  },
  "{customerGatewayIp, bgpAsn}",
);

const attachment = strict(
  {
    transitGatewayAttachmentId: z
      .string({ error: "a transit gateway attachment id, tgw-attach-…" })
      .regex(/^tgw-attach-[0-9a-f]{8,17}$/, {
        error: "a transit gateway attachment id, tgw-attach-…",
      }),
  },
  EITHER,
);
const siteToSite = strict({ vpn }, EITHER);

/** How the stack files may write `corporate`, for the JSON Schema: one form or the other. */
export const corporateForms = z
  .union([attachment, siteToSite])
  .describe("{transitGatewayAttachmentId} or {vpn: {customerGatewayIp, bgpAsn}}");

/**
 * `corporate`: how the corporate network (the client ranges) reaches the hub, through an
 * existing transit gateway attachment or a Site-to-Site VPN the hub makes. The form is chosen by
 * its key, then checked alone, so a problem names the key inside it (zod's union would only say
 * that neither form matched).
 */
export const corporate = z
  .record(z.string(), z.unknown(), { error: EITHER })
  .transform((value, ctx): CorporateConnection => {
    if ("transitGatewayAttachmentId" in value === "vpn" in value) {
      refuse(ctx, [], value, EITHER);
      return z.NEVER;
    }
    const form = "vpn" in value ? siteToSite : attachment;
    const result = form.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  })
  .describe(corporateForms.description ?? "");
writtenAs.set(corporate, corporateForms);
