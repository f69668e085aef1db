/**
 * What the CLI prints from a table row, an API answer or an AWS error is data someone else wrote:
 * a LOB's deployer role can put a row whose username holds terminal escape sequences, which could
 * erase or rewrite the lines `admin list` shows (ESC [2K clears a line, ESC [1A climbs one, CR and
 * backspace overwrite, bidi overrides reorder what is read). Every such character is shown as a
 * visible `\uXXXX` instead, so what reaches the terminal is exactly what the table holds.
 *
 * Covered: C0 controls (U+0000–U+001F, line breaks and tabs included: one row, one line), DEL
 * (U+007F), C1 controls (U+0080–U+009F, 8-bit CSI among them), the bidi marks, embeddings,
 * overrides and isolates (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), and the line and
 * paragraph separators (U+2028–U+2029), which some terminals break lines at.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** One line of text as it may be printed: each unprintable character as `\uXXXX`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * JSON as it may be printed. `JSON.stringify` escapes C0 controls in strings but leaves DEL, C1
 * and bidi characters raw; escaped here as `\uXXXX`, they are valid JSON escapes of the same
 * characters, so a script parsing the output reads exactly the data. Line breaks between values
 * stay (inside a string, JSON.stringify has already escaped them).
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).split("\n").map(printable).join("\n");
}
