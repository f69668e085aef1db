/**
 * npm run bench:scale: plans the hub with many LOBs under the mock runtime and prints the plan time
 * and each AWS quota the design touches, used against its limit. Prints numbers; asserts nothing.
 */
import { runStackUnderMocks } from "./lib/mock-stack";
import { quotaUsage, scaledHubConfig } from "./lib/scale";

process.removeAllListeners("warning");

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
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
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
