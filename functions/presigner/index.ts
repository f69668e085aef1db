import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { createVerifier, type AccessTokenVerifier } from "../shared/access-token";
import { defaultClients, type StudioClients } from "../shared/clients";
import { log } from "../shared/log";
import { MAX_REQUEST_MS, withDeadline } from "../shared/deadline";
import { SDK_OPTIONS } from "../shared/sdk";
import { loadConfig, type PresignerConfig } from "./config";
import { errorResponse, HttpError, UpstreamFailure, UpstreamUnavailable } from "./errors";
import { createRoutes, type RequestLog } from "./routes";
import { studioAccess } from "./studio";

export { MAX_REQUEST_MS, SDK_OPTIONS };

export interface PresignerDeps extends StudioClients {
  readonly config: PresignerConfig;
  readonly verifier: AccessTokenVerifier;
}

/** Builds the handler around its clients, so each test (and each container) has its own cache. */
export function createHandler(deps: PresignerDeps) {
  const { config, now } = deps;
  const { tables, signer } = studioAccess(deps, config);
  const route = createRoutes({ config, verifier: deps.verifier, tables, signer, now });

  return async function handler(
    event: APIGatewayProxyEvent,
    context: Pick<Context, "awsRequestId" | "getRemainingTimeInMillis">,
  ): Promise<APIGatewayProxyResult> {
    const started = now();
    const facts: RequestLog = {};
    const budget = Math.max(0, Math.min(MAX_REQUEST_MS, context.getRemainingTimeInMillis() - 1000));
    let response: APIGatewayProxyResult;
    let failure: HttpError | undefined;
    try {
      // Every AWS call of the request is given the deadline's signal: at the deadline they are
      // aborted, and the request answers 503 then, whatever is still waiting.
      response = await withDeadline(
        budget,
        () => new UpstreamUnavailable(`request deadline of ${String(budget)} ms passed`),
        (signal) => route(event, signal, facts),
      );
    } catch (error) {
      failure = error instanceof HttpError ? error : new UpstreamFailure(describe(error));
      response = errorResponse(failure);
    }
    log(failure && failure.status >= 500 ? "error" : "info", "request", {
      requestId: context.awsRequestId,
      route: event.resource,
      username: facts.username,
      lob: facts.lob,
      team: facts.team,
      account: facts.account,
      profile: facts.profile,
      landing: facts.landing,
      firstSignIn: facts.firstSignIn,
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
