import type { EndpointKey } from "../lib/endpoints";
import { policyDocument, type PolicyDocument } from "../policies/document";
import {
  executeApiEndpointPolicy,
  lambdaEndpointPolicy,
  organizationEndpointPolicy,
  sageMakerApiEndpointPolicy,
} from "../policies/endpoints";

export interface HubEndpointPoliciesArgs {
  readonly region: string;
  readonly hubAccountId: string;
  readonly organizationId: string;
  readonly lobs: Readonly<Record<string, { readonly accountId: string }>>;
  /** The role name every LOB creates for the presigner: the only principal that may presign. */
  readonly accessRoleName: string;
}

/**
 * Each interface endpoint's policy, by its key: the organization's principals only, narrowed
 * further on the core endpoints where the service allows (presigning by the LOBs' access roles,
 * the hub's own APIs and user pools). Extra endpoints serve the organization.
 */
export function hubEndpointPolicies(
  args: HubEndpointPoliciesArgs,
): (key: EndpointKey) => PolicyDocument {
  const { region, hubAccountId, organizationId } = args;
  const core: Partial<Record<EndpointKey, PolicyDocument>> = {
    "sagemaker-api": sageMakerApiEndpointPolicy({
      organizationId,
      accessRoleName: args.accessRoleName,
      lobAccountIds: Object.values(args.lobs).map((lob) => lob.accountId),
    }),
    "sagemaker-runtime": organizationEndpointPolicy(args),
    sts: organizationEndpointPolicy(args),
    logs: organizationEndpointPolicy(args),
    studio: organizationEndpointPolicy(args),
    "execute-api": executeApiEndpointPolicy({ region, hubAccountId }),
    lambda: lambdaEndpointPolicy({ region, organizationId }),
    "cognito-idp": policyDocument({
      Sid: "HubUserPoolsOnly",
      Effect: "Allow",
      Principal: "*",
      Action: "cognito-idp:*",
      Resource: `arn:aws:cognito-idp:${region}:${hubAccountId}:userpool/*`,
    }),
  };
  return (key) => core[key] ?? organizationEndpointPolicy(args);
}
