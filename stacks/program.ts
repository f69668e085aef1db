import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE, parseStackConfig } from "./config";
import { lobStack } from "./lob";
import { sharedStack } from "./shared";

/** The `studio-access:` keys of the running stack, without their prefix. */
function namespaceValues(): Record<string, string> {
  const prefix = `${NAMESPACE}:`;
  return Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig())
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

/** Validates the stack's config, then builds the stack its `kind` names; returns its outputs. */
export async function runProgram(): Promise<Record<string, unknown>> {
  const awsConfig = new pulumi.Config("aws");
  const config = parseStackConfig(namespaceValues(), {
    region: awsConfig.get("region"),
    profile: awsConfig.get("profile"),
  });
  return config.kind === "shared" ? sharedStack(config) : lobStack(config);
}
