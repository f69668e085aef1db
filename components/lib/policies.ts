import { DEFAULT_TEAM, TAGS, teamRoleArn } from "../../functions/shared/teams";
import { HOMES_FUNCTION_NAME, homesFunctionArn } from "../../functions/shared/homes";
import { QUOTAS } from "./quotas";
import { DISABLED_PARTITION } from "../../functions/shared/tables";

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

/**
 * Studio's execution role: SageMaker assumes it, and sets the user profile's name as the session's
 * source identity (the domain's ExecutionRoleIdentityConfig), so the LOB's CloudTrail names the
 * profile behind every call made from Studio.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/monitor-user-access.html
 */
export function executionRoleTrustPolicy(): PolicyDocument {
  return document({
    Effect: "Allow",
    Principal: { Service: "sagemaker.amazonaws.com" },
    Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
  });
}

/** The ARN every LOB's access role has: the only roles the presigner may assume. */
export function accessRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** The name of every LOB's provisioning role: the access role's, with a suffix. */
export function provisionerRoleName(accessRoleName: string): string {
  return `${accessRoleName}-provisioner`;
}

/** The roles the presigner and the SAML entry assume in each LOB account: access and provisioning. */
export function lobAccessRoleArns(accountIds: readonly string[], accessRoleName: string): string[] {
  return accountIds.flatMap((account) => [
    accessRoleArn(account, accessRoleName),
    accessRoleArn(account, provisionerRoleName(accessRoleName)),
  ]);
}

/** The name of every LOB's lifecycle role (offboarding): the access role's, with a suffix. */
export function lifecycleRoleName(accessRoleName: string): string {
  return `${accessRoleName}-lifecycle`;
}

/**
 * What the lifecycle function may write in an entitlement row: its key and the offboarding state
 * it keeps. DynamoDB needs the key attributes listed ("If you use dynamodb:Attributes, you must
 * specify the names of all of the primary key and index key attributes for the table and any
 * secondary indexes that are listed in the policy", Using IAM policy conditions for fine-grained
 * access control, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html);
 * the by-username index is not listed in the policy, so its keys are not.
 */
export const LIFECYCLE_ROW_ATTRIBUTES = ["lob", "userTeam", "state", "stateAt", "detail"] as const;

/**
 * The lifecycle function's rights in the hub: read the entitlements table's stream, read a row
 * again and the LOB records, update a row's offboarding state (never delete a row: an offboarded
 * row stays as the marker that keeps the user out), its logs and the hub VPC. UpdateItem may name
 * only the key, `state`, `stateAt` and `detail` and return nothing, so it cannot write a username,
 * team or profile name, nor read one back; UpdateItem also creates a missing row, which the
 * function's own ConditionExpression (the row exists and is being offboarded) forbids. Assuming the
 * LOBs' lifecycle roles is granted by `assumeRolesPolicies`, attached beside it.
 */
export function lifecyclePolicy(args: {
  usersTableArn: string;
  streamArn: string;
  lobsTableArn: string;
  logGroupArn: string;
}): PolicyDocument {
  return document(
    {
      Sid: "ReadEntitlementChanges",
      Effect: "Allow",
      Action: [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
      ],
      Resource: args.streamArn,
    },
    {
      // Each record's row is read again: the row, not the event, decides.
      Sid: "ReadEntitlementsAndLobs",
      Effect: "Allow",
      Action: "dynamodb:GetItem",
      Resource: [args.usersTableArn, args.lobsTableArn],
    },
    {
      Sid: "RecordOffboarding",
      Effect: "Allow",
      Action: "dynamodb:UpdateItem",
      Resource: args.usersTableArn,
      Condition: {
        "ForAllValues:StringEquals": { "dynamodb:Attributes": [...LIFECYCLE_ROW_ATTRIBUTES] },
        // Never a disabled marker: only an admin lifts a disable.
        "ForAllValues:StringNotEquals": { "dynamodb:LeadingKeys": [DISABLED_PARTITION] },
        // UpdateItem's ReturnValues "always has a value (NONE unless otherwise specified)" (the
        // same page), so StringEquals, not ...IfExists.
        StringEquals: { "dynamodb:ReturnValues": "NONE" },
      },
    },
    writeLogs(args.logGroupArn),
    attachToHubVpc,
  );
}

/**
 * A LOB's lifecycle role drains and deletes the profiles studio-access made there, and nothing
 * else, only through the hub's SageMaker API endpoint: read a profile's tags (the function checks
 * they name the entitlement's user, team and LOB before anything), delete apps tagged with this
 * LOB, spaces owned by a profile of this domain, and profiles tagged with this LOB and a user. With
 * `homeDirectories: remove`, it may also invoke the LOB's home-directory function, tagged with this
 * LOB, only through the hub's Lambda endpoint.
 */
