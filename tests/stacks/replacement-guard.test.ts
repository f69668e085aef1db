import { hubShape } from "../../stacks/config/hub";
import { lobShape } from "../../stacks/config/lob";
import {
  GUARD_OUTPUT,
  judgeReplacements,
  ReplacementRefused,
  type Fingerprints,
  type Guarded,
} from "../../stacks/replacement-guard";
import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type RecordedResource,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import { TestIdp } from "../../scripts/sandbox/saml-idp";

/**
 * The replacement guard (stacks/replacement-guard.ts): per label, a change refused naming the
 * flag, let through with a warning when flagged, and nothing said when unchanged or on a first
 * deploy; then the policy that every config key feeding a ForceNew input is in a fingerprint.
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

/**
 * The inputs the AWS provider marks ForceNew, for the resources the guard covers and those whose
 * ids flow into them (hashicorp/terraform-provider-aws: sagemaker/domain.go, ec2/vpc_.go,
 * ec2/vpc_subnet.go, dynamodb/table.go, cognitoidp/user_pool.go, kms/key.go; see
 * stacks/replacement-guard.ts).
 */
const FORCE_NEW: Record<string, readonly string[]> = {
  "aws:sagemaker/domain:Domain": [
    "domainName",
    "authMode",
    "appNetworkAccessType",
    "appSecurityGroupManagement",
    "vpcId",
    "subnetIds",
    "kmsKeyId",
    "retentionPolicy",
  ],
  "aws:ec2/vpc:Vpc": ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
  "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"],
  "aws:dynamodb/table:Table": ["name", "hashKey", "rangeKey", "localSecondaryIndexes"],
  "aws:cognito/userPool:UserPool": [
    "name",
    "aliasAttributes",
    "usernameAttributes",
    "usernameConfiguration",
  ],
  "aws:kms/key:Key": [
    "customerMasterKeySpec",
    "keyUsage",
    "multiRegion",
    "customKeyStoreId",
    "xksKeyId",
  ],
};

/** Which recorded resource each label stands for. */
const GUARDED_RESOURCES: Record<string, { type: string; name: (lob: string) => string }> = {
  "entitlements-table": { type: "aws:dynamodb/table:Table", name: () => "access-entitlements" },
  "lobs-table": { type: "aws:dynamodb/table:Table", name: () => "access-lobs" },
  "user-pool": { type: "aws:cognito/userPool:UserPool", name: () => "access-users" },
  "data-key": { type: "aws:kms/key:Key", name: () => "access-data" },
  domain: { type: "aws:sagemaker/domain:Domain", name: (lob) => `${lob}-domain` },
};

const keyOf = (r: RecordedResource) => `${r.type}::${r.name}`;
const json = (v: unknown) => JSON.stringify(v ?? null);

/**
 * The resources an update from `before` to `after` replaces or deletes: gone, in another region,
 * a ForceNew input changed, or a ForceNew input holding the id of one replaced (a subnet's id in
 * the domain's subnetIds: the mocks' ids do not change with the inputs, so that is followed here).
 */
function replacedBy(before: StackRun, after: StackRun): Set<string> {
  const now = new Map(after.resources.filter((r) => r.custom).map((r) => [keyOf(r), r]));
  const replaced = new Set<string>();
  const ids = new Map<string, string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const r of before.resources.filter((x) => x.custom)) {
      const k = keyOf(r);
      if (replaced.has(k)) continue;
      const next = now.get(k);
      const inputs = FORCE_NEW[r.type] ?? [];
      const holdsReplaced = inputs.some((i) =>
        [...replaced].some((gone) => json(r.inputs[i]).includes(`"${ids.get(gone) ?? "\u0000"}"`)),
      );
      if (
        !next ||
        next.region !== r.region ||
        inputs.some((i) => json(r.inputs[i]) !== json(next.inputs[i])) ||
        holdsReplaced
      ) {
        replaced.add(k);
        ids.set(k, r.id);
        changed = true;
      }
    }
  }
  return replaced;
}

/** The guarded labels among what an update replaces. */
const replacedLabels = (before: StackRun, after: StackRun, lob: string) => {
  const replaced = replacedBy(before, after);
  return Object.entries(GUARDED_RESOURCES)
    .filter(([, g]) =>
      before.resources.some(
        (r) => r.type === g.type && r.name === g.name(lob) && replaced.has(keyOf(r)),
      ),
    )
    .map(([label]) => label)
    .sort();
};

