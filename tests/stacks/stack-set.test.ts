import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main as orchestrate } from "../../scripts/orchestrate";
import { main as plan } from "../../scripts/plan";
import { stackSetProblems } from "../../scripts/lib/stack-set";
import { fakePulumi } from "../helpers/fake-pulumi";

/**
 * The folder's stack files checked as one set by plan, deploy and destroy (and the sandbox) before
 * anything runs, as a new user gets them wrong: a LOB's file copied for a new LOB with its `lob`
 * unchanged, a backup of the hub's file, keys outside `config:`, an account id left unquoted.
 */
const HUB = [
  "config:",
  "  studio-access:kind: shared",
  '  studio-access:hubAccountId: "111111111111"',
  "  studio-access:lobs:",
  "    lob-a:",
  '      accountId: "222222222222"',
  "    lob-b:",
  '      accountId: "333333333333"',
  "",
].join("\n");
const lobFile = (lob: string) =>
  `config:\n  studio-access:kind: lob\n  studio-access:lob: ${lob}\n`;

let dir: string;
let bin: string;
let output: string[];
let fake: ReturnType<typeof fakePulumi>;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "studio-access-set-"));
  write("shared", HUB);
  write("lob-a", lobFile("lob-a"));
  write("lob-b", lobFile("lob-b"));
  // A stand-in pulumi CLI that records each call and the folder it runs in, and succeeds.
  fake = fakePulumi((bin) => `echo "$* in $PWD" >> "${path.join(bin, "calls.log")}"\nexit 0\n`);
  bin = fake.bin;
  output = fake.output;
});

afterEach(() => {
  fake.restore();
  rmSync(dir, { recursive: true, force: true });
});

function write(stack: string, text: string): void {
  writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
}

const pulumiCalls = () => {
  const log = path.join(bin, "calls.log");
  return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
};

/** plan exits 1, deploy and destroy exit 2, each printing `problems` and running no pulumi command. */
async function refusedByEveryCommand(problems: readonly string[]): Promise<void> {
  expect(stackSetProblems(dir)).toEqual(problems);
  output.length = 0;
  expect(orchestrate(["deploy", "--yes"], dir)).toBe(2);
  expect(output).toEqual([...problems, "nothing was deployed: fix the stack files above first"]);
  output.length = 0;
  expect(orchestrate(["destroy", "--yes"], dir)).toBe(2);
  expect(output).toEqual([...problems, "nothing was destroyed: fix the stack files above first"]);
  output.length = 0;
  expect(await plan([], dir)).toBe(1);
  expect(output).toEqual([...problems, "nothing was planned: fix the stack files above first"]);
  // Nothing deployed, nothing destroyed, no deletion protection lifted.
  expect(pulumiCalls()).toEqual([]);
}

