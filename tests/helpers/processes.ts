import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * Process handling for tests that start programs: every wait is bounded, and every child a test
 * started is ended by that test, pass or fail.
 */

/** How a child ended: its exit code, or the signal that ended it. */
export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Resolves when `child` has ended (at once if it already has). */
export function endOf(child: ChildProcess): Promise<Ended> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      resolve({ code, signal });
    });
  });
}

/** Waits at most `timeoutMs` for `child` to end; undefined if it is still running then. */
export async function endWithin(
  child: ChildProcess,
  timeoutMs: number,
): Promise<Ended | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      resolve(undefined);
    }, timeoutMs);
  });
  try {
    return await Promise.race([endOf(child), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ends `child`: `signal` first (SIGINT: a Ctrl-C, so it cleans up), SIGKILL if it has not ended
 * within `graceMs`. Resolves with how it ended and whether it had to be killed.
 */
export async function endChild(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGINT",
  graceMs = 120_000,
): Promise<Ended & { readonly killed: boolean }> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  const ended = await endWithin(child, graceMs);
  if (ended) return { ...ended, killed: false };
  child.kill("SIGKILL");
  return { ...(await endOf(child)), killed: true };
}

/**
 * Processes (pid and command line) that still use `dir`: their working directory, command line or
 * environment names it. Linux's /proc; elsewhere, none are found.
 */
export function processesUsing(dir: string): string[] {
  if (!existsSync("/proc/self")) return [];
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (cwd.startsWith(dir) || cmdline.includes(dir) || environ.includes(dir))
        found.push(`${pid} ${cmdline}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Polls `check` every 200 ms until it returns a value; fails naming `what` after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${String(timeoutMs)} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
