/**
 * Issue #21, a space's storage per team: the config's checks (plan-time refusals naming the
 * value), and what the program declares from them (the domain's DefaultEbsStorageSettings for
 * private and shared spaces, the LOB's row, the plan's output), exactly.
 */
import { ConfigError, parseStackConfig } from "../../stacks/config";
import type { StackRun } from "../../scripts/lib/mock-stack";
import { one, planRepositoryStacks, type Planned } from "../helpers/stacks";

const AWS = { region: "us-east-1", profile: "hub" };
const lob: Record<string, string> = {
  kind: "lob",
  lob: "lob-a",
  sharedStack: "example-org/studio-access/shared",
};

function problems(values: Record<string, string>): readonly string[] {
  try {
    parseStackConfig(values, AWS);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

const STORAGE =
  "{defaultGb, maxGb}: whole numbers of GB from 5 to 16,384 (SageMaker's DefaultEbsStorageSettings), defaultGb ≤ maxGb";

describe("spaceStorage in the config", () => {
  it("defaults to 5 GB per space, at most 100, in a LOB; a team without its own has none", () => {
    expect(parseStackConfig(lob, AWS)).toMatchObject({
      spaceStorage: { defaultGb: 5, maxGb: 100 },
      teams: [{ name: "default" }],
    });
    const config = parseStackConfig(lob, AWS);
    expect(config.kind === "lob" && config.teams[0]?.spaceStorage).toBeUndefined();
  });

  it("reads the LOB's and a team's own, the range's ends included", () => {
    expect(
      parseStackConfig(
        {
          ...lob,
          spaceStorage: JSON.stringify({ defaultGb: 5, maxGb: 16384 }),
          teams: JSON.stringify({ a: { spaceStorage: { defaultGb: 50, maxGb: 50 } }, b: {} }),
        },
        AWS,
      ),
    ).toMatchObject({
      spaceStorage: { defaultGb: 5, maxGb: 16384 },
      teams: [{ name: "a", spaceStorage: { defaultGb: 50, maxGb: 50 } }, { name: "b" }],
    });
  });

  it.each([
    [{ defaultGb: 4, maxGb: 100 }, "defaultGb a whole number of GB from 5 to 16,384 (is 4)"],
    [{ defaultGb: 5, maxGb: 16385 }, "maxGb a whole number of GB from 5 to 16,384 (is 16385)"],
    [{ defaultGb: 200, maxGb: 100 }, "defaultGb (200) at most maxGb (100)"],
    [{ defaultGb: 7.5, maxGb: 100 }, "defaultGb a whole number of GB from 5 to 16,384 (is 7.5)"],
    [{ defaultGb: 5 }, "maxGb a whole number of GB from 5 to 16,384 (is undefined)"],
    [{ defaultGb: "5", maxGb: 100 }, 'defaultGb a whole number of GB from 5 to 16,384 (is "5")'],
    [{ defaultGb: 5, maxGb: 100, iops: 3000 }, "no field iops (known: defaultGb, maxGb)"],
  ])("refuses a LOB's %j, naming it", (value, detail) => {
    expect(problems({ ...lob, spaceStorage: JSON.stringify(value) })).toEqual([
      `studio-access:spaceStorage is ${JSON.stringify(value)}: expected ${STORAGE} (${detail})`,
    ]);
  });

  it("refuses a team's, naming the team's key, and a value that is not an object", () => {
    expect(
      problems({
        ...lob,
        teams: JSON.stringify({ a: { spaceStorage: { defaultGb: 300, maxGb: 200 } } }),
      }),
    ).toEqual([
      `studio-access:teams.a.spaceStorage is {"defaultGb":300,"maxGb":200}: expected ${STORAGE} (defaultGb (300) at most maxGb (200))`,
    ]);
    expect(problems({ ...lob, spaceStorage: "100" })).toEqual([
      `studio-access:spaceStorage is 100: expected ${STORAGE}`,
    ]);
  });
});

describe("what the program declares (Pulumi.lob-a.yaml: forecasting's own, analytics the LOB's default)", () => {
  let planned: Planned;
  let lobA: StackRun;
  beforeAll(async () => {
    planned = await planRepositoryStacks();
    lobA = planned.lobA;
  }, 120_000);

  it("sets the LOB's space storage on the domain's user defaults and shared spaces' defaults", () => {
    const storage = {
      defaultEbsStorageSettings: { defaultEbsVolumeSizeInGb: 5, maximumEbsVolumeSizeInGb: 100 },
    };
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const user = domain.inputs.defaultUserSettings as Record<string, unknown>;
    expect(user.spaceStorageSettings).toEqual(storage);
    const execution = one(lobA, "aws:iam/role:Role", "lob-a-execution");
    const sg = one(lobA, "aws:ec2/securityGroup:SecurityGroup", "lob-a-studio");
    // Shared spaces: the same default role and security group as the user defaults.
    expect(domain.inputs.defaultSpaceSettings).toEqual({
      executionRole: execution.state.arn,
      securityGroups: [sg.id],
      spaceStorageSettings: storage,
    });
    expect(user).toMatchObject({ executionRole: execution.state.arn, securityGroups: [sg.id] });
  });

  it("writes each team's space storage to the LOB's row", () => {
    const row = JSON.parse(
      one(lobA, "aws:dynamodb/tableItem:TableItem", "lob-a-lob").inputs.item as string,
    ) as Record<string, unknown>;
    expect(row.spaceStorage).toEqual({
      M: {
        analytics: { M: { defaultGb: { N: "5" }, maxGb: { N: "100" } } },
        forecasting: { M: { defaultGb: { N: "20" }, maxGb: { N: "200" } } },
      },
    });
  });

  it("shows each team's space storage in the plan's studioLimits", () => {
    const limits = lobA.outputs.studioLimits as Record<string, { spaceStorage: string }>;
    expect(limits.analytics?.spaceStorage).toBe("5 GB per space, at most 100 GB");
    expect(limits.forecasting?.spaceStorage).toBe("20 GB per space, at most 200 GB");
  });
});