describe("the stack files, checked as a set", () => {
  it("finds nothing to say about the project's own stack files, nor about a sound set", () => {
    expect(stackSetProblems()).toEqual([]);
    expect(stackSetProblems(dir)).toEqual([]);
  });

  it("deploys a sound set from its own folder", () => {
    expect(orchestrate(["deploy"], dir)).toBe(0);
    expect(pulumiCalls()).toEqual([
      `up --stack shared in ${dir}`,
      `up --stack lob-a in ${dir}`,
      `up --stack lob-b in ${dir}`,
    ]);
  });

  it("refuses a LOB's file copied for another LOB with its lob unchanged, naming both files and the lob", async () => {
    write("lob-c", lobFile("lob-b"));
    await refusedByEveryCommand([
      "Pulumi.lob-b.yaml and Pulumi.lob-c.yaml both set studio-access:lob: lob-b, so two stacks would deploy lob-b into its one account (333333333333): give each file its own LOB of the hub's studio-access:lobs in Pulumi.shared.yaml, or move the copy out of this folder",
    ]);
  });

  it("refuses it even when only other stacks are named", () => {
    write("lob-c", lobFile("lob-b"));
    expect(orchestrate(["deploy", "lob-a"], dir)).toBe(2);
    expect(orchestrate(["destroy", "shared"], dir)).toBe(2);
    expect(pulumiCalls()).toEqual([]);
  });

  it("refuses a LOB stack whose lob the hub's lobs does not list, naming the hub's file and its LOBs", async () => {
    write("lob-c", lobFile("lob-c"));
    await refusedByEveryCommand([
      'Pulumi.lob-c.yaml: studio-access:lob is "lob-c", which the hub\'s studio-access:lobs in Pulumi.shared.yaml does not list (it lists lob-a and lob-b): add lob-c there (its accountId, vpcCidr and deployer), or correct the name',
    ]);
  });

  it("refuses a LOB stack whose sharedStack names another hub stack than this folder's", async () => {
    write("lob-a", `${lobFile("lob-a")}  studio-access:sharedStack: acme/studio-access/hub\n`);
    write("lob-b", `${lobFile("lob-b")}  studio-access:sharedStack: acme/studio-access/shared\n`);
    await refusedByEveryCommand([
      'Pulumi.lob-a.yaml: studio-access:sharedStack is "acme/studio-access/hub", but this folder\'s hub stack is shared (Pulumi.shared.yaml): expected acme/studio-access/shared',
    ]);
  });

  it("refuses a backup of the hub's file as a copy kept aside and as a second hub, lifting no deletion protection", async () => {
    write("shared.orig", HUB);
    await refusedByEveryCommand([
      "Pulumi.shared.orig.yaml looks like a copy kept aside (.orig), but plan, sandbox, deploy and destroy would act on it as a stack named shared.orig: move it out of this folder",
      "two hub stacks: Pulumi.shared.yaml and Pulumi.shared.orig.yaml both set studio-access:kind: shared, but a project has one hub (deploy would make another, and destroy would lift the user pool's deletion protection of each): keep one and move the other out of this folder",
    ]);
  });

  it("refuses a second hub by any name, and a third", () => {
    write("hub", HUB);
    write("hub2", HUB);
    expect(stackSetProblems(dir)).toEqual([
      "three hub stacks: Pulumi.hub.yaml, Pulumi.hub2.yaml and Pulumi.shared.yaml all set studio-access:kind: shared, but a project has one hub (deploy would make another, and destroy would lift the user pool's deletion protection of each): keep one and move the others out of this folder",
    ]);
  });

  it.each([
    ["lob-a.bak", ".bak"],
    ["lob-a.old", ".old"],
    ["lob-a.copy", ".copy"],
    ["lob-a~", "~"],
    ["lob-a_BACKUP_4242", "_BACKUP_4242"],
    ["lob-a_REMOTE_4242", "_REMOTE_4242"],
  ])("refuses %s as a copy kept aside", (stack, suffix) => {
    write(stack, lobFile("lob-a"));
    expect(stackSetProblems(dir)[0]).toBe(
      `Pulumi.${stack}.yaml looks like a copy kept aside (${suffix}), but plan, sandbox, deploy and destroy would act on it as a stack named ${stack}: move it out of this folder`,
    );
  });

  it("refuses a file whose name is no stack name", () => {
    write("lob-a (1)", lobFile("lob-z"));
    expect(stackSetProblems(dir)[0]).toBe(
      'Pulumi.lob-a (1).yaml: "lob-a (1)" is not a stack name Pulumi accepts (letters, digits, -, _ and . only, at most 100): rename the file, or move it out of this folder',
    );
  });

  it("refuses keys outside config:, which Pulumi ignores, naming the key, file and line", async () => {
    write(
      "lob-a",
      `${lobFile("lob-a")}studio-access:teams:\n  analytics:\n    members: [ann]\nConfig:\n  aws:region: us-east-1\n`,
    );
    await refusedByEveryCommand([
      "Pulumi.lob-a.yaml line 4: studio-access:teams is outside config:, where Pulumi ignores it (a stack file's top level holds only config, environment, secretsprovider, encryptedkey and encryptionsalt): indent it under config:",
      "Pulumi.lob-a.yaml line 7: Config: is not read by Pulumi, whose keys are lower case: write config:",
    ]);
  });

  it("accepts the other top-level keys Pulumi reads", () => {
    write(
      "lob-a",
      `secretsprovider: passphrase\nencryptionsalt: v1:abc\nencryptedkey: xyz\nenvironment: [studio/dev]\n${lobFile("lob-a")}`,
    );
    expect(stackSetProblems(dir)).toEqual([]);
  });

  it("refuses an account id YAML reads as a number, saying to quote it, at the top and nested", async () => {
    write(
      "shared",
      HUB.replace('"111111111111"', "012345678901").replace('"333333333333"', "333333333333"),
    );
    await refusedByEveryCommand([
      'Pulumi.shared.yaml line 3: studio-access:hubAccountId is 012345678901 without quotes, which YAML reads as a number (12345678901): quote it ("012345678901"), as an account id is text',
      'Pulumi.shared.yaml line 8: studio-access:lobs.lob-b.accountId is 333333333333 without quotes, which YAML reads as a number: quote it ("333333333333"), as an account id is text',
    ]);
  });

  it("refuses account ids in a list, and a key written without its namespace", () => {
    write(
      "lob-a",
      `${lobFile("lob-a")}  aws:allowedAccountIds: [222222222222]\n  hubAccountId: 0111\n`,
    );
    expect(stackSetProblems(dir)).toEqual([
      'Pulumi.lob-a.yaml line 4: aws:allowedAccountIds[0] is 222222222222 without quotes, which YAML reads as a number: quote it ("222222222222"), as an account id is text',
      'Pulumi.lob-a.yaml line 5: studio-access:hubAccountId is 0111 without quotes, which YAML reads as a number (111): quote it ("0111"), as an account id is text',
    ]);
  });

  it("reports every file's problem at once: a YAML error, a missing kind, a settings file that is no map", async () => {
    write("lob-a", "config:\n  studio-access:kind: lob\n  studio-access:members: [ann, bob\n");
    write("lob-b", "config:\n  studio-access:lob: lob-b\n");
    write("lob-c", "- config\n");
    await refusedByEveryCommand([
      "Pulumi.lob-a.yaml line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "Pulumi.lob-b.yaml: studio-access:kind is not set: expected shared (the hub stack) or lob (a LOB's stack)",
      "Pulumi.lob-c.yaml line 1: expected the settings as a map under config:",
      "Pulumi.lob-c.yaml: studio-access:kind is not set: expected shared (the hub stack) or lob (a LOB's stack)",
    ]);
  });
});
