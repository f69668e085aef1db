/** Fields a log line may carry. Tokens and presigned URLs are never among them. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Writes one JSON line to stdout, which Lambda ships to CloudWatch Logs as-is. */
export function log(level: "info" | "warn" | "error", message: string, fields: LogFields): void {
  process.stdout.write(
    JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields }) + "\n",
  );
}

/** Reads a required environment variable, failing the cold start with the variable's name. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new Error(`environment variable ${name} is required but is not set`);
  }
  return value;
}

/** How much of a free-text field (a refusal's reason, an error's detail) a log line keeps. */
export const LOGGED_TEXT_MAX = 300;

/**
 * `text` as a log field may carry it: control and line-separator characters escaped (`\n`,
 * `\u0007`), so one field cannot forge a line or hide text, and cut to `max` characters with the
 * length left out named, so a 40 KB message from outside costs the log no more than `max`.
 */
export function loggable(text: string, max = LOGGED_TEXT_MAX): string {
  let out = "";
  let used = 0;
  for (const char of text) {
    const piece = escapeControl(char);
    if (out.length + piece.length > max) break;
    out += piece;
    used += char.length;
  }
  return used < text.length ? `${out}…(${String(text.length - used)} more)` : out;
}

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeControl(char: string): string {
  if (!/[\p{Cc}\u2028\u2029]/u.test(char)) return char;
  return NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}
