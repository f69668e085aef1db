import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HOMES_TIMEOUT_SECONDS } from "./homes";

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
  requestHandler: new NodeHttpHandler({
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
  requestHandler: new NodeHttpHandler({
    connectionTimeout: CONNECT_TIMEOUT_MS,
    requestTimeout: HOMES_TIMEOUT_SECONDS * 1000,
    socketTimeout: HOMES_TIMEOUT_SECONDS * 1000,
    throwOnRequestTimeout: true,
  }),
} as const;
