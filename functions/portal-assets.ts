import { createHash } from "node:crypto";
import * as path from "node:path";
import { buildSync } from "esbuild";
import type { AssetLink, PortalManifest, ServedAsset } from "./shared/web";

/** Where the portal's browser sources are: `main.ts` (the entry) and `style.css` (the stylesheet). */
export const PORTAL_DIR = path.resolve(__dirname, "..", "portal");

/** The portal's two built assets: the script and the one stylesheet (the SAML pages link it too). */
export interface PortalAssets {
  readonly script: ServedAsset;
  readonly stylesheet: ServedAsset;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/**
 * Builds the portal's assets for the browser: minified ES2022, one script and one stylesheet,
 * each named after its content (`main.<hash>.js`) and with its subresource integrity (sha384, per
 * "Subresource Integrity", https://www.w3.org/TR/SRI/). Synchronous and reproducible: the same
 * sources give the same names, so an unchanged portal redeploys nothing. Images a stylesheet
 * refers to are inlined as data: URLs (the CSP's `img-src 'self' data:`); nothing else is emitted.
 */
export function portalAssets(dir = PORTAL_DIR): PortalAssets {
  const result = buildSync({
    absWorkingDir: dir,
    entryPoints: [path.join(dir, "main.ts"), path.join(dir, "style.css")],
    outdir: path.join(dir, "out"),
    entryNames: "[name]",
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    treeShaking: true,
    charset: "utf8",
    legalComments: "eof",
    loader: { ".svg": "dataurl", ".png": "dataurl" },
    write: false,
    logLevel: "warning",
  });
  const byName = new Map(result.outputFiles.map((f) => [path.basename(f.path), f]));
  const unexpected = [...byName.keys()].filter(
    (name) => name !== "main.js" && name !== "style.css",
  );
  if (unexpected.length > 0)
    throw new Error(
      `the portal's build made ${unexpected.join(", ")}: only portal/main.ts and portal/style.css are served (import no CSS from main.ts)`,
    );
  const asset = (name: string): ServedAsset => {
    const file = byName.get(name);
    if (!file) throw new Error(`the portal's build made no ${name}`);
    const ext = path.extname(name);
    const hash = createHash("sha256").update(file.contents).digest("hex").slice(0, 16);
    return {
      file: `${path.basename(name, ext)}.${hash}${ext}`,
      contentType: CONTENT_TYPES[ext] ?? "application/octet-stream",
      integrity: `sha384-${createHash("sha384").update(file.contents).digest("base64")}`,
      body: file.text,
    };
  };
  return { script: asset("main.js"), stylesheet: asset("style.css") };
}

const link = ({ file, integrity }: ServedAsset): AssetLink => ({ file, integrity });

/**
 * What the function bundles import from the build (functions/build.ts): the portal function its
 * whole manifest, the SAML entry only the stylesheet's link.
 */
export function portalAssetModules(assets: PortalAssets): {
  "portal-assets:manifest": PortalManifest;
  "portal-assets:stylesheet": AssetLink;
} {
  return {
    "portal-assets:manifest": {
      script: link(assets.script),
      stylesheet: link(assets.stylesheet),
      assets: [assets.script, assets.stylesheet],
    },
    "portal-assets:stylesheet": link(assets.stylesheet),
  };
}
