import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BundledFunction, type BundledFunctionArgs } from "../lib/bundled-function";

/** The folders holding each of the access application's function bundles. */
export interface AccessFunctionDirs {
  readonly authorizer: string;
  readonly presigner: string;
  readonly saml: string;
  readonly lifecycle: string;
  readonly portal: string;
}

/**
 * Where a part of the access application puts its resources: each names them `<name>-<key>` and
 * parents them to the AccessApp itself, as when it was one constructor. The parts are code, not
 * components, so no live resource's URN changes (tests/stacks/urns.test.ts).
 */
export interface AccessPlacement {
  /** The AccessApp's name, every resource name's prefix ("access" → "access-presigner"). */
  readonly name: string;
  readonly parent: pulumi.Resource;
}

/** What every part of the access application shares: its placement, key and log settings. */
export interface AccessScope extends AccessPlacement {
  /** Retention of every log group. */
  readonly logRetentionDays: number;
  /** The hub's data key, which encrypts the tables and log groups, when there is one. */
  readonly keyArn?: pulumi.Output<string>;
  readonly functionDirs: Promise<AccessFunctionDirs>;
}

/** A log group of the access application: its retention, encrypted with the data key. */
export const accessLogGroup = (scope: AccessScope, key: string) =>
  new aws.cloudwatch.LogGroup(
    `${scope.name}-${key}`,
    { retentionInDays: scope.logRetentionDays, kmsKeyId: scope.keyArn },
    { parent: scope.parent },
  );

/** One of the access application's functions, named after its bundle. */
export const accessFunction = (
  scope: AccessScope,
  key: keyof AccessFunctionDirs,
  args: Omit<BundledFunctionArgs, "bundleDir" | "logGroup">,
) =>
  new BundledFunction(
    `${scope.name}-${key}`,
    {
      ...args,
      bundleDir: scope.functionDirs.then((dirs) => dirs[key]),
      logGroup: { retentionInDays: scope.logRetentionDays, kmsKeyId: scope.keyArn },
    },
    scope.parent,
  );
