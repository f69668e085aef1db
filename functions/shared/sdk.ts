import { AsyncLocalStorage } from "node:async_hooks";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HOMES_TIMEOUT_SECONDS } from "./homes";

/** The abort signal of the calls made inside {@link bounded}: the caller's deadline. */
const callSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * `call` (one or more SDK `send`s), each of its requests aborted when `signal` fires.
 *
 * The signal reaches the HTTP handler through the async context, not as `send(command,
 * { abortSignal })`: the smithy client reuses a command's resolved middleware stack only for a
 * `send` WITHOUT options and with `cacheMiddleware: true` (@smithy/core, src/submodules/client,
 * `Client.send`: `useHandlerCache = options === undefined && this.config.cacheMiddleware === true`),
 * and resolving it again costs about a millisecond a call. The retry strategy's own wait between
 * attempts is not interrupted by it, but the next attempt is refused at once (the handler checks
 * `abortSignal.aborted` first) and the caller's deadline (functions/shared/deadline.ts `withDeadline`)
 * settles the request at the deadline either way.
 */
export function bounded<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  return callSignal.run(signal, call);
}

/** The signal of the {@link bounded} call running now, if any (functions/shared/aws retry waits). */
export function currentSignal(): AbortSignal | undefined {
  return callSignal.getStore();
}

/**
 * NodeHttpHandler, given the current {@link bounded} call's signal when the `send` gave none.
 * @smithy/node-http-handler destroys the request on abort and throws `AbortError`.
 */
export class BoundedHttpHandler extends NodeHttpHandler {
  override handle(
    request: Parameters<NodeHttpHandler["handle"]>[0],
    options: Parameters<NodeHttpHandler["handle"]>[1] = {},
  ): ReturnType<NodeHttpHandler["handle"]> {
    const abortSignal = options.abortSignal ?? callSignal.getStore();
    return super.handle(request, abortSignal ? { ...options, abortSignal } : options);
  }
}

/**
 * The functions' own credentials: Lambda sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN for the execution role ("Defined runtime environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * which is the first thing the SDK's default chain would try. Naming the provider, and building the
 * bundles with that chain replaced (functions/build.ts `envCredentialsOnly`), keeps the chain's
 * SSO, STS web-identity, INI, process and IMDS code out of every bundle.
 *
 * Read from the environment at each call, as the SDK's `fromEnv` reads it, and refused naming the
 * variables when they are missing. Not `fromEnv` itself: importing @aws-sdk/credential-provider-env
 * brings @aws-sdk/core's client index (endpoint rules and partitions, the shared-config file
 * loader, the user agent): about 17 KB of the presigner's bundle and 2 to 3 ms of its cold start,
 * measured 2026-12-05 (docs/functions.md). Unlike `fromEnv`, it reads no AWS_CREDENTIAL_EXPIRATION
 * or AWS_ACCOUNT_ID (so the lifecycle's DynamoDB client keeps the regional endpoint, not an
 * account-based one): Lambda sets neither.
 */
export const ENV_CREDENTIALS = (): Promise<{
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}> => {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!accessKeyId || !secretAccessKey) {
    return Promise.reject(
      new Error(
        "no credentials in the environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set (Lambda sets them for the function's role)",
      ),
    );
  }
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return Promise.resolve({
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
  });
};

/** How long an attempt may take to open its connection. */
export const CONNECT_TIMEOUT_MS = 1_000;
/**
 * How long an attempt may wait for the answer's headers (counted from its start) and, while the
 * answer arrives, between two of its packets.
 */
export const ANSWER_TIMEOUT_MS = 3_000;
/** Attempts per call: the first, and one retry of a throttled, timed-out or 5xx answer. */
export const MAX_ATTEMPTS = 2;

/**
 * Every SDK call of the functions is bounded: 2 attempts of at most 1 s to connect and 3 s to
 * answer, so the three calls of a cold sign-in fit in the request deadline even when each needs
 * its retry. A call whose server never answers fails with `TimeoutError` after 2 × 3 s and the
 * retry's backoff (measured in tests/functions/bounded-calls.test.ts).
 *
 * The timeouts must THROW: @smithy/node-http-handler 4 only logs a warning when `requestTimeout`
 * passes unless `throwOnRequestTimeout` is set, and without `socketTimeout` an answer that stops
 * half way is waited for as long as the socket lives (smithy-typescript,
 * packages/node-http-handler/src/set-request-timeout.ts and set-socket-timeout.ts: inactivity,
 * thrown as `TimeoutError`). Each handler's abort signal bounds the whole of its calls on top of
 * this (its deadline, functions/shared/deadline.ts).
 */
export const SDK_OPTIONS = {
  maxAttempts: MAX_ATTEMPTS,
  credentials: ENV_CREDENTIALS,
  requestHandler: new BoundedHttpHandler({
    connectionTimeout: CONNECT_TIMEOUT_MS,
    requestTimeout: ANSWER_TIMEOUT_MS,
    socketTimeout: ANSWER_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  }),
} as const;

/**
 * The lifecycle function's Lambda client, which invokes a LOB's home-directory function and waits
 * for it to finish (RequestResponse): the connection is silent while the directory is removed, so
 * its answer may take as long as that function's own timeout. The timeouts still throw; the
 * lifecycle's drain deadline (its abort signal) ends the wait much sooner. One attempt: a retry is
 * the next pass of the drain.
 */
export const INVOKE_OPTIONS = {
  maxAttempts: 1,
  credentials: ENV_CREDENTIALS,
  cacheMiddleware: true,
  requestHandler: new BoundedHttpHandler({
    connectionTimeout: CONNECT_TIMEOUT_MS,
    requestTimeout: HOMES_TIMEOUT_SECONDS * 1000,
    socketTimeout: HOMES_TIMEOUT_SECONDS * 1000,
    throwOnRequestTimeout: true,
  }),
} as const;

/**
 * What a client whose calls go through {@link bounded} adds: its commands' middleware stacks are
 * resolved once and reused (smithy's `cacheMiddleware`, honoured for `send`s without options).
 * NOT for the DynamoDB document client (the lifecycle's alone now; the sign-in reads the tables
 * through the plain client, functions/shared/clients.ts): @aws-sdk/lib-dynamodb's commands resolve to
 * `async () => handler(this.clientCommand)`, so a cached stack would send the FIRST command's
 * input again (lib-dynamodb, src/commands/GetCommand.ts `resolveMiddleware`).
 */
export const CACHED_MIDDLEWARE = { cacheMiddleware: true } as const;
