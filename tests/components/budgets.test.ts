import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import { describeResource } from "../../scripts/lib/describe";
import { LOB_A_ACCOUNT, ofType, one, policyOf } from "../helpers/stacks";

const TOPIC_ARN = `arn:aws:sns:us-east-1:${LOB_A_ACCOUNT}:studio-access-lob-a-budget-alerts`;
const LOB_BUDGET = {
  monthlyUsd: 5000,
  alertAt: [50, 80, 100],
  notify: ["lob-a-owner@example.com"],
};

let shared: StackRun;
/** LOB A's stack, its config with `overrides` (`teams` as in Pulumi.lob-a.yaml unless given). */
const lobA = (overrides: Record<string, unknown>) =>
  runStackUnderMocks({
    stack: "lob-a",
    config: {
      ...loadStackConfig("lob-a"),
      ...Object.fromEntries(
        Object.entries(overrides).map(([k, v]) => [`studio-access:${k}`, JSON.stringify(v)]),
      ),
    },
    stackOutputs: { [fullStackName("shared")]: shared.outputs },
  });

const TEAMS = {
  analytics: {
    members: ["user-lob-a", "dana.scientist", "new.scientist"],
    budget: {
      monthlyUsd: 1250.5,
      notify: ["analytics-lead@example.com", "lob-a-owner@example.com"],
    },
  },
  forecasting: { members: ["dana.scientist"] },
};

beforeAll(async () => {
  shared = await runStackUnderMocks({ stack: "shared", config: loadStackConfig("shared") });
}, 60_000);

describe("budgets (#21)", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await lobA({ budget: LOB_BUDGET, teams: TEAMS });
  }, 60_000);

  it("makes a monthly COST budget for the LOB, on costs tagged with its LOB, alerting the topic at each percentage (actual) and at 100% (forecast)", () => {
    const budget = one(run, "aws:budgets/budget:Budget", "lob-a-budget");
    expect(budget.account).toBe(LOB_A_ACCOUNT);
    const alert = (notificationType: string, threshold: number) => ({
      comparisonOperator: "GREATER_THAN",
      notificationType,
      threshold,
      thresholdType: "PERCENTAGE",
      subscriberSnsTopicArns: [TOPIC_ARN],
    });
    expect(budget.inputs).toEqual({
      name: "studio-access-lob-a",
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: "5000.00",
      limitUnit: "USD",
      costFilters: [{ name: "TagKeyValue", values: ["user:studio-access:lob$lob-a"] }],
      notifications: [
        alert("ACTUAL", 50),
        alert("ACTUAL", 80),
        alert("ACTUAL", 100),
        alert("FORECASTED", 100),
      ],
    });
  });

  it("makes a budget for each team that has one, on costs tagged with its team, alertAt defaulting to 80 and 100", () => {
    const budgets = ofType(run, "aws:budgets/budget:Budget");
    expect(budgets.map((b) => b.name).sort()).toEqual([
      "lob-a-budget",
      "lob-a-budget-team-analytics",
    ]);
    const team = one(run, "aws:budgets/budget:Budget", "lob-a-budget-team-analytics");
    expect(team.inputs).toMatchObject({
      name: "studio-access-lob-a-team-analytics",
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: "1250.50",
      limitUnit: "USD",
      costFilters: [{ name: "TagKeyValue", values: ["user:studio-access:team$analytics"] }],
    });
    expect(
      (team.inputs.notifications as { notificationType: string; threshold: number }[]).map(
        (n) => `${n.notificationType} ${String(n.threshold)}`,
      ),
    ).toEqual(["ACTUAL 80", "ACTUAL 100", "FORECASTED 100"]);
  });

  it("the team tag it filters on is the one on the team's role (and the provisioner's profiles)", () => {
    const role = one(run, "aws:iam/role:Role", "lob-a-team-analytics");
    expect((role.inputs.tags as Record<string, string>)["studio-access:team"]).toBe("analytics");
  });

  it("alerts an encrypted topic in the LOB account that only this account's budgets may publish to, over TLS only", () => {
    const topic = one(run, "aws:sns/topic:Topic", "lob-a-budget-alerts");
    const key = one(run, "aws:kms/key:Key", "lob-a-budget-alerts");
    expect(topic.account).toBe(LOB_A_ACCOUNT);
    expect(topic.inputs.kmsMasterKeyId).toBe(key.state.arn);
    expect(key.inputs.enableKeyRotation).toBe(true);
    const policy = one(run, "aws:sns/topicPolicy:TopicPolicy", "lob-a-budget-alerts");
    expect(policy.inputs.arn).toBe(TOPIC_ARN);
    expect(policyOf(policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountManagesThroughIam",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::222222222222:root" },
          Action: [
            "SNS:GetTopicAttributes",
            "SNS:SetTopicAttributes",
            "SNS:AddPermission",
            "SNS:RemovePermission",
            "SNS:DeleteTopic",
            "SNS:Subscribe",
            "SNS:ListSubscriptionsByTopic",
          ],
          Resource: TOPIC_ARN,
        },
        {
          Sid: "BudgetsOfThisAccountPublish",
          Effect: "Allow",
          Principal: { Service: "budgets.amazonaws.com" },
          Action: "SNS:Publish",
          Resource: TOPIC_ARN,
          Condition: {
            StringEquals: { "aws:SourceAccount": "222222222222" },
            ArnLike: { "aws:SourceArn": "arn:aws:budgets::222222222222:*" },
          },
        },
        {
          Sid: "TlsOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "sns:*",
          Resource: TOPIC_ARN,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    expect(policyOf(key)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministersThroughIam",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::222222222222:root" },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "BudgetsOfThisAccountEncrypt",
          Effect: "Allow",
          Principal: { Service: "budgets.amazonaws.com" },
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": "222222222222" } },
        },
      ],
    });
  });

  it("subscribes each notify address once, by email", () => {
    const subscriptions = ofType(run, "aws:sns/topicSubscription:TopicSubscription");
    expect(subscriptions.map((s) => s.inputs)).toEqual([
      { topic: TOPIC_ARN, protocol: "email", endpoint: "analytics-lead@example.com" },
      { topic: TOPIC_ARN, protocol: "email", endpoint: "lob-a-owner@example.com" },
    ]);
  });

  it("the plan shows each budget: amount, filter and alerts, and the topic's encryption", () => {
    expect(
      describeResource(one(run, "aws:budgets/budget:Budget", "lob-a-budget-team-analytics")),
    ).toBe(
      "studio-access-lob-a-team-analytics: 1250.50 USD monthly cost, costs with TagKeyValue user:studio-access:team$analytics; alerts at 80% actual, 100% actual, 100% forecasted",
    );
    const key = one(run, "aws:kms/key:Key", "lob-a-budget-alerts");
    expect(describeResource(one(run, "aws:sns/topic:Topic", "lob-a-budget-alerts"))).toBe(
      `studio-access-lob-a-budget-alerts, encrypted with ${String(key.state.arn)}`,
    );
  });

  it("makes no topic, key or budget when no budget is set (the repository's stacks)", async () => {
    const none = await lobA({});
    for (const type of [
      "aws:budgets/budget:Budget",
      "aws:sns/topic:Topic",
      "aws:sns/topicPolicy:TopicPolicy",
      "aws:sns/topicSubscription:TopicSubscription",
    ])
      expect(ofType(none, type)).toEqual([]);
    expect(ofType(none, "aws:kms/key:Key").map((k) => k.name)).not.toContain("lob-a-budget-alerts");
  }, 60_000);
});