export function lifecycleLobPolicy(args: {
  region: string;
  accountId: string;
  domainId: string;
  lob: string;
  sageMakerApiEndpointId: string;
  removeHomes?: { lambdaEndpointId: string };
}): PolicyDocument {
  const arn = (kind: string) => `arn:aws:sagemaker:${args.region}:${args.accountId}:${kind}`;
  const throughHub = { "aws:SourceVpce": args.sageMakerApiEndpointId };
  const lobTag = { [`aws:ResourceTag/${TAGS.lob}`]: args.lob };
  return document(
    {
      Sid: "ListStudioResources",
      Effect: "Allow",
      Action: ["sagemaker:ListApps", "sagemaker:ListSpaces"],
      Resource: "*",
      Condition: { StringEquals: throughHub },
    },
    {
      // An app carries its domain's tags ("Tags that you specify for the Domain are also added to
      // all Apps that the Domain launches", API_CreateDomain), and the spoke tags its domain with
      // its LOB: an app of another LOB's domain, or of an untagged one, is refused.
      // https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html
      Sid: "DeleteAppsOfLob",
      Effect: "Allow",
      Action: "sagemaker:DeleteApp",
      Resource: arn(`app/${args.domainId}/*`),
      Condition: { StringEquals: { ...throughHub, ...lobTag } },
    },
    {
      // Spaces are not documented to inherit the domain's tags. The narrowest documented key of
      // DeleteSpace is its owner's profile ARN (sagemaker:OwnerUserProfileArn, Actions, resources
      // and condition keys for Amazon SageMaker AI): a space owned by a profile of this domain.
      // The function deletes only the spaces of the profile whose tags it checked.
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html
      Sid: "DeleteSpacesOfDomainProfiles",
      Effect: "Allow",
      Action: "sagemaker:DeleteSpace",
      Resource: arn(`space/${args.domainId}/*`),
      Condition: {
        StringEquals: throughHub,
        ArnLike: { "sagemaker:OwnerUserProfileArn": arn(`user-profile/${args.domainId}/*`) },
      },
    },
    {
      // Without a tag condition: a profile already deleted has no tags, and its describe must
      // say ResourceNotFound (done), not AccessDenied; an untagged profile's tags are read to be
      // refused.
      Sid: "WatchProfiles",
      Effect: "Allow",
      Action: ["sagemaker:DescribeUserProfile", "sagemaker:ListTags"],
      Resource: arn(`user-profile/${args.domainId}/*`),
      Condition: { StringEquals: throughHub },
    },
    {
      // A profile studio-access made: tagged with this LOB and with its user (the provisioning
      // role cannot create one without both).
      Sid: "DeleteOwnProfiles",
      Effect: "Allow",
      Action: "sagemaker:DeleteUserProfile",
      Resource: arn(`user-profile/${args.domainId}/*`),
      Condition: {
        StringEquals: { ...throughHub, ...lobTag },
        Null: { [`aws:ResourceTag/${TAGS.username}`]: "false" },
      },
    },
    ...(args.removeHomes
      ? [
          {
            // Lambda decides InvokeFunction with the function's tags (aws:ResourceTag), and the
            // spoke tags its home-directory function with its LOB.
            // https://docs.aws.amazon.com/lambda/latest/dg/attribute-based-access-control.html
            Sid: "RemoveHomeDirectories",
            Effect: "Allow" as const,
            Action: "lambda:InvokeFunction",
            Resource: homesFunctionArn(args.region, args.accountId),
            Condition: {
              StringEquals: {
                "aws:SourceVpce": args.removeHomes.lambdaEndpointId,
                ...lobTag,
              },
            },
          },
        ]
      : []),
  );
}

/** Trust of the hub's admin role: the principals the hub config names as admins, nothing else. */
export function adminTrustPolicy(args: { admins: readonly string[] }): PolicyDocument {
  return document({
    Sid: "ConfiguredAdminsOnly",
    Effect: "Allow",
    Principal: { AWS: [...args.admins].sort() },
    Action: "sts:AssumeRole",
  });
}

/**
 * What `studio-access admin` may do: disable a user of the pool and enable them again (`admin grant
 * --enable`), read the LOBs, read entitlements and disabled markers, grant (put) and revoke
 * (update) them. Not delete: a revoked row is offboarded by the lifecycle function and stays,
 * so an admin can neither skip offboarding nor erase a revocation.
 */
