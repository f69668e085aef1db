import { passwordNeeds, type PasswordPolicy } from "../functions/shared/password-policy";
import { closest, distance } from "fastest-levenshtein";
import { landingQuery } from "../functions/shared/landing";
import { LOB_NAME } from "../functions/shared/tables";
import { TEAM_NAME } from "../functions/shared/teams";
import type { CliConfig } from "./config";
import { CliError, EXIT, isNetworkError } from "./errors";
import type { TokenCache } from "./session";

/** One of the caller's Studios, as `GET /studios` lists it. */
export interface Studio {
  readonly lob: string;
  readonly team: string;
  readonly domainId: string;
  readonly profileName: string;
  readonly enabled: boolean;
}

/** A presigned Studio URL and when it stops working. */
export interface Opened {
  readonly url: string;
  readonly expiresAt: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** How long `open` waits, at most, for a profile made on a first sign-in. */
export const PROFILE_WAIT_LIMIT_MS = 10 * 60_000;

/** What `open` asks for: a team (when the user is in several of the LOB's) and a deep link. */
export interface OpenRequest {
  readonly team?: string;
  readonly app?: string;
  readonly space?: string;
}

export interface OpenOptions {
  /** Told each time the API answers 202 (the profile is being created), with its Retry-After. */
  readonly onPending?: (retryAfterSeconds: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * The API's own refusal (403 with its message): not entitled, no such LOB, a disabled Studio.
 * `lob` is the LOB asked for (none for the list).
 */
export class NotEntitled extends CliError {
  constructor(
    message: string,
    readonly lob: string | undefined,
    readonly said: string,
  ) {
    super(EXIT.notEntitled, message);
  }
}

/**
 * API Gateway's answers for an address that is not one of the API's: 403 {"message":"Forbidden"}
 * for a stage it does not have, and its MISSING_AUTHENTICATION_TOKEN gateway response, 403
 * {"message":"Missing Authentication Token"}, for a path it has no resource for ("Gateway response
 * types for API Gateway", https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
 * API Gateway names both in its x-amzn-ErrorType header (ForbiddenException,
 * MissingAuthenticationTokenException); the API's functions never answer either message.
 */
function gatewayMiss(said: string | undefined, headers: Headers): boolean {
  const type = headers.get("x-amzn-errortype")?.split(":")[0];
  return (
    type === "MissingAuthenticationTokenException" ||
    said === "Missing Authentication Token" ||
    (said === "Forbidden" && (type === undefined || type === "ForbiddenException"))
  );
}

/** What to say when the API's address is not the API's: the address, and how to check it. */
export function wrongAddress(apiUrl: string, said: string): string {
  // A private API also answers "Forbidden" to a call that did not come through a VPC endpoint
  // its policy admits ("Troubleshoot 403 Forbidden errors" for private APIs, API Gateway docs).
  const network =
    said === "Forbidden"
      ? "; if it is right, the call did not come through the company's API endpoint: are you on the corporate network?"
      : "";
  return `the API address looks wrong: ${apiUrl} answered 403 ${JSON.stringify(said)} (API Gateway's answer for a stage or path the API does not have). It must be the API's stage URL, ending in the stage (such as /v1): check it against the studio-access configure line your platform team gave you (the shared stack's cliConfigure output) and run that line again${network}`;
}

/** A 202 from the API: the first sign-in's profile is being created. */
class Pending {
  constructor(readonly retryAfterSeconds: number) {}
}

export class AccessApi {
  constructor(
    private readonly config: CliConfig,
    private readonly tokens: TokenCache,
  ) {}

  async list(): Promise<Studio[]> {
    const body = (await this.get("/studios", "")) as { studios?: Studio[] };
    return body.studios ?? [];
  }

  /**
   * A presigned URL for the LOB's Studio. On a first sign-in the API answers 202 while it creates
   * the user's profile: this asks again after each Retry-After, telling `onPending`, for up to
   * PROFILE_WAIT_LIMIT_MS.
   */
  async open(lob: string, request: OpenRequest, options: OpenOptions = {}): Promise<Opened> {
    if (!LOB_NAME.test(lob))
      throw new CliError(
        EXIT.usage,
        `${JSON.stringify(lob)} is not a LOB name (lower-case letters, digits and hyphens)`,
      );
    if (request.team !== undefined && !TEAM_NAME.test(request.team))
      throw new CliError(
        EXIT.usage,
        `--team ${JSON.stringify(request.team)} is not a team name (lower-case letters, digits and hyphens)`,
      );
    const landing = landingQuery(request);
    const query =
      request.team === undefined
        ? landing
        : `?team=${encodeURIComponent(request.team)}${landing.replace(/^\?/, "&")}`;
    const now = options.now ?? Date.now;
    const sleep =
      options.sleep ??
      ((ms: number) =>
        new Promise<void>((resolve) => {
          setTimeout(resolve, ms);
        }));
    const giveUp = now() + PROFILE_WAIT_LIMIT_MS;
    for (;;) {
      const answer = await this.get(`/studios/${lob}`, query, lob);
      if (answer instanceof Pending) {
        if (now() > giveUp)
          throw new CliError(
            EXIT.upstream,
            `${lob}: your Studio profile is still being created after ${String(PROFILE_WAIT_LIMIT_MS / 60_000)} minutes; try again later`,
          );
        options.onPending?.(answer.retryAfterSeconds);
        await sleep(answer.retryAfterSeconds * 1000);
        continue;
      }
      const opened = answer as Opened;
      if (typeof opened.url !== "string")
        throw new CliError(EXIT.upstream, "the API answered without a Studio URL");
      return { url: this.throughStudioEndpoint(opened.url), expiresAt: opened.expiresAt };
    }
  }

  /** With a configured Studio endpoint, the URL goes there instead of its own host name. */
  private throughStudioEndpoint(url: string): string {
    if (!this.config.studioEndpoint) return url;
    const presigned = new URL(url);
    return `${this.config.studioEndpoint.replace(/\/$/, "")}${presigned.pathname}${presigned.search}`;
  }

  /** A GET with the user's token; a refused token is refreshed once and the call retried. */
  private async get(path: string, query: string, lob?: string): Promise<unknown> {
    let response = await this.fetch(path + query, await this.tokens.accessToken());
    if (response.status === 401)
      response = await this.fetch(path + query, await this.tokens.accessToken(true));
    const text = await response.text();
    let body: { message?: unknown; Message?: unknown } & Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Not JSON: a gateway's or proxy's page. Its status decides.
    }
    const said = typeof body.message === "string" ? body.message : undefined;
    const what = lob === undefined ? "your Studios" : lob;
    switch (true) {
      case response.status === 202: {
        // Retry-After in seconds, kept between 1 s and a minute whatever a proxy says.
        const seconds = Number(response.headers.get("retry-after"));
        return new Pending(Number.isFinite(seconds) ? Math.min(60, Math.max(1, seconds)) : 5);
      }
      case response.ok:
        return body;
      case response.status === 409 && Array.isArray(body.teams):
        throw new CliError(
          EXIT.usage,
          `${what}: you are in several of its teams (${(body.teams as unknown[]).map(String).join(", ")}): choose one with --team`,
        );
      case response.status === 401:
        throw new CliError(EXIT.signIn, "the API refused your sign-in: run studio-access login");
      case response.status === 400:
        throw new CliError(EXIT.usage, said ?? "the API refused the request as malformed");
      case response.status === 403 && gatewayMiss(said, response.headers):
        throw new CliError(EXIT.usage, wrongAddress(this.config.apiUrl, said ?? ""));
      case response.status === 403 && said !== undefined:
        throw new NotEntitled(`${what}: ${said}`, lob, said);
      case response.status === 403:
        // API Gateway's own refusal (its resource policy): the call did not come through the
        // company's endpoint.
        throw new CliError(
          EXIT.upstream,
          "the API refused the call from this network: are you on the corporate network?",
        );
      case response.status === 404:
        throw new CliError(EXIT.notEntitled, `${what}: ${said ?? "not found"}`);
      default:
        throw new CliError(
          EXIT.upstream,
          `the API failed (${String(response.status)}${said ? `: ${said}` : ""}); try again shortly`,
        );
    }
  }

  private async fetch(pathAndQuery: string, token: string): Promise<Response> {
    const url = `${this.config.apiUrl.replace(/\/$/, "")}${pathAndQuery}`;
    try {
      return await fetch(url, {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        redirect: "manual",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      if (isNetworkError(error))
        throw new CliError(
          EXIT.upstream,
          `cannot reach the API at ${new URL(url).host}: are you on the corporate network?`,
        );
      throw error;
    }
  }
}

/** The policy as one sentence: what a new password needs. */
export function describePolicy(policy: PasswordPolicy): string {
  return `A new password needs ${passwordNeeds(policy)}.`;
}

function isPolicy(value: unknown): value is PasswordPolicy {
  const p = value as Record<string, unknown> | null;
  return (
    typeof p === "object" &&
    p !== null &&
    Number.isInteger(p.minimumLength) &&
    ["requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"].every(
      (k) => typeof p[k] === "boolean",
    )
  );
}

const SETTINGS_TIMEOUT_MS = 10_000;

/**
 * What the new-password prompt says first: the pool's policy from the API's unauthenticated
 * `GET <api-url>/settings`, or, when it cannot be read, where the policy can be found.
 */
export async function passwordPolicyLine(apiUrl: string): Promise<string> {
  const url = `${apiUrl.replace(/\/$/, "")}/settings`;
  let why: string;
  let response: Response | undefined;
  try {
    response = await fetch(url, {
      headers: { Accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(SETTINGS_TIMEOUT_MS),
    });
  } catch {
    // No answer at all (the network, or a timeout).
  }
  if (response === undefined) why = "it could not be reached";
  else if (!response.ok) why = `it answered ${String(response.status)}`;
  else {
    let body: { passwordPolicy?: unknown } | undefined;
    try {
      body = (await response.json()) as { passwordPolicy?: unknown };
    } catch {
      // Not JSON: a proxy's page.
    }
    if (isPolicy(body?.passwordPolicy)) return describePolicy(body.passwordPolicy);
    why = body === undefined ? "its answer is not JSON" : "it names no password policy";
  }
  return `(The password policy could not be read from ${url}: ${why}. Your platform team has it: the hub's user pool, shown on npm run plan's access-users line. If Cognito refuses a password, it says what is missing.)`;
}

/**
 * After a refusal of `open LOB [--team TEAM]`, what the user can do, from their own Studios: the
 * teams they are in when the LOB is theirs, else their Studios and the nearest LOB name.
 */
export function refusalNextStep(lob: string, team: string | undefined, studios: Studio[]): string {
  const mine = studios.filter((s) => s.lob === lob);
  if (mine.length > 0) {
    const teams = mine.map((s) => s.team);
    return team !== undefined && !teams.includes(team)
      ? `you are not in team ${team} of ${lob}; your ${teams.length === 1 ? "team" : "teams"} there: ${teams.join(", ")} (studio-access open ${lob}${teams.length === 1 ? "" : ` --team ${teams[0] ?? ""}`})`
      : `it is one of your Studios (${teams.map((t) => `${lob}/${t}`).join(", ")}): ask your platform team why it refuses you`;
  }
  if (studios.length === 0)
    return "you have no Studio yet: ask your platform team for an entitlement";
  const lobs = [...new Set(studios.map((s) => s.lob))].sort();
  const nearest = closest(lob, lobs);
  // A typo is a letter or two away; a LOB name that far from every one of theirs is not a typo.
  const typo = distance(lob, nearest) <= Math.max(2, Math.floor(lob.length / 3));
  const listed = studios.map((s) => `${s.lob}/${s.team}`).join(", ");
  // The API does not say whether a LOB exists, so a near name is offered, not asserted: "lob-b" is
  // one letter from "lob-a" and may be a LOB the user has simply not been granted.
  const hint = typo
    ? `if you meant ${nearest}: studio-access open ${nearest}; to get ${lob}, ask your platform team. `
    : "";
  return `${hint}your Studios: ${listed} (studio-access list)`;
}
