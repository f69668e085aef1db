import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { idleSettings, type IdleShutdown } from "../../functions/shared/idle-shutdown";
import type { SpaceStorage } from "../../functions/shared/space-storage";
import { instanceTypesPolicy } from "../policies/instance-types";
import { executionRoleTrustPolicy, studioExecutionPolicy } from "../policies/studio-roles";
import { NfsSweep, StudioDrain } from "../studio-cleanup";
import type { SpokeNetwork } from "./network";
import type { SpokeScope } from "./scope";

export interface StudioDomainArgs {
  readonly network: SpokeNetwork;
  /** The Studio apps' security group. */
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** What happens to the domain's home EFS when the domain is deleted. */
  readonly homeEfsRetention: "Retain" | "Delete";
  /** The AWS profile the LOB stack runs with: destroy-time clean-up uses the same credentials. */
  readonly awsProfile?: string;
  /** How long destroy-time clean-up waits for apps, spaces and mount targets to go. */
  readonly cleanupTimeoutSeconds: number;
  /** How often it looks again meanwhile. */
  readonly cleanupPollMilliseconds: number;
  /** The LOB's idle shutdown: the domain's default for every profile (issue #21). */
  readonly idleShutdown: IdleShutdown;
  /** The instance types the domain's default execution role may start. */
  readonly instanceTypes: readonly string[];
  /** The LOB's space storage: the domain's default for every profile (issue #21). */
  readonly spaceStorage: SpaceStorage;
}

/**
 * The domain's (or a profile's) JupyterLab and Code Editor settings for idle shutdown, as the
 * Pulumi AWS provider names CreateDomain's `DefaultUserSettings.JupyterLabAppSettings` /
 * `CodeEditorAppSettings` `.AppLifecycleManagement.IdleSettings` ("Idle shutdown", SageMaker AI
 * Developer Guide, https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-idle-shutdown.html;
 * API_CreateDomain, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html).
 */
export function domainIdleSettings(idle: IdleShutdown) {
  const s = idleSettings(idle);
  const appLifecycleManagement = {
    idleSettings: {
      lifecycleManagement: s.LifecycleManagement,
      ...(s.IdleTimeoutInMinutes !== undefined
        ? { idleTimeoutInMinutes: s.IdleTimeoutInMinutes }
        : {}),
      ...(s.MinIdleTimeoutInMinutes !== undefined
        ? { minIdleTimeoutInMinutes: s.MinIdleTimeoutInMinutes }
        : {}),
      ...(s.MaxIdleTimeoutInMinutes !== undefined
        ? { maxIdleTimeoutInMinutes: s.MaxIdleTimeoutInMinutes }
        : {}),
    },
  };
  return {
    jupyterLabAppSettings: { appLifecycleManagement },
    codeEditorAppSettings: { appLifecycleManagement },
  };
}

/**
 * The domain's (or a profile's) space storage, as the Pulumi AWS provider names CreateDomain's
 * `DefaultUserSettings.SpaceStorageSettings.DefaultEbsStorageSettings` (DefaultEbsStorageSettings,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DefaultEbsStorageSettings.html):
 * a new private space's EBS volume and the most its owner may give it. The same shape is the
 * domain's DefaultSpaceSettings.SpaceStorageSettings, for the shared spaces users create
 * (API_DefaultSpaceSettings, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DefaultSpaceSettings.html).
 */
export function domainSpaceStorageSettings(storage: SpaceStorage) {
  return {
    spaceStorageSettings: {
      defaultEbsStorageSettings: {
        defaultEbsVolumeSizeInGb: storage.defaultGb,
        maximumEbsVolumeSizeInGb: storage.maxGb,
      },
    },
  };
}

/**
 * The LOB's Studio domain (VpcOnly, IAM-authenticated) with its default execution role, and the
 * destroy-time clean-up around it: the NFS sweep goes after the domain, the drain before it.
 */
