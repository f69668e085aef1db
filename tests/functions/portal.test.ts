import { createHash } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { loadPortalSettings, type PortalSettings } from "../../functions/portal/config";
import { basePathOf, createHandler } from "../../functions/portal/handler";
import { handler } from "../../functions/portal/index";
import manifest from "../helpers/portal-manifest";

const COGNITO = "https://cognito-idp.us-east-1.amazonaws.com";
const CSP = `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${COGNITO}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
const COMMON = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Strict-Transport-Security": "max-age=31536000",
};
const SETTINGS: PortalSettings = {
  region: "us-east-1",
  userPoolId: "us-east-1_TestPool1",
  clientId: "testclient0123456789abcdef",
  cognitoEndpoint: COGNITO,
  passwordPolicy: {
    minimumLength: 14,
    requireLowercase: true,
    requireUppercase: true,
    requireNumbers: true,
    requireSymbols: true,
  },
  urlExpiresSeconds: 20,
};

/** A proxy event as API Gateway sends it: `fullPath` as the browser asked, `path` within the API. */
function get(
  resource: string,
  fullPath: string,
  path: string,
  file?: string,
): APIGatewayProxyEvent {
  return {
    resource,
    path,
    httpMethod: "GET",
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: file === undefined ? null : { file },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      path: fullPath,
      resourcePath: resource,
    } as APIGatewayProxyEvent["requestContext"],
  };
}

const serve = createHandler(manifest, SETTINGS);
const sha384 = (body: string) =>
  `sha384-${createHash("sha384").update(Buffer.from(body, "utf8")).digest("base64")}`;
const attr = (html: string, re: RegExp) => re.exec(html)?.[1] ?? "";
const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

describe("the portal function", () => {
  it("serves the page with exactly its headers: no cache, the strict CSP, nosniff, no referrer, HSTS", () => {
    const page = serve(get("/", "/v1/", "/"));
    expect(page.statusCode).toBe(200);
    expect(page.headers).toEqual({
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      ...COMMON,
    });
    const html = page.body;
    expect(html.startsWith('<!doctype html><html lang="en"><head><meta charset="utf-8">')).toBe(
      true,
    );
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(html).toContain("<title>Studio access</title>");
    // A static message until the script replaces it: a script that does not load (integrity
    // refused, blocked) leaves something to read, not a blank page.
    expect(html).toContain(
      `<body><main id="app"><p>Loading… If this stays, reload the page; if it persists, tell your platform team (the page&#39;s script did not load).</p></main><noscript>`,
    );
    // No inline script or style: the one script and stylesheet are the API's own files.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<style|style=|<script>|\son[a-z]+=/i);
  });

  it.each([
    ["the execute-api stage without a slash", "/v1", "/v1/"],
    ["the execute-api stage", "/v1/", "/v1/"],
    ["a custom domain mapped at its root", "/", "/"],
    ["a custom domain mapped at a base path", "/studio/", "/studio/"],
  ])("links its assets and API by absolute path on %s (%s)", (_, fullPath, base) => {
    // On a custom domain, `path` is the path as sent, base path mapping included; on the
    // execute-api host it leaves the stage out.
    const within = fullPath.startsWith("/v1") ? "/" : fullPath;
    const html = serve(get("/", fullPath, within)).body;
    const { script, stylesheet } = manifest;
    expect(html).toContain(
      `<link rel="stylesheet" href="${base}assets/${stylesheet.file}" integrity="${stylesheet.integrity}">`,
    );
    expect(html).toContain(
      `<script type="module" src="${base}assets/${script.file}" integrity="${script.integrity}"></script>`,
    );
    const config = JSON.parse(
      unescapeHtml(attr(html, /<meta name="studio-access-config" content="([^"]*)">/)),
    ) as unknown;
    expect(config).toEqual({ apiBase: base, ...SETTINGS });
  });

  it("derives the same base from an asset's request", () => {
    expect(basePathOf(get("/assets/{file}", "/v1/assets/x.js", "/assets/x.js", "x.js"))).toBe(
      "/v1/",
    );
    expect(basePathOf(get("/assets/{file}", "/assets/x.js", "/assets/x.js", "x.js"))).toBe("/");
    expect(basePathOf(get("/settings", "/studio/settings", "/studio/settings"))).toBe("/studio/");
    // A path that would make a protocol-relative URL (another host) or does not end as the
    // API's path serves no page.
    expect(basePathOf(get("/", "//evil.example/", "/"))).toBeUndefined();
    expect(basePathOf(get("/", "/v1/a%22b/", "/"))).toBeUndefined();
    expect(basePathOf(get("/assets/{file}", "/v1/other", "/assets/x.js", "x.js"))).toBeUndefined();
    expect(serve(get("/", "//evil.example/", "/")).statusCode).toBe(404);
  });

  it('escapes the config in its attribute: a value with "<>& stays data', () => {
    const hostile = createHandler(manifest, {
      ...SETTINGS,
      userPoolId: `us-east-1_"><script>alert(1)</script>&amp;'`,
    });
    const html = hostile(get("/", "/v1/", "/")).body;
    expect(html).not.toContain("<script>alert");
    expect(html).toContain(
      "us-east-1_\\&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;&#39;",
    );
    const config = JSON.parse(
      unescapeHtml(attr(html, /<meta name="studio-access-config" content="([^"]*)">/)),
    ) as { userPoolId: string };
    expect(config.userPoolId).toBe(`us-east-1_"><script>alert(1)</script>&amp;'`);
  });

  it("serves each asset immutable for a year, its integrity that of the bytes served", () => {
    expect(manifest.assets.map((a) => a.file)).toEqual([
      manifest.script.file,
      manifest.stylesheet.file,
    ]);
    expect(manifest.script.file).toMatch(/^main\.[0-9a-f]{16}\.js$/);
    expect(manifest.stylesheet.file).toMatch(/^style\.[0-9a-f]{16}\.css$/);
    for (const [link, type] of [
      [manifest.script, "text/javascript; charset=utf-8"],
      [manifest.stylesheet, "text/css; charset=utf-8"],
    ] as const) {
      const served = serve(
        get("/assets/{file}", `/v1/assets/${link.file}`, `/assets/${link.file}`, link.file),
      );
      expect(served.statusCode).toBe(200);
      expect(served.headers).toEqual({
        "Content-Type": type,
        "Cache-Control": "public, max-age=31536000, immutable",
        ...COMMON,
      });
      expect(sha384(served.body)).toBe(link.integrity);
      // The name is the content's: the first 16 hex digits of its SHA-256.
      const hash = createHash("sha256").update(Buffer.from(served.body, "utf8")).digest("hex");
      expect(link.file).toContain(`.${hash.slice(0, 16)}.`);
    }
  });

  it("answers an unknown asset, resource or method 404 with no body and no cache", () => {
    const notFound = {
      statusCode: 404,
      headers: {
        "Content-Type": "text/plain; charset=utf-8",
        "Cache-Control": "no-store",
        ...COMMON,
      },
      body: "",
    };
    expect(
      serve(get("/assets/{file}", "/v1/assets/main.js", "/assets/main.js", "main.js")),
    ).toEqual(notFound);
    expect(
      serve(get("/assets/{file}", "/v1/assets/..%2Findex", "/assets/../index", "../index")),
    ).toEqual(notFound);
    expect(serve(get("/studios", "/v1/studios", "/studios"))).toEqual(notFound);
    expect(serve({ ...get("/", "/v1/", "/"), httpMethod: "POST" })).toEqual(notFound);
  });

  it("serves the pool's settings as JSON (the page's config without apiBase), never cached", () => {
    const settings = serve(get("/settings", "/v1/settings", "/settings"));
    expect(settings).toEqual({
      statusCode: 200,
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": "no-store",
        ...COMMON,
      },
      body: JSON.stringify(SETTINGS),
    });
  });

  it("reads its settings from the environment, Cognito's regional endpoint unless given another", async () => {
    const env = {
      AWS_REGION: "eu-west-1",
      USER_POOL_ID: "eu-west-1_X",
      USER_POOL_CLIENT_ID: "client",
      URL_EXPIRES_SECONDS: "30",
      PASSWORD_POLICY: process.env.PASSWORD_POLICY,
    };
    expect(loadPortalSettings(env)).toEqual({
      ...SETTINGS,
      region: "eu-west-1",
      userPoolId: "eu-west-1_X",
      clientId: "client",
      cognitoEndpoint: "https://cognito-idp.eu-west-1.amazonaws.com",
      urlExpiresSeconds: 30,
    });
    const local = loadPortalSettings({ ...env, COGNITO_ENDPOINT: "http://127.0.0.1:9229" });
    expect(local.cognitoEndpoint).toBe("http://127.0.0.1:9229");
    const served = createHandler(manifest, local)(get("/", "/v1/", "/"));
    expect(served.headers?.["Content-Security-Policy"]).toContain(
      "connect-src 'self' http://127.0.0.1:9229;",
    );
    expect(() => loadPortalSettings({ ...env, PASSWORD_POLICY: "{}" })).toThrow(/PASSWORD_POLICY/);
    expect(() => loadPortalSettings({ ...env, COGNITO_ENDPOINT: "ftp://x" })).toThrow(
      /COGNITO_ENDPOINT/,
    );
    // Plain http only on this machine's loopback (the sandbox), as the CLI; the error names the
    // variable and the value's origin (never its path).
    for (const local of ["http://[::1]:9229", "http://localhost:9229", "https://cognito.example"])
      expect(loadPortalSettings({ ...env, COGNITO_ENDPOINT: local }).cognitoEndpoint).toBe(local);
    for (const [remote, origin] of [
      ["http://cognito.example/x", "http://cognito.example"],
      ["http://127.0.0.1.evil.example:80/", "http://127.0.0.1.evil.example"],
      ["http://10.0.0.5:9229", "http://10.0.0.5:9229"],
    ] as const)
      expect(() => loadPortalSettings({ ...env, COGNITO_ENDPOINT: remote })).toThrow(
        `environment variable COGNITO_ENDPOINT (${origin}): must be an https:// URL (plain http only on 127.0.0.1, [::1] or localhost)`,
      );
    expect(() => loadPortalSettings({ ...env, URL_EXPIRES_SECONDS: "0" })).toThrow(
      /URL_EXPIRES_SECONDS/,
    );
    // The module's handler, as Lambda loads it, with the jest environment (tests/setup-env.ts).
    const page = await handler(get("/", "/v1/", "/"));
    expect(page.statusCode).toBe(200);
  });
});
