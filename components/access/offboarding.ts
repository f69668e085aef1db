import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecyclePolicy } from "../policies/hub-roles";
import { lifecycleRoleName } from "../policies/role-names";
import type { BundledFunction } from "../lib/bundled-function";
import type { FunctionNetwork } from "./function-network";
import { assumeRolePolicies, lobRegistryJson, type LobRoles } from "./lob-roles";
import { accessFunction, type AccessScope } from "./scope";
import type { AccessTables } from "./tables";
import type { FailedRecords } from "./failed-records";

export interface OffboardingArgs extends LobRoles {
  readonly tables: AccessTables;
  readonly network: FunctionNetwork;
  /** Where Lambda sends a batch it gave up on (the on-failure destination). */
  readonly failedRecords: FailedRecords;
}

/**
 * How often Lambda retries a failing batch before it sends the batch's record to the on-failure
 * queue: three, so a revocation whose LOB cannot be reached is in the queue (and the alarm fires)
 * within minutes, not after the stream's 24 hours; the row shows `drain-failed` meanwhile.
 */
export const LIFECYCLE_RETRY_ATTEMPTS = 3;

/**
 * Offboarding: the entitlements table's stream runs the lifecycle function on every revoked or
 * removed entitlement; it drains and deletes the profile through the LOB's lifecycle role, and
 * marks the row offboarded.
 */
export class Offboarding {
  readonly handler: BundledFunction;

  constructor(scope: AccessScope, args: OffboardingArgs) {
    const { entitlements, lobs } = args.tables;
    const assumeLifecycleRoles = assumeRolePolicies(
      scope,
      "assume-lifecycle",
      "AssumeLobLifecycleRoles",
      [lifecycleRoleName(args.accessRoleName)],
      Object.values(args.lobAccounts),
    );
    this.handler = accessFunction(scope, "lifecycle", {
      policy: (arn) =>
        pulumi
          .all([entitlements.arn, entitlements.streamArn, lobs.arn, arn])
          .apply(([usersTableArn, streamArn, lobsTableArn, logGroupArn]) =>
            lifecyclePolicy({ usersTableArn, streamArn, lobsTableArn, logGroupArn }),
          ),
      timeout: 300,
      vpcConfig: args.network.vpcConfig,
      environment: {
        USERS_TABLE: entitlements.name,
        LOBS_TABLE: lobs.name,
        LOB_REGISTRY: "lobs.json",
      },
      files: { "lobs.json": lobRegistryJson(args) },
      attach: assumeLifecycleRoles,
    });
    // The mapping checks its role may send to the destination when it is made.
    const sendFailed = args.failedRecords.grantSend(scope, this.handler.role);
    new aws.lambda.EventSourceMapping(
      `${scope.name}-lifecycle`,
      {
        functionName: this.handler.function.arn,
        eventSourceArn: entitlements.streamArn,
        startingPosition: "LATEST",
        batchSize: 10,
        // A failed record is retried (its row shows drain-failed meanwhile), then its batch's
        // record goes to the on-failure queue ("Retaining discarded batches for a DynamoDB event
        // source in Lambda", https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
        // Bisecting isolates the failing record and does not count against the retries (same
        // page); with ReportBatchItemFailures only the records from the first failure are retried.
        maximumRetryAttempts: LIFECYCLE_RETRY_ATTEMPTS,
        bisectBatchOnFunctionError: true,
        destinationConfig: { onFailure: { destinationArn: args.failedRecords.queue.arn } },
        functionResponseTypes: ["ReportBatchItemFailures"],
        // Only what the function may act on: a row written revoked (a revoke, or a revoked row
        // written for a user who had none), or a row removed. The function reads the row again
        // and acts only on what it says now.
        filterCriteria: {
          filters: [
            {
              pattern: JSON.stringify({
                eventName: ["INSERT", "MODIFY"],
                dynamodb: { NewImage: { state: { S: ["revoked"] } } },
              }),
            },
            { pattern: JSON.stringify({ eventName: ["REMOVE"] }) },
          ],
        },
      },
      { parent: scope.parent, dependsOn: [sendFailed] },
    );
  }
}
