import { DEFAULT_TEAM, TAGS, teamRoleArn } from "../../functions/shared/teams";
import { homesFunctionArn } from "../../functions/shared/homes";
import {
  PASSED_TO_SAGEMAKER_ONLY,
  attachToVpc,
  policyDocument,
  sageMakerArn,
  writeLogs,
  type PolicyDocument,
  type PolicyStatement,
} from "./document";

/*
 * The roles studio-access makes in a LOB account for the hub to use (the access role, the
 * provisioning role, the lifecycle role) and the LOB's home-directory function role. Studio's own
 * execution roles are in studio-roles.ts.
 */

/**
 * Where a LOB's roles for the hub act: the LOB's account, region and Studio domain, and the hub's
 * SageMaker API endpoint every call of theirs goes through.
 */
export interface LobDomain {
  readonly region: string;
  readonly accountId: string;
  readonly domainId: string;
  readonly lob: string;
  readonly sageMakerApiEndpointId: string;
}

/**
 * A LOB's lifecycle role drains and deletes the profiles studio-access made there, and nothing
 * else, only through the hub's SageMaker API endpoint: read a profile's tags (the function checks
 * they name the entitlement's user, team and LOB before anything), delete apps tagged with this
 * LOB, spaces owned by a profile of this domain, and profiles tagged with this LOB and a user. With
 * `homeDirectories: remove`, it may also invoke the LOB's home-directory function, tagged with this
 * LOB, only through the hub's Lambda endpoint.
 */
export function lifecycleLobPolicy(
  args: LobDomain & { removeHomes?: { lambdaEndpointId: string } },
): PolicyDocument {
  const arn = (kind: string) => sageMakerArn(args.region, args.accountId, kind);
  const throughHub = { "aws:SourceVpce": args.sageMakerApiEndpointId };
  const lobTag = { [`aws:ResourceTag/${TAGS.lob}`]: args.lob };
  return policyDocument(
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

/**
 * Only the hub's presigner role (and its SAML entry's, when there is one) may assume a LOB's access
 * role, and only through the hub's STS endpoint.
 */
export function accessRoleTrustPolicy(args: {
  presignerRoleArn: string;
  samlRoleArn?: string;
  stsEndpointId: string;
}): PolicyDocument {
  return policyDocument({
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
export function accessRolePolicy(args: LobDomain & { studioEndpointId: string }): PolicyDocument {
  return policyDocument({
    Sid: "PresignOwnLobProfilesThroughHubEndpoints",
    Effect: "Allow",
    Action: ["sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeUserProfile"],
    Resource: sageMakerArn(args.region, args.accountId, `user-profile/${args.domainId}/*`),
    Condition: {
      StringEquals: {
        "aws:SourceVpce": [args.sageMakerApiEndpointId, args.studioEndpointId],
        [`aws:ResourceTag/${TAGS.lob}`]: args.lob,
      },
    },
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
export function provisionerPolicy(args: LobDomain & { teams: readonly string[] }): PolicyDocument {
  const profiles = sageMakerArn(args.region, args.accountId, `user-profile/${args.domainId}`);
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
  return policyDocument(
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
      Condition: PASSED_TO_SAGEMAKER_ONLY,
    },
  );
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
  return policyDocument(
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
    attachToVpc("AttachToLobVpc"),
  );
}

/**
 * Only the hub's admin role (`studio-access admin usage`) may assume a LOB's usage reader role.
 * No endpoint condition: platform engineers run the CLI from their own machines, as for the admin
 * role itself, and the reader can change nothing.
 */
export function usageReaderTrustPolicy(args: { adminRoleArn: string }): PolicyDocument {
  return policyDocument({
    Sid: "HubAdminRoleOnly",
    Effect: "Allow",
    Principal: { AWS: args.adminRoleArn },
    Action: "sts:AssumeRole",
  });
}

/**
 * What `studio-access admin usage` reads in a LOB: its domain's apps (ListApps, DescribeApp: type,
 * instance type, age, last user activity), a space's owner (DescribeSpace) and profiles' tags
 * (ListTags: whose app it is), and nothing else; it may create, update, delete or presign nothing.
 * ListApps takes no resource ARN (its resource is `*`: Actions, resources and condition keys for Amazon SageMaker AI,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html);
 * DescribeApp, DescribeSpace and ListTags are limited to this LOB's domain's apps, spaces and
 * profiles.
 */
export function usageReaderPolicy(args: Omit<LobDomain, "sageMakerApiEndpointId">): PolicyDocument {
  const arn = (kind: string) => sageMakerArn(args.region, args.accountId, kind);
  return policyDocument(
    {
      Sid: "ListStudioApps",
      Effect: "Allow",
      Action: "sagemaker:ListApps",
      Resource: "*",
    },
    {
      // An app's instance type, age and last user activity.
      Sid: "DescribeDomainApps",
      Effect: "Allow",
      Action: "sagemaker:DescribeApp",
      Resource: arn(`app/${args.domainId}/*`),
    },
    {
      // A space's app is its owner's: DescribeSpace names the owner's profile.
      Sid: "DescribeDomainSpaces",
      Effect: "Allow",
      Action: "sagemaker:DescribeSpace",
      Resource: arn(`space/${args.domainId}/*`),
    },
    {
      // Whose app it is: the profile's studio-access tags, never its name.
      Sid: "ReadDomainProfileTags",
      Effect: "Allow",
      Action: "sagemaker:ListTags",
      Resource: arn(`user-profile/${args.domainId}/*`),
    },
  );
}
