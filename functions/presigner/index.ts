import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { CreatePresignedDomainUrlCommand, SageMakerClient } from "@aws-sdk/client-sagemaker";
import { STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { log } from "../shared/log";
import { loadConfig, type PresignerConfig } from "./config";
import { CredentialCache, type RoleCredentials } from "./credentials";
import {
  errorResponse,
  fromAwsError,
  HttpError,
  jsonResponse,
  LobDisabled,
  NotEntitled,
  RouteNotFound,
  Unauthenticated,
  UnknownLob,
  UpstreamFailure,
  UpstreamUnavailable,
} from "./errors";

/** Longest a request may take, under API Gateway's 29 s integration timeout. */
export const MAX_REQUEST_MS = 25_000;

/**
 * Every SDK call is bounded: 2 attempts of at most 1 s to connect and 3 s to answer, so the three
 * calls of a cold sign-in fit in the request deadline even when each needs its retry.
 */
export const SDK_OPTIONS = {
  maxAttempts: 2,
  requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }),
} as const;

const LOB_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface PresignerDeps {
  readonly config: PresignerConfig;
  readonly dynamo: DynamoDBDocumentClient;
  readonly sts: STSClient;
  readonly sageMaker: (region: string, credentials: RoleCredentials) => SageMakerClient;
  readonly now: () => number;
}

interface LobRecord {
  readonly lob: string;
  readonly accountId: string;
  readonly region: string;
  readonly domainId: string;
  readonly accessRoleArn: string;
  readonly enabled: boolean;
}

interface Entitlement {
  readonly lob: string;
  readonly profileName: string;
}

/** What a request learned, for its one log line. */
interface RequestLog {
  username?: string;
  lob?: string;
  account?: string;
}

type Item = Record<string, unknown>;

function lobRecord(item: Item): LobRecord {
  const { lob, accountId, region, domainId, accessRoleArn, enabled } = item;
  if (
    typeof lob !== "string" ||
    typeof accountId !== "string" ||
    typeof region !== "string" ||
    typeof domainId !== "string" ||
    typeof accessRoleArn !== "string" ||
    typeof enabled !== "boolean"
  ) {
    throw new UpstreamFailure(`lobs table: item for "${String(lob)}" lacks a required attribute`);
  }
  return { lob, accountId, region, domainId, accessRoleArn, enabled };
}

