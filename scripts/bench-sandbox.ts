/**
 * Sign-in latency through the offline rehearsal's private API: 500 sign-ins, 50 at a time, across two
 * LOBs, measured at the client, with the AWS calls each sign-in cost (counted at the emulators). Then
 * the same with a cold presigner while 10% of STS and SageMaker calls are throttled: every answer must
 * be a 302 or a mapped 503, never a 500 or a crash. Prints numbers; deploys nothing real. Fails
 * (exit 1) when a healthy sign-in is not a 302, any is neither 302 nor 503, or the presigner
 * assumed a LOB's role more often than once per LOB and cold start.
 *
 * --short: 100 sign-ins, 20 at a time, 5 cold rounds; the same checks (CI runs it: npm run bench:short).
 */
import { rehearse, type RunningSandbox } from "./sandbox/rehearsal";

process.removeAllListeners("warning");

const SHORT = process.argv.includes("--short");
const unknown = process.argv.slice(2).filter((a) => a !== "--short");
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(", ")}: npm run bench:sandbox [-- --short]`);
  process.exit(2);
}
const SIGN_INS = SHORT ? 100 : 500;
const CONCURRENCY = SHORT ? 20 : 50;
const THROTTLE_RATE = 0.1;
/** The failure run restarts the presigner before each round, so STS is called (and throttled) again. */
const COLD_ROUNDS = SHORT ? 5 : 10;

/** A small seeded generator, so the failure run is the same every time. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

interface RunResult {
  readonly latencies: number[];
  /** What the presigner itself reports per request (its log line's latencyMs). */
  readonly handlerLatencies: number[];
  readonly statuses: Map<number, number>;
  readonly seconds: number;
  readonly calls: Map<string, number>;
}

function merge(runs: RunResult[]): RunResult {
  const calls = new Map<string, number>();
  const statuses = new Map<number, number>();
  for (const run of runs) {
    for (const [k, v] of run.calls) calls.set(k, (calls.get(k) ?? 0) + v);
    for (const [k, v] of run.statuses) statuses.set(k, (statuses.get(k) ?? 0) + v);
  }
  return {
    latencies: runs.flatMap((r) => r.latencies).sort((a, b) => a - b),
    handlerLatencies: runs.flatMap((r) => r.handlerLatencies).sort((a, b) => a - b),
    statuses,
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    calls,
  };
}

const presignerOf = (sandbox: RunningSandbox) =>
  [...sandbox.functions.values()].find((f) => f.name.includes("presigner"));

/** A user and a Studio they may open: a LOB and one of their teams there. */
interface Opener {
  readonly username: string;
  readonly token: string;
  readonly path: string;
  readonly lob: string;
}

/**
 * Each signed-in user's first Studio, as `GET /studios` lists it (LOB and team), read once before
 * any timing. A user with none (a disabled one) is left out, so every timed sign-in may succeed.
 */
async function openers(sandbox: RunningSandbox): Promise<Opener[]> {
  const found: Opener[] = [];
  for (const user of sandbox.users) {
    const response = await fetch(`${sandbox.apiUrl}/studios`, {
      headers: { Authorization: `Bearer ${user.accessToken}` },
    });
    if (response.status !== 200) continue;
    const { studios } = (await response.json()) as { studios: { lob: string; team: string }[] };
    const [first] = studios;
    if (!first) continue;
    found.push({
      username: user.username,
      token: user.accessToken,
      lob: first.lob,
      path: `/studios/${first.lob}?team=${encodeURIComponent(first.team)}`,
    });
  }
  return found;
}

async function signIns(
  who: readonly Opener[],
  sandbox: RunningSandbox,
  count: number,
): Promise<RunResult> {
  const before = new Map(sandbox.emulator.calls);
  const logsBefore = presignerOf(sandbox)?.logs.length ?? 0;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const user = who[next % who.length];
        next += 1;
        if (!user) break;
        const t = performance.now();
        let status: number;
        try {
          const response = await fetch(`${sandbox.apiUrl}${user.path}`, {
            headers: { Authorization: `Bearer ${user.token}` },
            redirect: "manual",
          });
          await response.arrayBuffer();
          status = response.status;
        } catch {
          status = 0;
        }
        latencies.push(performance.now() - t);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const calls = new Map([...sandbox.emulator.calls].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
  // Let the presigner's last log lines arrive before reading them.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const handlerLatencies = (presignerOf(sandbox)?.logs.slice(logsBefore) ?? [])
    .flatMap((line) =>
      line.message === "request" && typeof line.latencyMs === "number" ? [line.latencyMs] : [],
    )
    .sort((a, b) => a - b);
  return { latencies: latencies.sort((a, b) => a - b), handlerLatencies, statuses, seconds, calls };
}

function describe(name: string, r: RunResult): string[] {
  const per = (key: string) => ((r.calls.get(key) ?? 0) / SIGN_INS).toFixed(3);
  const dynamo = [...r.calls]
    .filter(([k]) => k.startsWith("DynamoDB."))
    .reduce((n, [, v]) => n + v, 0);
  const aws =
    dynamo +
    (r.calls.get("STS.AssumeRole") ?? 0) +
    (r.calls.get("SageMaker.CreatePresignedDomainUrl") ?? 0);
  return [
    name,
    percentile(r.latencies, 50).toFixed(1),
    percentile(r.latencies, 95).toFixed(1),
    percentile(r.latencies, 99).toFixed(1),
    [50, 95, 99].map((p) => percentile(r.handlerLatencies, p).toFixed(1)).join(" / "),
    (SIGN_INS / r.seconds).toFixed(0),
    [...r.statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${String(s)}×${String(n)}`)
      .join(" "),
    `${(aws / SIGN_INS).toFixed(3)} (DynamoDB ${(dynamo / SIGN_INS).toFixed(3)}, STS ${per("STS.AssumeRole")}, SageMaker ${per("SageMaker.CreatePresignedDomainUrl")})`,
  ];
}

