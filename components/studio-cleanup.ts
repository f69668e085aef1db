import * as pulumi from "@pulumi/pulumi";

/**
 * What `pulumi destroy` must do that no AWS resource does, as Pulumi dynamic resources placed in
 * the dependency graph, so that `pulumi destroy` alone completes:
 * - the domain's **drain**, deleted before the domain: it deletes every user profile's apps, the
 *   apps and spaces each owns, and then the profiles themselves (made on first sign-in, so not
 *   Pulumi's), waiting until they are gone (SageMaker refuses to delete a profile while it has
 *   apps or spaces, and a domain while it has any of them);
 * - the domain's **sweep**, deleted after the domain and before the VPC: it removes the two NFS
 *   security groups SageMaker made for the domain (they reference each other and block DeleteVpc),
 *   and the home EFS's mount targets (they block DeleteSubnet), deleting the file system itself only
 *   when the retention is `Delete`.
 * They run in the Pulumi host with the LOB account's credentials (the stack's profile and region)
 * and the AWS SDK v3, imported when they run, so the serialized provider stays small.
 */

interface Credentials {
  readonly region: string;
  readonly profile?: string;
}

export interface DrainInputs extends Credentials {
  readonly domainId: string;
  /** How long to wait for deletions. */
  readonly timeoutSeconds: number;
  /** How often to look again while deletions run. */
  readonly pollMilliseconds: number;
}

export interface SweepInputs extends Credentials {
  readonly vpcId: string;
  /** The domain's name: its id is unknown when the sweep is created (before the domain). */
  readonly domainName: string;
  readonly deleteFileSystem: boolean;
  readonly timeoutSeconds: number;
  readonly pollMilliseconds: number;
}

/** Waits before looking again: 250 ms, doubling each time, at most `capMs`. */
const settle = (attempt: number, capMs: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.min(capMs, 250 * 2 ** attempt));
  });

type ListedApps = import("@aws-sdk/client-sagemaker").ListAppsCommandOutput["Apps"];

const noChange = { changes: false, replaces: [] as string[], deleteBeforeReplace: false };

