import { policyDocument, type PolicyDocument } from "./document";

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
  return policyDocument(
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
