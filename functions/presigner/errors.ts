import type { APIGatewayProxyResult } from "aws-lambda";
import { isThrottlingError, isTransientError } from "@smithy/service-error-classification";

/** An error whose message is safe to show the caller; everything else is logged, not returned. */
export abstract class HttpError extends Error {
  abstract readonly status: number;
  /** What the log records as the request's outcome. */
  abstract readonly outcome: string;
  /** Detail for the logs only (an SDK error name, a misconfigured attribute). */
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export class Unauthenticated extends HttpError {
  readonly status = 401;
  readonly outcome = "unauthenticated";
  /** @param reason the failed check, for the log (never token content) */
  constructor(reason: string) {
    super("Unauthorized", reason);
  }
}

/** One answer for "no such LOB" and "not yours", so the API does not tell which LOBs exist. */
const NOT_ENTITLED = "You are not entitled to this Studio";

export class NotEntitled extends HttpError {
  readonly status = 403;
  readonly outcome = "not-entitled";
  constructor() {
    super(NOT_ENTITLED);
  }
}

export class LobDisabled extends HttpError {
  readonly status = 403;
  readonly outcome = "lob-disabled";
  constructor() {
    super("This Studio is disabled");
  }
}

export class UnknownLob extends HttpError {
  readonly status = 403;
  readonly outcome = "unknown-lob";
  constructor() {
    super(NOT_ENTITLED);
  }
}

/**
 * A table row that does not match what the hub deployed: a LOB record naming another account or
 * role, or an entitlement naming another user's profile. Someone wrote the table by hand, or
 * forged it; no URL is made, and the log names the mismatch.
 */
export class RecordMismatch extends HttpError {
  readonly status = 502;
  readonly outcome = "record-mismatch";
  constructor(detail: string) {
    super("Studio could not be opened", detail);
  }
}

/**
 * The user was disabled (`admin disable`): their marker refuses every entry until an admin grants
 * them again with `--enable`. The same answer as any refusal, so nothing is learnt from it.
 */
export class UserDisabled extends HttpError {
  readonly status = 403;
  readonly outcome = "user-disabled";
  constructor() {
    super(NOT_ENTITLED);
  }
}

/**
 * A profile of the user's name exists but is not theirs: its tags or execution role say another
 * user, team or LOB (or none: made outside studio-access). It is never adopted; the log names what
 * differs, and the user is told to ask their platform team.
 */
export class ProfileNotOwned extends HttpError {
  readonly status = 409;
  readonly outcome = "profile-not-owned";
  constructor(detail: string) {
    super(
      "A Studio profile of your name exists that studio-access did not make for you: ask your platform team",
      detail,
    );
  }
}

/**
 * The user is in several teams of the LOB and named none: the answer lists them (the caller's
 * own teams, nobody else's) so the CLI can say which to pass.
 */
export class TeamRequired extends HttpError {
  readonly status = 409;
  readonly outcome = "team-required";
  constructor(readonly teams: readonly string[]) {
    super(`You are in several teams of this Studio: choose one with team (${teams.join(", ")})`);
  }
}

/** How long a caller is asked to wait before asking again while its profile is created. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The user's profile is being created (first sign-in) and was not ready within the wait: 202 with
 * `Retry-After`; asking again presigns once SageMaker reports it InService.
 */
export class ProfilePending extends HttpError {
  readonly status = 202;
  readonly outcome = "profile-pending";
  constructor(detail: string) {
    super("Your Studio profile is being created: try again shortly", detail);
  }
}

/** A deep link that is not on the fixed list (`app`, `space`). */
export class BadLanding extends HttpError {
  readonly status = 400;
  readonly outcome = "bad-landing";
}

/** A deep link to a space that the user's Studio does not have. */
export class SpaceNotFound extends HttpError {
  readonly status = 404;
  readonly outcome = "no-space";
  constructor(detail: string) {
    super("No such space in this Studio", detail);
  }
}

export class RouteNotFound extends HttpError {
  readonly status = 404;
  readonly outcome = "no-route";
  constructor() {
    super("Not found");
  }
}

export class UpstreamFailure extends HttpError {
  readonly status = 502;
  readonly outcome = "upstream-failure";
  constructor(detail: string) {
    super("Studio could not be opened", detail);
  }
}

export class UpstreamUnavailable extends HttpError {
  readonly status = 503;
  readonly outcome = "upstream-unavailable";
  constructor(detail: string) {
    super("Studio is busy, try again shortly", detail);
  }
}

/** Turns an AWS SDK (or network) failure into the caller-facing error, keeping its name for the logs. */
export function fromAwsError(error: unknown, call: string): HttpError {
  if (error instanceof HttpError) return error;
  // SDK and Node network errors carry $metadata, $retryable or code beside the Error fields.
  const sdkError = (error instanceof Error ? error : new Error(String(error))) as Parameters<
    typeof isThrottlingError
  >[0];
  const detail = `${call}: ${sdkError.name}`;
  // Aborted by the handler's signal: its deadline passed while the call waited.
  if (sdkError.name === "AbortError") return new UpstreamUnavailable(`${detail} at the deadline`);
  if (isThrottlingError(sdkError) || isTransientError(sdkError)) {
    return new UpstreamUnavailable(detail);
  }
  return new UpstreamFailure(detail);
}

/** The one place errors become responses: JSON `{message}`, nothing internal. */
export function errorResponse(error: HttpError): APIGatewayProxyResult {
  if (error instanceof TeamRequired)
    return jsonResponse(error.status, { message: error.message, teams: error.teams });
  if (error instanceof ProfilePending) {
    const response = jsonResponse(error.status, {
      message: error.message,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
    return {
      ...response,
      headers: { ...response.headers, "Retry-After": String(RETRY_AFTER_SECONDS) },
    };
  }
  return jsonResponse(error.status, { message: error.message });
}

export function jsonResponse(status: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
    body: JSON.stringify(body),
  };
}
