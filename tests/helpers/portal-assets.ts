// What functions/build.ts gives the function bundles as `portal-assets:manifest` and
// `portal-assets:stylesheet`, built the same way for the functions' sources under jest
// (jest.config.js maps both names here).
import { portalAssetModules, portalAssets } from "../../functions/portal-assets";

export const modules = portalAssetModules(portalAssets());
