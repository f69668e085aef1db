import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseProgramConfig } from "./config";
import { lobStack } from "./lob";
import { sharedStack } from "./shared";

/** Validates the stack's config, then builds the stack its `kind` names; returns its outputs. */
export async function runProgram(): Promise<Record<string, unknown>> {
  const file = `Pulumi.${pulumi.getStack()}.yaml`;
  const { config, warnings } = parseProgramConfig(pulumi.runtime.allConfig(), file);
  for (const warning of warnings) await pulumi.log.warn(`${file}: ${warning}`);
  try {
    return await (config.kind === "shared" ? sharedStack(config) : lobStack(config));
  } catch (error) {
    // A problem found against the hub's outputs or the region (the LOB's users, its zones) names
    // the stack file as the config's own problems do.
    if (error instanceof ConfigError && error.file === undefined)
      throw new ConfigError(error.problems, file);
    throw error;
  }
}
