import { fork, type ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";
import * as path from "node:path";
import { NODE_MAJOR } from "../../functions/runtime";
import { lambdaNode } from "../lib/node24";

/**
 * Runs a function bundle as Lambda does: its own process on the runtime's Node.js major (Node.js 24
 * from the npm registry, scripts/lib/node24.ts, not the machine's Node.js), its own environment (the
 * variables the program gave the function, plus the credentials and endpoints its runtime would
 * have), and a timeout per invocation. Log lines are kept, so the rehearsal can check what was logged.
 */
export class LambdaHost {
  readonly logs: Record<string, unknown>[] = [];
  private child: ChildProcess | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private next = 0;

  constructor(
    readonly name: string,
    private readonly bundleDir: string,
    private readonly env: Record<string, string>,
    private readonly timeoutSeconds: number,
    /** A file every log line is appended to as well (JSON Lines, with the function's name). */
    private readonly logFile?: string,
  ) {}

  async start(): Promise<void> {
    // Throws, naming how to get it, when Node.js 24 is missing: no fallback to the machine's Node.js.
    const execPath = lambdaNode();
    const child = fork(
      path.join(__dirname, "lambda-worker.js"),
      [path.join(this.bundleDir, "index.js")],
      {
        execPath,
        // Not the sandbox's own flags (tsx's loader): Lambda loads the bundle with plain Node.js.
        execArgv: [],
        env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: "--no-warnings", ...this.env },
        // Lambda runs a function in its task root, where relative paths (the LOB registry) resolve.
        cwd: this.bundleDir,
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        // Its own process group, so a Ctrl-C in the terminal reaches only the sandbox, which tears
        // down in order; the worker still ends with the sandbox (it exits on disconnect).
        detached: true,
      },
    );
    this.child = child;
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines.filter(Boolean)) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { raw: line };
        }
        this.logs.push(entry);
        if (this.logFile)
          appendFileSync(this.logFile, `${JSON.stringify({ function: this.name, ...entry })}\n`);
      }
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    await new Promise<void>((resolve, reject) => {
      child.once("message", (ready: { node?: string }) => {
        const major = Number(ready.node?.split(".")[0]);
        if (major === NODE_MAJOR) resolve();
        else {
          child.kill();
          reject(
            new Error(
              `${this.name} started on Node.js ${String(ready.node)} (${execPath}), ` +
                `not Node.js ${String(NODE_MAJOR)}, the Lambda runtime's major`,
            ),
          );
        }
      });
      // "close", not "exit": only then has all of stderr (the reason it failed) been read.
      child.once("close", (code) => {
        reject(new Error(`${this.name} failed to start (exit ${String(code)}): ${stderr.trim()}`));
      });
    });
    child.on("message", (message: { id?: number; result?: unknown; error?: string }) => {
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
    child.on("exit", () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${this.name} exited`));
      this.pending.clear();
    });
  }

  /** Invokes the handler; rejects with the handler's error message, as Lambda reports it. */
  invoke<T>(event: unknown): Promise<T> {
    const id = (this.next += 1);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child?.send({ id, event, timeoutMs: this.timeoutSeconds * 1000 });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    // A child killed by a signal has no exit code, only a signal code.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => {
        resolve();
      });
      child.kill();
    });
  }
}