function table(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
}

async function main(): Promise<number> {
  const { steps, sandbox } = await rehearse({ keep: true });
  if (!sandbox) {
    console.error(
      `the sandbox did not come up: ${steps
        .filter((s) => !s.ok)
        .map((s) => `${s.name}: ${s.detail}`)
        .join("; ")}`,
    );
    return 1;
  }
  let failed = false;
  try {
    const who = await openers(sandbox);
    const lobs = new Set(who.map((w) => w.lob)).size;
    const healthy = await signIns(who, sandbox, SIGN_INS);

    // Cold presigners (new containers: empty credential caches) while STS and SageMaker throttle 10%.
    sandbox.emulator.random = mulberry32(20261121);
    sandbox.emulator.throttleRate = THROTTLE_RATE;
    const rounds: RunResult[] = [];
    for (let round = 0; round < COLD_ROUNDS; round++) {
      await presignerOf(sandbox)?.stop();
      await presignerOf(sandbox)?.start();
      rounds.push(await signIns(who, sandbox, SIGN_INS / COLD_ROUNDS));
    }
    const throttled = merge(rounds);
    sandbox.emulator.throttleRate = 0;

    console.log(
      `sign-ins through the local private API: ${String(SIGN_INS)} per run, ${String(CONCURRENCY)} concurrent, ${String(lobs)} LOBs (${who.map((w) => `${w.username} -> ${w.path}`).join(", ")})\n`,
    );
    table([
      [
        "run",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "presigner p50/p95/p99 ms",
        "sign-ins/s",
        "statuses",
        "AWS calls per sign-in",
      ],
      describe("healthy, warm", healthy),
      describe(`10% STS+SageMaker throttled, ${String(COLD_ROUNDS)} cold starts`, throttled),
    ]);
    const assumeCalls = throttled.calls.get("STS.AssumeRole") ?? 0;
    const assumeThrottled = throttled.calls.get("STS.AssumeRole:Throttled") ?? 0;
    const assumeOk = throttled.calls.get("STS.AssumeRole:Allowed") ?? 0;
    const presignThrottled =
      throttled.calls.get("SageMaker.CreatePresignedDomainUrl:Throttled") ?? 0;
    console.log(
      `\nthrottled run: AssumeRole ${String(assumeCalls)} calls (${String(assumeThrottled)} throttled, ${String(assumeOk)} succeeded: ` +
        `at most LOBs × roles × credential refreshes = ${String(lobs)} × 2 × ${String(COLD_ROUNDS)}), CreatePresignedDomainUrl throttled ${String(presignThrottled)} times`,
    );
    const bad = [...throttled.statuses.keys(), ...healthy.statuses.keys()].filter(
      (s) => s !== 302 && s !== 503,
    );
    const healthyOk = healthy.statuses.get(302) === SIGN_INS;
    // The failure run must have met failures, or it proved nothing about them.
    const injected = assumeThrottled + presignThrottled > 0;
    // Two roles per LOB: the access role, and the provisioning role a refused presign reads the
    // profile through (a throttled presign may be a profile still Pending: studio.ts).
    const assumeBound = lobs * 2 * COLD_ROUNDS;
    failed = bad.length > 0 || !healthyOk || assumeOk > assumeBound || !injected;
    console.log(
      failed
        ? `FAILED: statuses outside 302/503: [${bad.join(", ")}], healthy all 302: ${String(healthyOk)}, successful AssumeRoles ${String(assumeOk)} (at most ${String(assumeBound)}), throttled calls met: ${String(assumeThrottled + presignThrottled)}`
        : `every sign-in ended in a 302 or a mapped 503; none in a 500 or a crash${SHORT ? " (short run)" : ""}`,
    );
  } finally {
    await sandbox.teardown();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
