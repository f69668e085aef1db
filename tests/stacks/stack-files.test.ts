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

describe("stack files a person should not have to debug (the review of #19)", () => {
  it("names the file of a YAML alias bomb, without a stack trace", () => {
    const levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= 6; i++)
      levels.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    write("lob-b", `${levels.join("\n")}\nconfig:\n  studio-access:kind: lob\n`);
    expect(() => loadStackConfig("lob-b", dir)).toThrow(
      new StackFileError(
        "Pulumi.lob-b.yaml: Excessive alias count indicates a resource exhaustion attack",
      ),
    );
  });

  it("says a secret setting cannot be read offline, and that none is needed", () => {
    write("shared", "config:\n  studio-access:mfa:\n    secure: v1:AAAAsecretvalueXYZ\n");
    expect(() => loadStackConfig("shared", dir)).toThrow(
      new StackFileError(
        "Pulumi.shared.yaml: studio-access:mfa is a secret ({secure: …}), which the offline runs cannot decrypt; studio-access takes no secret settings: set it with pulumi config set --plaintext",
      ),
    );
  });
});
