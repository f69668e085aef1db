/**
 * The shape of every IAM document the program generates, and the pieces several owners share.
 * Documents are built as typed objects from plain values: components resolve their Outputs and
 * call the builders beside this module (grouped by the account and role that holds each
 * document); tests and the security evaluation read the same objects.
 */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?:
    "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, string | readonly string[]>>>
  >;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export const policyDocument = (...Statement: PolicyStatement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement,
});

/** Trust for a role that an AWS service (Lambda, SageMaker, API Gateway) assumes. */
export function serviceTrustPolicy(service: string): PolicyDocument {
  return policyDocument({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
  });
}

/** A SageMaker resource of one account and region: `kind` is e.g. `user-profile/<domain>/*`. */
export function sageMakerArn(region: string, accountId: string, kind: string): string {
  return `arn:aws:sagemaker:${region}:${accountId}:${kind}`;
}

/** A role passed only to SageMaker (for the jobs and profiles it runs), never to another service. */
export const PASSED_TO_SAGEMAKER_ONLY = {
  StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" },
} as const;

/**
 * What Lambda needs to attach a function to a VPC (the hub's, or a LOB's for the home-directory
 * function); EC2 offers no narrower resource.
 */
export function attachToVpc(sid: "AttachToHubVpc" | "AttachToLobVpc"): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ],
    Resource: "*",
  };
}

/** Lambda writes its own log lines; the group exists already, with its retention. */
export function writeLogs(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn}:*`,
  };
}
