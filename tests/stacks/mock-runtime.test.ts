import { loadStackConfig, runStackUnderMocks } from "../../scripts/lib/mock-stack";

/**
 * The mock runtime's stack traces (scripts/lib/mock-stack.ts cheapStackTraces): none while a
 * program runs (Pulumi's SDK formats one for every promise it makes, most of a plan's time), the
 * process's own limit and source maps back after it, and the limit left alone when the process
 * was started with --stack-trace-limit.
 */
const refused = { ...loadStackConfig("shared"), "studio-access:hubVpcCidr": "10.0.0.1/16" };

describe("stack traces under the mocks", () => {
  let limit: number;
  let mapped: boolean;
  let options: string | undefined;
  beforeEach(() => {
    limit = Error.stackTraceLimit;
    mapped = process.sourceMapsEnabled;
    options = process.env.NODE_OPTIONS;
  });
  afterEach(() => {
    Error.stackTraceLimit = limit;
    process.setSourceMapsEnabled(mapped);
    if (options === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = options;
  });

  it("takes none while the program runs, and gives the process its own back after", async () => {
    Error.stackTraceLimit = 17;
    process.setSourceMapsEnabled(true);
    const during = new Set<string>();
    await runStackUnderMocks({
      stack: "shared",
      config: loadStackConfig("shared"),
      onCreate: () => {
        during.add(`${String(Error.stackTraceLimit)} ${String(process.sourceMapsEnabled)}`);
        return Promise.resolve(undefined);
      },
    });
    expect([...during]).toEqual(["0 false"]);
    expect([Error.stackTraceLimit, process.sourceMapsEnabled]).toEqual([17, true]);
  }, 120_000);

  it("gives them back when the program fails, whose error keeps its message", async () => {
    Error.stackTraceLimit = 17;
    await expect(runStackUnderMocks({ stack: "shared", config: refused })).rejects.toThrow(
      "studio-access:hubVpcCidr",
    );
    expect(Error.stackTraceLimit).toBe(17);
  }, 120_000);

  it("leaves the limit alone when the process was started with --stack-trace-limit", async () => {
    Error.stackTraceLimit = 30;
    process.env.NODE_OPTIONS = `${options ?? ""} --stack-trace-limit=30`.trim();
    const error = await runStackUnderMocks({ stack: "shared", config: refused }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(
      error?.stack?.split("\n").filter((line) => line.includes(" at ")).length,
    ).toBeGreaterThan(0);
  }, 120_000);
});
