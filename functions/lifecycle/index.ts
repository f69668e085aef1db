import { LambdaClient } from "@aws-sdk/client-lambda";
import { defaultClients } from "../shared/clients";
import { documentClient, sdkSageMaker } from "./clients";
import { INVOKE_OPTIONS } from "../shared/sdk";
import { loadLifecycleConfig } from "./config";
import { createHandler } from "./handler";

/** The lifecycle function's Lambda handler: its clients and configuration, made once per container. */
export const handler = createHandler({
  ...defaultClients(),
  dynamo: documentClient(),
  sageMaker: sdkSageMaker,
  lambda: (region, credentials) => new LambdaClient({ ...INVOKE_OPTIONS, region, credentials }),
  config: loadLifecycleConfig(process.env),
});