export function adminPolicy(args: {
  usersTableArn: string;
  lobsTableArn: string;
  userPoolArn: string;
}): PolicyDocument {
  return document(
    {
      Sid: "DisableAndEnableUsers",
      Effect: "Allow",
      Action: ["cognito-idp:AdminDisableUser", "cognito-idp:AdminEnableUser"],
      Resource: args.userPoolArn,
    },
    {
      Sid: "ReadLobs",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Scan"],
      Resource: args.lobsTableArn,
    },
    {
      Sid: "GrantRevokeAndList",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: [args.usersTableArn, `${args.usersTableArn}/index/*`],
    },
  );
}

/** What Lambda needs to attach a function to the hub VPC; EC2 offers no narrower resource. */
const attachToHubVpc: PolicyStatement = {
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
};

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

/**
 * The presigner's inline rights: read entitlements and LOBs, its logs, the hub VPC. Assuming the
 * LOBs' access and provisioning roles is granted by `assumeRolesPolicies`, attached beside it.
 */
export function presignerPolicy(args: {
  usersTableArn: string;
  lobsTableArn: string;
  logGroupArn: string;
}): PolicyDocument {
  return document(
    {
      Sid: "ReadEntitlementsAndLobs",
      Effect: "Allow",
      Action: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"],
      Resource: [args.usersTableArn, `${args.usersTableArn}/index/*`, args.lobsTableArn],
    },
    writeLogs(args.logGroupArn),
    attachToHubVpc,
  );
}

/**
 * `sts:AssumeRole` on exactly these roles, as customer-managed policies of at most 6,144
 * characters each (IAM's quota per managed policy; a role's inline policies share 10,240
 * characters, which 83 LOBs' roles would fill). ARNs are sorted and packed in order, so a hub
 * with N LOBs needs about N / 42 policies for the presigner and N / 85 for the lifecycle function,
 * each attached to the role (IAM's default quota: 10 per role).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export function assumeRolesPolicies(sid: string, roleArns: readonly string[]): PolicyDocument[] {
  const limit = QUOTAS.managedPolicyCharacters.limit;
  const of = (arns: readonly string[]) =>
    document({ Sid: sid, Effect: "Allow", Action: "sts:AssumeRole", Resource: [...arns] });
  // The document's length is counted as ARNs are added (each adds its JSON string, and a comma
  // after the first) rather than serialised again each time: a hub of hundreds of LOBs is
  // checked at every config parse.
  const empty = JSON.stringify(of([])).length;
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = empty;
  for (const arn of [...new Set(roleArns)].sort()) {
    const added = JSON.stringify(arn).length;
    if (current.length > 0 && length + 1 + added > limit) {
      chunks.push(current);
      current = [];
      length = empty;
    }
    if (empty + added > limit)
      throw new Error(`the role ARN ${arn} alone exceeds ${String(limit)} characters`);
    length += added + (current.length > 0 ? 1 : 0);
    current.push(arn);
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map(of);
}

/**
 * The SAML entry's inline rights: the presigner's (read entitlements and LOBs, logs, the hub VPC),
 * and its own replay table's rows, assertion and choice ones only. It assumes the access roles
 * through the same `assumeRolesPolicies` as the presigner.
 */
export function samlEntryPolicy(args: {
  usersTableArn: string;
  lobsTableArn: string;
  replayTableArn: string;
  logGroupArn: string;
}): PolicyDocument {
  const presigner = presignerPolicy(args);
  return document(...presigner.Statement, {
    Sid: "RecordAssertionsAndChoices",
    Effect: "Allow",
    Action: ["dynamodb:PutItem", "dynamodb:DeleteItem"],
    Resource: args.replayTableArn,
    // ForAllValues holds for a request with no keys at all; the Null guard refuses such a one.
    Condition: {
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["assertion#*", "choice#*"] },
      Null: { "dynamodb:LeadingKeys": "false" },
    },
  });
}

/**
 * Only the hub's presigner role (and its SAML entry's, when there is one) may assume a LOB's access
 * role, and only through the hub's STS endpoint.
 */
export function accessRoleTrustPolicy(args: {
  presignerRoleArn: string;
  samlRoleArn?: string;
  stsEndpointId: string;
}): PolicyDocument {
  return document({
    Sid: "HubPresignerThroughHubEndpoint",
    Effect: "Allow",
    Principal: {
      AWS: args.samlRoleArn ? [args.presignerRoleArn, args.samlRoleArn] : args.presignerRoleArn,
    },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceVpce": args.stsEndpointId } },
  });
}

