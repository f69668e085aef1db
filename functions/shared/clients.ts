import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { STSClient } from "@aws-sdk/client-sts";
import type { RoleCredentials } from "../presigner/credentials";
import { CACHED_MIDDLEWARE, SDK_OPTIONS } from "./sdk";

/** The AWS clients every entry that opens Studio uses (the presigner and the SAML entry). */
export interface StudioClients {
  /**
   * The hub tables, through the plain client (items marshalled with @aws-sdk/util-dynamodb), so its
   * commands' middleware is resolved once (CACHED_MIDDLEWARE): the document client refuses
   * `cacheMiddleware` and resolves its stack again on every call.
   */
  readonly dynamo: DynamoDBClient;
  readonly sts: STSClient;
  readonly sageMaker: (region: string, credentials: RoleCredentials) => SageMakerClient;
  readonly now: () => number;
  /** Waits between looks at a profile being created. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The clients of a Lambda container: made once, bounded by SDK_OPTIONS (credentials from the
 * environment), endpoints from the SDK's settings; every call is made inside `bounded`.
 */
export function defaultClients(): StudioClients {
  return {
    dynamo: new DynamoDBClient({ ...SDK_OPTIONS, ...CACHED_MIDDLEWARE }),
    sts: new STSClient({ ...SDK_OPTIONS, ...CACHED_MIDDLEWARE }),
    sageMaker: (region, credentials) =>
      new SageMakerClient({ ...SDK_OPTIONS, ...CACHED_MIDDLEWARE, region, credentials }),
    now: Date.now,
  };
}

/**
 * The lifecycle function's document client (GetItem and UpdateItem of one row per stream record,
 * off the sign-in path): @aws-sdk/lib-dynamodb refuses `cacheMiddleware` ("not compatible with the
 * DynamoDBDocumentClient"), so it stays on SDK_OPTIONS alone.
 */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(SDK_OPTIONS));
}
