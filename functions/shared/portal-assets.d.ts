// The modules functions/build.ts makes from the portal's build (functions/portal-assets.ts); in
// jest, tests/helpers/portal-assets.ts builds the same.
declare module "portal-assets:manifest" {
  const manifest: import("./web").PortalManifest;
  export default manifest;
}
declare module "portal-assets:stylesheet" {
  const stylesheet: import("./web").AssetLink;
  export default stylesheet;
}
