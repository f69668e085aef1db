import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import {
  ConfigError,
  parseStackConfig,
  PROJECT_ROOT,
  pulumiConfigBytes,
} from "../../stacks/config";
import { Problems } from "../../stacks/config/common";
import {
  hubQuotaFigures,
  hubQuotaProblems,
  type HubQuotaInputs,
} from "../../stacks/config/hub-quotas";
import { MAX_LOBS_FILE_BYTES, readHubLobs } from "../../stacks/config/lobs-file";
import { loadStackConfig } from "../../scripts/lib/mock-stack";
import { scaledHubConfig, unprefixed } from "../../scripts/lib/scale";

/** Issue #22: the hub's LOBs from a YAML file of the repository, and the count-based quotas. */
const LOB_A = {
  accountId: "222222222222",
  vpcCidr: "10.1.0.0/16",
  deployer: "arn:aws:iam::222222222222:role/studio-access-deployer",
};
const hub = (extra: Record<string, string>) => {
  const { lobsFile: _, ...example } = unprefixed(loadStackConfig("shared"));
  return { ...example, ...extra };
};
const problemsOf = (values: Record<string, string>, dir: string): readonly string[] => {
  try {
    parseStackConfig(values, { region: "us-east-1" }, dir);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

let project: string;
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), "lobs-file-"));
});
afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});
const write = (name: string, text: string) => {
  writeFileSync(path.join(project, name), text);
};

