import * as aws from "@pulumi/aws";
import { dataKeyPolicy } from "../policies/keys";
import { alarmsKeyStatement } from "../policies/monitoring";
import type { AccessPlacement } from "./scope";

/**
 * One key for the hub's data at rest: tables and log groups (CloudWatch Logs may use it only for
 * this account's log groups in this region); with an alarm topic (`alarmTopic`), CloudWatch may
 * use it for this account's alarms, to publish to that topic.
 */
export const dataKey = (
  scope: AccessPlacement,
  args: { readonly region: string; readonly hubAccountId: string; readonly alarmTopic?: boolean },
) => {
  const base = dataKeyPolicy({ region: args.region, accountId: args.hubAccountId });
  const policy = args.alarmTopic
    ? {
        ...base,
        Statement: [
          ...base.Statement,
          alarmsKeyStatement({ region: args.region, accountId: args.hubAccountId }),
        ],
      }
    : base;
  return new aws.kms.Key(
    `${scope.name}-data`,
    {
      description: "studio-access hub: entitlement and LOB tables, function and API logs",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify(policy),
    },
    { parent: scope.parent },
  );
};