function entitlement(item: Item): Entitlement {
  const { lob, profileName } = item;
  if (typeof lob !== "string" || typeof profileName !== "string" || profileName === "") {
    throw new UpstreamFailure(`users table: entitlement to "${String(lob)}" has no profileName`);
  }
  return { lob, profileName };
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function wantsJson(event: APIGatewayProxyEvent): boolean {
  return /\bapplication\/json\b/i.test(header(event, "accept") ?? "");
}

/** Builds the handler around its clients, so each test (and each container) has its own cache. */
export function createHandler(deps: PresignerDeps) {
  const { config, dynamo, now } = deps;
  const credentials = new CredentialCache(deps.sts, now);
  const clients = new WeakMap<RoleCredentials, SageMakerClient>();

  async function aws<T>(call: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw fromAwsError(error, call);
    }
  }

  /** One round trip: the caller's entitlement to the LOB and the LOB's record. */
  async function readEntitlementAndLob(
    username: string,
    lob: string,
    signal: AbortSignal,
  ): Promise<{ entitlement?: Entitlement; record?: LobRecord }> {
    const out = await aws("DynamoDB.BatchGetItem", () =>
      dynamo.send(
        new BatchGetCommand({
          RequestItems: {
            [config.usersTable]: { Keys: [{ username, lob }], ConsistentRead: true },
            [config.lobsTable]: { Keys: [{ lob }], ConsistentRead: true },
          },
        }),
        { abortSignal: signal },
      ),
    );
    if (Object.keys(out.UnprocessedKeys ?? {}).length > 0) {
      throw new UpstreamUnavailable("DynamoDB.BatchGetItem: unprocessed keys");
    }
    const userItem = out.Responses?.[config.usersTable]?.[0];
    const lobItem = out.Responses?.[config.lobsTable]?.[0];
    return {
      entitlement: userItem ? entitlement(userItem) : undefined,
      record: lobItem ? lobRecord(lobItem) : undefined,
    };
  }

  async function sageMakerFor(record: LobRecord): Promise<SageMakerClient> {
    const creds = await aws("STS.AssumeRole", () => credentials.get(record.accessRoleArn));
    let client = clients.get(creds);
    if (!client) {
      client = deps.sageMaker(record.region, creds);
      clients.set(creds, client);
    }
    return client;
  }

  async function presign(
    record: LobRecord,
    profileName: string,
    signal: AbortSignal,
  ): Promise<string> {
    const command = new CreatePresignedDomainUrlCommand({
      DomainId: record.domainId,
      UserProfileName: profileName,
      ExpiresInSeconds: config.urlExpiresSeconds,
      SessionExpirationDurationInSeconds: config.sessionExpiresSeconds,
    });
    for (let attempt = 1; ; attempt++) {
      const client = await sageMakerFor(record);
      try {
        const { AuthorizedUrl } = await client.send(command, { abortSignal: signal });
        if (!AuthorizedUrl) throw new UpstreamFailure("CreatePresignedDomainUrl: no URL returned");
        return AuthorizedUrl;
      } catch (error) {
        // Credentials can be revoked or expire early; one fresh AssumeRole is worth a try.
        if (attempt === 1 && (error as Error).name === "ExpiredTokenException") {
          credentials.invalidate(record.accessRoleArn);
          continue;
        }
        throw fromAwsError(error, "SageMaker.CreatePresignedDomainUrl");
      }
    }
  }

  async function openStudio(
    event: APIGatewayProxyEvent,
    username: string,
    lob: string,
    signal: AbortSignal,
    facts: RequestLog,
  ): Promise<APIGatewayProxyResult> {
    if (!LOB_NAME.test(lob)) throw new UnknownLob();
    const { entitlement, record } = await readEntitlementAndLob(username, lob, signal);
    if (!record) throw new UnknownLob();
    facts.account = record.accountId;
    if (!entitlement) throw new NotEntitled();
    if (!record.enabled) throw new LobDisabled();
    const url = await presign(record, entitlement.profileName, signal);
    const expiresAt = new Date(now() + config.urlExpiresSeconds * 1000).toISOString();
    if (wantsJson(event)) return jsonResponse(200, { url, expiresAt });
    return { statusCode: 302, headers: { Location: url, "Cache-Control": "no-store" }, body: "" };
  }

  async function listStudios(
    username: string,
    signal: AbortSignal,
  ): Promise<APIGatewayProxyResult> {
    const entitlements: Entitlement[] = [];
    let startKey: Item | undefined;
    do {
      const page = await aws("DynamoDB.Query", () =>
        dynamo.send(
          new QueryCommand({
            TableName: config.usersTable,
            KeyConditionExpression: "username = :u",
            ExpressionAttributeValues: { ":u": username },
            ExclusiveStartKey: startKey,
          }),
          { abortSignal: signal },
        ),
      );
      entitlements.push(...(page.Items ?? []).map(entitlement));
      startKey = page.LastEvaluatedKey;
    } while (startKey);

    const records = new Map<string, LobRecord>();
    // BatchGetItem takes at most 100 keys; a user is entitled to far fewer LOBs than that.
    for (let i = 0; i < entitlements.length; i += 100) {
      const keys = entitlements.slice(i, i + 100).map(({ lob }) => ({ lob }));
      const out = await aws("DynamoDB.BatchGetItem", () =>
        dynamo.send(new BatchGetCommand({ RequestItems: { [config.lobsTable]: { Keys: keys } } }), {
          abortSignal: signal,
        }),
      );
      if (Object.keys(out.UnprocessedKeys ?? {}).length > 0) {
        throw new UpstreamUnavailable("DynamoDB.BatchGetItem: unprocessed keys");
      }
      for (const item of out.Responses?.[config.lobsTable] ?? []) {
        const record = lobRecord(item);
        records.set(record.lob, record);
      }
    }
    const studios = entitlements
      .flatMap(({ lob, profileName }) => {
        const record = records.get(lob);
        return record
          ? [{ lob, domainId: record.domainId, profileName, enabled: record.enabled }]
          : [];
      })
      .sort((a, b) => a.lob.localeCompare(b.lob));
    return jsonResponse(200, { studios });
  }

  async function route(
    event: APIGatewayProxyEvent,
    signal: AbortSignal,
    facts: RequestLog,
  ): Promise<APIGatewayProxyResult> {
    // The authorizer's context is the only source of identity; path and query never name the user.
    const username: unknown = event.requestContext.authorizer?.username;
    if (typeof username !== "string" || username === "") throw new Unauthenticated();
    facts.username = username;
    if (event.httpMethod !== "GET") throw new RouteNotFound();
    if (event.resource === "/studios") return listStudios(username, signal);
    const lob = event.pathParameters?.lob;
    if (event.resource === "/studios/{lob}" && lob !== undefined) {
      facts.lob = lob;
      return openStudio(event, username, lob, signal, facts);
    }
    throw new RouteNotFound();
  }

  return async function handler(
    event: APIGatewayProxyEvent,
    context: Pick<Context, "awsRequestId" | "getRemainingTimeInMillis">,
  ): Promise<APIGatewayProxyResult> {
    const started = now();
    const facts: RequestLog = {};
    const budget = Math.max(0, Math.min(MAX_REQUEST_MS, context.getRemainingTimeInMillis() - 1000));
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new UpstreamUnavailable(`request deadline of ${budget} ms passed`));
      }, budget);
    });
    let response: APIGatewayProxyResult;
    let failure: HttpError | undefined;
    try {
      response = await Promise.race([route(event, controller.signal, facts), deadline]);
    } catch (error) {
      failure = error instanceof HttpError ? error : new UpstreamFailure(describe(error));
      response = errorResponse(failure);
    } finally {
      clearTimeout(timer);
    }
    log(failure && failure.status >= 500 ? "error" : "info", "request", {
      requestId: context.awsRequestId,
      route: event.resource,
      username: facts.username,
      lob: facts.lob,
      account: facts.account,
      outcome: failure ? failure.outcome : "ok",
      status: response.statusCode,
      detail: failure?.detail,
      latencyMs: now() - started,
    });
    return response;
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `unexpected ${error.name}` : "unexpected non-error";
}

function defaultDeps(): PresignerDeps {
  return {
    config: loadConfig(process.env),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(SDK_OPTIONS)),
    sts: new STSClient(SDK_OPTIONS),
    sageMaker: (region, credentials) =>
      new SageMakerClient({ ...SDK_OPTIONS, region, credentials }),
    now: Date.now,
  };
}

export const handler = createHandler(defaultDeps());
