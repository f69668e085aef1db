import { policyDocument, type PolicyDocument, type PolicyStatement } from "./document";
import { topicTlsOnlyStatement } from "./topic-tls";

/** The partition of a region's ARNs: aws-cn in China, aws-us-gov in GovCloud (US), else aws. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The ARN pattern of this account's CloudWatch alarms in this region. */
export const alarmArnPattern = (region: string, accountId: string) =>
  `arn:${partitionOfRegion(region)}:cloudwatch:${region}:${accountId}:alarm:*`;

/**
 * The alarm topic's resource policy: CloudWatch may publish to it for this account's alarms only
 * (aws:SourceAccount and aws:SourceArn, against the confused deputy: "Amazon SNS topic policy
 * for CloudWatch alarms", "Using Amazon CloudWatch alarms",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html), and
 * nobody reaches it but over TLS. The account's own principals act on it through IAM (a
 * same-account identity policy suffices).
 */
export function alarmTopicPolicy(args: {
  topicArn: string;
  region: string;
  accountId: string;
}): PolicyDocument {
  return policyDocument(
    {
      Sid: "CloudWatchAlarmsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: args.topicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": args.accountId },
        ArnLike: { "aws:SourceArn": alarmArnPattern(args.region, args.accountId) },
      },
    },
    topicTlsOnlyStatement(args.topicArn),
  );
}

/**
 * The data key's statement for the alarm topic: CloudWatch publishes to a topic encrypted with a
 * customer managed key only when the key policy lets it generate and decrypt data keys ("Enable
 * compatibility between event sources from AWS services and encrypted topics",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services);
 * the AWS managed key alias/aws/sns cannot grant that. Only for this account's alarms.
 */
export function alarmsKeyStatement(args: { region: string; accountId: string }): PolicyStatement {
  return {
    Sid: "CloudWatchAlarmsToTheAlarmTopic",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    Resource: "*",
    Condition: {
      StringEquals: { "aws:SourceAccount": args.accountId },
      ArnLike: { "aws:SourceArn": alarmArnPattern(args.region, args.accountId) },
    },
  };
}

/**
 * The lifecycle function's role may send to its on-failure queue, and nothing else of SQS: Lambda
 * sends a discarded batch's record with the function's execution role ("Execution role
 * permissions", "Capturing discarded batches for a DynamoDB event source",
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html). The queue is
 * encrypted with SQS-managed keys (SSE-SQS), so no KMS permission is needed.
 */
export function failedRecordsPolicy(args: { queueArn: string }): PolicyDocument {
  return policyDocument({
    Sid: "SendFailedRecords",
    Effect: "Allow",
    Action: "sqs:SendMessage",
    Resource: args.queueArn,
  });
}
