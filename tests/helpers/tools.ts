import { spawnSync } from "node:child_process";

/**
 * Tests that need a program from the operating system: they run where it is installed and are
 * left out, by name, where it is not. The summary reporter lists what was left out and how to add it.
 */
/** Whether `command` runs here (asked for its version: tmux takes -V, most take --version). */
export function hasTool(command: string): boolean {
  const flag = command === "tmux" ? "-V" : "--version";
  return spawnSync(command, [flag], { stdio: "ignore" }).status === 0;
}

/** `describe` when `command` is installed; otherwise every test in it is skipped, marked `[needs …]`. */
export function describeWith(command: string): (name: string, fn: () => void) => void {
  return (name, fn) => {
    if (hasTool(command)) describe(name, fn);
    else describe.skip(`[needs ${command}] ${name}`, fn);
  };
}

/** `it` when `command` is installed; otherwise the test is skipped, marked `[needs …]`. */
export function itWith(
  command: string,
): (name: string, fn: () => Promise<void>, timeoutMs?: number) => void {
  return (name, fn, timeoutMs) => {
    if (hasTool(command)) it(name, fn, timeoutMs);
    else it.skip(`[needs ${command}] ${name}`, fn, timeoutMs);
  };
}
