import { landingQuery } from "../functions/shared/landing";
import { LOB_NAME } from "../functions/shared/tables";
import type { CliConfig } from "./config";
import { CliError, EXIT, isNetworkError } from "./errors";
import type { TokenCache } from "./session";

/** One of the caller's Studios, as `GET /studios` lists it. */
export interface Studio {
  readonly lob: string;
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

export class AccessApi {
  constructor(
    private readonly config: CliConfig,
    private readonly tokens: TokenCache,
  ) {}

  async list(): Promise<Studio[]> {
    const body = (await this.get("/studios", "")) as { studios?: Studio[] };
    return body.studios ?? [];
  }

  async open(lob: string, landing: { app?: string; space?: string }): Promise<Opened> {
    if (!LOB_NAME.test(lob))
      throw new CliError(
        EXIT.usage,
        `${JSON.stringify(lob)} is not a LOB name (lower-case letters, digits and hyphens)`,
      );
    const opened = (await this.get(`/studios/${lob}`, landingQuery(landing), lob)) as Opened;
    if (typeof opened.url !== "string")
      throw new CliError(EXIT.upstream, "the API answered without a Studio URL");
    return { url: this.throughStudioEndpoint(opened.url), expiresAt: opened.expiresAt };
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
      case response.ok:
        return body;
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
