import { hubShape } from "../../stacks/config/hub";
import { lobShape } from "../../stacks/config/lob";
import {
  GUARD_OUTPUT,
  judgeReplacements,
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
import { readHubLobs, withLobsInline } from "../../stacks/config/lobs-file";

/**
 * The replacement guard's coverage (stacks/replacement-guard.ts): every config key of the hub and
 * LOB stacks is changed in turn under the mock runtime, and the labels the guard flags must be
 * exactly the stateful resources the change replaces. (Its own file so jest runs it beside the
 * guard's unit tests: it plans the stacks about forty times.)
 */

const SHARED = fullStackName("shared");

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
    const lobs = (readHubLobs(c, process.cwd()).lobs ?? {}) as Record<string, object>;
    return set({
      lobs: JSON.stringify({ ...lobs, "lob-a": { ...lobs["lob-a"], vpcCidr: "10.9.0.0/16" } }),
      lobsFile: undefined,
    })(c);
  },
  // The same LOBs inline instead of in lobs.yaml (#22): nothing replaced.
  lobsFile: (c) => withLobsInline(c, process.cwd()),
  spokesSupernet: set({ spokesSupernet: "10.0.0.0/8", clientCidrs: '["192.168.0.0/16"]' }),
  extraEndpoints: set({ extraEndpoints: '["ecr.api"]' }),
  corporate: set({ corporate: '{"transitGatewayAttachmentId":"tgw-attach-0123456789abcdef0"}' }),
  clientCidrs: set({ clientCidrs: '["10.200.0.0/16","10.201.0.0/16"]' }),
  users: set({ users: '[{"username":"user-lob-a","email":"a@example.com"}]' }),
  presignedUrl: set({ presignedUrl: '{"expiresInSeconds":30}' }),
  accessRoleName: set({ accessRoleName: "AnotherAccessRole" }),
  resolverInboundEndpoint: set({ resolverInboundEndpoint: "false" }),
  dnsSharing: set({ dnsSharing: "profile" }),
  apiStageName: set({ apiStageName: "v2" }),
  apiThrottling: set({ apiThrottling: '{"rateLimit":5}' }),
  logRetentionDays: set({ logRetentionDays: "30" }),
  mfa: set({ mfa: "optional" }),
  deletionProtection: set({ deletionProtection: "false" }),
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
  idleShutdown: set({ idleShutdown: '{"minutes":60}' }),
  alarms: set({ alarms: '{"email":"ops@example.com"}' }),
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
  budget: set({ budget: '{"monthlyUsd":500,"notify":["finance@example.com"]}' }),
  allowReplacement: null,
  idleShutdown: set({ idleShutdown: '"off"' }),
  instanceTypes: set({ instanceTypes: '["ml.t3.medium"]' }),
  spaceStorage: set({ spaceStorage: '{"defaultGb":10,"maxGb":50}' }),
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
