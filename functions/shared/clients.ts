import type { RoleCredentials } from "../presigner/credentials";
import { DynamoDBClient } from "./aws/dynamodb";
import { SageMakerClient } from "./aws/sagemaker";
import { STSClient } from "./aws/sts";

/**
 * The AWS clients every entry that opens Studio uses (the presigner and the SAML entry): the
 * sign-in path's own (functions/shared/aws), in the SDK's shape, not the SDK's clients.
 */
export interface StudioClients {
  /** The hub tables (items marshalled with @aws-sdk/util-dynamodb). */
  readonly dynamo: DynamoDBClient;
  readonly sts: STSClient;
  readonly sageMaker: (region: string, credentials: RoleCredentials) => SageMakerClient;
  readonly now: () => number;
  /** Waits between looks at a profile being created. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The clients of a Lambda container: made once, credentials from the environment, endpoints as the
 * SDK resolves them (functions/shared/aws/call.ts `endpointFor`), bounded by SDK_OPTIONS' handler;
 * every call is given the request's signal (`send(command, { abortSignal })`).
 */
export function defaultClients(): StudioClients {
  return {
    dynamo: new DynamoDBClient(),
    sts: new STSClient(),
    sageMaker: (region, credentials) => new SageMakerClient({ region, credentials }),
    now: Date.now,
  };
}
