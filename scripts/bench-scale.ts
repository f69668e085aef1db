/**
 * npm run bench:scale [-- COUNT] [-- --short]: plans the hub with COUNT LOBs (1,000; --short: 20),
 * named by a lobsFile as a hub that size must (inline, the config passes Linux's bound on the one
 * environment variable Pulumi hands it over in), under the mock runtime, and prints the plan's time
 * and peak memory (RSS and V8 heap), the PULUMI_CONFIG size inline and with lobsFile, and each
 * quota of the one table (components/lib/quotas.ts) used against its limit; then each IAM quota of
 * every role the example stacks make, and (not with --short) the largest configs the IAM quota
 * checks accept. Fails (exit 1) when a quota is over its limit, an example role is over an IAM
 * quota, or the plan misses LOBs' spoke resources (CI runs the short form: npm run bench:short).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { runStackUnderMocks, loadStackConfig, type StackRun } from "./lib/mock-stack";
import { iamQuotaUse, largestFits, quotaUsage, scaledHubConfig, unprefixed } from "./lib/scale";
import { hubRolePlans, lobRolePlans } from "../components/lib/role-quotas";
import { ConfigError, parseStackConfig, pulumiConfigBytes } from "../stacks/config";
import { REPO_ROOT } from "../functions/build";

/** Where the bench writes its lobs file: inside the project (lobsFile is relative), ignored by git. */
const BENCH_LOBS_FILE = "node_modules/.cache/studio-access/bench-lobs.yaml";

const MIB = 1024 * 1024;

process.removeAllListeners("warning");

function table(rows: string[][]): void {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows)
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    );
}

const percent = (used: number, limit: number) => `${((used / limit) * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const short = args.includes("--short");
  const [countArg, ...unknown] = args.filter((a) => a !== "--short");
  const count = Number(countArg ?? (short ? 20 : 1000));
  if (unknown.length > 0 || !Number.isInteger(count) || count < 1)
    throw new Error(
      `bad arguments ${args.join(" ")}: npm run bench:scale [-- COUNT] [-- --short] (COUNT a whole number of LOBs, at least 1)`,
    );
  // The hub as a deployment of this size writes it: its LOBs in a lobsFile, and past 990 LOBs the
  // hub account's roles raised (a deployer role per LOB); every other quota at AWS's default.
  const inline = scaledHubConfig(count);
  const { "studio-access:lobs": lobsText, ...rest } = inline;
  mkdirSync(path.dirname(path.join(REPO_ROOT, BENCH_LOBS_FILE)), { recursive: true });
  writeFileSync(
    path.join(REPO_ROOT, BENCH_LOBS_FILE),
    stringify(JSON.parse(lobsText ?? "{}") as unknown),
  );
  const config = {
    ...rest,
    "studio-access:lobsFile": BENCH_LOBS_FILE,
    ...(count > 990
      ? { "studio-access:iamQuotas": JSON.stringify({ rolesPerAccount: 5000 }) }
      : {}),
  };
  console.log(
    `PULUMI_CONFIG for ${String(count)} LOBs: ${String(pulumiConfigBytes(inline))} bytes with lobs inline, ${String(pulumiConfigBytes(config))} with lobsFile (Linux refuses one variable over 131,072)`,
  );
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 50);
  const started = performance.now();
  let hub: StackRun;
  try {
    hub = await runStackUnderMocks({ stack: "shared", config });
  } catch (error) {
    clearInterval(sampler);
    // A config over a quota: nothing planned; each problem names the figure and the limit.
    if (error instanceof ConfigError) throw new Error(`FAILED: ${error.message}`);
    throw error;
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const resources = hub.resources.filter((r) => r.custom).length;
  console.log(
    `hub with ${String(count)} LOBs (spokesSupernet 10.64.0.0/10, lobsFile): ${String(resources)} resources planned in ${(ms / 1000).toFixed(1)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, peak V8 heap ${(peakHeap / MIB).toFixed(0)} MiB\n`,
  );
  table([
    ["quota", "used", "limit", "use", "status", "source"],
    ...quotaUsage(hub, count, config).map((q) => [
      q.what,
      String(q.used),
      String(q.limit),
      percent(q.used, q.limit),
      status(q.used, q.limit),
      q.source,
    ]),
  ]);

  // Every role of the example stacks, as the config checks measure them.
  const plans = ["shared", "lob-a", "lob-b"].flatMap((stack) => {
    const config = parseStackConfig(unprefixed(loadStackConfig(stack)), {
      region: loadStackConfig(stack)["aws:region"] ?? "us-east-1",
    });
    return config.kind === "shared" ? hubRolePlans(config) : lobRolePlans(config);
  });
  console.log(
    `\nIAM quotas per role, the example stacks' ${String(plans.length)} roles (the most used):\n`,
  );
  table([
    ["quota", "used", "limit", "use", "status", "by"],
    ...iamQuotaUse(plans).map((q) => [
      q.what,
      String(q.used),
      String(q.limit),
      percent(q.used, q.limit),
      status(q.used, q.limit),
      q.role,
    ]),
  ]);

  // The search takes a minute or more on a loaded 2-core machine: the short form leaves it to
  // tests/stacks/iam-quotas.test.ts, which asserts every figure it finds.
  if (short) console.log("\n(--short: the largest configs are not searched)");
  else {
    const searched = performance.now();
    const fits = largestFits();
    console.log(
      `\nthe largest config the IAM quota checks accept, one dimension at a time (${((performance.now() - searched) / 1000).toFixed(1)} s):\n`,
    );
    table([
      ["what", "largest", "then stopped by"],
      ...fits.map((f) => [f.what, String(f.largest), f.limitedBy]),
    ]);
  }

  // The checks: every quota within its limit, and one transit gateway attachment's worth of hub
  // resources per LOB (the plan really has COUNT spokes).
  const usage = quotaUsage(hub, count, config);
  const over = usage.filter((q) => q.used > q.limit);
  // The transit gateway's share (the Route 53 Profile's, in profile mode, has its own).
  const principals = hub.resources.filter(
    (r) =>
      r.type === "aws:ram/principalAssociation:PrincipalAssociation" &&
      r.name.includes("-tgw-share-"),
  ).length;
  const iamOver = iamQuotaUse(plans).filter((q) => q.used > q.limit);
  const failures = [
    ...iamOver.map(
      (q) => `${q.what}: ${q.role} uses ${String(q.used)}, over its limit of ${String(q.limit)}`,
    ),
    ...over.map((q) => `${q.what}: ${String(q.used)} used, over its limit of ${String(q.limit)}`),
    ...(principals === count
      ? []
      : [
          `the plan shares the transit gateway with ${String(principals)} accounts, not ${String(count)}`,
        ]),
  ];
  if (failures.length > 0) throw new Error(`FAILED: ${failures.join("; ")}`);
  console.log(
    `\nchecks passed: ${String(usage.length)} quotas within their limits with ${String(count)} LOBs`,
  );
}

/** What a quota's row says at a glance: within it, close to it (90% or more), or over it. */
function status(used: number, limit: number): string {
  if (used > limit) return "OVER";
  return used >= limit * 0.9 ? "near" : "ok";
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
