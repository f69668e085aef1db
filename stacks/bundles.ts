import { buildFunctions, type FunctionName } from "../functions/build";

let built: Promise<Record<FunctionName, string>> | undefined;

/**
 * The Lambda bundles, built by the program itself so `pulumi up` needs no manual step. The build is
 * reproducible, so an unchanged function keeps its archive hash and is not redeployed.
 */
export function functionBundles(): Promise<Record<FunctionName, string>> {
  built ??= buildFunctions().then(
    (fns) =>
      Object.fromEntries(Object.entries(fns).map(([name, fn]) => [name, fn.dir])) as Record<
        FunctionName,
        string
      >,
  );
  return built;
}
