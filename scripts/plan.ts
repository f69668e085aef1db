/**
 * The offline plan: runs every stack's real program under Pulumi's mock runtime, the hub first and
 * each LOB stack fed with the hub's outputs, and prints per stack and account the resources by type
 * with their security-relevant settings, and the stack's outputs. A config error exits non-zero
 * with its message.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../functions/build";
import {
  fullStackName,
  loadStackConfig,
  projectStacks,
  runStackUnderMocks,
  StackFileError,
  type RecordedResource,
  type StackRun,
} from "./lib/mock-stack";
import { describeResource } from "./lib/describe";
import { formatMatrix, reachabilityMatrix } from "./lib/reachability";
import { stackSetProblems } from "./lib/stack-set";

const HELP = `npm run plan [-- STACK ...]

Plans every stack offline: runs the real program under Pulumi's mock runtime (no AWS, no
Pulumi CLI), the hub stack first and each LOB stack fed with the hub's outputs, and prints per
stack and account each resource with its security-relevant settings (IAM policies, endpoint
policies, security group rules, routes, the Cognito pool and client, each function's
environment), then the stack's outputs (the SCP and the CLI's configure line among them), and
the reachability matrix computed from the planned network.

  npm run plan              every Pulumi.<stack>.yaml in this folder
  npm run plan -- lob-a     the hub, then only the named stacks
  --previous-outputs DIR    each stack's outputs from its last update, DIR/<stack>.json as
                            \`pulumi stack output -s <stack> --json\` writes them: a change that
                            would replace a table, the user pool, the data key or a LOB's
                            domain is then refused, as pulumi preview refuses it
  --help                    this text

Exit status: 0 planned, 1 a stack file, a stack's configuration or its program failed (its
message says why; stack files are checked as a set before anything is planned), 2 an unknown
stack.`;

/** A stack's outputs, one per line; multi-line values (the SCP) indented under their name. */
function printOutputs(outputs: Record<string, unknown>): void {
  console.log("  outputs");
  for (const [key, value] of Object.entries(outputs).sort(([a], [b]) => a.localeCompare(b))) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (text.includes("\n")) console.log(`    ${key}:\n${text.replace(/^/gm, "      ")}`);
    else console.log(`    ${key}: ${text}`);
  }
}

function printStack(stack: string, kind: string, resources: RecordedResource[], ms: number): void {
  const custom = resources.filter((r) => r.custom);
  console.log(
    `\n${stack}  (kind ${kind}: ${custom.length} resources, planned in ${(ms / 1000).toFixed(1)} s)`,
  );
  const byAccount = new Map<string, RecordedResource[]>();
  for (const r of custom) {
    const key = r.type.startsWith("pulumi-nodejs:dynamic/")
      ? `destroy-time clean-up in the Pulumi host, with profile "${typeof r.inputs.profile === "string" ? r.inputs.profile : "default"}"`
      : r.account
        ? `account ${r.account} via provider "${r.providerName ?? "?"}"${r.assumeRole ? ` as ${r.assumeRole}` : ""}`
        : "NO EXPLICIT PROVIDER";
    byAccount.set(key, [...(byAccount.get(key) ?? []), r]);
  }
  for (const [account, list] of byAccount) {
    console.log(`  ${account}`);
    const byType = new Map<string, RecordedResource[]>();
    for (const r of list) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
    for (const [type, items] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(`    ${type} ×${items.length}`);
      for (const r of items) {
        const detail = describeResource(r);
        if (detail) console.log(`      ${r.name}: ${detail}`);
      }
    }
  }
}

/**
 * Plans the stacks of the stack files in `projectDir` (the project's folder).
 * @param wanted the command line's arguments: stack names to plan (with the hub), or --help
 */
export async function main(args: readonly string[], projectDir = REPO_ROOT): Promise<number> {
  let wanted = args;
  if (wanted.includes("--help") || wanted.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  // The stacks' last outputs, for the replacement guard (stacks/replacement-guard.ts).
  const at = wanted.findIndex(
    (a) => a === "--previous-outputs" || a.startsWith("--previous-outputs="),
  );
  let previousDir: string | undefined;
  if (at >= 0) {
    const option = wanted[at] ?? "";
    previousDir = option.includes("=") ? option.slice(option.indexOf("=") + 1) : wanted[at + 1];
    if (!previousDir || previousDir.startsWith("-")) {
      console.error(`--previous-outputs needs a folder\n\n${HELP}`);
      return 2;
    }
    wanted = wanted.filter((_, i) => i !== at && (option.includes("=") || i !== at + 1));
  }
  const unknownOption = wanted.find((a) => a.startsWith("-"));
  if (unknownOption) {
    console.error(`unknown option ${unknownOption}\n\n${HELP}`);
    return 2;
  }
  const started = Date.now();
  // The stack files as a set (each says what it is, one hub, one stack per LOB...): a file's
  // problem is reported as itself, before any stack is planned or fails for want of a hub.
  const problems = stackSetProblems(projectDir);
  if (problems.length > 0) {
    for (const line of problems) console.error(line);
    console.error("nothing was planned: fix the stack files above first");
    return 1;
  }
  const all = projectStacks(projectDir);
  const outputs: Record<string, Record<string, unknown>> = {};
  const stacks = all.filter(
    ({ stack, kind }) => wanted.length === 0 || kind === "shared" || wanted.includes(stack),
  );
  for (const name of wanted) {
    if (!stacks.some((s) => s.stack === name)) {
      console.error(
        `no stack file Pulumi.${name}.yaml (stacks: ${all.map((s) => s.stack).join(", ")})`,
      );
      return 2;
    }
  }
  const runs: StackRun[] = [];
  for (const { stack, kind } of stacks) {
    const t = Date.now();
    const previous =
      previousDir === undefined ? undefined : path.join(previousDir, `${stack}.json`);
    if (previous !== undefined && existsSync(previous))
      outputs[fullStackName(stack)] = JSON.parse(readFileSync(previous, "utf8")) as Record<
        string,
        unknown
      >;
    try {
      const run = await runStackUnderMocks({
        stack,
        config: loadStackConfig(stack, projectDir),
        stackOutputs: outputs,
      });
      outputs[fullStackName(stack)] = run.outputs;
      runs.push(run);
      printStack(stack, kind, run.resources, Date.now() - t);
      printOutputs(run.outputs);
      const allow = loadStackConfig(stack, projectDir)["studio-access:allowReplacement"];
      if (allow !== undefined)
        console.log(
          `  allowReplacement: ${allow} (this update may replace these; remove it after)`,
        );
    } catch (error) {
      console.error(`\n${stack}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  const shared = runs.find((r) => stacks.find((s) => s.stack === r.stack)?.kind === "shared");
  const lobs = runs.filter((r) => r !== shared);
  if (shared && lobs.length > 0) {
    console.log(
      "\nreachability, computed from the planned routes, zones and security groups (HTTPS):",
    );
    for (const line of formatMatrix(reachabilityMatrix(shared, lobs))) console.log(line);
  }
  console.log(
    `\nplanned ${stacks.length} stacks offline in ${((Date.now() - started) / 1000).toFixed(1)} s (Pulumi mock runtime; nothing was deployed)`,
  );
  return 0;
}

if (require.main === module) {
  process.removeAllListeners("warning");
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // A stack file that cannot be read says which, and where; anything else is a bug, in full.
      console.error(error instanceof StackFileError ? error.message : error);
      process.exit(1);
    },
  );
}
