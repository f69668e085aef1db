import * as aws from "@pulumi/aws";
import { dataKeyPolicy } from "../policies/keys";
import type { AccessPlacement } from "./scope";

/**
 * One key for the hub's data at rest: tables and log groups (CloudWatch Logs may use it only for
 * this account's log groups in this region).
 */
export const dataKey = (
  scope: AccessPlacement,
  args: { readonly region: string; readonly hubAccountId: string },
) =>
  new aws.kms.Key(
    `${scope.name}-data`,
    {
      description: "studio-access hub: entitlement and LOB tables, function and API logs",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify(dataKeyPolicy({ region: args.region, accountId: args.hubAccountId })),
    },
    { parent: scope.parent },
  );
