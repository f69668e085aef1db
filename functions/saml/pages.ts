import type { APIGatewayProxyResult } from "aws-lambda";
import stylesheet from "portal-assets:stylesheet";
import {
  contentSecurityPolicy,
  escapeHtml as esc,
  SECURITY_HEADERS,
  stylesheetLink,
} from "../shared/web";

/** No script, only the portal's stylesheet, forms only back to this API, never framed. */
const HEADERS = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy": contentSecurityPolicy({}),
  "Cache-Control": "no-store",
  ...SECURITY_HEADERS,
} as const;

/**
 * The portal's stylesheet (built with this bundle, functions/build.ts), relative to the page: every
 * page here answers POST <base>saml, so `assets/…` is <base>assets/…, on the execute-api host
 * (`/v1/`) as on a custom domain (`/`), with no argument to pass.
 */
const STYLESHEET = stylesheetLink(`assets/${stylesheet.file}`, stylesheet);

function page(status: number, title: string, body: string): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { ...HEADERS },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>${STYLESHEET}</head><body><h1>${esc(title)}</h1>${body}</body></html>`,
  };
}

/** A refusal: no detail (the reason is in the log), only the id that finds it there. */
export function refusedPage(correlationId: string): APIGatewayProxyResult {
  return page(
    403,
    "Studio could not be opened",
    `<p>Your sign-in was not accepted. If you need help, give this reference to your platform team: <code>${esc(correlationId)}</code></p>`,
  );
}

/** A failure on our side or AWS's (the status says which): try again, with the same reference. */
export function failedPage(status: number, correlationId: string): APIGatewayProxyResult {
  return page(
    status,
    "Studio is not available right now",
    `<p>Please sign in again from your portal in a moment. Reference: <code>${esc(correlationId)}</code></p>`,
  );
}

/** A first sign-in whose Studio profile is still being created: 202, sign in again shortly. */
export function preparingPage(correlationId: string): APIGatewayProxyResult {
  return page(
    202,
    "Your Studio is being prepared",
    `<p>This is your first sign-in: your Studio profile is being created. Sign in again from your portal in a minute. Reference: <code>${esc(correlationId)}</code></p>`,
  );
}

/** The chooser: one button per Studio, each posting the one-time choice back to the ACS URL. */
export function chooserPage(
  acsPath: string,
  token: string,
  lobs: readonly string[],
): APIGatewayProxyResult {
  const forms = lobs
    .map(
      (lob) =>
        `<form method="post" action="${esc(acsPath)}"><input type="hidden" name="choice" value="${esc(token)}"><input type="hidden" name="lob" value="${esc(lob)}"><button type="submit">${esc(lob)}</button></form>`,
    )
    .join("");
  return page(200, "Choose a Studio", forms);
}
