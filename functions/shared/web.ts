/**
 * What every web page the API serves shares (the portal's, and the SAML entry's chooser and
 * refusals): HTML escaping, the security headers and the Content-Security-Policy, and the link to
 * the one stylesheet.
 */

/** A built asset as a page links it: its content-hashed file name and its subresource integrity. */
export interface AssetLink {
  readonly file: string;
  /** `sha384-<base64>`, per "Subresource Integrity", https://www.w3.org/TR/SRI/. */
  readonly integrity: string;
}

/** A built asset as the portal serves it. */
export interface ServedAsset extends AssetLink {
  readonly contentType: string;
  readonly body: string;
}

/** What the portal function embeds at bundle time (functions/portal-assets.ts). */
export interface PortalManifest {
  readonly script: AssetLink;
  readonly stylesheet: AssetLink;
  readonly assets: readonly ServedAsset[];
}

/** Text safe in HTML content and in a double- or single-quoted attribute. */
export const escapeHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/**
 * A page's Content-Security-Policy: nothing but the API's own stylesheet (and data: images it
 * inlines), its own script and the origins it may call only when asked, forms only back to the
 * API, never framed, no <base>. No inline script or style anywhere.
 */
export function contentSecurityPolicy(page: {
  readonly script?: boolean;
  readonly connect?: readonly string[];
}): string {
  return [
    "default-src 'none'",
    ...(page.script ? ["script-src 'self'"] : []),
    "style-src 'self'",
    "img-src 'self' data:",
    ...(page.connect ? [["connect-src 'self'", ...page.connect].join(" ")] : []),
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

/**
 * The headers of every page and asset beside their type, cache and policy. HSTS: the API answers
 * HTTPS only (execute-api and its custom domains have no HTTP listener), so a browser told once
 * never tries `http://` for the name again, where someone on the network could answer it; a year,
 * without includeSubDomains or preload, so it binds this name alone. Browsers ignore it over
 * plain HTTP ("Strict-Transport-Security", RFC 6797 section 8.1), as in the rehearsal.
 */
export const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Strict-Transport-Security": "max-age=31536000",
} as const;

/** The stylesheet's `<link>`, its integrity checked by the browser. */
export const stylesheetLink = (href: string, sheet: AssetLink) =>
  `<link rel="stylesheet" href="${escapeHtml(href)}" integrity="${escapeHtml(sheet.integrity)}">`;
