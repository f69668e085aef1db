/**
 * Real-AWS orchestration: `pulumi up` for the hub stack and then every LOB stack, or `pulumi destroy`
 * in the reverse order, stopping at the first failure. Stacks are the project's Pulumi.<stack>.yaml
 * files; each one's `studio-access:kind` says whether it is the hub or a LOB.
 *
 *   npm run deploy  -- [--dry-run] [--yes] [--help] [stack ...]
 *   npm run destroy -- [--dry-run] [--yes] [--help] [stack ...]
 */
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../functions/build";
import { projectStacks, type StackFile } from "./lib/mock-stack";
import { stackSetProblems } from "./lib/stack-set";

export type Mode = "deploy" | "destroy";

/**
 * The hub first and LOBs after it to deploy; exactly the reverse to destroy. Before the hub goes,
 * the deletion protection of its user pool and tables is lifted with an update (Cognito and
 * DynamoDB refuse to delete a protected pool or table), which the stack's config then records.
 */
export function orderedCommands(
  mode: Mode,
  stacks: readonly StackFile[],
  yes: boolean,
): string[][] {
  const hubs = stacks
    .filter((s) => s.kind === "shared")
    .map((s) => s.stack)
    .sort();
  const lobs = stacks
    .filter((s) => s.kind === "lob")
    .map((s) => s.stack)
    .sort();
  const order = mode === "deploy" ? [...hubs, ...lobs] : [...lobs.reverse(), ...hubs.reverse()];
  const verb = mode === "deploy" ? "up" : "destroy";
  const confirm = yes ? ["--yes"] : [];
  return order.flatMap((stack) => [
    ...(mode === "destroy" && hubs.includes(stack)
      ? [
          [
            "pulumi",
            "up",
            "--stack",
            stack,
            "--config",
            "studio-access:deletionProtection=false",
            ...confirm,
          ],
        ]
      : []),
    ["pulumi", verb, "--stack", stack, ...confirm],
  ]);
}

/** `npm run deploy -- --help` (and destroy's): what the orchestrator does and its options. */
export function help(mode: Mode): string {
  const verb = mode === "deploy" ? "up" : "destroy";
  return `npm run ${mode} -- [--dry-run] [--yes] [STACK ...]

${
  mode === "deploy"
    ? "Deploys the project's stacks with the Pulumi CLI: pulumi up for the hub (shared) stack\nfirst, then every LOB stack, stopping at the first failure."
    : "Destroys the project's stacks with the Pulumi CLI: every LOB stack first, then the hub\n(shared) stack, after lifting the deletion protection of its user pool and tables with\na pulumi up; stops at the first failure."
}
The stacks are the Pulumi.<stack>.yaml files; each one's studio-access:kind says whether it is
the hub or a LOB. The stack files are checked as a set first (nothing runs if one is wrong).
It needs the Pulumi CLI logged in to your state backend, and each stack's AWS credentials
(aws:profile); docs/deploying.md says how, and how a pipeline does it.

  STACK      only these stacks (still in that order); default: all of them
  --dry-run  print the pulumi commands (pulumi ${verb} --stack …) and run nothing
  --yes      pass --yes to pulumi (no confirmation prompt)
  --help     this text

Exit status: 0 when every command succeeded; 2 for a wrong option, stack name or stack file;
1 when pulumi could not be started; otherwise the failing pulumi command's status.`;
}

/** Deploys or destroys the stacks of the stack files in `projectDir` (the project's folder, where pulumi runs). */
export function main(argv: readonly string[], projectDir = REPO_ROOT): number {
  const [mode, ...rest] = argv;
  if (mode !== "deploy" && mode !== "destroy") {
    console.error("usage: orchestrate.ts deploy|destroy [--dry-run] [--yes] [stack ...]");
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(help(mode));
    return 0;
  }
  const dryRun = rest.includes("--dry-run");
  const yes = rest.includes("--yes");
  const unknownFlags = rest.filter((a) => a.startsWith("-") && a !== "--dry-run" && a !== "--yes");
  if (unknownFlags.length > 0) {
    console.error(`unknown option ${unknownFlags.join(", ")} (known: --dry-run, --yes)`);
    return 2;
  }
  // The stack files as a set, whichever stacks are named: a copy kept aside or a LOB's second
  // stack file would otherwise be deployed, or destroyed (a second hub's pool unprotected first).
  const problems = stackSetProblems(projectDir);
  if (problems.length > 0) {
    for (const line of problems) console.error(line);
    console.error(
      `nothing was ${mode === "deploy" ? "deployed" : "destroyed"}: fix the stack files above first`,
    );
    return 2;
  }
  const all = projectStacks(projectDir);
  const wanted = rest.filter((a) => !a.startsWith("-"));
  const unknown = wanted.filter((w) => !all.some((s) => s.stack === w));
  if (unknown.length > 0) {
    console.error(
      `no stack file for ${unknown.join(", ")} (stacks: ${all
        .map((s) => s.stack)
        .sort()
        .join(", ")})`,
    );
    return 2;
  }
  const commands = orderedCommands(
    mode,
    wanted.length > 0 ? all.filter((s) => wanted.includes(s.stack)) : all,
    yes,
  );
  for (const [i, command] of commands.entries()) {
    console.log(`${dryRun ? "would run" : "running"}: ${command.join(" ")}`);
    if (dryRun) continue;
    const result = spawnSync(command[0] ?? "pulumi", command.slice(1), {
      cwd: projectDir,
      stdio: "inherit",
      // Explicit, so the PATH this code sees (not only the process's first one) finds the CLI.
      env: process.env,
    });
    if (result.error) {
      console.error(
        `could not start pulumi (${result.error.message}); install the Pulumi CLI and log in first`,
      );
      return 1;
    }
    if (result.status !== 0) {
      const left = [...new Set(commands.slice(i + 1).map((c) => c[3]))];
      console.error(
        `stopped: "${command.join(" ")}" exited with ${String(result.status)}` +
          (left.length > 0 ? `; not run: ${left.join(", ")}` : ""),
      );
      return result.status ?? 1;
    }
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
