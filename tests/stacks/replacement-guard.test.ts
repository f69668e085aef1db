import {
  GUARD_OUTPUT,
  judgeReplacements,
  ReplacementRefused,
  type Fingerprints,
  type Guarded,
} from "../../stacks/replacement-guard";
import { ConfigError } from "../../stacks/config";
import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type StackRun,
} from "../../scripts/lib/mock-stack";

/**
 * The replacement guard (stacks/replacement-guard.ts): per label, a change refused naming the
 * flag, let through with a warning when flagged, and nothing said when unchanged or on a first
 * deploy. That every config key feeding a ForceNew input is in a fingerprint: replacement-coverage.
 */

const SHARED = fullStackName("shared");
const LOB_A = fullStackName("lob-a");

let shared: StackRun;
let lobA: StackRun;
// Three zones in the hub, so that a LOB can take a third.
const hubConfig = () => ({ ...loadStackConfig("shared"), "studio-access:availabilityZones": "3" });
const lobConfig = () => loadStackConfig("lob-a");

beforeAll(async () => {
  shared = await runStackUnderMocks({ stack: "shared", config: hubConfig() });
  lobA = await runStackUnderMocks({
    stack: "lob-a",
    config: lobConfig(),
    stackOutputs: { [SHARED]: shared.outputs },
  });
}, 180_000);

const fingerprints = (run: StackRun) => run.outputs[GUARD_OUTPUT] as Fingerprints;
const guardedOf = (f: Fingerprints): Guarded[] =>
  Object.entries(f).map(([label, fingerprint]) => ({ label, fingerprint }));

/** The previous fingerprints with one value of one label changed. */
const withValue = (f: Fingerprints, label: string, key: string, value: unknown): Fingerprints => ({
  ...f,
  [label]: { ...f[label], [key]: value },
});

/** Runs a stack with its own previous outputs answered to its StackReference to itself. */
async function rerun(
  stack: "shared" | "lob-a",
  previous: Record<string, unknown>,
  config: Record<string, string>,
  hubOutputs: Record<string, unknown> = shared.outputs,
): Promise<{ run?: StackRun; error?: unknown; warnings: string[] }> {
  const warnings: string[] = [];
  const spy = jest.spyOn(console, "warn").mockImplementation((message: unknown) => {
    warnings.push(String(message).replace(/^warning: \[runtime\] /, ""));
  });
  try {
    const run = await runStackUnderMocks({
      stack,
      config,
      stackOutputs: {
        [SHARED]: stack === "shared" ? previous : hubOutputs,
        ...(stack === "lob-a" ? { [LOB_A]: previous } : {}),
      },
    });
    return { run, warnings };
  } catch (error) {
    return { error, warnings };
  } finally {
    spy.mockRestore();
  }
}

describe("the stack outputs", () => {
  it("record each stateful resource's fingerprint, from the config", () => {
    expect(fingerprints(shared)).toEqual({
      "entitlements-table": { "aws:region": "us-east-1" },
      "lobs-table": { "aws:region": "us-east-1" },
      "user-pool": { "aws:region": "us-east-1" },
      "data-key": { "aws:region": "us-east-1", "studio-access:customerManagedKey": true },
      "lob-a.domain": { "studio-access:lobs.lob-a.vpcCidr": "10.1.0.0/16" },
      "lob-b.domain": { "studio-access:lobs.lob-b.vpcCidr": "10.2.0.0/16" },
    });
    expect(fingerprints(lobA)).toEqual({
      domain: {
        "aws:region": "us-east-1",
        "studio-access:lob": "lob-a",
        "studio-access:lobs.lob-a.vpcCidr": "10.1.0.0/16",
        "studio-access:availabilityZones": 2,
        "hub availabilityZoneIds": ["use1-az1", "use1-az2"],
        "studio-access:homeEfsRetention": "Retain",
      },
    });
  });
});

/** Each label, the change that replaces it, the flag that lets it through. */
const LABELS = [
  {
    label: "entitlements-table",
    key: "aws:region",
    to: "eu-west-1",
    loses: "every entitlement row",
  },
  {
    label: "lobs-table",
    key: "aws:region",
    to: "eu-west-1",
    loses: "every LOB's registration row",
  },
  {
    label: "user-pool",
    key: "aws:region",
    to: "eu-west-1",
    loses: "every user with their password",
  },
  {
    label: "data-key",
    key: "aws:region",
    to: "eu-west-1",
    loses: "log events and table backups encrypted with it",
  },
  {
    label: "lob-a.domain",
    key: "studio-access:lobs.lob-a.vpcCidr",
    to: "10.9.0.0/16",
    loses: "the users' home directories",
  },
  {
    label: "domain",
    key: "studio-access:availabilityZones",
    to: 3,
    loses: "the users' home directories",
  },
] as const;

