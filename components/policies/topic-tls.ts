import type { PolicyStatement } from "./document";

/**
 * A topic policy's TLS-only statement: every request to the topic not made over TLS is denied,
 * whoever makes it. AWS recommends it ("Amazon SNS security best practices: Enforce encryption of
 * data in transit", https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html#enforce-encryption-data-in-transit):
 * a Deny where `aws:SecureTransport` is false. The alarm topic and each LOB's budget-alert topic
 * carry the same statement.
 */
export const topicTlsOnlyStatement = (topicArn: string): PolicyStatement => ({
  Sid: "TlsOnly",
  Effect: "Deny",
  Principal: "*",
  Action: "sns:*",
  Resource: topicArn,
  Condition: { Bool: { "aws:SecureTransport": "false" } },
});
