import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { main, orderedCommands } from "../../scripts/orchestrate";
import { fakePulumi } from "../helpers/fake-pulumi";

const stacks = [
  { stack: "lob-b", kind: "lob" },
  { stack: "shared", kind: "shared" },
  { stack: "lob-a", kind: "lob" },
];

describe("deploy and destroy order", () => {
  it("deploys the hub first, then the LOBs", () => {
    expect(orderedCommands("deploy", stacks, false)).toEqual([
      ["pulumi", "up", "--stack", "shared"],
      ["pulumi", "up", "--stack", "lob-a"],
      ["pulumi", "up", "--stack", "lob-b"],
    ]);
  });

  it("destroys in exactly the reverse order, lifting the pool's deletion protection before the hub, passing --yes when asked", () => {
    expect(orderedCommands("destroy", stacks, true)).toEqual([
      ["pulumi", "destroy", "--stack", "lob-b", "--yes"],
      ["pulumi", "destroy", "--stack", "lob-a", "--yes"],
      [
        "pulumi",
        "up",
        "--stack",
        "shared",
        "--config",
        "studio-access:deletionProtection=false",
        "--yes",
      ],
      ["pulumi", "destroy", "--stack", "shared", "--yes"],
    ]);
  });
});

describe("npm run deploy / destroy against a stand-in pulumi CLI", () => {
  let log: string;
  let output: string[];
  let fake: ReturnType<typeof fakePulumi>;

  beforeEach(() => {
    // Records each call; fails the one for lob-a.
    fake = fakePulumi((bin) => {
      log = path.join(bin, "calls.log");
      return `echo "$*" >> "${log}"\ncase "$*" in *lob-a*) exit 3;; esac\nexit 0\n`;
    });
    output = fake.output;
  });

  afterEach(() => {
    fake.restore();
  });

  const calls = () => readFileSync(log, "utf8").trim().split("\n");

  it("stops at the first failing stack and names what was not run", () => {
    expect(main(["deploy", "--yes"])).toBe(3);
    expect(calls()).toEqual(["up --stack shared --yes", "up --stack lob-a --yes"]);
    expect(output.at(-1)).toBe(
      'stopped: "pulumi up --stack lob-a --yes" exited with 3; not run: lob-b',
    );
  });

  it("destroys LOB B before LOB A and stops there when LOB A fails, leaving the hub standing", () => {
    expect(main(["destroy"])).toBe(3);
    expect(calls()).toEqual(["destroy --stack lob-b", "destroy --stack lob-a"]);
    expect(output.at(-1)).toBe(
      'stopped: "pulumi destroy --stack lob-a" exited with 3; not run: shared',
    );
  });

  it("runs only the named stacks, in order", () => {
    expect(main(["deploy", "lob-b", "shared"])).toBe(0);
    expect(calls()).toEqual(["up --stack shared", "up --stack lob-b"]);
  });

  it("prints the commands and runs nothing with --dry-run", () => {
    expect(main(["destroy", "--dry-run"])).toBe(0);
    expect(output).toEqual([
      "would run: pulumi destroy --stack lob-b",
      "would run: pulumi destroy --stack lob-a",
      "would run: pulumi up --stack shared --config studio-access:deletionProtection=false",
      "would run: pulumi destroy --stack shared",
    ]);
    expect(() => readFileSync(log)).toThrow();
  });

  it.each(["deploy", "destroy"])(
    "%s --help prints the orchestrator's help, exits 0 and runs nothing (#20)",
    (mode) => {
      expect(main([mode, "--yes", "--help"])).toBe(0);
      const [text] = output;
      expect(output).toHaveLength(1);
      expect(text).toMatch(
        new RegExp(`^npm run ${mode} -- \\[--dry-run\\] \\[--yes\\] \\[STACK \\.\\.\\.\\]\n`),
      );
      expect(text).toContain("  --dry-run  print the pulumi commands");
      expect(text).not.toContain("unknown option");
      expect(() => readFileSync(log)).toThrow();
    },
  );

  it.each([
    [["deploy", "lob-q"], "no stack file for lob-q (stacks: lob-a, lob-b, shared)"],
    [["deploy", "--force"], "unknown option --force (known: --dry-run, --yes)"],
    [["upgrade"], "usage: orchestrate.ts deploy|destroy [--dry-run] [--yes] [stack ...]"],
  ])("refuses %p with exit code 2", (argv, message) => {
    expect(main(argv)).toBe(2);
    expect(output).toEqual([message]);
  });

  it("says how to get the CLI when pulumi is not installed", () => {
    process.env.PATH = fake.bin;
    rmSync(path.join(fake.bin, "pulumi"));
    expect(main(["deploy"])).toBe(1);
    expect(output.at(-1)).toMatch(
      /^could not start pulumi \(.*ENOENT.*\); install the Pulumi CLI and log in first$/,
    );
  });
});
