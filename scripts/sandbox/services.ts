import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { keepIdleConnections } from "./aws/http";
import { onExit } from "./exit-cleanup";

/** A free loopback port, found by letting the OS pick one. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`cognito-local exited (${String(child.exitCode)}): ${output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`cognito-local did not answer at ${url} within 20 s: ${output()}`);
}

export interface LocalServices {
  readonly stateDir: string;
  readonly cognitoUrl: string;
  readonly dynamoUrl: string;
  stop(): Promise<void>;
}

/**
 * cognito-local (real user pools, signed tokens) as a child process whose state lives in a temporary
 * folder, and dynalite (DynamoDB) in memory; both on random loopback ports.
 */
export async function startLocalServices(): Promise<LocalServices> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "studio-access-sandbox-"));
  const cognitoDir = path.join(stateDir, "cognito");
  mkdirSync(path.join(cognitoDir, ".cognito"), { recursive: true });
  const port = await freePort();
  const cognitoUrl = `http://127.0.0.1:${String(port)}`;
  // The issuer is the endpoint itself, as with Cognito; usernames are plain, as in the program's pool.
  writeFileSync(
    path.join(cognitoDir, ".cognito", "config.json"),
    JSON.stringify({
      TokenConfig: { IssuerDomain: cognitoUrl },
      UserPoolDefaults: { UsernameAttributes: [] },
    }),
  );
  // cognito-local's own start script, with refresh tokens stored as Cognito does (see the file).
  const start = path.join(__dirname, "cognito-local.js");
  const cognito = spawn(process.execPath, ["--no-warnings", start], {
    cwd: cognitoDir,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      // What it removes if the sandbox is killed outright (see cognito-local.js).
      SANDBOX_STATE_DIR: stateDir,
    },
    // The IPC channel is how it learns that the sandbox is gone, however it went.
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    // Its own process group: a Ctrl-C in the terminal reaches the sandbox, which stops this last.
    detached: true,
  });
  cognito.channel?.unref();
  // However this process ends (even interrupted), the emulator and its state go with it.
  const forgetExitCleanup = onExit(() => {
    cognito.kill("SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
  });
  let output = "";
  cognito.stdout?.on(
    "data",
    (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-4000)),
  );
  cognito.stderr?.on(
    "data",
    (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-4000)),
  );
  try {
    await waitUntilUp(`${cognitoUrl}/health`, cognito, () => output);
  } catch (error) {
    cognito.kill("SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
    forgetExitCleanup();
    throw error;
  }

  const dynalite = (require("dynalite") as (opts: object) => Server)({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  // The deployer's DynamoDB client reuses its idle sockets to dynalite (see keepIdleConnections).
  keepIdleConnections(dynalite);
  await new Promise<void>((resolve) => dynalite.listen(0, "127.0.0.1", resolve));
  const dynamoUrl = `http://127.0.0.1:${String((dynalite.address() as AddressInfo).port)}`;

  return {
    stateDir,
    cognitoUrl,
    dynamoUrl,
    async stop() {
      dynalite.closeAllConnections();
      await new Promise((resolve) => dynalite.close(resolve));
      if (cognito.exitCode === null && cognito.signalCode === null) {
        await new Promise<void>((resolve) => {
          cognito.once("exit", () => {
            resolve();
          });
          cognito.kill();
        });
      }
      rmSync(stateDir, { recursive: true, force: true });
      forgetExitCleanup();
    },
  };
}
