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
      case response.status === 403 && said !== undefined:
        throw new CliError(EXIT.notEntitled, `${what}: ${said}`);
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
