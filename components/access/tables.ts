import * as aws from "@pulumi/aws";
import {
  ENTITLEMENTS_BY_USERNAME,
  ENTITLEMENTS_KEY,
  LOBS_KEY,
} from "../../functions/shared/tables";
import type { AccessScope } from "./scope";

/**
 * The entitlement and LOB tables. Both are keyed by LOB first, so a LOB's deployer can be held to
 * its own rows. With `deletionProtection`, DynamoDB refuses to delete either ("When this setting is
 * enabled, the table can't be deleted", Using deletion protection, Amazon DynamoDB Developer Guide,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection):
 * `npm run destroy` lifts it with a `pulumi up` before it destroys the hub, as it does the pool's.
 */
export class AccessTables {
  readonly entitlements: aws.dynamodb.Table;
  readonly lobs: aws.dynamodb.Table;

  constructor(scope: AccessScope, args: { readonly deletionProtection: boolean }) {
    const { name, keyArn } = scope;
    const parent = { parent: scope.parent };
    const { deletionProtection } = args;
    this.entitlements = new aws.dynamodb.Table(
      `${name}-entitlements`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: ENTITLEMENTS_KEY.partition,
        rangeKey: ENTITLEMENTS_KEY.sort,
        attributes: [
          { name: ENTITLEMENTS_KEY.partition, type: "S" },
          { name: ENTITLEMENTS_KEY.sort, type: "S" },
          { name: ENTITLEMENTS_BY_USERNAME.partition, type: "S" },
        ],
        globalSecondaryIndexes: [
          {
            name: ENTITLEMENTS_BY_USERNAME.name,
            hashKey: ENTITLEMENTS_BY_USERNAME.partition,
            rangeKey: ENTITLEMENTS_BY_USERNAME.sort,
            projectionType: "ALL",
          },
        ],
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: deletionProtection,
        serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
        // Every change, before and after: revoking or removing an entitlement offboards its profile.
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
      },
      parent,
    );
    this.lobs = new aws.dynamodb.Table(
      `${name}-lobs`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: LOBS_KEY.partition,
        attributes: [{ name: LOBS_KEY.partition, type: "S" }],
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: deletionProtection,
        serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
      },
      parent,
    );
  }
}
