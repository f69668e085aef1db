import { policyDocument, type PolicyDocument } from "./document";
import { topicTlsOnlyStatement } from "./topic-tls";

/** The service principal AWS Budgets publishes its notifications as. */
export const BUDGETS_SERVICE = "budgets.amazonaws.com";

/**
 * The LOB's budget-alert topic's policy: only AWS Budgets may publish, and only for this account's
 * budgets. AWS's documented statement ("Creating an Amazon SNS topic for budget notifications",
 * https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html): principal
 * budgets.amazonaws.com, SNS:Publish on the topic, `aws:SourceAccount` the budget's account and
 * `aws:SourceArn` like `arn:aws:budgets::<account>:*` (the confused-deputy guard). The topic must be
 * in the budgets' account: "Cross-account Amazon SNS isn't supported". The account keeps managing
 * the topic through IAM (its owner's statement). Nobody reaches the topic but over TLS, as the
 * alarm topic (topicTlsOnlyStatement).
 */
export function budgetTopicPolicy(args: { accountId: string; topicArn: string }): PolicyDocument {
  return policyDocument(
    {
      Sid: "AccountManagesThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${args.accountId}:root` },
      Action: [
        "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes",
        "SNS:AddPermission",
        "SNS:RemovePermission",
        "SNS:DeleteTopic",
        "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic",
      ],
      Resource: args.topicArn,
    },
    {
      Sid: "BudgetsOfThisAccountPublish",
      Effect: "Allow",
      Principal: { Service: BUDGETS_SERVICE },
      Action: "SNS:Publish",
      Resource: args.topicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": args.accountId },
        ArnLike: { "aws:SourceArn": `arn:aws:budgets::${args.accountId}:*` },
      },
    },
    topicTlsOnlyStatement(args.topicArn),
  );
}

/**
 * The key that encrypts the budget-alert topic. An AWS service that publishes to an encrypted
 * topic needs kms:GenerateDataKey* and kms:Decrypt on a customer managed key (the AWS managed
 * alias/aws/sns key's policy cannot grant it): "Amazon SNS: Key management, Enable compatibility
 * between event sources from AWS services and encrypted topics"
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * The account administers it through IAM; AWS Budgets may use it for this account's budgets only.
 */
export function budgetTopicKeyPolicy(args: { accountId: string }): PolicyDocument {
  return policyDocument(
    {
      Sid: "AccountAdministersThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${args.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "BudgetsOfThisAccountEncrypt",
      Effect: "Allow",
      Principal: { Service: BUDGETS_SERVICE },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
    },
  );
}
