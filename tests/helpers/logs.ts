/** Captures what the code under test writes to stdout, one parsed JSON object per line. */
export function captureLogs(): {
  lines: () => Record<string, unknown>[];
  raw: () => string;
  restore: () => void;
} {
  const chunks: string[] = [];
  const spy = jest
    .spyOn(process.stdout, "write")
    .mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
  const raw = () => chunks.join("");
  return {
    raw,
    lines: () =>
      raw()
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      spy.mockRestore();
    },
  };
}
