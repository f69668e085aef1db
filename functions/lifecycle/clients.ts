import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import type { RoleCredentials } from "../presigner/credentials";
import { CACHED_MIDDLEWARE, SDK_OPTIONS } from "../shared/sdk";

/**
 * The lifecycle function's SDK clients (off the sign-in path, which makes its calls through
 * functions/shared/aws): kept apart from functions/shared/clients.ts so the presigner's and the SAML
 * entry's bundles never hold them.
 */

/**
 * A LOB's SageMaker as its lifecycle role: the drain lists and deletes apps, spaces and profiles
 * with the SDK's operations.
 */
export function sdkSageMaker(region: string, credentials: RoleCredentials): SageMakerClient {
  return new SageMakerClient({ ...SDK_OPTIONS, ...CACHED_MIDDLEWARE, region, credentials });
}

/**
 * The document client (GetItem and UpdateItem of one row per stream record): @aws-sdk/lib-dynamodb
 * refuses `cacheMiddleware` ("not compatible with the DynamoDBDocumentClient"), so it stays on
 * SDK_OPTIONS alone.
 */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(SDK_OPTIONS));
}