describe.each(LABELS)("the label $label", ({ label, key, to, loses }) => {
  const current = () => fingerprints(label === "domain" ? lobA : shared);
  // The previous update had another value: this one changes it back.
  const previous = () => withValue(current(), label, key, to);

  it("changed: refused, naming the key (old → new), what is lost and the flag", () => {
    const verdict = judgeReplacements(previous(), guardedOf(current()), []);
    expect(verdict.replaced).toEqual([label]);
    expect(verdict.refusals).toHaveLength(1);
    const [refusal] = verdict.refusals;
    expect(refusal).toContain(
      `(${label}): ${key} changed ${JSON.stringify(to).replace(/^"|"$/g, "")} → `,
    );
    expect(refusal).toContain(loses);
    expect(refusal).toContain(`set studio-access:allowReplacement: [${label}] for this one update`);
    expect(verdict.warnings).toEqual([]);
  });

  it("flagged: passes, with a warning saying what it replaces and to remove the flag", () => {
    const verdict = judgeReplacements(previous(), guardedOf(current()), [label]);
    expect(verdict.refusals).toEqual([]);
    expect(verdict.warnings).toHaveLength(1);
    expect(verdict.warnings[0]).toContain(
      `studio-access:allowReplacement lets this update replace`,
    );
    expect(verdict.warnings[0]).toContain(`Remove ${label} from studio-access:allowReplacement`);
  });

  it("unchanged: passes without a word; flagged anyway, a warning to remove the flag", () => {
    expect(judgeReplacements(current(), guardedOf(current()), [])).toEqual({
      refusals: [],
      warnings: [],
      replaced: [],
    });
    expect(judgeReplacements(current(), guardedOf(current()), [label]).warnings).toEqual([
      `studio-access:allowReplacement names ${label}, but this update replaces nothing of it: remove it from the stack config, so that a later change that would replace it is refused`,
    ]);
  });

  it("first deploy (no previous output): nothing to compare", () => {
    expect(judgeReplacements(undefined, guardedOf(current()), []).refusals).toEqual([]);
  });
});

describe("the judge", () => {
  it("takes a key only one side has (a later program's new key) for no change", () => {
    const now = guardedOf({ domain: { a: 1, b: 2 } });
    expect(judgeReplacements({ domain: { a: 1 } }, now, []).refusals).toEqual([]);
    expect(judgeReplacements({ domain: { a: 1, c: 3 } }, now, []).refusals).toEqual([]);
  });

  it("takes the data key gone (customerManagedKey false) for a loss", () => {
    const now = guardedOf(fingerprints(shared)).filter((g) => g.label !== "data-key");
    const [refusal] = judgeReplacements(fingerprints(shared), now, []).refusals;
    expect(refusal).toContain(
      "(data-key): studio-access:customerManagedKey changed true → false (false deletes the key)",
    );
  });

  it("takes a LOB gone from the hub for no loss of its domain (its own stack is destroyed first)", () => {
    const now = guardedOf(fingerprints(shared)).filter((g) => g.label !== "lob-b.domain");
    expect(judgeReplacements(fingerprints(shared), now, []).refusals).toEqual([]);
  });

  it("ignores a previous output that is not fingerprints", () => {
    const now = guardedOf(fingerprints(lobA));
    for (const previous of [null, "x", [1], { domain: "x" }])
      expect(judgeReplacements(previous, now, []).refusals).toEqual([]);
  });
});

