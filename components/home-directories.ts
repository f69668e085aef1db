import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HOMES_FUNCTION_NAME, HOMES_TIMEOUT_SECONDS } from "../functions/shared/homes";
import { TAGS } from "../functions/shared/teams";
import { BundledFunction } from "./lib/bundled-function";
import { homesFunctionPolicy } from "./policies/lob-roles";

/** Where the function mounts the domain's home EFS (Lambda requires a path under /mnt). */
export const HOMES_MOUNT_PATH = "/mnt/home";

export interface HomeDirectoryRemoverArgs {
  readonly lob: string;
  readonly vpcId: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  readonly domainId: pulumi.Output<string>;
  /** The domain's home EFS, which SageMaker creates with the domain. */
  readonly fileSystemId: pulumi.Input<string>;
  /** The folder holding the function's bundle (`index.js`). */
  readonly bundleDir: Promise<string>;
  readonly logRetentionDays: number;
}

/**
 * A LOB with `homeDirectories: remove`: the function that removes a revoked user's home directory
 * from the domain's EFS, which DeleteUserProfile leaves behind (the user only "loses access to their
 * EFS volume", API_DeleteUserProfile). The hub's lifecycle function invokes it, through the LOB's
 * lifecycle role and the hub's Lambda endpoint, once the profile's apps and spaces are gone and
 * before it deletes the profile. All of it is in the LOB account.
 *
 * It mounts the file system through its own access point at the root, as root, in the LOB VPC; its
 * security group reaches only NFS on SageMaker's own inbound NFS group, which admits it by one rule.
 */
export class HomeDirectoryRemover extends pulumi.ComponentResource {
  readonly functionArn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(
    name: string,
    args: HomeDirectoryRemoverArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("studio-access:spoke:HomeDirectoryRemover", name, {}, opts);
    const here = { parent: this };

    // SageMaker makes this group with the domain and puts it on the EFS mount targets.
    const nfsInbound = aws.ec2.getSecurityGroupOutput(
      {
        vpcId: args.vpcId,
        name: pulumi.interpolate`security-group-for-inbound-nfs-${args.domainId}`,
      },
      here,
    );
    const sg = new aws.ec2.SecurityGroup(
      name,
      { vpcId: args.vpcId, description: "Home-directory function: NFS to the domain's EFS only" },
      here,
    );
    this.securityGroupId = sg.id;
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-to-efs`,
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 2049,
        toPort: 2049,
        referencedSecurityGroupId: nfsInbound.id,
        description: "the domain's home EFS",
      },
      here,
    );
    // Deleted before the domain (it depends on the domain's id), so the domain's own clean-up
    // finds SageMaker's group as SageMaker left it.
    const admitted = new aws.vpc.SecurityGroupIngressRule(
      `${name}-nfs`,
      {
        securityGroupId: nfsInbound.id,
        ipProtocol: "tcp",
        fromPort: 2049,
        toPort: 2049,
        referencedSecurityGroupId: sg.id,
        description: "studio-access home-directory function",
      },
      here,
    );

    const accessPoint = new aws.efs.AccessPoint(
      name,
      {
        fileSystemId: args.fileSystemId,
        // Root at the file system's root: every profile's directory is /<HomeEfsFileSystemUid>.
        posixUser: { uid: 0, gid: 0 },
        rootDirectory: { path: "/" },
        tags: { Name: name, [TAGS.lob]: args.lob },
      },
      here,
    );
    const fn = new BundledFunction(
      name,
      {
        bundleDir: args.bundleDir,
        logGroup: {
          name: `/aws/lambda/${HOMES_FUNCTION_NAME}`,
          retentionInDays: args.logRetentionDays,
        },
        policy: (logGroupArn) =>
          pulumi
            .all([accessPoint.fileSystemArn, accessPoint.arn, logGroupArn])
            .apply(([fileSystemArn, accessPointArn, logGroupArn]) =>
              homesFunctionPolicy({ fileSystemArn, accessPointArn, logGroupArn }),
            ),
        functionName: HOMES_FUNCTION_NAME,
        // A large home directory takes a while to remove over NFS.
        timeout: HOMES_TIMEOUT_SECONDS,
        vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [sg.id] },
        fileSystemConfig: { arn: accessPoint.arn, localMountPath: HOMES_MOUNT_PATH },
        environment: { HOME_ROOT: HOMES_MOUNT_PATH },
        // The LOB's lifecycle role may invoke it only with this tag (aws:ResourceTag).
        tags: { [TAGS.lob]: args.lob },
        // It mounts the file system at start, which needs SageMaker's NFS group to admit it.
        dependsOn: [admitted],
      },
      this,
    ).function;
    this.functionArn = fn.arn;
    this.registerOutputs({ functionArn: fn.arn });
  }
}
