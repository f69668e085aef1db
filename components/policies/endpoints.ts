import { HOMES_FUNCTION_NAME } from "../../functions/shared/homes";
import { policyDocument, type PolicyDocument } from "./document";

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
 */
export function sageMakerApiEndpointPolicy(args: {
  organizationId: string;
  accessRoleArns: readonly string[];
}): PolicyDocument {
  return policyDocument(...organizationEndpointPolicy(args).Statement, {
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
  return policyDocument({
    Sid: "HubApisOnly",
    Effect: "Allow",
    Principal: "*",
    Action: "execute-api:Invoke",
    Resource: `arn:aws:execute-api:${args.region}:${args.hubAccountId}:*`,
  });
}
