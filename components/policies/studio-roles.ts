import { TAGS } from "../../functions/shared/teams";
import {
  PASSED_TO_SAGEMAKER_ONLY,
  policyDocument,
  sageMakerArn,
  type PolicyDocument,
} from "./document";

/*
 * The roles Studio runs as in a LOB account: the LOB's shared execution role (a LOB without
 * teams) and each team's execution role, with its attribute-based isolation and its denials.
 */

/**
 * Studio's execution role: SageMaker assumes it, and sets the user profile's name as the session's
 * source identity (the domain's ExecutionRoleIdentityConfig), so the LOB's CloudTrail names the
 * profile behind every call made from Studio.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/monitor-user-access.html
 */
export function executionRoleTrustPolicy(): PolicyDocument {
  return policyDocument({
    Effect: "Allow",
    Principal: { Service: "sagemaker.amazonaws.com" },
    Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
  });
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
  const arn = (kind: string) => sageMakerArn(args.region, args.accountId, kind);
  const ownProfile = arn(`user-profile/${args.domainId}/\${sagemaker:UserProfileName}`);
  return policyDocument(
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
  const resources = TEAM_RESOURCE_KINDS.map((kind) =>
    sageMakerArn(args.region, args.accountId, `${kind}/*`),
  );
  return policyDocument(
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
      Condition: PASSED_TO_SAGEMAKER_ONLY,
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
  return policyDocument({
    Sid: "DenyWhatNoTeamNeeds",
    Effect: "Deny",
    Action: [...TEAM_DENIED_ACTIONS],
    Resource: "*",
  });
}
