import { SAME_CTRL_C_MS, teardownSignals } from "../../scripts/sandbox/teardown-signals";

/** The kept sandbox's answers to Ctrl-C while it tears down, on a clock the test moves (#20). */
describe("the kept sandbox's Ctrl-C answers", () => {
  const run = (times: number[]) => {
    const lines: string[] = [];
    let clock = 0;
    const signals = teardownSignals(
      (line) => lines.push(line),
      () => clock,
    );
    for (const t of times) {
      clock = t;
      signals.answer();
    }
    return lines;
  };
  const TEARING =
    "\ntearing down: destroying the stacks and stopping the services, in order (a minute or two; another Ctrl-C does not interrupt it)";
  const STILL = "  still tearing down: the stacks are destroyed and the services stopped in order";

  it("says the first Ctrl-C starts the teardown, and not 'still', when npm forwards it a second time", () => {
    // The terminal's SIGINT and npm's copy of it, a few milliseconds apart.
    expect(run([10_000, 10_004])).toEqual([TEARING]);
  });

  it("answers a later, separate Ctrl-C (and only once, with npm's copy) with 'still tearing down'", () => {
    expect(run([10_000, 10_003, 25_000, 25_002])).toEqual([TEARING, STILL]);
    expect(run([0, SAME_CTRL_C_MS])).toEqual([TEARING, STILL]);
  });
});