export class StudioDomain {
  readonly domain: aws.sagemaker.Domain;
  /** The domain's default execution role (Studio basics, no team). */
  readonly executionRole: aws.iam.Role;
  /** Studio basics in this domain: the default role's policy, and every team role's. */
  readonly studioPolicy: pulumi.Output<string>;
  /** Drains and deletes every profile before the domain goes. */
  readonly drain: StudioDrain;

  constructor(scope: SpokeScope, args: StudioDomainArgs) {
    const { name, hub, lob } = scope;
    const here = { parent: scope.parent };
    const { network } = args;
    this.executionRole = new aws.iam.Role(
      `${name}-execution`,
      { assumeRolePolicy: JSON.stringify(executionRoleTrustPolicy()) },
      here,
    );
    const cleanup = {
      region: hub.region,
      ...(args.awsProfile ? { profile: args.awsProfile } : {}),
      timeoutSeconds: args.cleanupTimeoutSeconds,
      pollMilliseconds: args.cleanupPollMilliseconds,
    };
    const domainName = `studio-access-${lob}`;
    // Deleted after the domain (which depends on it) and before the subnets and VPC (which it
    // depends on): removes what SageMaker leaves behind in the VPC.
    const sweep = new NfsSweep(
      `${name}-nfs-sweep`,
      {
        ...cleanup,
        vpcId: network.vpc.id,
        domainName,
        deleteFileSystem: args.homeEfsRetention === "Delete",
      },
      { ...here, dependsOn: network.subnets },
    );
    this.domain = new aws.sagemaker.Domain(
      `${name}-domain`,
      {
        domainName,
        authMode: "IAM",
        appNetworkAccessType: "VpcOnly",
        vpcId: network.vpc.id,
        subnetIds: network.subnetIds,
        defaultUserSettings: {
          executionRole: this.executionRole.arn,
          securityGroups: [args.securityGroup.id],
          // Idle apps stop on their own: the LOB's setting, each profile its team's (issue #21).
          ...domainIdleSettings(args.idleShutdown),
          // A new space's volume and the most a user may give one: the LOB's, each profile its
          // team's (issue #21); IAM has no condition key for a space's size.
          ...domainSpaceStorageSettings(args.spaceStorage),
        },
        // Shared spaces: the LOB's space storage too, with the default role and security group
        // the domain's user settings already give them (DefaultSpaceSettings needs both).
        defaultSpaceSettings: {
          executionRole: this.executionRole.arn,
          securityGroups: [args.securityGroup.id],
          ...domainSpaceStorageSettings(args.spaceStorage),
        },
        retentionPolicy: { homeEfsFileSystem: args.homeEfsRetention },
        // Every call made from Studio carries the user profile's name as its source identity.
        domainSettings: { executionRoleIdentityConfig: "USER_PROFILE_NAME" },
        tags: { "studio-access:lob": lob },
      },
      { ...here, dependsOn: [sweep] },
    );
    this.studioPolicy = this.domain.id.apply((domainId) =>
      JSON.stringify(
        studioExecutionPolicy({ region: hub.region, accountId: scope.accountId, domainId }),
      ),
    );
    // The domain's default: Studio basics and no team, for a profile made outside studio-access.
    new aws.iam.RolePolicy(
      `${name}-execution`,
      { role: this.executionRole.id, policy: this.studioPolicy },
      here,
    );
    // And the LOB's instance types only (issue #21), as every team role.
    new aws.iam.RolePolicy(
      `${name}-execution-instance-types`,
      {
        role: this.executionRole.id,
        policy: JSON.stringify(instanceTypesPolicy(args.instanceTypes)),
      },
      here,
    );
    // Deleted before the domain (which it depends on): stops every app, deletes every space and
    // then every user profile, as SageMaker refuses to delete a domain that has them.
    this.drain = new StudioDrain(
      `${name}-drain`,
      { ...cleanup, domainId: this.domain.id },
      { ...here, dependsOn: [this.domain] },
    );
  }
}