type Mutation = (config: Record<string, string>) => Record<string, string>;
const set =
  (values: Record<string, string | undefined>): Mutation =>
  (config) => {
    const changed = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [`studio-access:${k}`, v]),
    );
    return Object.fromEntries(
      Object.entries({ ...config, ...changed }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
  };
const region: Mutation = (config) => ({ ...config, "aws:region": "eu-west-1" });
/** The API domain's certificate, in another region or account (it must be the hub's). */
const certificate = (at: string) =>
  set({
    apiDomain: JSON.stringify({
      name: "studio.corp.example.com",
      certificateArn: `arn:aws:acm:${at}:certificate/00000000-0000-0000-0000-000000000000`,
    }),
  });

let idp: TestIdp;
beforeAll(async () => {
  idp = await TestIdp.create();
});

/**
 * A change of every hub setting (each key of hubShape, and the region): null where a change
 * alone cannot be planned (the stack's kind). A key added to the config without a row here fails
 * the coverage test below.
 */
const HUB_MUTATIONS: Record<string, Mutation | null> = {
  "aws:region": (c) => certificate("eu-west-1:111111111111")(region(c)),
  "aws:profile": (c) => ({ ...c, "aws:profile": "another-profile" }),
  kind: null,
  hubAccountId: (c) =>
    certificate("us-east-1:444444444444")(set({ hubAccountId: "444444444444" })(c)),
  organizationId: set({ organizationId: "o-another12345" }),
  hubVpcCidr: set({ hubVpcCidr: "10.100.0.0/16" }),
  availabilityZones: set({ availabilityZones: "2" }),
  lobs: (c) => {
    const lobs = JSON.parse(c["studio-access:lobs"] ?? "{}") as Record<string, object>;
    return set({
      lobs: JSON.stringify({ ...lobs, "lob-a": { ...lobs["lob-a"], vpcCidr: "10.9.0.0/16" } }),
    })(c);
  },
  spokesSupernet: set({ spokesSupernet: "10.0.0.0/8", clientCidrs: '["192.168.0.0/16"]' }),
  extraEndpoints: set({ extraEndpoints: '["ecr.api"]' }),
  corporate: set({ corporate: '{"transitGatewayAttachmentId":"tgw-attach-0123456789abcdef0"}' }),
  clientCidrs: set({ clientCidrs: '["10.200.0.0/16","10.201.0.0/16"]' }),
  users: set({ users: '[{"username":"user-lob-a","email":"a@example.com"}]' }),
  presignedUrl: set({ presignedUrl: '{"expiresInSeconds":30}' }),
  accessRoleName: set({ accessRoleName: "AnotherAccessRole" }),
  resolverInboundEndpoint: set({ resolverInboundEndpoint: "false" }),
  apiStageName: set({ apiStageName: "v2" }),
  apiThrottling: set({ apiThrottling: '{"rateLimit":5}' }),
  logRetentionDays: set({ logRetentionDays: "30" }),
  mfa: set({ mfa: "optional" }),
  userPoolDeletionProtection: set({ userPoolDeletionProtection: "false" }),
  threatProtection: set({ threatProtection: "audit" }),
  auditTrail: set({ auditTrail: "false" }),
  customerManagedKey: set({ customerManagedKey: "false" }),
  saml: (c) =>
    set({
      saml: JSON.stringify({
        idpCertificates: [idp.certificate],
        idpEntityId: idp.entityId,
        groupsAttribute: "groups",
        groupLobs: { "lob-b-scientists": ["lob-b"] },
      }),
    })(c),
  admins: set({ admins: undefined }),
  iamQuotas: set({ iamQuotas: '{"managedPoliciesPerRole":20}' }),
  apiDomain: set({ apiDomain: undefined }),
  allowReplacement: null,
};

const LOB_MUTATIONS: Record<string, Mutation | null> = {
  "aws:region": null, // the hub's region must be the LOB's: see the hub's row
  "aws:profile": (c) => ({ ...c, "aws:profile": "another-profile" }),
  kind: null,
  lob: set({ lob: "lob-b" }),
  sharedStack: null, // another hub: nothing to read from here
  hubRoleArn: set({ hubRoleArn: "arn:aws:iam::111111111111:role/another-deployer" }),
  availabilityZones: set({ availabilityZones: "3" }),
  members: set({ teams: undefined, members: '["user-lob-a"]' }),
  teams: set({ teams: '{"analytics":{"members":["user-lob-a"]}}' }),
  homeEfsRetention: set({ homeEfsRetention: "Delete" }),
  homeDirectories: set({ homeDirectories: "keep" }),
  iamQuotas: set({ iamQuotas: '{"managedPoliciesPerRole":20}' }),
  allowReplacement: null,
};

/** The hub's outputs a LOB reads, changed as a hub change would change them. */
const HUB_OUTPUT_MUTATIONS: Record<
  string,
  (o: Record<string, unknown>) => Record<string, unknown>
> = {
  "lobs.lob-a.vpcCidr": (o) => {
    const lobs = o.lobs as Record<string, { vpcCidr: string }>;
    return { ...o, lobs: { ...lobs, "lob-a": { ...lobs["lob-a"]!, vpcCidr: "10.9.0.0/16" } } };
  },
  "availabilityZoneIds (another region's, or another order)": (o) => ({
    ...o,
    availabilityZoneIds: ["use1-az2", "use1-az3", "use1-az1"],
  }),
  "availabilityZoneIds (a zone added)": (o) => ({
    ...o,
    availabilityZoneIds: [...(o.availabilityZoneIds as string[]), "use1-az3"],
  }),
};

describe("the fingerprints cover every config key that flows into a ForceNew input", () => {
  it("has a change for every config key of the hub and LOB stacks", () => {
    expect(
      Object.keys(HUB_MUTATIONS)
        .filter((k) => !k.startsWith("aws:"))
        .sort(),
    ).toEqual(Object.keys(hubShape).sort());
    expect(
      Object.keys(LOB_MUTATIONS)
        .filter((k) => !k.startsWith("aws:"))
        .sort(),
    ).toEqual(Object.keys(lobShape).sort());
  });

  /** What the guard flags for an update from `before` to `after` (no flag set). */
  const flagged = (before: StackRun, after: StackRun) =>
    [
      ...judgeReplacements(fingerprints(before), guardedOf(fingerprints(after)), []).replaced,
    ].sort();

  it.each(Object.entries(HUB_MUTATIONS).filter(([, m]) => m !== null))(
    "hub: %s",
    async (name, mutation) => {
      const after = await runStackUnderMocks({ stack: "shared", config: mutation!(hubConfig()) });
      const replaced = replacedLabels(shared, after, "");
      const caught = flagged(shared, after);
      // The hub's own resources: flagged exactly when replaced (or deleted).
      expect(caught.filter((l) => !l.endsWith(".domain"))).toEqual(replaced);
      // A LOB's domain: flagged exactly when its range changes (its VPC's ForceNew cidr_block).
      expect(caught.filter((l) => l.endsWith(".domain"))).toEqual(
        name === "lobs" ? ["lob-a.domain"] : [],
      );
    },
    120_000,
  );

  it.each(Object.entries(LOB_MUTATIONS).filter(([, m]) => m !== null))(
    "LOB: %s",
    async (name, mutation) => {
      const after = await runStackUnderMocks({
        stack: "lob-a",
        config: mutation!(lobConfig()),
        stackOutputs: { [SHARED]: shared.outputs },
      });
      expect({ name, caught: flagged(lobA, after) }).toEqual({
        name,
        caught: replacedLabels(lobA, after, "lob-a"),
      });
    },
    60_000,
  );

  it.each(Object.entries(HUB_OUTPUT_MUTATIONS))(
    "LOB, the hub's %s",
    async (name, mutation) => {
      const after = await runStackUnderMocks({
        stack: "lob-a",
        config: lobConfig(),
        stackOutputs: { [SHARED]: mutation(shared.outputs) },
      });
      const replaced = replacedLabels(lobA, after, "lob-a");
      expect({ name, caught: flagged(lobA, after) }).toEqual({ name, caught: replaced });
      // Each of these replaces the domain but "a zone added" with 2 zones used.
      expect(replaced).toEqual(name === "availabilityZoneIds (a zone added)" ? [] : ["domain"]);
    },
    60_000,
  );
});
