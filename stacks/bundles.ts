import { buildFunctions } from "../functions/build";

let built: Promise<{ authorizer: string; presigner: string; saml: string }> | undefined;

/**
 * The Lambda bundles, built by the program itself so `pulumi up` needs no manual step. The build is
 * reproducible, so an unchanged function keeps its archive hash and is not redeployed.
 */
export function functionBundles(): Promise<{
  authorizer: string;
  presigner: string;
  saml: string;
}> {
  built ??= buildFunctions().then((fns) => ({
    authorizer: fns.authorizer.dir,
    presigner: fns.presigner.dir,
    saml: fns.saml.dir,
  }));
  return built;
}
