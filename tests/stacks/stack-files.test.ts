import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  kindProblems,
  loadStackConfig,
  projectStacks,
  StackFileError,
} from "../../scripts/lib/mock-stack";

/** Stack files as a person edits them: mistakes are reported with the file (and line) they are in. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "studio-access-stacks-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const write = (stack: string, text: string) => {
  writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
};

describe("stack files", () => {
  it("names the file, line and column of a YAML syntax error, without the parser's code frame", () => {
    write(
      "lob-a",
      "config:\n  studio-access:kind: lob\n  studio-access:members: [ann, bob\n  aws:region: us-east-1\n",
    );
    let error: unknown;
    try {
      loadStackConfig("lob-a", dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackFileError);
    expect((error as Error).message).toMatch(
      /^Pulumi\.lob-a\.yaml line 4, column 3: Flow sequence in block collection must be sufficiently indented and end with a \]$/,
    );
  });

  it("refuses a config that is not a map, and a stack with no file", () => {
    write("shared", "config: [1, 2]\n");
    expect(() => loadStackConfig("shared", dir)).toThrow(
      "Pulumi.shared.yaml: config must be a map of settings",
    );
    expect(() => loadStackConfig("nope", dir)).toThrow(
      "Pulumi.nope.yaml cannot be read: is nope a stack of this project?",
    );
  });

  it("reports a stack file without a kind as itself (the shared file too), and an unknown kind", () => {
    write(
      "shared",
      "config:\n  aws:region: us-east-1\n  studio-access:hubAccountId: '111111111111'\n",
    );
    write("lob-a", "config:\n  studio-access:kind: lob\n");
    write("lob-b", "config:\n  studio-access:kind: spoke\n");
    expect(kindProblems(projectStacks(dir))).toEqual([
      'Pulumi.lob-b.yaml: studio-access:kind is "spoke": expected shared (the hub stack) or lob (a LOB\'s stack)',
      "Pulumi.shared.yaml: studio-access:kind is not set: expected shared (the hub stack) or lob (a LOB's stack)",
    ]);
  });
});
