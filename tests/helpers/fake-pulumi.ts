import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/**
 * A stand-in `pulumi` CLI first on PATH, running `script` (a POSIX shell body), and every console
 * line captured: what deploy and destroy tests drive instead of the real CLI. `restore` puts PATH
 * and the console back and removes the stand-in's folder.
 */
export function fakePulumi(script: (bin: string) => string): {
  bin: string;
  output: string[];
  restore: () => void;
} {
  const savedPath = process.env.PATH;
  const bin = mkdtempSync(path.join(tmpdir(), "fake-pulumi-"));
  writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\n${script(bin)}`);
  chmodSync(path.join(bin, "pulumi"), 0o755);
  process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ""}`;
  const output: string[] = [];
  jest.spyOn(console, "log").mockImplementation((line: string) => output.push(line));
  jest.spyOn(console, "error").mockImplementation((line: string) => output.push(line));
  return {
    bin,
    output,
    restore: () => {
      process.env.PATH = savedPath;
      jest.restoreAllMocks();
      rmSync(bin, { recursive: true, force: true });
    },
  };
}
