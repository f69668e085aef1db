import { ConfigError, parseStackConfig, type LobConfig } from "../../stacks/config";

const AWS = { region: "us-east-1", profile: "lob-a" };
const lob = { kind: "lob", lob: "lob-a", sharedStack: "example-org/studio-access/shared" };

const parse = (values: Record<string, unknown>) =>
  parseStackConfig(
    {
      ...lob,
      ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v)])),
    },
    AWS,
  ) as LobConfig;

/** The problem lines a config is refused with. */
function problems(values: Record<string, unknown>): readonly string[] {
  try {
    parse(values);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

const NOTIFY = ["owner@example.com"];

describe("budget config (#21)", () => {
  it("takes a LOB budget and a team's, alertAt defaulting to [80, 100]", () => {
    const config = parse({
      budget: { monthlyUsd: 5000, alertAt: [50, 100], notify: NOTIFY },
      teams: {
        analytics: { members: [], budget: { monthlyUsd: 99.95, notify: NOTIFY } },
        forecasting: {},
      },
    });
    expect(config.budget).toEqual({ monthlyUsd: 5000, alertAt: [50, 100], notify: NOTIFY });
    expect(config.teams.map((t) => [t.name, t.budget])).toEqual([
      ["analytics", { monthlyUsd: 99.95, alertAt: [80, 100], notify: NOTIFY }],
      ["forecasting", undefined],
    ]);
  });

  it("has no budget unless one is set", () => {
    const config = parse({ members: [] });
    expect(config.budget).toBeUndefined();
    expect(config.teams[0]?.budget).toBeUndefined();
  });

  it.each([
    [
      { monthlyUsd: 0, notify: NOTIFY },
      "studio-access:budget.monthlyUsd is 0: expected a positive amount of US dollars with at most 2 decimals, such as 500 or 1250.50",
    ],
    [
      { monthlyUsd: 12.345, notify: NOTIFY },
      "studio-access:budget.monthlyUsd is 12.345: expected a positive amount of US dollars with at most 2 decimals, such as 500 or 1250.50",
    ],
    [
      { monthlyUsd: "500", notify: NOTIFY },
      'studio-access:budget.monthlyUsd is "500": expected a positive amount of US dollars with at most 2 decimals, such as 500 or 1250.50',
    ],
    [
      { monthlyUsd: 500, alertAt: [80, 0], notify: NOTIFY },
      "studio-access:budget.alertAt[1] is 0: expected a whole percentage of the amount from 1 to 1000",
    ],
    [
      { monthlyUsd: 500, alertAt: [1001], notify: NOTIFY },
      "studio-access:budget.alertAt[0] is 1001: expected a whole percentage of the amount from 1 to 1000",
    ],
    [
      { monthlyUsd: 500, alertAt: [80, 100, 80], notify: NOTIFY },
      "studio-access:budget.alertAt[2] is 80: expected a percentage not already listed",
    ],
    [
      { monthlyUsd: 500, notify: ["owner@example.com", "not-an-address"] },
      'studio-access:budget.notify[1] is "not-an-address": expected an email address (name@example.com)',
    ],
    [
      { monthlyUsd: 500, notify: [] },
      "studio-access:budget.notify is []: expected at least one email address: an alert nobody is subscribed to reaches nobody",
    ],
    [
      { monthlyUsd: 500, notify: NOTIFY, limit: 3 },
      "studio-access:budget.limit is 3: expected no such setting (known: monthlyUsd, alertAt, notify)",
    ],
  ])("refuses the LOB budget %p naming the value", (value, message) => {
    expect(problems({ members: [], budget: value })).toEqual([message]);
  });

  it("refuses a team's budget naming the team's key", () => {
    expect(
      problems({ teams: { analytics: { budget: { monthlyUsd: -1, notify: NOTIFY } } } }),
    ).toEqual([
      "studio-access:teams.analytics.budget.monthlyUsd is -1: expected a positive amount of US dollars with at most 2 decimals, such as 500 or 1250.50",
    ]);
  });

  it("refuses more alerts than AWS Budgets' notifications per budget, naming the figure and the limit", () => {
    expect(
      problems({
        members: [],
        budget: { monthlyUsd: 500, alertAt: [25, 50, 75, 90, 100], notify: NOTIFY },
      }),
    ).toEqual([
      "studio-access:budget.alertAt is [25,50,75,90,100]: expected at most 4 percentages: with the forecast at 100% these make 6 notifications, over AWS Budgets' limit of 5 notifications per budget (AWS Budgets, CreateBudget: a budget can have up to five notifications)",
    ]);
    // Four percentages and the forecast: exactly the limit.
    expect(
      parse({
        members: [],
        budget: { monthlyUsd: 500, alertAt: [50, 75, 90, 100], notify: NOTIFY },
      }).budget?.alertAt,
    ).toEqual([50, 75, 90, 100]);
  });
});
