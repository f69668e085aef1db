import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { STSClient } from "@aws-sdk/client-sts";
import { SDK_OPTIONS } from "../shared/sdk";
import { loadSamlConfig } from "./config";
import { createHandler, type SamlDeps } from "./handler";

/** The SAML entry's Lambda handler: its clients and configuration, made once per container. */
function defaultDeps(): SamlDeps {
  return {
    config: loadSamlConfig(process.env),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(SDK_OPTIONS)),
    sts: new STSClient(SDK_OPTIONS),
    sageMaker: (region, credentials) =>
      new SageMakerClient({ ...SDK_OPTIONS, region, credentials }),
    now: Date.now,
  };
}

export const handler = createHandler(defaultDeps());
