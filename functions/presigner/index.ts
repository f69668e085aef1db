import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import {
  createVerifier,
  Unauthorized,
  verifyBearer,
  type AccessTokenVerifier,
} from "../shared/access-token";
import { defaultClients, type StudioClients } from "../shared/clients";
import { InvalidLanding, landingFrom, type Landing } from "../shared/landing";
import { log } from "../shared/log";
import { SDK_OPTIONS } from "../shared/sdk";
import { LOB_NAME } from "../shared/tables";
import { loadConfig, type PresignerConfig } from "./config";
import {
  BadLanding,
  errorResponse,
  HttpError,
  jsonResponse,
  RouteNotFound,
  Unauthenticated,
  UnknownLob,
  UpstreamFailure,
  UpstreamUnavailable,
} from "./errors";
import { studioAccess } from "./studio";

/** Longest a request may take, under API Gateway's 29 s integration timeout. */
export const MAX_REQUEST_MS = 25_000;

export { SDK_OPTIONS };

/** How much of an invalid LOB name the log keeps: enough to recognise, too little to smuggle. */
const LOGGED_INVALID_LOB = 32;

export interface PresignerDeps extends StudioClients {
  readonly config: PresignerConfig;
  readonly verifier: AccessTokenVerifier;
}

/** What a request learned, for its one log line. */
interface RequestLog {
  username?: string;
  lob?: string;
  account?: string;
  profile?: string;
  landing?: string;
}

/** The deep link a request asks for, checked against the fixed list before any AWS call. */
function landingOf(event: APIGatewayProxyEvent): Landing {
  try {
    return landingFrom(event.queryStringParameters, event.multiValueQueryStringParameters);
  } catch (error) {
    if (error instanceof InvalidLanding) throw new BadLanding(error.message);
    throw error;
  }
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
  const { config, now } = deps;
  const { tables, signer } = studioAccess(deps, config);

  async function openStudio(
    event: APIGatewayProxyEvent,
    username: string,
    lob: string,
    signal: AbortSignal,
    facts: RequestLog,
  ): Promise<APIGatewayProxyResult> {
    const landing = landingOf(event);
    facts.landing = landing.app;
    const { entitlement, record } = await tables.entitlementAndLob(username, lob, signal);
    facts.account = record?.accountId;
    const target = signer.target(username, lob, entitlement, record);
    facts.profile = target.profileName;
    const url = await signer.presign(target, signal, landing);
    const expiresAt = new Date(now() + config.urlExpiresSeconds * 1000).toISOString();
    if (wantsJson(event)) return jsonResponse(200, { url, expiresAt });
    return { statusCode: 302, headers: { Location: url, "Cache-Control": "no-store" }, body: "" };
  }

  async function listStudios(
    username: string,
    signal: AbortSignal,
  ): Promise<APIGatewayProxyResult> {
    const studios = (await tables.studiosOf(username, signal))
      .map(({ entitlement, record }) => ({
        lob: entitlement.lob,
        domainId: record.domainId,
        profileName: entitlement.profileName,
        enabled: record.enabled,
      }))
      .sort((a, b) => a.lob.localeCompare(b.lob));
    return jsonResponse(200, { studios });
  }

  async function route(
    event: APIGatewayProxyEvent,
    signal: AbortSignal,
    facts: RequestLog,
  ): Promise<APIGatewayProxyResult> {
    // The caller is who their bearer token says, verified here: the authorizer's context is not
    // trusted, so invoking this function directly, past API Gateway, opens nothing.
    let username: string;
    try {
      ({ username } = await verifyBearer(deps.verifier, header(event, "authorization")));
    } catch (error) {
      throw new Unauthenticated(
        error instanceof Unauthorized ? error.reason : "verification failed",
      );
    }
    facts.username = username;
    if (event.httpMethod !== "GET") throw new RouteNotFound();
    if (event.resource === "/studios") return listStudios(username, signal);
    const lob = event.pathParameters?.lob;
    if (event.resource === "/studios/{lob}" && lob !== undefined) {
      if (!LOB_NAME.test(lob)) {
        facts.lob = `invalid:${JSON.stringify(lob.slice(0, LOGGED_INVALID_LOB))}`;
        throw new UnknownLob();
      }
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
      profile: facts.profile,
      landing: facts.landing,
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

/** Created once per container so the JWKS download and its cache are shared by all invocations. */
export const verifier = createVerifier(process.env);

export const handler = createHandler({
  ...defaultClients(),
  config: loadConfig(process.env),
  verifier,
});