describe("lobsFile", () => {
  it("gives the same config as the map inline", () => {
    write("lobs.yaml", stringify({ "lob-a": LOB_A }));
    const fromFile = parseStackConfig(
      hub({ lobsFile: "lobs.yaml" }),
      { region: "us-east-1" },
      project,
    );
    const inline = parseStackConfig(
      hub({ lobs: JSON.stringify({ "lob-a": LOB_A }) }),
      { region: "us-east-1" },
      project,
    );
    expect(fromFile).toEqual({ ...inline, lobsFile: "lobs.yaml" });
  });

  it("the example hub names lobs.yaml, and every reader gets its LOBs from it", () => {
    const root = path.join(__dirname, "..", "..");
    const shared = loadStackConfig("shared");
    expect(shared["studio-access:lobsFile"]).toBe("lobs.yaml");
    expect(Object.keys(readHubLobs(shared, root).lobs ?? {})).toEqual(["lob-a", "lob-b"]);
    const config = parseStackConfig(unprefixed(shared), { region: "us-east-1" }, root);
    expect(config.kind === "shared" && Object.keys(config.lobs)).toEqual(["lob-a", "lob-b"]);
  });

  it("checks the file with lobs' messages, naming the file and the key in it", () => {
    write("bad.yaml", stringify({ "lob-a": { ...LOB_A, vpcCidr: "10.1.0.1/16" }, LOB_B: LOB_A }));
    expect(problemsOf(hub({ lobsFile: "bad.yaml" }), project)).toEqual([
      'studio-access:lobsFile bad.yaml: lob-a.vpcCidr is "10.1.0.1/16": expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16: the range\'s first address, 10.1.0.0/16 (10.1.0.1/16 has host bits set)',
      'studio-access:lobsFile bad.yaml: LOB_B is "LOB_B": expected a LOB name of lower-case letters, digits and dashes (at most 63)',
    ]);
  });

  it("refuses both keys, or neither, naming the two", () => {
    const both = problemsOf(
      hub({ lobs: JSON.stringify({ "lob-a": LOB_A }), lobsFile: "lobs.yaml" }),
      project,
    );
    expect(both).toContain(
      "studio-access:lobs and studio-access:lobsFile are both set: expected exactly one of them (lobs, the map inline; lobsFile, a YAML file in the repository holding that map)",
    );
    expect(problemsOf(hub({}), project)[0]).toMatch(
      /^studio-access:lobs is not set: expected exactly one of lobs .* and lobsFile /,
    );
  });

  it("refuses a missing, unreadable, not-YAML or outside file, naming its relative path only", () => {
    write("broken.yaml", "lob-a: {accountId: [\n");
    const cases: [string, RegExp][] = [
      ["missing.yaml", /lobsFile is "missing.yaml": expected .*: missing.yaml does not exist$/],
      [
        "broken.yaml",
        /lobsFile is "broken.yaml": expected .*: broken.yaml line \d+, column \d+ is not YAML: /,
      ],
      ["/etc/lobs.yaml", /lobsFile is "\/etc\/lobs.yaml": expected .*, not an absolute path$/],
      ["../lobs.yaml", /lobsFile is "..\/lobs.yaml": expected .*, not a path out of the project$/],
    ];
    for (const [file, message] of cases) {
      const problems = problemsOf(hub({ lobsFile: file }), project);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(message);
      expect(problems[0]).not.toContain(project);
    }
  });

  it("refuses a symbolic link out of the project, a device and an oversized file, echoing nothing of them", () => {
    const outside = mkdtempSync(path.join(tmpdir(), "lobs-outside-"));
    try {
      writeFileSync(path.join(outside, "secret.yaml"), 'db_password: "hunter2"\n');
      symlinkSync(path.join(outside, "secret.yaml"), path.join(project, "link.yaml"));
      symlinkSync("/dev/zero", path.join(project, "zero.yaml"));
      writeFileSync(path.join(project, "huge.yaml"), "#".repeat(MAX_LOBS_FILE_BYTES + 1));
      const cases: [string, RegExp][] = [
        ["link.yaml", /: link.yaml leads outside the repository$/],
        ["zero.yaml", /: zero.yaml leads outside the repository$/],
        ["huge.yaml", /: huge.yaml is 4194305 bytes, over 4194304$/],
      ];
      for (const [file, message] of cases) {
        const problems = problemsOf(hub({ lobsFile: file }), project);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(message);
        expect(problems[0]).not.toContain("hunter2");
        expect(problems[0]).not.toContain(outside);
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("reads lobs.yaml from the project root, not the working directory (pulumi up runs in stacks/)", () => {
    const cwd = process.cwd();
    try {
      process.chdir(path.join(PROJECT_ROOT, "stacks"));
      expect(() =>
        parseStackConfig(unprefixed(loadStackConfig("shared")), { region: "us-east-1" }),
      ).not.toThrow();
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("PULUMI_CONFIG at 1,000 LOBs", () => {
  it("passes Linux's 131,072 bytes for one variable inline, and stays far under with lobsFile", () => {
    const inline = scaledHubConfig(1000);
    const { "studio-access:lobs": _, ...rest } = inline;
    const withFile = { ...rest, "studio-access:lobsFile": "lobs.yaml" };
    expect(pulumiConfigBytes(inline)).toBeGreaterThan(131072);
    expect(pulumiConfigBytes(withFile)).toBeLessThan(8192);
  });

  it("refuses inline lobs past the bound, naming lobsFile as the way past", () => {
    const problems = problemsOf(unprefixed(scaledHubConfig(1000)), project);
    expect(problems.find((p) => p.includes("PULUMI_CONFIG"))).toMatch(
      /^studio-access:lobs gives the hub 1\d\d,\d{3} bytes of the PULUMI_CONFIG environment variable .*, over the limit of 131,072 .*name it with studio-access:lobsFile/,
    );
  }, 60_000);
});

describe("count-based quotas, one step over each limit", () => {
  const lobs = (count: number) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `lob-${String(i)}`,
        { accountId: String(400000000000 + i) },
      ]),
    );
  const inputs = (over: Partial<HubQuotaInputs>): HubQuotaInputs => ({
    region: "us-east-1",
    hubAccountId: "111111111111",
    organizationId: "o-exampleorg1",
    lobs: lobs(2),
    accessRoleName: "StudioAccessRole",
    extraEndpoints: [],
    dnsSharing: "zones",
    corporate: true,
    roles: 8,
    rolesPerAccount: 1000,
    pulumiConfig: {},
    lobsInline: false,
    ...over,
  });
  const lines = (over: Partial<HubQuotaInputs>) => {
    const problems = new Problems();
    hubQuotaProblems(inputs(over), problems);
    return problems.list;
  };

  it("roles per account: 1,001 roles over 1,000, naming the Service Quotas quota and the key", () => {
    expect(lines({ roles: 1000 })).toEqual([]);
    expect(lines({ roles: 1001 })).toEqual([
      `studio-access:lobsFile gives the hub 1,001 IAM roles per account (2 LOBs), over the limit of 1,000 (IAM and AWS STS quotas, IAM object quotas (default, adjustable up to 5,000)): the hub makes a deployer role per LOB (counted here with its other roles and the admins' roles in the hub account): have the quota "Roles per account" raised in Service Quotas (IAM, up to 5,000) and set studio-access:iamQuotas.rolesPerAccount to it, less the roles the account holds besides (its pipeline's, service-linked roles)`,
    ]);
    expect(lines({ roles: 1001, rolesPerAccount: 5000 })).toEqual([]);
  });

  it("transit gateway attachments and routes, RAM principals: each one step over", () => {
    const over = (count: number, corporate: boolean) =>
      lines({ lobs: lobs(count), corporate })
        // (The endpoint policy passes its own limit long before: tested below.)
        .filter((l) => !l.includes("endpoint policy"))
        .map((l) => /gives the hub [\d,]+ ([^(]+) \(/.exec(l)?.[1]);
    // The hub VPC, each spoke and the corporate link attach: 4,998 LOBs fill 5,000.
    expect(over(4998, true)).toEqual([]);
    expect(over(4999, true)).toEqual(["attachments per transit gateway"]);
    expect(over(5001, false)).toEqual([
      "attachments per transit gateway",
      "principal associations per RAM resource share",
    ]);
    expect(
      hubQuotaFigures(inputs({ lobs: lobs(9997), corporate: true })).routesPerTransitGateway,
    ).toBe(10000);
    expect(over(9998, true)).toContain("routes per transit gateway");
    expect(over(25001, false)).toContain(
      "principal associations across all RAM resource shares in a region",
    );
  });

  it("the endpoint policy: refused one LOB past 20,480 characters", () => {
    const size = (count: number) =>
      hubQuotaFigures(inputs({ lobs: lobs(count) })).endpointPolicyCharacters ?? 0;
    let count = 2;
    while (size(count + 1) <= 20480) count += 1;
    expect(lines({ lobs: lobs(count) })).toEqual([]);
    expect(lines({ lobs: lobs(count + 1) })[0]).toMatch(
      /characters in a VPC endpoint policy .* over the limit of 20,480 .*lists every LOB account/,
    );
  });

  it("PULUMI_CONFIG: one byte over 131,072", () => {
    const base = pulumiConfigBytes({ "studio-access:lobs": "" });
    const config = (bytes: number) => ({ "studio-access:lobs": "x".repeat(bytes - base) });
    expect(lines({ pulumiConfig: config(131072), lobsInline: true })).toEqual([]);
    expect(lines({ pulumiConfig: config(131073), lobsInline: true })).toHaveLength(1);
  });

  it("the API's resource policy does not grow with the config, well within 8,192", () => {
    expect(hubQuotaFigures(inputs({ lobs: lobs(1000) })).apiResourcePolicyCharacters).toBeLessThan(
      2048,
    );
  });
});
