/** The CLI's exit codes: a script can tell a typo from a refused sign-in from an outage. */
export const EXIT = {
  ok: 0,
  /** A usage or configuration problem: fix the command line or run `studio-access configure`. */
  usage: 2,
  /** Sign-in needed, expired or refused. */
  signIn: 3,
  /** Not entitled to the Studio, or no such LOB or space. */
  notEntitled: 4,
  /** The API, Cognito or the network failed. */
  upstream: 5,
  /** The browser could not be opened (the opener failed or is missing): use `open --print`. */
  noBrowser: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports as one line, and the exit code it ends with. Never holds a token. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** Node's and the SDK's names for a request that never got an answer. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

/** Whether an error means the request never reached a server (fetch, or an SDK call). */
export function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (e.name === "TimeoutError" || e.name === "AbortError") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return error instanceof TypeError && error.message === "fetch failed";
}
