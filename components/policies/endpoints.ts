import { HOMES_FUNCTION_NAME } from "../../functions/shared/homes";
import { policyDocument, type PolicyDocument } from "./document";
import { anyAccountRoleArn } from "./role-names";

/* The policies of the hub's interface endpoints, which the hub and the LOBs' Studio reach AWS through. */

/**
 * Interface endpoint policy for the AWS APIs the hub serves (STS, SageMaker, Logs, Studio): only
 * principals of the organization may use them.
 */
export function organizationEndpointPolicy(args: { organizationId: string }): PolicyDocument {
  return policyDocument({
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
  return policyDocument({
    Sid: "HomeDirectoryFunctionsOnly",
    Effect: "Allow",
    Principal: "*",
    Action: "lambda:InvokeFunction",
    Resource: `arn:aws:lambda:${args.region}:*:function:${HOMES_FUNCTION_NAME}`,
    Condition: { StringEquals: { "aws:PrincipalOrgID": args.organizationId } },
  });
}

/**
 * The SageMaker API endpoint: organization-only, and Studio URLs may be created through it by the
 * LOBs' access roles alone, so a LOB administrator on the corporate network gains nothing from it.
 *
 * "The LOBs' access roles" is two conditions (#22), each its own Deny so that failing either
 * refuses (one Deny with both conditions would refuse only when both fail): the principal is a
 * role of the access role's exact name (in any account), and its account is a configured LOB's.
 * Together they admit exactly the ARNs `arn:aws:iam::<LOB account>:role/<accessRoleName>`, as
 * listing each would, for 15 characters per LOB instead of an ARN. Endpoint policies take
 * `aws:PrincipalArn` with the account field a wildcard (account id or wildcard, not both) and
 * `aws:PrincipalAccount` with exact values only, no wildcard ("Control access to VPC endpoints
 * using endpoint policies", Considerations,
 * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html); both keys are
 * in every signed request's context, `aws:PrincipalArn` a role session's role ARN ("AWS global
 * condition context keys",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 */
export function sageMakerApiEndpointPolicy(args: {
  organizationId: string;
  accessRoleName: string;
  lobAccountIds: readonly string[];
}): PolicyDocument {
  const presign = {
    Effect: "Deny",
    Principal: "*",
    Action: "sagemaker:CreatePresignedDomainUrl",
    Resource: "*",
  } as const;
  return policyDocument(
    ...organizationEndpointPolicy(args).Statement,
    {
      Sid: "PresignOnlyAsAccessRoles",
      ...presign,
      Condition: { ArnNotLike: { "aws:PrincipalArn": anyAccountRoleArn(args.accessRoleName) } },
    },
    {
      Sid: "PresignOnlyInLobAccounts",
      ...presign,
      Condition: {
        StringNotEquals: { "aws:PrincipalAccount": [...new Set(args.lobAccountIds)].sort() },
      },
    },
  );
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
  return policyDocument({
    Sid: "HubApisOnly",
    Effect: "Allow",
    Principal: "*",
    Action: "execute-api:Invoke",
    Resource: `arn:aws:execute-api:${args.region}:${args.hubAccountId}:*`,
  });
}
