import { policyDocument, type PolicyDocument } from "./document";

/**
 * The hub's data key: the account administers it through IAM; the account's principals may use it
 * only through DynamoDB in this region (AWS's documented key policy for tables under a
 * customer-managed key: DynamoDB calls KMS with the caller's identity); and CloudWatch Logs may use
 * it for this account's log groups in this region (AWS's documented key policy for log groups).
 */
export function dataKeyPolicy(args: { region: string; accountId: string }): PolicyDocument {
  return policyDocument(
    {
      Sid: "AccountAdministersThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${args.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "ThroughDynamoDbForThisAccount",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:CreateGrant",
        "kms:DescribeKey",
      ],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:ViaService": `dynamodb.${args.region}.amazonaws.com`,
          "kms:CallerAccount": args.accountId,
        },
      },
    },
    {
      Sid: "LogsForThisAccountsLogGroups",
      Effect: "Allow",
      Principal: { Service: `logs.${args.region}.amazonaws.com` },
      Action: [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ],
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${args.region}:${args.accountId}:log-group:*`,
        },
      },
    },
  );
}
