import * as aws from "@pulumi/aws";
import { auditTrailBucketPolicy } from "../policies/resources";
import type { BundledFunction } from "../lib/bundled-function";
import type { AccessScope } from "./scope";
import type { AccessTables } from "./tables";

/**
 * Who read or wrote an entitlement, and who invoked a function (the direct-invocation path
 * included): data events, which CloudTrail does not record by default. The bucket is kept on
 * destroy: an audit trail outlives what it audits.
 */
export class AuditTrail {
  /** Kept on destroy, with its bucket. */
  readonly bucket: aws.s3.Bucket;
  readonly trail: aws.cloudtrail.Trail;

  constructor(
    scope: AccessScope,
    args: {
      readonly region: string;
      readonly hubAccountId: string;
      readonly tables: AccessTables;
      readonly functions: readonly BundledFunction[];
    },
  ) {
    const { name } = scope;
    const parent = { parent: scope.parent };
    this.bucket = new aws.s3.Bucket(
      `${name}-audit`,
      { forceDestroy: false },
      { ...parent, retainOnDelete: true },
    );
    const bucket = this.bucket;
    new aws.s3.BucketPublicAccessBlock(
      `${name}-audit`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { ...parent, retainOnDelete: true },
    );
    const trailName = `${name}-data-events`;
    const bucketPolicy = new aws.s3.BucketPolicy(
      `${name}-audit`,
      {
        bucket: bucket.id,
        policy: bucket.arn.apply((bucketArn) =>
          JSON.stringify(
            auditTrailBucketPolicy({
              bucketArn,
              trailArn: `arn:aws:cloudtrail:${args.region}:${args.hubAccountId}:trail/${trailName}`,
            }),
          ),
        ),
      },
      { ...parent, retainOnDelete: true },
    );
    this.trail = new aws.cloudtrail.Trail(
      `${name}-data-events`,
      {
        name: trailName,
        s3BucketName: bucket.id,
        enableLogFileValidation: true,
        includeGlobalServiceEvents: false,
        isMultiRegionTrail: false,
        advancedEventSelectors: [
          {
            name: "entitlement and LOB tables",
            fieldSelectors: [
              { field: "eventCategory", equals: ["Data"] },
              { field: "resources.type", equals: ["AWS::DynamoDB::Table"] },
              {
                field: "resources.ARN",
                equals: [args.tables.entitlements.arn, args.tables.lobs.arn],
              },
            ],
          },
          {
            name: "access function invocations",
            fieldSelectors: [
              { field: "eventCategory", equals: ["Data"] },
              { field: "resources.type", equals: ["AWS::Lambda::Function"] },
              { field: "resources.ARN", equals: args.functions.map((f) => f.function.arn) },
            ],
          },
        ],
      },
      { ...parent, dependsOn: [bucketPolicy] },
    );
  }
}
