import * as aws from "@pulumi/aws";
import { TAGS } from "../../functions/shared/teams";
import { budgetTopicKeyPolicy, budgetTopicPolicy } from "../policies/budget-alerts";
import type { SpokeScope } from "./scope";

/** A monthly cost budget: its amount, the percentages that alert, and who hears of them. */
export interface BudgetConfig {
  /** The month's amount in US dollars (at most 2 decimals). */
  readonly monthlyUsd: number;
  /** Percentages of the amount at which actual spend alerts (1–1000, each once). */
  readonly alertAt: readonly number[];
  /** Email addresses subscribed to the LOB's budget-alert topic. */
  readonly notify: readonly string[];
}

export interface SpokeBudgetsArgs {
  /** The LOB's budget: every cost tagged with its LOB. */
  readonly budget?: BudgetConfig;
  /** Each team with a budget: every cost tagged with its team (and the LOB's tag). */
  readonly teams: readonly { readonly name: string; readonly budget?: BudgetConfig }[];
}

/**
 * Every alert is ACTUAL spend at each `alertAt` percentage, plus one FORECASTED at 100%: actual
 * alerts come once the money is spent; the forecast warns while the month can still be saved.
 * Forecasts below 100% are left out (they swing with a month's first days and would only add noise,
 * and AWS needs about five weeks of usage before it forecasts at all: "AWS Budgets forecasts",
 * https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-best-practices.html).
 */
export const FORECAST_PERCENT = 100;

/** How many notifications a budget with `alertAt` has (what its quota is checked against). */
export const notificationCount = (budget: BudgetConfig): number => budget.alertAt.length + 1;

/**
 * A budget's cost filter: costs whose cost allocation tag `key` is `value`. AWS Budgets' filter
 * `TagKeyValue` takes `user:<key>$<value>` for a user-defined tag ("CostFilters", Budget data type,
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html; the
 * provider's `costFilters` input passes name and values through). The tag must be activated as a
 * cost allocation tag in the payer account (docs/configuration.md#budgets).
 */
export const tagFilter = (key: string, value: string) => ({
  name: "TagKeyValue",
  values: [`user:${key}$${value}`],
});

/** The budget's name in the LOB account (unique per account; Budgets allows `-` and `:`). */
export const budgetName = (lob: string, team?: string): string =>
  team === undefined ? `studio-access-${lob}` : `studio-access-${lob}-team-${team}`;

/**
 * The LOB's cost budgets, in the LOB account: one for the LOB (its tag, which the LOB's provider
 * puts on everything the stack makes and the provisioner on every profile) and one per team with a
 * budget (the team tag: on the team's role, on its members' profiles, whose tags SageMaker adds to
 * every app they launch, and on every SageMaker resource the team's role creates, which ABAC
 * requires to carry it). "Tags that you specify for the User Profile are also added to all apps
 * that the User Profile launches" (CreateUserProfile, Tags,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateUserProfile.html; CreateDomain
 * says the same of the domain's tags). A budget made in a member account covers that account's
 * costs, so a team name needs no LOB beside it. Each alerts the LOB's budget-alert topic: an SNS
 * topic encrypted with its own key, which only AWS Budgets may publish to, with an email
 * subscription per `notify` address. Nothing is made when no budget is set.
 */
export class SpokeBudgets {
  readonly topic?: aws.sns.Topic;
  readonly budgets: aws.budgets.Budget[] = [];

  constructor(scope: SpokeScope, args: SpokeBudgetsArgs) {
    const { name, lob, accountId } = scope;
    const here = { parent: scope.parent };
    const wanted = [
      ...(args.budget ? [{ team: undefined, budget: args.budget }] : []),
      ...args.teams.flatMap((t) => (t.budget ? [{ team: t.name, budget: t.budget }] : [])),
    ];
    if (wanted.length === 0) return;

    const key = new aws.kms.Key(
      `${name}-budget-alerts`,
      {
        description: `studio-access ${lob}: the budget-alert topic`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: JSON.stringify(budgetTopicKeyPolicy({ accountId })),
      },
      here,
    );
    const topic = new aws.sns.Topic(
      `${name}-budget-alerts`,
      {
        name: `studio-access-${lob}-budget-alerts`,
        displayName: `studio-access ${lob} budgets`,
        kmsMasterKeyId: key.arn,
      },
      here,
    );
    this.topic = topic;
    const policy = new aws.sns.TopicPolicy(
      `${name}-budget-alerts`,
      {
        arn: topic.arn,
        policy: topic.arn.apply((topicArn) =>
          JSON.stringify(budgetTopicPolicy({ accountId, topicArn })),
        ),
      },
      here,
    );
    // One subscription per address, however many budgets name it: each address hears every alert
    // of the LOB's topic. AWS emails each a confirmation link first.
    const emails = [...new Set(wanted.flatMap((w) => w.budget.notify))].sort();
    for (const email of emails)
      new aws.sns.TopicSubscription(
        `${name}-budget-alerts-${email}`,
        { topic: topic.arn, protocol: "email", endpoint: email },
        here,
      );

    for (const { team, budget } of wanted) {
      const notification = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
        comparisonOperator: "GREATER_THAN",
        notificationType,
        threshold,
        thresholdType: "PERCENTAGE",
        subscriberSnsTopicArns: [topic.arn],
      });
      this.budgets.push(
        new aws.budgets.Budget(
          team === undefined ? `${name}-budget` : `${name}-budget-team-${team}`,
          {
            name: budgetName(lob, team),
            budgetType: "COST",
            timeUnit: "MONTHLY",
            limitAmount: budget.monthlyUsd.toFixed(2),
            limitUnit: "USD",
            costFilters: [
              team === undefined ? tagFilter(TAGS.lob, lob) : tagFilter(TAGS.team, team),
            ],
            notifications: [
              ...budget.alertAt.map((percent) => notification("ACTUAL", percent)),
              notification("FORECASTED", FORECAST_PERCENT),
            ],
          },
          // Budgets publishes only once the topic's policy lets it.
          { ...here, dependsOn: [policy] },
        ),
      );
    }
  }
}
