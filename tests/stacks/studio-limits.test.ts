/**
 * Issue #21, idle shutdown and instance types: the config's checks (plan-time refusals naming the
 * value), and what the program declares from them (the domain's idle settings, each role's
 * instance-type policy, the plan's output), exactly.
 */
import { ConfigError, parseStackConfig } from "../../stacks/config";
import type { StackRun } from "../../scripts/lib/mock-stack";
import { one, planRepositoryStacks, policyOf, type Planned } from "../helpers/stacks";

const AWS = { region: "us-east-1", profile: "hub" };
const shared: Record<string, string> = {
  kind: "shared",
  hubAccountId: "111111111111",
  organizationId: "o-exampleorg1",
  hubVpcCidr: "10.0.0.0/16",
  lobs: JSON.stringify({
    "lob-a": {
      accountId: "222222222222",
      vpcCidr: "10.1.0.0/16",
      deployer: "arn:aws:iam::222222222222:role/deployer",
    },
  }),
};
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

const IDLE =
  "off, or {minutes, min?, max?}: whole numbers of minutes from 60 to 525,600 (SageMaker's IdleSettings), min ≤ minutes ≤ max";

describe("idleShutdown in the config", () => {
  it("is on by default in the hub, 120 minutes; a LOB without its own takes the hub's", () => {
    expect(parseStackConfig(shared, AWS)).toMatchObject({ idleShutdown: { minutes: 120 } });
    const config = parseStackConfig(lob, AWS);
    expect(config.kind === "lob" && config.idleShutdown).toBeUndefined();
  });

  it("reads off, a range, and a team's own", () => {
    expect(parseStackConfig({ ...shared, idleShutdown: '"off"' }, AWS)).toMatchObject({
      idleShutdown: "off",
    });
    expect(
      parseStackConfig(
        {
          ...lob,
          idleShutdown: JSON.stringify({ minutes: 60, min: 60, max: 525600 }),
          teams: JSON.stringify({ a: { idleShutdown: "off" }, b: {} }),
        },
        AWS,
      ),
    ).toMatchObject({
      idleShutdown: { minutes: 60, min: 60, max: 525600 },
      teams: [{ name: "a", idleShutdown: "off" }, { name: "b" }],
    });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      "59 minutes in the hub",
      { ...shared, idleShutdown: JSON.stringify({ minutes: 59 }) },
      `studio-access:idleShutdown is {"minutes":59}: expected ${IDLE} (minutes a whole number of minutes from 60 to 525,600 (is 59))`,
    ],
    [
      "more than a year in a LOB",
      { ...lob, idleShutdown: JSON.stringify({ minutes: 525601 }) },
      `studio-access:idleShutdown is {"minutes":525601}: expected ${IDLE} (minutes a whole number of minutes from 60 to 525,600 (is 525601))`,
    ],
    [
      "a min above minutes in a team",
      { ...lob, teams: JSON.stringify({ a: { idleShutdown: { minutes: 120, min: 180 } } }) },
      `studio-access:teams.a.idleShutdown is {"minutes":120,"min":180}: expected ${IDLE} (min (180) at most minutes (120))`,
    ],
    [
      "a max below minutes",
      { ...lob, idleShutdown: JSON.stringify({ minutes: 120, max: 90 }) },
      `studio-access:idleShutdown is {"minutes":120,"max":90}: expected ${IDLE} (max (90) at least minutes (120))`,
    ],
    [
      "a fraction",
      { ...lob, idleShutdown: JSON.stringify({ minutes: 90.5 }) },
      `studio-access:idleShutdown is {"minutes":90.5}: expected ${IDLE} (minutes a whole number of minutes from 60 to 525,600 (is 90.5))`,
    ],
    [
      "no minutes",
      { ...lob, idleShutdown: JSON.stringify({ max: 600 }) },
      `studio-access:idleShutdown is {"max":600}: expected ${IDLE} (minutes a whole number of minutes from 60 to 525,600 (is undefined))`,
    ],
    [
      "an unknown field",
      { ...lob, idleShutdown: JSON.stringify({ minutes: 120, hours: 2 }) },
      `studio-access:idleShutdown is {"minutes":120,"hours":2}: expected ${IDLE} (no field hours (known: minutes, min, max))`,
    ],
    [
      "a word other than off",
      { ...lob, idleShutdown: '"never"' },
      `studio-access:idleShutdown is "never": expected ${IDLE}`,
    ],
  ])("refuses %s, naming the value", (_, values, message) => {
    expect(problems(values)).toEqual([message]);
  });
});

const TYPE = "a SageMaker instance type, ml.<family>.<size> (such as ml.m5.large), or system";

