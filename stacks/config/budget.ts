import { z } from "zod";
import { QUOTAS } from "../../components/lib/quotas";
import { notificationCount, type BudgetConfig } from "../../components/spoke/budgets";
import { matching, noRepeats, type Problems, strict } from "./common";

const AMOUNT = "a positive amount of US dollars with at most 2 decimals, such as 500 or 1250.50";
const PERCENT = "a whole percentage of the amount from 1 to 1000";
const EMAIL = "an email address (name@example.com)";

/** At most 2 decimals: cents, as AWS Budgets' USD amounts are written. */
const cents = (value: number): boolean =>
  Math.abs(value * 100 - Math.round(value * 100)) < 1e-6 * Math.max(1, value);

/** `budget: {monthlyUsd, alertAt?, notify}`: a monthly cost budget with its alerts. */
export const budget = strict(
  {
    monthlyUsd: z
      .number({ error: AMOUNT })
      .refine((value) => Number.isFinite(value) && value > 0 && cents(value), { error: AMOUNT }),
    alertAt: z
      .array(z.int({ error: PERCENT }).min(1, { error: PERCENT }).max(1000, { error: PERCENT }), {
        error: "a list of whole percentages from 1 to 1000",
      })
      .min(1, { error: "at least one percentage (such as [80, 100])" })
      .superRefine(noRepeats("a percentage not already listed"))
      .default([80, 100]),
    notify: z
      .array(matching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, EMAIL), { error: "a list of email addresses" })
      .min(1, {
        error: "at least one email address: an alert nobody is subscribed to reaches nobody",
      })
      .superRefine(noRepeats("an address not already listed")),
  },
  "{monthlyUsd, alertAt?, notify}: a monthly budget in US dollars, the percentages that alert, who hears",
  "value",
)
  .transform((value): BudgetConfig => value)
  .describe("{monthlyUsd, alertAt?, notify}");

/** A budget as the config names it (`budget`, `teams.<team>.budget`). */
export interface NamedBudget {
  readonly key: string;
  readonly budget: BudgetConfig;
}

/**
 * AWS Budgets' quotas (components/lib/quotas.ts), checked before anything is declared: budgets in
 * the LOB account, and notifications per budget (each `alertAt` percentage and the 100% forecast).
 * Subscribers per notification need no check: each notification's one subscriber is the LOB's
 * topic, and the `notify` addresses subscribe to the topic, not to the budget, so however many
 * there are they stay within QUOTAS.subscribersPerNotification.
 */
export function budgetQuotaProblems(budgets: readonly NamedBudget[], problems: Problems): void {
  const perAccount = QUOTAS.budgetsPerAccount;
  if (budgets.length > perAccount.limit)
    problems.line(
      budgets[0]?.key ?? "budget",
      `and the teams' budgets make ${String(budgets.length)} budgets in the LOB account: over AWS Budgets' limit of ${String(perAccount.limit)} ${perAccount.what} (${perAccount.source})`,
    );
  const perBudget = QUOTAS.notificationsPerBudget;
  for (const { key, budget: b } of budgets) {
    const count = notificationCount(b);
    if (count > perBudget.limit)
      problems.at(
        `${key}.alertAt`,
        b.alertAt,
        `at most ${String(perBudget.limit - 1)} percentages: with the forecast at 100% these make ${String(count)} notifications, over AWS Budgets' limit of ${String(perBudget.limit)} ${perBudget.what} (${perBudget.source})`,
      );
  }
}