describe("the program under the mock runtime, answered its own previous outputs", () => {
  it("LOB: a changed availabilityZones is refused before anything is declared", async () => {
    const { run, error } = await rerun("lob-a", lobA.outputs, {
      ...lobConfig(),
      "studio-access:availabilityZones": "3",
    });
    expect(run).toBeUndefined();
    expect(error).toBeInstanceOf(ReplacementRefused);
    expect((error as Error).message).toBe(
      "refused: this update of stack lob-a would replace stateful resources:\n  - " +
        "this update would replace this LOB's Studio domain (domain): studio-access:availabilityZones changed 2 → 3 " +
        "(how many subnets the domain has, and every subnet's CIDR: the subnets and the domain's subnet_ids are ForceNew); " +
        'hub availabilityZoneIds changed ["use1-az1","use1-az2"] → ["use1-az1","use1-az2","use1-az3"] ' +
        "(the zones of the domain's subnets (the hub's zones): availability_zone_id and the domain's subnet_ids are ForceNew). " +
        "Replacing it loses every user profile, space and app in it, and the users' home directories: the new domain starts with an empty home EFS, " +
        "while the old one is deleted (homeEfsRetention: Delete) or left detached in the account (Retain). " +
        'Refused: change the config back, or, to replace it on purpose, follow docs/deploying.md, "Changes that replace data" ' +
        "and set studio-access:allowReplacement: [domain] for this one update",
    );
  }, 60_000);

  it("LOB: an invalid change (3 zones while the hub spans 2) is refused for what it is, flagged or not, before the guard", async () => {
    const twoZoneHub = { ...shared.outputs, availabilityZoneIds: ["use1-az1", "use1-az2"] };
    const flags: Record<string, string>[] = [
      {},
      { "studio-access:allowReplacement": '["domain"]' },
    ];
    for (const allow of flags) {
      const { run, error, warnings } = await rerun(
        "lob-a",
        lobA.outputs,
        { ...lobConfig(), "studio-access:availabilityZones": "3", ...allow },
        twoZoneHub,
      );
      expect(run).toBeUndefined();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).not.toBeInstanceOf(ReplacementRefused);
      expect((error as ConfigError).problems).toEqual([
        "studio-access:availabilityZones is 3: expected at most the hub's 2 (use1-az1, use1-az2); " +
          "a LOB uses the hub's first zones: raise the shared stack's availabilityZones and update that stack first",
      ]);
      expect(warnings.filter((w) => w.includes("allowReplacement"))).toEqual([]);
    }
  }, 120_000);

  it("hub: an invalid availabilityZones (more than the region's eligible zones) is refused for what it is, not as a data-key replacement", async () => {
    const { run, error } = await rerun("shared", shared.outputs, {
      ...hubConfig(),
      "studio-access:availabilityZones": "4",
      "studio-access:customerManagedKey": "false",
    });
    expect(run).toBeUndefined();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).not.toBeInstanceOf(ReplacementRefused);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^studio-access:availabilityZones is 4: /),
    ]);
  }, 120_000);

  it("LOB: flagged, it passes with a warning in the plan, and records the new fingerprint", async () => {
    const { run, warnings } = await rerun("lob-a", lobA.outputs, {
      ...lobConfig(),
      "studio-access:availabilityZones": "3",
      "studio-access:allowReplacement": '["domain"]',
    });
    expect(run).toBeDefined();
    expect(warnings.filter((w) => w.includes("allowReplacement"))).toHaveLength(1);
    expect(warnings.find((w) => w.includes("allowReplacement"))).toMatch(
      /^studio-access:allowReplacement lets this update replace this LOB's Studio domain \(domain\): studio-access:availabilityZones changed 2 → 3/,
    );
    expect(fingerprints(run!).domain?.["studio-access:availabilityZones"]).toBe(3);
  }, 60_000);

  it("LOB: unchanged, and on a first deploy, it passes without a word", async () => {
    for (const previous of [lobA.outputs, {}]) {
      const { run, warnings } = await rerun("lob-a", previous, lobConfig());
      expect(run).toBeDefined();
      expect(warnings.filter((w) => w.includes("allowReplacement"))).toEqual([]);
    }
  }, 60_000);

  it("LOB: a hub whose lobs.<lob>.vpcCidr changed is refused at the LOB too", async () => {
    const lobs = shared.outputs.lobs as Record<string, { accountId: string; vpcCidr: string }>;
    const hub = {
      ...shared.outputs,
      lobs: { ...lobs, "lob-a": { ...lobs["lob-a"]!, vpcCidr: "10.9.0.0/16" } },
    };
    const { error } = await rerun("lob-a", lobA.outputs, lobConfig(), hub);
    expect((error as Error).message).toContain(
      "(domain): studio-access:lobs.lob-a.vpcCidr changed 10.1.0.0/16 → 10.9.0.0/16",
    );
  }, 60_000);

  it("hub: customerManagedKey false (the data key deleted) is refused; flagged, it passes", async () => {
    const config = { ...hubConfig(), "studio-access:customerManagedKey": "false" };
    const refused = await rerun("shared", shared.outputs, config);
    expect(refused.error).toBeInstanceOf(ReplacementRefused);
    expect((refused.error as Error).message).toContain(
      "set studio-access:allowReplacement: [data-key] for this one update",
    );
    const allowed = await rerun("shared", shared.outputs, {
      ...config,
      "studio-access:allowReplacement": '["data-key"]',
    });
    expect(allowed.run).toBeDefined();
    expect(
      allowed.warnings.some((w) => w.includes("lets this update replace the hub's data key")),
    ).toBe(true);
  }, 120_000);

  it("refuses an unknown label, naming those of the stack", async () => {
    const { error } = await rerun("lob-a", lobA.outputs, {
      ...lobConfig(),
      "studio-access:allowReplacement": '["tables"]',
    });
    expect((error as Error).message).toContain(
      'studio-access:allowReplacement[0] is "tables": expected one of domain',
    );
    const hub = await rerun("shared", shared.outputs, {
      ...hubConfig(),
      "studio-access:allowReplacement": '["lob-z.domain"]',
    });
    expect((hub.error as Error).message).toContain(
      'studio-access:allowReplacement[0] is "lob-z.domain": expected one of entitlements-table, lobs-table, user-pool, data-key, lob-a.domain, lob-b.domain',
    );
  }, 120_000);
});
