/**
 * npm run bench:scale [-- COUNT] [-- --short]: plans the hub with COUNT LOBs (200; --short: 20)
 * under the mock runtime and prints the plan time and each AWS quota the design touches, used
 * against its limit. Fails (exit 1) when a quota is over its limit or the plan misses LOBs' spoke
 * resources (CI runs the short form: npm run bench:short).
 */
import { runStackUnderMocks } from "./lib/mock-stack";
import { quotaUsage, scaledHubConfig } from "./lib/scale";

process.removeAllListeners("warning");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const short = args.includes("--short");
  const [countArg, ...unknown] = args.filter((a) => a !== "--short");
  const count = Number(countArg ?? (short ? 20 : 200));
  if (unknown.length > 0 || !Number.isInteger(count) || count < 1)
    throw new Error(
      `bad arguments ${args.join(" ")}: npm run bench:scale [-- COUNT] [-- --short] (COUNT a whole number of LOBs, at least 1)`,
    );
  const started = performance.now();
  const hub = await runStackUnderMocks({ stack: "shared", config: scaledHubConfig(count) });
  const ms = performance.now() - started;
  const resources = hub.resources.filter((r) => r.custom).length;
  console.log(
    `hub with ${String(count)} LOBs (spokesSupernet 10.64.0.0/10): ${String(resources)} resources planned in ${(ms / 1000).toFixed(1)} s\n`,
  );
  const rows = [
    ["quota", "used", "limit", "use", "source"],
    ...quotaUsage(hub, count).map((q) => [
      q.what,
      String(q.used),
      String(q.limit),
      `${((q.used / q.limit) * 100).toFixed(1)}%`,
      q.source,
    ]),
  ];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  "));

  // The checks: every quota within its limit, and one transit gateway attachment's worth of hub
  // resources per LOB (the plan really has COUNT spokes).
  const usage = quotaUsage(hub, count);
  const over = usage.filter((q) => q.used > q.limit);
  const principals = hub.resources.filter(
    (r) => r.type === "aws:ram/principalAssociation:PrincipalAssociation",
  ).length;
  const failures = [
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

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