export const drainProvider: pulumi.dynamic.ResourceProvider<DrainInputs, DrainInputs> = {
  async create(inputs) {
    return Promise.resolve({ id: `drain-${inputs.domainId}`, outs: inputs });
  },
  async diff(_id, olds, news) {
    return Promise.resolve(
      olds.domainId !== news.domainId
        ? { changes: true, replaces: ["domainId"], deleteBeforeReplace: true }
        : { ...noChange, changes: JSON.stringify(olds) !== JSON.stringify(news) },
    );
  },
  async update(_id, _olds, news) {
    return Promise.resolve({ outs: news });
  },
  async delete(_id, props) {
    const sm = await import("@aws-sdk/client-sagemaker");
    const client = new sm.SageMakerClient({
      region: props.region,
      ...(props.profile ? { profile: props.profile } : {}),
    });
    const deadline = Date.now() + props.timeoutSeconds * 1000;
    // Only a Deleted app is gone. A Failed one still exists and is deleted like any other:
    // DeleteApp "stop[s] and delete[s] an app" whatever its status (SageMaker API reference,
    // DeleteApp, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DeleteApp.html;
    // AppDetails.Status: Deleted | Deleting | Failed | InService | Pending).
    const gone = (status: string | undefined) => status === "Deleted";
    const { domainId } = props;
    for (let attempt = 0; ; attempt++) {
      const profiles: { UserProfileName?: string; Status?: string }[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new sm.ListUserProfilesCommand({ DomainIdEquals: domainId, NextToken: nextToken }),
        );
        // A deleted profile leaves the list; a Failed one must still be deleted.
        profiles.push(...(page.UserProfiles ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
      const spaces =
        (await client.send(new sm.ListSpacesCommand({ DomainIdEquals: domainId }))).Spaces ?? [];
      // Every app of the domain, the profiles' own and the spaces' alike.
      const apps: NonNullable<ListedApps>[number][] = [];
      do {
        const page = await client.send(
          new sm.ListAppsCommand({ DomainIdEquals: domainId, NextToken: nextToken }),
        );
        apps.push(...(page.Apps ?? []).filter((a) => !gone(a.Status)));
        nextToken = page.NextToken;
      } while (nextToken);
      for (const app of apps.filter((a) => a.Status !== "Deleting")) {
        try {
          await client.send(
            new sm.DeleteAppCommand({
              DomainId: domainId,
              AppType: app.AppType,
              AppName: app.AppName,
              UserProfileName: app.UserProfileName,
              SpaceName: app.SpaceName,
            }),
          );
        } catch (error) {
          // Gone since it was listed.
          if ((error as Error).name !== "ResourceNotFound") throw error;
        }
      }
      if (apps.length === 0) {
        for (const space of spaces.filter((s) => s.Status !== "Deleting"))
          await client.send(
            new sm.DeleteSpaceCommand({ DomainId: domainId, SpaceName: space.SpaceName }),
          );
        if (spaces.length === 0) {
          for (const p of profiles.filter((p) => p.Status !== "Deleting"))
            await client.send(
              new sm.DeleteUserProfileCommand({
                DomainId: domainId,
                UserProfileName: p.UserProfileName,
              }),
            );
          if (profiles.length === 0) return;
        }
      }
      if (Date.now() > deadline) {
        const failed = apps.filter((a) => a.Status === "Failed").map((a) => String(a.AppName));
        throw new Error(
          `${domainId} still has ${String(profiles.length)} user profiles, ${String(apps.length)} apps and ${String(spaces.length)} spaces after ${String(props.timeoutSeconds)} s` +
            (failed.length > 0 ? ` (Failed apps: ${failed.join(", ")})` : ""),
        );
      }
      await settle(attempt, props.pollMilliseconds);
    }
  },
};

export const sweepProvider: pulumi.dynamic.ResourceProvider<SweepInputs, SweepInputs> = {
  async create(inputs) {
    return Promise.resolve({ id: `sweep-${inputs.vpcId}`, outs: inputs });
  },
  async diff(_id, olds, news) {
    return Promise.resolve(
      olds.vpcId !== news.vpcId
        ? { changes: true, replaces: ["vpcId"], deleteBeforeReplace: true }
        : { ...noChange, changes: JSON.stringify(olds) !== JSON.stringify(news) },
    );
  },
  async update(_id, _olds, news) {
    return Promise.resolve({ outs: news });
  },
  async delete(_id, props) {
    const ec2 = await import("@aws-sdk/client-ec2");
    const efs = await import("@aws-sdk/client-efs");
    const settings = { region: props.region, ...(props.profile ? { profile: props.profile } : {}) };
    const ec2Client = new ec2.EC2Client(settings);
    const efsClient = new efs.EFSClient(settings);
    const deadline = Date.now() + props.timeoutSeconds * 1000;

    // EFS names a file system that is no longer there FileSystemNotFound (EFS API reference,
    // DescribeFileSystems, DescribeMountTargets, DeleteFileSystem).
    const notFound = (error: unknown) => (error as Error).name === "FileSystemNotFound";
    // The domain's home EFS: tagged by SageMaker as its own, with mount targets in this VPC.
    const managed = (
      (await efsClient.send(new efs.DescribeFileSystemsCommand({}))).FileSystems ?? []
    ).filter(
      (fs) =>
        fs.LifeCycleState !== "deleted" &&
        (fs.Tags ?? []).some((t) => t.Key === "ManagedByAmazonSageMakerResource"),
    );
    const targetsOf = async (fileSystemId: string | undefined) => {
      try {
        return (
          (
            await efsClient.send(
              new efs.DescribeMountTargetsCommand({ FileSystemId: fileSystemId }),
            )
          ).MountTargets ?? []
        );
      } catch (error) {
        if (notFound(error)) return [];
        throw error;
      }
    };
    /** The file system's LifeCycleState now, or "gone". */
    const stateOf = async (fileSystemId: string | undefined) => {
      try {
        const { FileSystems = [] } = await efsClient.send(
          new efs.DescribeFileSystemsCommand({ FileSystemId: fileSystemId }),
        );
        const found = FileSystems.find((f) => f.FileSystemId === fileSystemId);
        return found ? found.LifeCycleState : "gone";
      } catch (error) {
        if (notFound(error)) return "gone";
        throw error;
      }
    };
    for (const fs of managed) {
      if (!(await targetsOf(fs.FileSystemId)).some((t) => t.VpcId === props.vpcId)) continue;
      for (let attempt = 0; ; attempt++) {
        const targets = await targetsOf(fs.FileSystemId);
        for (const target of targets.filter((t) => t.LifeCycleState !== "deleting"))
          await efsClient.send(
            new efs.DeleteMountTargetCommand({ MountTargetId: target.MountTargetId }),
          );
        if (targets.length === 0) break;
        if (Date.now() > deadline)
          throw new Error(
            `mount targets of ${String(fs.FileSystemId)} remain after ${String(props.timeoutSeconds)} s`,
          );
        await settle(attempt, props.pollMilliseconds);
      }
      if (!props.deleteFileSystem) {
        console.log(
          `studio-access: kept home EFS ${String(fs.FileSystemId)} of ${props.domainName} (retention Retain)`,
        );
        continue;
      }
      // With the retention Delete, SageMaker deletes the home EFS itself as the domain goes
      // (CreateDomain/DeleteDomain RetentionPolicy.HomeEfsFileSystem): one whose LifeCycleState
      // is already `deleting` (DescribeFileSystems, EFS API reference:
      // https://docs.aws.amazon.com/efs/latest/ug/API_DescribeFileSystems.html), or gone, is left
      // to it; DeleteFileSystem is called only on one still there.
      const state = await stateOf(fs.FileSystemId);
      if (state === "gone" || state === "deleting" || state === "deleted") {
        console.log(
          `studio-access: home EFS ${String(fs.FileSystemId)} of ${props.domainName} is already ${state}`,
        );
        continue;
      }
      try {
        await efsClient.send(new efs.DeleteFileSystemCommand({ FileSystemId: fs.FileSystemId }));
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    }

    // SageMaker's two NFS security groups reference each other: revoke, then delete.
    const { SecurityGroups: groups = [] } = await ec2Client.send(
      new ec2.DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [props.vpcId] },
          {
            Name: "group-name",
            Values: ["security-group-for-inbound-nfs-*", "security-group-for-outbound-nfs-*"],
          },
        ],
      }),
    );
    for (const group of groups) {
      if ((group.IpPermissions ?? []).length > 0)
        await ec2Client.send(
          new ec2.RevokeSecurityGroupIngressCommand({
            GroupId: group.GroupId,
            IpPermissions: group.IpPermissions,
          }),
        );
      if ((group.IpPermissionsEgress ?? []).length > 0)
        await ec2Client.send(
          new ec2.RevokeSecurityGroupEgressCommand({
            GroupId: group.GroupId,
            IpPermissions: group.IpPermissionsEgress,
          }),
        );
    }
    // A group still used by a network interface (the mount targets' ones, which EFS releases
    // after the mount target is gone) or still referenced by another group is refused with
    // DependencyViolation (EC2 API reference, DeleteSecurityGroup,
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html): tried
    // again, waiting 250 ms doubling up to the poll interval, until the sweep's deadline.
    for (const group of groups) {
      for (let attempt = 0; ; attempt++) {
        try {
          await ec2Client.send(new ec2.DeleteSecurityGroupCommand({ GroupId: group.GroupId }));
          break;
        } catch (error) {
          const name = (error as Error).name;
          if (name === "InvalidGroup.NotFound") break;
          if (name !== "DependencyViolation") throw error;
          if (Date.now() > deadline)
            throw new Error(
              `security group ${String(group.GroupId)} (${String(group.GroupName)}) is still in use (DependencyViolation) after ${String(props.timeoutSeconds)} s`,
            );
          await settle(attempt, props.pollMilliseconds);
        }
      }
    }
  },
};

/** Drains a domain's apps and spaces and deletes its profiles when it is deleted (see `drainProvider`). */
export class StudioDrain extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: { [K in keyof DrainInputs]: pulumi.Input<DrainInputs[K]> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(drainProvider, name, args, opts, "studio-access", "StudioDrain");
  }
}

/** Sweeps what SageMaker leaves in a spoke VPC once the domain is gone (see `sweepProvider`). */
export class NfsSweep extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: { [K in keyof SweepInputs]: pulumi.Input<SweepInputs[K]> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(sweepProvider, name, args, opts, "studio-access", "NfsSweep");
  }
}
