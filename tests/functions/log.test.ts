import { LOGGED_TEXT_MAX, loggable } from "../../functions/shared/log";

describe("loggable", () => {
  it("keeps a short, printable text as it is", () => {
    expect(loggable("issuer https://evil.example/idp is not ours")).toBe(
      "issuer https://evil.example/idp is not ours",
    );
  });

  it("escapes control and line-separator characters, so a field cannot forge a log line", () => {
    expect(loggable('a\nb\r\tc\u0000d\u001be\u2028f\u0085"')).toBe(
      'a\\nb\\r\\tc\\u0000d\\u001be\\u2028f\\u0085"',
    );
  });

  it(`cuts a 40 KB text to ${String(LOGGED_TEXT_MAX)} characters, naming how much was left out`, () => {
    const cut = loggable("x".repeat(40_000));
    expect(cut).toBe(`${"x".repeat(LOGGED_TEXT_MAX)}…(${String(40_000 - LOGGED_TEXT_MAX)} more)`);
  });

  it("counts escapes against the limit, and never splits an escape or a surrogate pair", () => {
    expect(loggable("\n".repeat(100), 7)).toBe("\\n\\n\\n…(97 more)");
    expect(loggable("😀😀", 3)).toBe("😀…(2 more)");
  });
});