/**
 * The access role may presign (and describe) the domain's user profiles that studio-access made
 * for this LOB (tagged `studio-access:lob`), only through the hub's SageMaker API endpoint (URL
 * creation) or Studio endpoint (Studio re-authorises every later request against this role).
 * Nothing else: a profile a LOB pipeline made by hand, untagged, cannot be presigned. The user
 * profile resource type carries `aws:ResourceTag/${TagKey}` for CreatePresignedDomainUrl (Service
 * Authorization Reference, Amazon SageMaker AI, resource type user-profile).
 */
export function accessRolePolicy(args: {
  region: string;
  accountId: string;
  domainId: string;
  lob: string;
  sageMakerApiEndpointId: string;
  studioEndpointId: string;
}): PolicyDocument {
  return document({
    Sid: "PresignOwnLobProfilesThroughHubEndpoints",
    Effect: "Allow",
    Action: ["sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeUserProfile"],
    Resource: `arn:aws:sagemaker:${args.region}:${args.accountId}:user-profile/${args.domainId}/*`,
    Condition: {
      StringEquals: {
        "aws:SourceVpce": [args.sageMakerApiEndpointId, args.studioEndpointId],
        [`aws:ResourceTag/${TAGS.lob}`]: args.lob,
      },
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
 * What a Studio user's apps may do as the LOB's execution role: read the domain, run and stop their
 * own apps and private spaces, and write Studio's logs. Every user of the LOB shares this role, so
 * changes are confined to what the caller owns: Studio sets `sagemaker:DomainId` and
 * `sagemaker:UserProfileName` for calls made from a user's apps, and SageMaker sets
 * `sagemaker:OwnerUserProfileArn` on space-bound resources (AWS's documented pattern for Studio
 * spaces). A colleague's apps and spaces can be seen, never stopped, changed or deleted. Data
 * access (S3, ECR, ...) is each LOB's own addition.
 */
export function studioExecutionPolicy(args: {
  region: string;
  accountId: string;
  domainId: string;
}): PolicyDocument {
  const arn = (kind: string) => `arn:aws:sagemaker:${args.region}:${args.accountId}:${kind}`;
  const ownProfile = arn(`user-profile/${args.domainId}/\${sagemaker:UserProfileName}`);
  return document(
    {
      Sid: "ReadOwnDomain",
      Effect: "Allow",
      Action: [
        "sagemaker:DescribeDomain",
        "sagemaker:DescribeUserProfile",
        "sagemaker:DescribeSpace",
        "sagemaker:DescribeApp",
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
      // Apps of the user's own profile (not of a space): their ARN names the profile.
      Sid: "OwnProfileApps",
      Effect: "Allow",
      Action: ["sagemaker:CreateApp", "sagemaker:DeleteApp"],
      Resource: arn(`app/${args.domainId}/\${sagemaker:UserProfileName}/*`),
      Condition: { Null: { "sagemaker:OwnerUserProfileArn": "true" } },
    },
    {
      Sid: "OwnSpaces",
      Effect: "Allow",
      Action: [
        "sagemaker:CreateSpace",
        "sagemaker:UpdateSpace",
        "sagemaker:DeleteSpace",
        "sagemaker:AddTags",
      ],
      Resource: arn(`space/${args.domainId}/*`),
      Condition: {
        ArnLike: { "sagemaker:OwnerUserProfileArn": ownProfile },
        StringEquals: { "sagemaker:SpaceSharingType": ["Private", "Shared"] },
      },
    },
    {
      Sid: "OwnPrivateSpaceApps",
      Effect: "Allow",
      Action: ["sagemaker:CreateApp", "sagemaker:DeleteApp", "sagemaker:AddTags"],
      Resource: arn(`app/${args.domainId}/*`),
      Condition: {
        ArnLike: { "sagemaker:OwnerUserProfileArn": ownProfile },
        StringEquals: { "sagemaker:SpaceSharingType": ["Private"] },
      },
    },
    {
      Sid: "WriteStudioLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:${args.region}:${args.accountId}:log-group:/aws/sagemaker/*`,
    },
  );
}

/** The tag every hub-side piece of a LOB carries; the LOB's deployer role may touch only its own. */
export const LOB_TAG = TAGS.lob;

/**
 * What a team's Studio may make and manage beyond its own apps and spaces: SageMaker's job, model
 * and pipeline resources. ABAC keeps each team to its own (`teamAbacPolicy`).
 */
export const TEAM_RESOURCE_KINDS = [
  "training-job",
  "processing-job",
  "transform-job",
  "hyper-parameter-tuning-job",
  "automl-job",
  "model",
  "model-package-group",
  "endpoint-config",
  "endpoint",
  "experiment",
  "experiment-trial",
  "experiment-trial-component",
  "pipeline",
] as const;

/** The calling role's own team, as IAM resolves it from the role's tag. */
const OWN_TEAM = `\${aws:PrincipalTag/${TAGS.team}}`;

/**
 * Attribute-based access control of a team's execution role (seed 002, "Configuring Amazon
 * SageMaker Studio for teams and groups with complete resource isolation"): every SageMaker
 * `Create*` of a team resource must carry the caller's team tag; describe, start, stop, update and
 * delete only resources tagged with the caller's team; the team tag cannot be removed; the role
 * may pass only itself, and only to SageMaker (for the jobs it starts). The team comes from the
 * role's own tag (`aws:PrincipalTag`), so one document serves every team.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html
 */
export function teamAbacPolicy(args: {
  region: string;
  accountId: string;
  teamRoleArn: string;
}): PolicyDocument {
  const resources = TEAM_RESOURCE_KINDS.map(
    (kind) => `arn:aws:sagemaker:${args.region}:${args.accountId}:${kind}/*`,
  );
  return document(
    {
      Sid: "CreateOnlyTaggedWithOwnTeam",
      Effect: "Allow",
      Action: "sagemaker:Create*",
      Resource: resources,
      Condition: { StringEquals: { [`aws:RequestTag/${TAGS.team}`]: OWN_TEAM } },
    },
    {
      // Tags on create are authorised as AddTags; an existing resource of another team keeps its tag.
      Sid: "TagOnlyWithOwnTeam",
      Effect: "Allow",
      Action: "sagemaker:AddTags",
      Resource: resources,
      Condition: {
        StringEquals: { [`aws:RequestTag/${TAGS.team}`]: OWN_TEAM },
        StringEqualsIfExists: { [`aws:ResourceTag/${TAGS.team}`]: OWN_TEAM },
      },
    },
    {
      Sid: "ManageOnlyOwnTeamResources",
      Effect: "Allow",
      Action: [
        "sagemaker:Describe*",
        "sagemaker:Start*",
        "sagemaker:Stop*",
        "sagemaker:Update*",
        "sagemaker:Delete*",
      ],
      Resource: resources,
      Condition: { StringEquals: { [`aws:ResourceTag/${TAGS.team}`]: OWN_TEAM } },
    },
    {
      Sid: "KeepTeamTag",
      Effect: "Deny",
      Action: "sagemaker:DeleteTags",
      Resource: "*",
      Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": [TAGS.team] } },
    },
    {
      Sid: "PassOwnRoleToSageMaker",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: args.teamRoleArn,
      Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    },
  );
}

/**
 * Actions no team needs, denied whatever a team's own policies allow: administering the domain and
 * its profiles (which decide who gets which role), presigned URLs (only the access role opens
 * Studio), notebook instances (outside the VpcOnly domain's network) and labeling workforces (which
 * would show data to people outside the organization).
 */
export const TEAM_DENIED_ACTIONS = [
  "sagemaker:CreateDomain",
  "sagemaker:UpdateDomain",
  "sagemaker:DeleteDomain",
  "sagemaker:CreateUserProfile",
  "sagemaker:UpdateUserProfile",
  "sagemaker:DeleteUserProfile",
  "sagemaker:CreatePresignedDomainUrl",
  "sagemaker:CreatePresignedNotebookInstanceUrl",
  "sagemaker:CreateNotebookInstance",
  "sagemaker:UpdateNotebookInstance",
  "sagemaker:CreateWorkforce",
  "sagemaker:UpdateWorkforce",
  "sagemaker:CreateWorkteam",
  "sagemaker:UpdateWorkteam",
] as const;

export function teamDenyPolicy(): PolicyDocument {
  return document({
    Sid: "DenyWhatNoTeamNeeds",
    Effect: "Deny",
    Action: [...TEAM_DENIED_ACTIONS],
    Resource: "*",
  });
}

/**
 * The provisioning role creates a user's profile on first sign-in, and may create nothing else:
 * in this domain only, through the hub's SageMaker API endpoint, with exactly the username, team and
 * LOB tags. A profile named `<team>--*` must carry that team's tag, so a name cannot claim another
 * team: the profile ARN the statement allows is built from the request's own team tag (the policy
 * variable `${aws:RequestTag/studio-access:team}`; "Global condition context keys can be used as
 * variables", IAM policy elements: Variables and tags,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html), and that tag
 * must name one of the LOB's teams. One statement serves every team, so the policy grows by a team
 * name and a role ARN per team, not by a statement: IAM's 10,240 characters of inline policy per
 * role hold about 80 teams rather than 14. A LOB without teams (its one team, `default`) may create
 * any profile name with the default team's tag. It may pass the teams' execution roles, to
 * SageMaker only. IAM cannot tie the role passed to the tag given (CreateUserProfile has no
 * condition key for the execution role): the presigner derives both from the team.
 */
export function provisionerPolicy(args: {
  region: string;
  accountId: string;
  domainId: string;
  lob: string;
  teams: readonly string[];
  sageMakerApiEndpointId: string;
}): PolicyDocument {
  const profiles = `arn:aws:sagemaker:${args.region}:${args.accountId}:user-profile/${args.domainId}`;
  const create = (sid: string, resource: string, teams: readonly string[]): PolicyStatement => ({
    Sid: sid,
    Effect: "Allow",
    Action: ["sagemaker:CreateUserProfile", "sagemaker:AddTags"],
    Resource: resource,
    Condition: {
      StringEquals: {
        [`aws:RequestTag/${TAGS.lob}`]: args.lob,
        [`aws:RequestTag/${TAGS.team}`]: teams.length === 1 ? (teams[0] ?? "") : [...teams],
        "aws:SourceVpce": args.sageMakerApiEndpointId,
      },
      "ForAllValues:StringEquals": { "aws:TagKeys": [TAGS.lob, TAGS.team, TAGS.username] },
      Null: { [`aws:RequestTag/${TAGS.username}`]: "false" },
    },
  });
  // The config refuses a team named "default": a LOB has either it alone or named teams.
  const named = args.teams.filter((team) => team !== DEFAULT_TEAM);
  return document(
    ...(args.teams.includes(DEFAULT_TEAM)
      ? [create("CreateProfilesOfTeamDefault", `${profiles}/*`, [DEFAULT_TEAM])]
      : []),
    ...(named.length > 0
      ? [create("CreateProfilesOfOwnTeam", `${profiles}/\${aws:RequestTag/${TAGS.team}}--*`, named)]
      : []),
    {
      // Describe and ListTags: a profile that exists already is checked as the user's (tags and
      // execution role) before it is waited for, never adopted.
      Sid: "WatchProfilesStart",
      Effect: "Allow",
      Action: ["sagemaker:DescribeUserProfile", "sagemaker:ListTags"],
      Resource: `${profiles}/*`,
      Condition: { StringEquals: { "aws:SourceVpce": args.sageMakerApiEndpointId } },
    },
    {
      Sid: "PassTeamRolesToSageMaker",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: args.teams.map((team) => teamRoleArn(args.accountId, team)),
      Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    },
  );
}

/**
 * Trust of a LOB's deployer role in the hub: only that LOB's deployment principal, named in the hub
 * config. Nothing else in the LOB account, and no other account, may assume it.
 */
export function deployerTrustPolicy(args: { deployer: string }): PolicyDocument {
  return document({
    Sid: "LobDeploymentPrincipalOnly",
    Effect: "Allow",
    Principal: { AWS: args.deployer },
    Action: "sts:AssumeRole",
  });
}

/**
 * What a LOB's stack does in the hub account, each piece confined to that LOB: accept its transit
 * gateway attachment and tag it as its own; associate only its own attachment, only with the
 * `spokes` route table, and propagate it only into the `hub` table (no routes, no other table);
 * authorize VPC associations with the hub zones in the hub's region; write only its own rows of the
 * tables (`dynamodb:LeadingKeys` = the LOB). The actions are those the AWS provider calls to create,
 * read, update and delete these resources.
 */
export function deployerPolicy(args: {
  region: string;
  hubAccountId: string;
  lob: string;
  spokesRouteTableId: string;
  hubRouteTableId: string;
  zoneIds: readonly string[];
  usersTableArn: string;
  lobsTableArn: string;
}): PolicyDocument {
  const ec2 = (resource: string) => `arn:aws:ec2:${args.region}:${args.hubAccountId}:${resource}`;
  const attachments = ec2("transit-gateway-attachment/*");
  const ownAttachment = { StringEquals: { [`aws:ResourceTag/${LOB_TAG}`]: args.lob } };
  return document(
    {
      Sid: "ReadTransitGateway",
      Effect: "Allow",
      Action: [
        "ec2:DescribeTransitGateways",
        "ec2:DescribeTransitGatewayAttachments",
        "ec2:DescribeTransitGatewayVpcAttachments",
        "ec2:DescribeTransitGatewayRouteTables",
        "ec2:GetTransitGatewayRouteTableAssociations",
        "ec2:GetTransitGatewayRouteTablePropagations",
      ],
      Resource: "*",
    },
    {
      // A pending attachment carries no hub-side tag yet; acceptance alone routes nothing.
      Sid: "AcceptAttachment",
      Effect: "Allow",
      Action: "ec2:AcceptTransitGatewayVpcAttachment",
      Resource: attachments,
    },
    {
      Sid: "TagAttachmentAsOwn",
      Effect: "Allow",
      Action: "ec2:CreateTags",
      Resource: attachments,
      Condition: {
        StringEquals: { [`aws:RequestTag/${LOB_TAG}`]: args.lob },
        StringEqualsIfExists: { [`aws:ResourceTag/${LOB_TAG}`]: args.lob },
      },
    },
    {
      Sid: "UntagOwnAttachment",
      Effect: "Allow",
      Action: "ec2:DeleteTags",
      Resource: attachments,
      Condition: {
        ...ownAttachment,
        "ForAllValues:StringNotEquals": { "aws:TagKeys": [LOB_TAG] },
      },
    },
    {
      Sid: "OwnAttachmentOnly",
      Effect: "Allow",
      Action: [
        "ec2:AssociateTransitGatewayRouteTable",
        "ec2:DisassociateTransitGatewayRouteTable",
        "ec2:EnableTransitGatewayRouteTablePropagation",
        "ec2:DisableTransitGatewayRouteTablePropagation",
        "ec2:DeleteTransitGatewayVpcAttachment",
      ],
      Resource: attachments,
      Condition: ownAttachment,
    },
    {
      Sid: "AssociateWithSpokesTable",
      Effect: "Allow",
      Action: ["ec2:AssociateTransitGatewayRouteTable", "ec2:DisassociateTransitGatewayRouteTable"],
      Resource: ec2(`transit-gateway-route-table/${args.spokesRouteTableId}`),
    },
    {
      Sid: "PropagateIntoHubTable",
      Effect: "Allow",
      Action: [
        "ec2:EnableTransitGatewayRouteTablePropagation",
        "ec2:DisableTransitGatewayRouteTablePropagation",
      ],
      Resource: ec2(`transit-gateway-route-table/${args.hubRouteTableId}`),
    },
    {
      // route53:VPCs pins the region; the VPC id is the spoke's, unknown until its stack runs.
      Sid: "AuthorizeZoneAssociations",
      Effect: "Allow",
      Action: [
        "route53:CreateVPCAssociationAuthorization",
        "route53:DeleteVPCAssociationAuthorization",
      ],
      Resource: [...args.zoneIds].sort().map((id) => `arn:aws:route53:::hostedzone/${id}`),
      Condition: { StringLike: { "route53:VPCs": `VPCId=*,VPCRegion=${args.region}` } },
    },
    {
      Sid: "ReadZoneAuthorizations",
      Effect: "Allow",
      Action: ["route53:ListVPCAssociationAuthorizations", "route53:GetHostedZone"],
      Resource: [...args.zoneIds].sort().map((id) => `arn:aws:route53:::hostedzone/${id}`),
    },
    {
      Sid: "OwnTableRowsOnly",
      Effect: "Allow",
      Action: [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
      ],
      Resource: [args.usersTableArn, args.lobsTableArn],
      Condition: {
        "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [args.lob] },
        Null: { "dynamodb:LeadingKeys": "false" },
      },
    },
  );
}

/**
 * Interface endpoint policy for the AWS APIs the hub serves (STS, SageMaker, Logs, Studio): only
 * principals of the organization may use them.
 */
export function organizationEndpointPolicy(args: { organizationId: string }): PolicyDocument {
  return document({
    Sid: "OrganizationOnly",
    Effect: "Allow",
    Principal: "*",
    Action: "*",
    Resource: "*",
    Condition: { StringEquals: { "aws:PrincipalOrgID": args.organizationId } },
  });
}

/**
 * The hub's Lambda endpoint: only the LOBs' home-directory functions may be invoked through it, by
 * principals of the organization (the LOBs' lifecycle roles, as the lifecycle function assumes them).
 */
export function lambdaEndpointPolicy(args: {
  region: string;
  organizationId: string;
}): PolicyDocument {
  return document({
    Sid: "HomeDirectoryFunctionsOnly",
    Effect: "Allow",
    Principal: "*",
    Action: "lambda:InvokeFunction",
    Resource: `arn:aws:lambda:${args.region}:*:function:${HOMES_FUNCTION_NAME}`,
    Condition: { StringEquals: { "aws:PrincipalOrgID": args.organizationId } },
  });
}

/**
 * The home-directory function's rights in its LOB account: mount the domain's home EFS through its
 * own access point only (as root, to remove any user's directory), its logs, and the LOB VPC.
 */
export function homesFunctionPolicy(args: {
  fileSystemArn: string;
  accessPointArn: string;
  logGroupArn: string;
}): PolicyDocument {
  return document(
    {
      Sid: "MountHomesThroughOwnAccessPoint",
      Effect: "Allow",
      Action: [
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
        "elasticfilesystem:ClientRootAccess",
      ],
      Resource: args.fileSystemArn,
      Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": args.accessPointArn } },
    },
    writeLogs(args.logGroupArn),
    { ...attachToHubVpc, Sid: "AttachToLobVpc" },
  );
}

/**
 * The SageMaker API endpoint: organization-only, and Studio URLs may be created through it by the
 * LOBs' access roles alone, so a LOB administrator on the corporate network gains nothing from it.
 */
export function sageMakerApiEndpointPolicy(args: {
  organizationId: string;
  accessRoleArns: readonly string[];
}): PolicyDocument {
  return document(...organizationEndpointPolicy(args).Statement, {
    Sid: "PresignOnlyAsAccessRoles",
    Effect: "Deny",
    Principal: "*",
    Action: "sagemaker:CreatePresignedDomainUrl",
    Resource: "*",
    Condition: { ArnNotEquals: { "aws:PrincipalArn": [...args.accessRoleArns].sort() } },
  });
}

/**
 * The execute-api endpoint serves the hub account's APIs and nothing else. Callers are anonymous to
 * IAM (they carry a bearer token), so the principal cannot be narrowed; the API's own resource
 * policy in turn admits only this endpoint.
 */
export function executeApiEndpointPolicy(args: {
  region: string;
  hubAccountId: string;
}): PolicyDocument {
  return document({
    Sid: "HubApisOnly",
    Effect: "Allow",
    Principal: "*",
    Action: "execute-api:Invoke",
    Resource: `arn:aws:execute-api:${args.region}:${args.hubAccountId}:*`,
  });
}

/**
 * The service control policy for the LOB accounts (or their OU): nobody there, administrators
 * included, may create a Studio URL, except the LOB's access role, and that only through the hub's
 * endpoints. This closes the console and CLI paths the references warned about, and the corporate
 * network path through the hub's own endpoint. Attach it from the organization's management account.
 */
export function studioGuardrailScp(args: {
  sageMakerApiEndpointId: string;
  studioEndpointId: string;
  accessRoleName: string;
}): PolicyDocument {
  return document(
    {
      Sid: "StudioUrlsOnlyForTheAccessRole",
      Effect: "Deny",
      Action: "sagemaker:CreatePresignedDomainUrl",
      Resource: "*",
      Condition: {
        ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::*:role/${args.accessRoleName}` },
      },
    },
    {
      Sid: "StudioUrlsOnlyThroughHubEndpoints",
      Effect: "Deny",
      Action: "sagemaker:CreatePresignedDomainUrl",
      Resource: "*",
      Condition: {
        StringNotEquals: { "aws:SourceVpce": [args.sageMakerApiEndpointId, args.studioEndpointId] },
      },
    },
  );
}

/**
 * The hub's data key: the account administers it through IAM; the account's principals may use it
 * only through DynamoDB in this region (AWS's documented key policy for tables under a
 * customer-managed key: DynamoDB calls KMS with the caller's identity); and CloudWatch Logs may use
 * it for this account's log groups in this region (AWS's documented key policy for log groups).
 */
export function dataKeyPolicy(args: { region: string; accountId: string }): PolicyDocument {
  return document(
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

/** CloudTrail may write the trail's log files to its bucket, and nothing else may (TLS only). */
export function auditTrailBucketPolicy(args: {
  bucketArn: string;
  trailArn: string;
}): PolicyDocument {
  return document(
    {
      Sid: "TrailChecksAcl",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: args.bucketArn,
      Condition: { StringEquals: { "aws:SourceArn": args.trailArn } },
    },
    {
      Sid: "TrailWritesLogs",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${args.bucketArn}/AWSLogs/*`,
      Condition: {
        StringEquals: {
          "aws:SourceArn": args.trailArn,
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
      },
    },
    {
      Sid: "TlsOnly",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [args.bucketArn, `${args.bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  );
}
