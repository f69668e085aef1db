/** The private API's JSON form, as the CLI uses it (cli/api.ts): the list and a presigned URL. */

/** One of the caller's Studios, as `GET /studios` lists it. */
export interface Studio {
  readonly lob: string;
  readonly team: string;
  readonly enabled: boolean;
}

export interface OpenRequest {
  readonly lob: string;
  readonly team?: string;
  readonly app?: string;
  readonly space?: string;
}

/** A refusal the person should read: the API's own message where it gave one. */
export class ApiRefusal extends Error {
  constructor(
    message: string,
    /** The teams to choose from, when the user is in several of the LOB's (409). */
    readonly teams?: readonly string[],
    /** The sign-in is no longer accepted (401 after a refresh). */
    readonly signIn = false,
  ) {
    super(message);
  }
}

/** How long a first sign-in's 202s are waited for, at most (as the CLI). */
export const PROFILE_WAIT_LIMIT_MS = 10 * 60_000;

export class AccessApi {
  constructor(
    private readonly apiBase: string,
    /** A valid access token (`force`: a fresh one, the API refused the last). */
    private readonly token: (force: boolean) => Promise<string>,
  ) {}

  async list(): Promise<Studio[]> {
    const { body } = await this.get("studios", "your Studios");
    const studios = (body as { studios?: unknown }).studios;
    return Array.isArray(studios) ? (studios as Studio[]) : [];
  }

  /**
   * A presigned URL for the LOB's Studio. While the API answers 202 (a first sign-in's profile is
   * being created) this waits its Retry-After (1-60 s) and asks again, telling `onPending`.
   */
  async open(
    request: OpenRequest,
    onPending: (retryAfterSeconds: number) => void,
    sleep: (ms: number) => Promise<void>,
  ): Promise<string> {
    const query = new URLSearchParams();
    for (const key of ["team", "app", "space"] as const) {
      const value = request[key];
      if (value) query.set(key, value);
    }
    const text = query.toString();
    const path = `studios/${encodeURIComponent(request.lob)}${text ? `?${text}` : ""}`;
    const giveUp = Date.now() + PROFILE_WAIT_LIMIT_MS;
    for (;;) {
      const { status, body, retryAfter } = await this.get(path, request.lob);
      if (status === 202) {
        if (Date.now() > giveUp)
          throw new ApiRefusal(
            `${request.lob}: your Studio profile is still being created after 10 minutes; try again later`,
          );
        onPending(retryAfter);
        await sleep(retryAfter * 1000);
        continue;
      }
      const url = (body as { url?: unknown }).url;
      if (typeof url !== "string" || !url.startsWith("https://"))
        throw new ApiRefusal("the API answered without a Studio address");
      return url;
    }
  }

  private async get(
    path: string,
    what: string,
  ): Promise<{ status: number; body: Record<string, unknown>; retryAfter: number }> {
    let response = await this.fetch(path, await this.token(false));
    if (response.status === 401) response = await this.fetch(path, await this.token(true));
    let body: Record<string, unknown> = {};
    try {
      body = (await response.json()) as Record<string, unknown>;
    } catch {
      // Not JSON: a gateway's or proxy's page; its status decides.
    }
    const said = typeof body.message === "string" ? body.message : undefined;
    const status = response.status;
    if (status === 202) {
      const seconds = Number(response.headers.get("retry-after"));
      return {
        status,
        body,
        retryAfter:
          Number.isFinite(seconds) && seconds > 0 ? Math.min(60, Math.max(1, seconds)) : 5,
      };
    }
    if (response.ok) return { status, body, retryAfter: 0 };
    if (status === 409 && Array.isArray(body.teams)) {
      const teams = body.teams.map(String);
      throw new ApiRefusal(
        `${what}: you are in several of its teams (${teams.join(", ")}): choose one`,
        teams,
      );
    }
    if (status === 401)
      throw new ApiRefusal("the API refused your sign-in: sign in again", undefined, true);
    if (status === 403 && said === undefined)
      throw new ApiRefusal(
        "the API refused the call from this network: are you on the corporate network?",
      );
    if (status >= 400 && status < 500)
      throw new ApiRefusal(`${what}: ${said ?? `refused (${String(status)})`}`);
    throw new ApiRefusal(
      `the API failed (${String(status)}${said ? `: ${said}` : ""}); try again shortly`,
    );
  }

  private async fetch(path: string, token: string): Promise<Response> {
    try {
      return await fetch(`${this.apiBase}${path}`, {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        cache: "no-store",
        credentials: "omit",
        redirect: "error",
      });
    } catch {
      throw new ApiRefusal("cannot reach the API: are you on the corporate network?");
    }
  }
}
