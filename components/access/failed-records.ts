import * as aws from "@pulumi/aws";
import { policyJson } from "../lib/bundled-function";
import { failedRecordsPolicy } from "../policies/monitoring";
import type { AccessScope } from "./scope";

/** 14 days, SQS's longest retention ("SetQueueAttributes", MessageRetentionPeriod: 60 to 1,209,600 s). */
export const FAILED_RECORDS_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * The lifecycle's on-failure destination: a standard SQS queue that Lambda sends a record to for
 * every batch of the entitlements stream it gave up on (after maximumRetryAttempts), so no
 * offboarding is lost unseen. Each message is metadata, not the stream record: the shard, the
 * first and last sequence numbers, the stream ARN and why the batch was discarded ("Retaining
 * discarded batches for a DynamoDB event source in Lambda",
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html); the entitlement's
 * row keeps `drain-failed` and its reason for `studio-access admin list`.
 *
 * Encrypted with SQS-managed keys (SSE-SQS), not the hub's data key: the data key's policy lets
 * its account's principals use it through DynamoDB only (and CloudWatch Logs), and Lambda sends
 * to an SSE-KMS queue with the function's role, which would then need kms:GenerateDataKey on the
 * key and the key policy a statement through SQS. The messages hold stream coordinates, no row
 * data, so SSE-SQS protects them at rest without widening the key.
 */
export class FailedRecords {
  readonly queue: aws.sqs.Queue;

  constructor(scope: AccessScope) {
    this.queue = new aws.sqs.Queue(
      `${scope.name}-lifecycle-failed`,
      {
        messageRetentionSeconds: FAILED_RECORDS_RETENTION_SECONDS,
        sqsManagedSseEnabled: true,
      },
      { parent: scope.parent },
    );
  }

  /** Lets `role` (the lifecycle function's) send to the queue, nothing else of SQS. */
  grantSend(scope: AccessScope, role: aws.iam.Role): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
      `${scope.name}-lifecycle-failed`,
      {
        role: role.id,
        policy: policyJson(this.queue.arn.apply((queueArn) => failedRecordsPolicy({ queueArn }))),
      },
      { parent: scope.parent },
    );
  }
}
