import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import {
  contentSecurityPolicy,
  escapeHtml,
  SECURITY_HEADERS,
  stylesheetLink,
  type PortalManifest,
} from "../shared/web";
import type { PortalSettings } from "./config";

/** The page's content before its script runs (static: no inline script or style). */
export const LOADING =
  "Loading… If this stays, reload the page; if it persists, tell your platform team (the page's script did not load).";

/** A year, never revalidated: an asset's name changes with its content. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** A base path: `/`, or slash-separated plain segments ending in `/` (never `//`). */
const BASE_PATH = /^\/(?:[A-Za-z0-9._~-]+\/)*$/;

/**
 * The absolute path the API is served at for this request, ending in `/`: the request's path as
 * the browser sent it (`requestContext.path`: `/v1/assets/x` on the execute-api host, `/assets/x`
 * on a custom domain mapped at its root) less the resource's path with its parameters (`resource`
 * `/assets/{file}` → `/assets/x`). Not less `path`: on a custom domain `path` keeps the base path
 * mapping's prefix. `/v1` and `/v1/` are both the root resource. Per "$context variables for data
 * models, authorizers, mapping templates, and access logging" ($context.path, $context.resourcePath),
 * API Gateway developer guide,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html.
 */
export function basePathOf(
  event: Pick<APIGatewayProxyEvent, "resource" | "pathParameters" | "requestContext">,
) {
  const full = event.requestContext.path;
  const within = event.resource.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(event.pathParameters?.[name] ?? "{}"),
  );
  let base: string;
  if (within === "/") base = full.endsWith("/") ? full.slice(0, -1) : full;
  else if (full.endsWith(within)) base = full.slice(0, -within.length);
  else return undefined;
  base = `${base}/`;
  return BASE_PATH.test(base) ? base : undefined;
}

/**
 * The portal: `GET /` the page, `GET /assets/{file}` its script and stylesheet, `GET /settings`
 * the pool's settings. Everything it serves was embedded at bundle time; it reads no file and calls
 * nothing.
 */
export function createHandler(manifest: PortalManifest, settings: PortalSettings) {
  const headers = {
    "Content-Security-Policy": contentSecurityPolicy({
      script: true,
      connect: [new URL(settings.cognitoEndpoint).origin],
    }),
    ...SECURITY_HEADERS,
  };
  const assets = new Map(manifest.assets.map((a) => [a.file, a]));
  const settingsJson = JSON.stringify(settings);

  const answer = (
    statusCode: number,
    contentType: string,
    cacheControl: string,
    body: string,
  ): APIGatewayProxyResult => ({
    statusCode,
    headers: { "Content-Type": contentType, "Cache-Control": cacheControl, ...headers },
    body,
  });
  const notFound = () => answer(404, "text/plain; charset=utf-8", "no-store", "");

  function page(base: string): string {
    const config = JSON.stringify({ apiBase: base, ...settings });
    return [
      '<!doctype html><html lang="en"><head><meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width,initial-scale=1">',
      "<title>Studio access</title>",
      stylesheetLink(`${base}assets/${manifest.stylesheet.file}`, manifest.stylesheet),
      `<meta name="studio-access-config" content="${escapeHtml(config)}">`,
      `<script type="module" src="${escapeHtml(`${base}assets/${manifest.script.file}`)}" integrity="${escapeHtml(manifest.script.integrity)}"></script>`,
      // Shown until the script replaces it (portal/main.ts start), so a script that never runs
      // (its integrity refused, blocked by a proxy) leaves a message, not a blank page.
      `</head><body><main id="app"><p>${escapeHtml(LOADING)}</p></main>`,
      "<noscript>This page needs JavaScript. Without it, use the studio-access command, or ask your platform team.</noscript>",
      "</body></html>",
    ].join("");
  }

  return function handle(event: APIGatewayProxyEvent): APIGatewayProxyResult {
    if (event.httpMethod !== "GET") return notFound();
    switch (event.resource) {
      case "/": {
        const base = basePathOf(event);
        return base ? answer(200, "text/html; charset=utf-8", "no-store", page(base)) : notFound();
      }
      case "/settings":
        return answer(200, "application/json; charset=utf-8", "no-store", settingsJson);
      case "/assets/{file}": {
        const asset = assets.get(event.pathParameters?.file ?? "");
        return asset ? answer(200, asset.contentType, IMMUTABLE, asset.body) : notFound();
      }
      default:
        return notFound();
    }
  };
}
