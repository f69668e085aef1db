/**
 * Every IAM document the program generates, built as typed objects from plain values. Components
 * resolve their Outputs and call these; tests and the security evaluation read the same objects.
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

const document = (...Statement: PolicyStatement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement,
});

/** Trust for a role that an AWS service (Lambda, SageMaker, API Gateway) assumes. */
export function serviceTrustPolicy(service: string): PolicyDocument {
  return document({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
}

/** The ARN every LOB's access role has: the only roles the presigner may assume. */
export function accessRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** Lambda writes its own log lines; the group exists already, with its retention. */
function writeLogs(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn}:*`,
  };
}

export function authorizerPolicy(args: { logGroupArn: string }): PolicyDocument {
  return document(writeLogs(args.logGroupArn));
}

export function presignerPolicy(args: {
  usersTableArn: string;
  lobsTableArn: string;
  accessRoleArns: readonly string[];
  logGroupArn: string;
}): PolicyDocument {
  return document(
    {
      Sid: "ReadEntitlementsAndLobs",
      Effect: "Allow",
      Action: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"],
      Resource: [args.usersTableArn, args.lobsTableArn],
    },
    {
      Sid: "AssumeLobAccessRoles",
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: [...args.accessRoleArns].sort(),
    },
    writeLogs(args.logGroupArn),
    {
      // What Lambda needs to attach the function to the hub VPC; EC2 offers no narrower resource.
      Sid: "AttachToHubVpc",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    },
  );
}

/** Only the hub's presigner role may assume a LOB's access role, and only through the hub's STS endpoint. */
export function accessRoleTrustPolicy(args: {
  presignerRoleArn: string;
  stsEndpointId: string;
}): PolicyDocument {
  return document({
    Sid: "HubPresignerThroughHubEndpoint",
    Effect: "Allow",
    Principal: { AWS: args.presignerRoleArn },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceVpce": args.stsEndpointId } },
  });
}

/**
 * The access role may presign (and describe) the domain's user profiles, only through the hub's
 * SageMaker API endpoint (URL creation) or Studio endpoint (Studio re-authorises every later
 * request against this role). Nothing else.
 */
export function accessRolePolicy(args: {
  region: string;
  accountId: string;
  domainId: string;
  sageMakerApiEndpointId: string;
  studioEndpointId: string;
}): PolicyDocument {
  return document({
    Sid: "PresignThroughHubEndpoints",
    Effect: "Allow",
    Action: ["sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeUserProfile"],
    Resource: `arn:aws:sagemaker:${args.region}:${args.accountId}:user-profile/${args.domainId}/*`,
    Condition: {
      StringEquals: { "aws:SourceVpce": [args.sageMakerApiEndpointId, args.studioEndpointId] },
    },
  });
}

/** The private API answers only requests that arrive through the hub's execute-api endpoint. */
export function apiResourcePolicy(args: { executeApiEndpointId: string }): PolicyDocument {
  return document(
    {
      Sid: "InvokeThroughHubEndpoint",
      Effect: "Allow",
      Principal: "*",
      Action: "execute-api:Invoke",
      Resource: "execute-api:/*",
      Condition: { StringEquals: { "aws:SourceVpce": args.executeApiEndpointId } },
    },
    {
      Sid: "DenyEverywhereElse",
      Effect: "Deny",
      Principal: "*",
      Action: "execute-api:Invoke",
      Resource: "execute-api:/*",
      Condition: { StringNotEquals: { "aws:SourceVpce": args.executeApiEndpointId } },
    },
  );
}

/**
 * What a Studio user's apps may do as the LOB's execution role: run their own apps and spaces in
 * this domain and write Studio's logs. Data access (S3, ECR, …) is each LOB's own addition.
 */
export function studioExecutionPolicy(args: {
  region: string;
  accountId: string;
  domainId: string;
}): PolicyDocument {
  const arn = (kind: string) => `arn:aws:sagemaker:${args.region}:${args.accountId}:${kind}`;
  return document(
    {
      Sid: "OwnDomainAppsAndSpaces",
      Effect: "Allow",
      Action: [
        "sagemaker:DescribeDomain",
        "sagemaker:DescribeUserProfile",
        "sagemaker:DescribeSpace",
        "sagemaker:DescribeApp",
        "sagemaker:CreateApp",
        "sagemaker:DeleteApp",
        "sagemaker:AddTags",
        "sagemaker:ListTags",
      ],
      Resource: [
        arn(`domain/${args.domainId}`),
        arn(`user-profile/${args.domainId}/*`),
        arn(`space/${args.domainId}/*`),
        arn(`app/${args.domainId}/*`),
      ],
    },
    {
      Sid: "ListStudioResources",
      Effect: "Allow",
      Action: ["sagemaker:ListApps", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"],
      Resource: "*",
    },
    {
      Sid: "WriteStudioLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:${args.region}:${args.accountId}:log-group:/aws/sagemaker/*`,
    },
  );
}

/**
 * The service control policy for the LOB accounts (or their OU): nobody there, administrators
 * included, may create a Studio URL except through the hub's endpoints. This closes the console and
 * CLI paths the references warned about. Attach it from the organization's management account.
 */
export function studioGuardrailScp(args: {
  sageMakerApiEndpointId: string;
  studioEndpointId: string;
}): PolicyDocument {
  return document({
    Sid: "StudioUrlsOnlyThroughHubEndpoints",
    Effect: "Deny",
    Action: "sagemaker:CreatePresignedDomainUrl",
    Resource: "*",
    Condition: {
      StringNotEquals: { "aws:SourceVpce": [args.sageMakerApiEndpointId, args.studioEndpointId] },
    },
  });
}
