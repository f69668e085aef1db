import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_RUNTIME } from "../../functions/runtime";
import { checkEnvironmentSize } from "./jwks";
import { serviceTrustPolicy, type PolicyDocument } from "../policies/document";

export interface BundledFunctionArgs {
  /** The folder holding the function's bundle (`index.js` and its source map). */
  readonly bundleDir: Promise<string>;
  /** The function's own log group (its name, retention and key). */
  readonly logGroup: aws.cloudwatch.LogGroupArgs;
  /** The role's inline policy, given the log group's ARN. */
  readonly policy: (logGroupArn: pulumi.Output<string>) => pulumi.Input<PolicyDocument>;
  /** Customer managed policies attached to its role beside the inline one. */
  readonly attach?: readonly aws.iam.Policy[];
  /** The function's name; absent, Pulumi names it after the resource. */
  readonly functionName?: string;
  readonly timeout: number;
  readonly vpcConfig?: aws.types.input.lambda.FunctionVpcConfig;
  readonly fileSystemConfig?: aws.types.input.lambda.FunctionFileSystemConfig;
  readonly environment: Record<string, pulumi.Input<string>>;
  /** Files written beside the bundle in the function's archive. */
  readonly files?: Record<string, string>;
  readonly tags?: Record<string, string>;
  /** What the function needs in place before it runs, beyond its role's policy. */
  readonly dependsOn?: readonly pulumi.Resource[];
}

/** JSON text of a policy document that may still be computed. */
export const policyJson = (doc: pulumi.Input<PolicyDocument>) =>
  pulumi.output(doc).apply((d) => JSON.stringify(d));

/**
 * One of this repository's function bundles as a Lambda function, with what every one of them
 * has: its own role (trusted by Lambda only, holding one inline policy and any attached ones), its
 * own log group, the runtime, architecture and memory they all share, and an environment checked
 * against Lambda's 4 KB before Lambda refuses it.
 *
 * Not a component of its own: its resources are the caller's children, so their URNs are those
 * they had before this shape was built once (tests/stacks/urns.test.ts).
 */
export class BundledFunction {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: BundledFunctionArgs, parent: pulumi.Resource) {
    const dir = args.bundleDir;
    const code = new pulumi.asset.AssetArchive({
      "index.js": new pulumi.asset.FileAsset(dir.then((d) => path.join(d, "index.js"))),
      "index.js.map": new pulumi.asset.FileAsset(dir.then((d) => path.join(d, "index.js.map"))),
      ...Object.fromEntries(
        Object.entries(args.files ?? {}).map(([file, text]) => [
          file,
          new pulumi.asset.StringAsset(text),
        ]),
      ),
    });
    this.logGroup = new aws.cloudwatch.LogGroup(name, args.logGroup, { parent });
    this.role = new aws.iam.Role(
      name,
      {
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")),
        maxSessionDuration: 3600,
      },
      { parent },
    );
    const attachments = (args.attach ?? []).map(
      (managed, i) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-${String(i)}`,
          { role: this.role.name, policyArn: managed.arn },
          { parent },
        ),
    );
    // After the attachments: an update that moves a grant from the inline policy to a managed
    // one never leaves the role without it.
    const rolePolicy = new aws.iam.RolePolicy(
      name,
      { role: this.role.id, policy: policyJson(args.policy(this.logGroup.arn)) },
      { parent, dependsOn: attachments },
    );
    this.function = new aws.lambda.Function(
      name,
      {
        name: args.functionName,
        role: this.role.arn,
        runtime: LAMBDA_RUNTIME,
        architectures: ["arm64"],
        handler: "index.handler",
        code,
        memorySize: 256,
        timeout: args.timeout,
        vpcConfig: args.vpcConfig,
        fileSystemConfig: args.fileSystemConfig,
        loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
        environment: {
          variables: pulumi
            .output({ NODE_OPTIONS: "--enable-source-maps", ...args.environment })
            .apply((variables) => {
              checkEnvironmentSize(name, variables);
              return variables;
            }),
        },
        tags: args.tags,
      },
      { parent, dependsOn: [rolePolicy, ...(args.dependsOn ?? [])] },
    );
  }
}
