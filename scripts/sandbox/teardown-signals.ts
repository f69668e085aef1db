/**
 * How the kept sandbox answers Ctrl-C (SIGINT, or SIGTERM) once it is tearing down. One Ctrl-C in
 * `npm run sandbox` arrives twice: the terminal sends SIGINT to its whole foreground process group
 * (npm, its shell and the sandbox), and npm forwards the SIGINT it got to its child as well. So a
 * signal soon after the previous one is the same Ctrl-C, not another.
 */
export const SAME_CTRL_C_MS = 1_000;

/**
 * `answer` is called for each signal: the first starts the teardown and says so; a later, separate
 * one is told it is still tearing down (it is not obeyed); a repeat of the same Ctrl-C is quiet.
 */
export function teardownSignals(
  log: (line: string) => void,
  now: () => number = () => performance.now(),
): { answer: () => void } {
  let last: number | undefined;
  return {
    answer() {
      const at = now();
      const repeat = last !== undefined && at - last < SAME_CTRL_C_MS;
      const first = last === undefined;
      last = at;
      if (first)
        log(
          "\ntearing down: destroying the stacks and stopping the services, in order (a minute or two; another Ctrl-C does not interrupt it)",
        );
      else if (!repeat)
        log("  still tearing down: the stacks are destroyed and the services stopped in order");
    },
  };
}
