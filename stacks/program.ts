import * as pulumi from "@pulumi/pulumi";
import { parseProgramConfig } from "./config";
import { lobStack } from "./lob";
import { sharedStack } from "./shared";

/** Validates the stack's config, then builds the stack its `kind` names; returns its outputs. */
export async function runProgram(): Promise<Record<string, unknown>> {
  const file = `Pulumi.${pulumi.getStack()}.yaml`;
  const { config, warnings } = parseProgramConfig(pulumi.runtime.allConfig(), file);
  for (const warning of warnings) await pulumi.log.warn(`${file}: ${warning}`);
  return config.kind === "shared" ? sharedStack(config) : lobStack(config);
}
