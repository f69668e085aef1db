import { execFileSync } from "node:child_process";

/**
 * A real terminal for tests: a private tmux server whose windows run commands; the test reads the
 * screen and types keys, as a person would.
 */
export class Terminal {
  private readonly socket = `studio-access-test-${String(process.pid)}-${String(Date.now())}`;

  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
  }

  /** Starts `command` (run by bash) in a new window named `name`, 400 columns wide. */
  start(name: string, command: string): void {
    // The wrapper shell survives Ctrl-C (its trap is a no-op, so its children keep SIGINT's default)
    // and keeps the window open after the command, so its last screen can be read.
    const wrapped = `bash -c ${quote(`trap : INT; ${command}; echo "[exit $?]"; sleep 600`)}`;
    try {
      this.tmux("new-window", "-d", "-n", name, wrapped);
    } catch {
      this.tmux("new-session", "-d", "-s", "tests", "-n", name, "-x", "400", "-y", "50", wrapped);
    }
  }

  /** Everything the window shows and has scrolled off, wrapped lines joined. */
  screen(name: string): string {
    return this.tmux("capture-pane", "-p", "-J", "-S", "-5000", "-t", `tests:${name}`);
  }

  /** Types text (literally) and, unless told otherwise, Enter. */
  type(name: string, text: string, enter = true): void {
    this.tmux("send-keys", "-t", `tests:${name}`, "-l", text);
    if (enter) this.tmux("send-keys", "-t", `tests:${name}`, "Enter");
  }

  /** Sends a key by tmux's name for it, e.g. C-c. */
  key(name: string, key: string): void {
    this.tmux("send-keys", "-t", `tests:${name}`, key);
  }

  /**
   * Waits until the screen matches, and returns it; fails with the screen after `timeoutMs` (the
   * default is sized for a program's start on a busy 2-core machine).
   */
  async waitFor(name: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen(name);
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline)
        throw new Error(
          `waited ${String(timeoutMs)} ms for ${String(pattern)}; the screen:\n${screen}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Whether the window's screen matches now. */
  shows(name: string, pattern: RegExp): boolean {
    try {
      return pattern.test(this.screen(name));
    } catch {
      return false;
    }
  }

  /** Ends the server: its windows' programs get SIGHUP (the terminal closed). */
  close(): void {
    try {
      this.tmux("kill-server");
    } catch {
      // Already gone.
    }
  }
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