describe("instanceTypes in the config", () => {
  it("defaults to four small types in a LOB; a team without its own has none of its own", () => {
    const config = parseStackConfig({ ...lob, teams: JSON.stringify({ a: {} }) }, AWS);
    expect(config).toMatchObject({
      instanceTypes: ["ml.t3.medium", "ml.t3.large", "ml.m5.large", "ml.m5.xlarge"],
    });
    expect(config.kind === "lob" && config.teams[0]?.instanceTypes).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string]>([
    [
      "a type without ml.",
      { ...lob, instanceTypes: JSON.stringify(["m5.large"]) },
      `studio-access:instanceTypes[0] is "m5.large": expected ${TYPE}`,
    ],
    [
      "a wildcard",
      { ...lob, teams: JSON.stringify({ a: { instanceTypes: ["ml.t3.medium", "ml.p4d.*"] } }) },
      `studio-access:teams.a.instanceTypes[1] is "ml.p4d.*": expected ${TYPE}`,
    ],
    [
      "an empty list",
      { ...lob, instanceTypes: "[]" },
      "studio-access:instanceTypes is []: expected a non-empty list of SageMaker instance types (ml.<family>.<size>)",
    ],
    [
      "a repeat",
      { ...lob, instanceTypes: JSON.stringify(["ml.t3.medium", "ml.t3.medium"]) },
      'studio-access:instanceTypes[1] is "ml.t3.medium": expected an instance type not already listed',
    ],
  ])("refuses %s, naming the value", (_, values, message) => {
    expect(problems(values)).toEqual([message]);
  });
});

describe("what the program declares (Pulumi.lob-a.yaml: forecasting's own, analytics the defaults)", () => {
  let planned: Planned;
  let lobA: StackRun;
  beforeAll(async () => {
    planned = await planRepositoryStacks();
    lobA = planned.lobA;
  }, 120_000);

  it("publishes the hub's default for the LOBs", () => {
    expect(planned.shared.outputs.idleShutdown).toEqual({ minutes: 120 });
  });

  it("sets the LOB's idle shutdown on the domain's JupyterLab and Code Editor defaults", () => {
    const settings = {
      appLifecycleManagement: {
        idleSettings: { lifecycleManagement: "ENABLED", idleTimeoutInMinutes: 120 },
      },
    };
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const defaults = domain.inputs.defaultUserSettings as Record<string, unknown>;
    expect(defaults.jupyterLabAppSettings).toEqual(settings);
    expect(defaults.codeEditorAppSettings).toEqual(settings);
  });

  it("limits each team role, and the LOB's default role, to its instance types, exactly", () => {
    const limit = (allowed: string[]) => ({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInstanceTypesNotAllowed",
          Effect: "Deny",
          Action: ["sagemaker:Create*", "sagemaker:Update*"],
          Resource: "*",
          Condition: { "ForAnyValue:StringNotLike": { "sagemaker:InstanceTypes": allowed } },
        },
        {
          Sid: "DenyMissingInstanceType",
          Effect: "Deny",
          Action: [
            "sagemaker:CreateApp",
            "sagemaker:CreateTrainingJob",
            "sagemaker:CreateProcessingJob",
            "sagemaker:CreateTransformJob",
            "sagemaker:CreateHyperParameterTuningJob",
          ],
          Resource: "*",
          Condition: { Null: { "sagemaker:InstanceTypes": "true" } },
        },
        {
          Sid: "DenyInstancesOfNoNamedType",
          Effect: "Deny",
          Action: [
            "sagemaker:CreateAutoMLJob",
            "sagemaker:CreateAutoMLJobV2",
            "sagemaker:CreateInferenceRecommendationsJob",
            "sagemaker:CreateOptimizationJob",
            "sagemaker:StartNotebookInstance",
          ],
          Resource: "*",
        },
        {
          Sid: "DenyEndpointsOfAnotherTeamsConfig",
          Effect: "Deny",
          Action: ["sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint"],
          Resource: "arn:aws:sagemaker:*:*:endpoint-config/*",
          Condition: {
            StringNotEquals: {
              "aws:ResourceTag/studio-access:team": "${aws:PrincipalTag/studio-access:team}",
            },
          },
        },
      ],
    });
    const defaults = ["ml.t3.medium", "ml.t3.large", "ml.m5.large", "ml.m5.xlarge"];
    const policy = (name: string) => one(lobA, "aws:iam/rolePolicy:RolePolicy", name);
    expect(policyOf(policy("lob-a-team-analytics-instance-types"))).toEqual(limit(defaults));
    expect(policyOf(policy("lob-a-team-forecasting-instance-types"))).toEqual(
      limit(["ml.t3.medium", "ml.m5.large", "ml.g4dn.xlarge"]),
    );
    expect(policyOf(policy("lob-a-execution-instance-types"))).toEqual(limit(defaults));
    // Each on its own role.
    expect(policy("lob-a-team-forecasting-instance-types").inputs.role).toBe(
      one(lobA, "aws:iam/role:Role", "lob-a-team-forecasting").id,
    );
    expect(policy("lob-a-execution-instance-types").inputs.role).toBe(
      one(lobA, "aws:iam/role:Role", "lob-a-execution").id,
    );
  });

  it("shows each team's effective settings in the plan's outputs", () => {
    expect(lobA.outputs.studioLimits).toEqual({
      analytics: {
        idleShutdown: "120 minutes",
        instanceTypes: ["ml.t3.medium", "ml.t3.large", "ml.m5.large", "ml.m5.xlarge"],
        spaceStorage: "5 GB per space, at most 100 GB",
      },
      forecasting: {
        idleShutdown: "240 minutes (users may pick 60–480)",
        instanceTypes: ["ml.t3.medium", "ml.m5.large", "ml.g4dn.xlarge"],
        spaceStorage: "20 GB per space, at most 200 GB",
      },
    });
  });
});
