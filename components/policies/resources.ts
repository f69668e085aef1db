import { policyDocument, type PolicyDocument } from "./document";

/* Resource policies of the hub's own resources: the private API and the audit trail's bucket. */

/** The private API answers only requests that arrive through the hub's execute-api endpoint. */
export function apiResourcePolicy(args: { executeApiEndpointId: string }): PolicyDocument {
  return policyDocument(
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
 * The API's private custom domain name admits only requests through the hub's execute-api
 * endpoint, as the API does: a private custom domain name's own execute-api policy ("Custom domain
 * names for private APIs in API Gateway", API Gateway developer guide,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html).
 */
export function apiDomainPolicy(args: { executeApiEndpointId: string }): PolicyDocument {
  return apiResourcePolicy(args);
}

/** CloudTrail may write the trail's log files to its bucket, and nothing else may (TLS only). */
export function auditTrailBucketPolicy(args: {
  bucketArn: string;
  trailArn: string;
}): PolicyDocument {
  return policyDocument(
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
