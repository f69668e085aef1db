/**
 * The last resort of every service the sandbox starts: a synchronous clean-up run when the process
 * exits, however it exits (the end of main, process.exit on Ctrl-C, an uncaught error). Each
 * service registers what it must undo (a child process to kill, a temporary folder to remove) when
 * it starts, and forgets it once its own orderly stop has done so. A process killed by SIGKILL runs
 * nothing: its service children watch for that themselves (cognito-local.js, lambda-worker.js).
 */
const pending = new Set<() => void>();
let hooked = false;

function runAll(): void {
  for (const cleanup of [...pending]) {
    pending.delete(cleanup);
    try {
      cleanup();
    } catch {
      // One failed clean-up must not keep the others from running.
    }
  }
}

/** Runs `cleanup` when the process exits; returns a function that forgets it. */
export function onExit(cleanup: () => void): () => void {
  if (!hooked) {
    process.on("exit", runAll);
    hooked = true;
  }
  pending.add(cleanup);
  return () => {
    pending.delete(cleanup);
  };
}
