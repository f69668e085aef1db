import { CHOICE_TTL_SECONDS } from "./replay";

/**
 * The cookie that binds a chooser's choice to the browser the chooser page was served to (login
 * CSRF: another site cannot make a victim's browser post the attacker's choice). `__Host-` keeps
 * it to this origin, set only over HTTPS and never by a subdomain; SameSite=Strict is enough because
 * the choice is posted by a form of the page this origin served.
 */
export const CHOICE_COOKIE = "__Host-studio-access-choice";
const ATTRIBUTES = "Path=/; Secure; HttpOnly; SameSite=Strict";

/** The Set-Cookie value the chooser page is served with. */
export const choiceCookie = (nonce: string) =>
  `${CHOICE_COOKIE}=${nonce}; ${ATTRIBUTES}; Max-Age=${String(CHOICE_TTL_SECONDS)}`;

/** The Set-Cookie value that clears it, once a choice was posted. */
export const CLEARED_CHOICE_COOKIE = `${CHOICE_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;

/** An event's headers; either map may be absent (a direct invocation, or no headers at all). */
interface RequestHeaders {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, string[] | undefined>> | null;
}

/**
 * The first value of cookie `name` the request carries. API Gateway passes request headers with
 * their names as the client sent them, the last of each in `headers` and all in
 * `multiValueHeaders`; HTTP/2 clients may send several Cookie headers.
 */
export function cookieOf(event: RequestHeaders, name: string): string | undefined {
  const lines: string[] = [];
  for (const [header, values] of Object.entries(event.multiValueHeaders ?? {}))
    if (header.toLowerCase() === "cookie") lines.push(...(values ?? []));
  for (const [header, value] of Object.entries(event.headers ?? {}))
    if (header.toLowerCase() === "cookie" && value !== undefined) lines.push(value);
  for (const line of lines)
    for (const pair of line.split(";")) {
      const at = pair.indexOf("=");
      if (at >= 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
    }
  return undefined;
}

/** `response` with `cookies` set, as API Gateway's proxy integration takes several headers of a name. */
export function withCookies<
  T extends { multiValueHeaders?: Record<string, (string | number | boolean)[]> },
>(response: T, cookies: readonly string[]): T {
  if (cookies.length === 0) return response;
  return {
    ...response,
    multiValueHeaders: { ...response.multiValueHeaders, "Set-Cookie": [...cookies] },
  };
}
