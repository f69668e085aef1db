import {
  DeleteAppCommand,
  DeleteSpaceCommand,
  DeleteUserProfileCommand,
  ListAppsCommand,
  ListSpacesCommand,
  ListUserProfilesCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import {
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import {
  DeleteFileSystemCommand,
  DeleteMountTargetCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from "@aws-sdk/client-efs";
import { mockClient } from "aws-sdk-client-mock";
import {
  drainProvider,
  sweepProvider,
  type DrainInputs,
  type SweepInputs,
} from "../../components/studio-cleanup";

const sm = mockClient(SageMakerClient);
const ec2 = mockClient(EC2Client);
const efs = mockClient(EFSClient);

beforeEach(() => {
  sm.reset();
  ec2.reset();
  efs.reset();
});

const DRAIN: DrainInputs = {
  region: "eu-west-1",
  profile: "lob-a",
  domainId: "d-aaaaaaaaaaaa",
  timeoutSeconds: 5,
  pollMilliseconds: 1,
};

const app = (AppName: string, Status: string, extra: Record<string, string> = {}) => ({
  DomainId: DRAIN.domainId,
  AppType: "JupyterServer" as const,
  AppName,
  Status: Status as "InService",
  ...extra,
});
const profile = (UserProfileName: string, Status = "InService") => ({
  DomainId: DRAIN.domainId,
  UserProfileName,
  Status: Status as "InService",
});
const space = (SpaceName: string, owner: string, Status = "InService") => ({
  SpaceName,
  Status: Status as "InService",
  OwnershipSettingsSummary: { OwnerUserProfileName: owner },
});

describe("drain (deleted before the domain)", () => {
  it("deletes every app, then every space, then every profile (made on first sign-in), waiting for each", async () => {
    // SageMaker as it answers while things go: apps Deleting then Deleted, spaces and profiles
    // leave their lists once deleted.
    sm.on(ListAppsCommand)
      .resolvesOnce({
        Apps: [
          app("default", "InService", { UserProfileName: "analytics--alice" }),
          app("lab", "InService", { SpaceName: "alice-space" }),
          app("old", "Deleted", { UserProfileName: "bob" }),
        ],
      })
      .resolvesOnce({ Apps: [app("default", "Deleting", { UserProfileName: "analytics--alice" })] })
      .resolves({ Apps: [app("default", "Deleted", { UserProfileName: "analytics--alice" })] });
    sm.on(ListSpacesCommand)
      .resolvesOnce({ Spaces: [space("alice-space", "analytics--alice")] })
      .resolvesOnce({ Spaces: [space("alice-space", "analytics--alice")] })
      .resolvesOnce({ Spaces: [space("alice-space", "analytics--alice")] })
      .resolves({ Spaces: [] });
    sm.on(ListUserProfilesCommand)
      .resolvesOnce({
        UserProfiles: [profile("analytics--alice"), profile("bob", "Failed")],
        NextToken: "p2",
      })
      .resolvesOnce({ UserProfiles: [profile("forecasting--alice")] })
      .resolvesOnce({
        UserProfiles: [profile("analytics--alice"), profile("bob", "Failed")],
        NextToken: "p2",
      })
      .resolvesOnce({ UserProfiles: [profile("forecasting--alice")] })
      .resolvesOnce({
        UserProfiles: [profile("analytics--alice"), profile("bob", "Failed")],
        NextToken: "p2",
      })
      .resolvesOnce({ UserProfiles: [profile("forecasting--alice")] })
      .resolvesOnce({
        UserProfiles: [profile("analytics--alice"), profile("bob", "Failed")],
        NextToken: "p2",
      })
      .resolvesOnce({ UserProfiles: [profile("forecasting--alice")] })
      .resolvesOnce({ UserProfiles: [profile("analytics--alice", "Deleting")] })
      .resolves({ UserProfiles: [] });
    sm.on(DeleteAppCommand).resolves({});
    sm.on(DeleteSpaceCommand).resolves({});
    sm.on(DeleteUserProfileCommand).resolves({});

    await drainProvider.delete!("drain-id", DRAIN);

    expect(sm.commandCalls(ListAppsCommand)[0]?.args[0].input).toEqual({
      DomainIdEquals: "d-aaaaaaaaaaaa",
      NextToken: undefined,
    });
    // Each InService app is deleted once: a Deleting app is waited for, a Deleted one ignored.
    expect(sm.commandCalls(DeleteAppCommand).map((c) => c.args[0].input)).toEqual([
      {
        DomainId: "d-aaaaaaaaaaaa",
        AppType: "JupyterServer",
        AppName: "default",
        UserProfileName: "analytics--alice",
        SpaceName: undefined,
      },
      {
        DomainId: "d-aaaaaaaaaaaa",
        AppType: "JupyterServer",
        AppName: "lab",
        UserProfileName: undefined,
        SpaceName: "alice-space",
      },
    ]);
    expect(sm.commandCalls(DeleteSpaceCommand).map((c) => c.args[0].input)).toEqual([
      { DomainId: "d-aaaaaaaaaaaa", SpaceName: "alice-space" },
    ]);
    // Profiles only once no app or space is left; a Failed profile is deleted too, every page read.
    expect(sm.commandCalls(DeleteUserProfileCommand).map((c) => c.args[0].input)).toEqual([
      { DomainId: "d-aaaaaaaaaaaa", UserProfileName: "analytics--alice" },
      { DomainId: "d-aaaaaaaaaaaa", UserProfileName: "bob" },
      { DomainId: "d-aaaaaaaaaaaa", UserProfileName: "forecasting--alice" },
    ]);
  });

  it("fails naming the domain, what remains and the timeout when apps do not go away", async () => {
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListUserProfilesCommand).resolves({ UserProfiles: [profile("alice")] });
    sm.on(ListAppsCommand).resolves({
      Apps: [app("stuck", "Deleting", { UserProfileName: "alice" })],
    });
    await expect(
      drainProvider.delete!("drain-id", { ...DRAIN, timeoutSeconds: 0.05 }),
    ).rejects.toThrow("d-aaaaaaaaaaaa still has 1 user profiles, 1 apps and 0 spaces after 0.05 s");
    expect(sm.commandCalls(DeleteAppCommand)).toHaveLength(0);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(0);
  });

  it("deletes a Failed app (it exists until DeleteApp removes it) and waits for it to go", async () => {
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListUserProfilesCommand)
      .resolvesOnce({ UserProfiles: [profile("alice")] })
      .resolvesOnce({ UserProfiles: [profile("alice")] })
      .resolvesOnce({ UserProfiles: [profile("alice")] })
      .resolves({ UserProfiles: [] });
    sm.on(ListAppsCommand)
      .resolvesOnce({ Apps: [app("broken", "Failed", { UserProfileName: "alice" })] })
      .resolvesOnce({ Apps: [app("broken", "Deleting", { UserProfileName: "alice" })] })
      .resolves({ Apps: [app("broken", "Deleted", { UserProfileName: "alice" })] });
    sm.on(DeleteAppCommand).resolves({});
    sm.on(DeleteUserProfileCommand).resolves({});
    await drainProvider.delete!("drain-id", DRAIN);
    expect(sm.commandCalls(DeleteAppCommand).map((c) => c.args[0].input.AppName)).toEqual([
      "broken",
    ]);
    // The profile only once the Failed app is gone.
    const order = sm.calls().map((c) => c.args[0].constructor.name);
    expect(order.indexOf("DeleteUserProfileCommand")).toBeGreaterThan(
      order.lastIndexOf("DeleteAppCommand"),
    );
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
  });

  it("takes an app gone between its listing and its DeleteApp (ResourceNotFound) as gone", async () => {
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListUserProfilesCommand).resolves({ UserProfiles: [] });
    sm.on(ListAppsCommand)
      .resolvesOnce({ Apps: [app("default", "InService", { UserProfileName: "alice" })] })
      .resolves({ Apps: [] });
    sm.on(DeleteAppCommand).rejects(
      Object.assign(new Error("App does not exist"), { name: "ResourceNotFound" }),
    );
    await expect(drainProvider.delete!("drain-id", DRAIN)).resolves.toBeUndefined();
  });

  it("names the Failed apps that do not go away", async () => {
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListUserProfilesCommand).resolves({ UserProfiles: [profile("alice")] });
    sm.on(ListAppsCommand).resolves({
      Apps: [app("broken", "Failed", { UserProfileName: "alice" })],
    });
    sm.on(DeleteAppCommand).resolves({});
    await expect(
      drainProvider.delete!("drain-id", { ...DRAIN, timeoutSeconds: 0.05 }),
    ).rejects.toThrow(
      "d-aaaaaaaaaaaa still has 1 user profiles, 1 apps and 0 spaces after 0.05 s (Failed apps: broken)",
    );
    expect(sm.commandCalls(DeleteAppCommand).length).toBeGreaterThanOrEqual(1);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(0);
  });

  it("replaces (delete first) when it moves to another domain, and never touches AWS on create", async () => {
    expect(
      await drainProvider.diff!("id", DRAIN, { ...DRAIN, domainId: "d-bbbbbbbbbbbb" }),
    ).toEqual({
      changes: true,
      replaces: ["domainId"],
      deleteBeforeReplace: true,
    });
    expect((await drainProvider.diff!("id", DRAIN, { ...DRAIN })).changes).toBe(false);
    expect(await drainProvider.create(DRAIN)).toEqual({ id: "drain-d-aaaaaaaaaaaa", outs: DRAIN });
    expect(sm.calls()).toHaveLength(0);
  });
});

const SWEEP: SweepInputs = {
  region: "eu-west-1",
  profile: "lob-a",
  vpcId: "vpc-0a",
  domainName: "studio-access-lob-a",
  deleteFileSystem: false,
  timeoutSeconds: 5,
  pollMilliseconds: 1,
};

const SAGEMAKER_TAG = [{ Key: "ManagedByAmazonSageMakerResource", Value: "arn:aws:sagemaker:x" }];

function givenLeftovers() {
  efs.on(DescribeFileSystemsCommand).resolves({
    FileSystems: [
      // SageMaker's home EFS for this VPC's domain
      { FileSystemId: "fs-home", Tags: SAGEMAKER_TAG } as never,
      // someone else's file system in the same account: never touched
      { FileSystemId: "fs-other", Tags: [{ Key: "team", Value: "x" }] } as never,
      // SageMaker's EFS of a domain in another VPC: never touched
      { FileSystemId: "fs-elsewhere", Tags: SAGEMAKER_TAG } as never,
    ],
  });
  efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
  efs
    .on(DescribeMountTargetsCommand, { FileSystemId: "fs-home" })
    .resolvesOnce({ MountTargets: [{ MountTargetId: "fsmt-1", VpcId: "vpc-0a" } as never] })
    .resolvesOnce({
      MountTargets: [
        { MountTargetId: "fsmt-1", VpcId: "vpc-0a", LifeCycleState: "available" } as never,
        { MountTargetId: "fsmt-2", VpcId: "vpc-0a", LifeCycleState: "available" } as never,
      ],
    })
    .resolvesOnce({
      MountTargets: [
        { MountTargetId: "fsmt-1", VpcId: "vpc-0a", LifeCycleState: "deleting" } as never,
      ],
    })
    .resolves({ MountTargets: [] })
    .on(DescribeMountTargetsCommand, { FileSystemId: "fs-elsewhere" })
    .resolves({ MountTargets: [{ MountTargetId: "fsmt-9", VpcId: "vpc-0b" } as never] });
  efs.on(DeleteMountTargetCommand).resolves({});
  efs.on(DeleteFileSystemCommand).resolves({});
  const inbound = {
    GroupId: "sg-in",
    IpPermissions: [
      {
        IpProtocol: "tcp",
        FromPort: 2049,
        ToPort: 2049,
        UserIdGroupPairs: [{ GroupId: "sg-out" }],
      },
    ],
    IpPermissionsEgress: [],
  };
  const outbound = {
    GroupId: "sg-out",
    IpPermissions: [],
    IpPermissionsEgress: [
      { IpProtocol: "tcp", FromPort: 2049, ToPort: 2049, UserIdGroupPairs: [{ GroupId: "sg-in" }] },
    ],
  };
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [inbound, outbound] });
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({});
  ec2.on(RevokeSecurityGroupEgressCommand).resolves({});
  ec2.on(DeleteSecurityGroupCommand).resolves({});
  return { inbound, outbound };
}

describe("sweep (deleted after the domain, before the VPC)", () => {
  it("removes the home EFS's mount targets in this VPC and keeps the file system under Retain", async () => {
    givenLeftovers();
    const logs: string[] = [];
    const log = jest.spyOn(console, "log").mockImplementation((m: string) => logs.push(m));
    try {
      await sweepProvider.delete!("sweep-id", SWEEP);
    } finally {
      log.mockRestore();
    }
    expect(efs.commandCalls(DeleteMountTargetCommand).map((c) => c.args[0].input)).toEqual([
      { MountTargetId: "fsmt-1" },
      { MountTargetId: "fsmt-2" },
    ]);
    expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(0);
    expect(logs).toEqual([
      "studio-access: kept home EFS fs-home of studio-access-lob-a (retention Retain)",
    ]);
    // A file system SageMaker did not tag is not even looked at; fs-elsewhere's target is left.
    expect(
      efs.commandCalls(DescribeMountTargetsCommand).map((c) => c.args[0].input.FileSystemId),
    ).not.toContain("fs-other");
  });

  it("deletes the home EFS after its mount targets when the retention is Delete", async () => {
    givenLeftovers();
    await sweepProvider.delete!("sweep-id", { ...SWEEP, deleteFileSystem: true });
    expect(efs.commandCalls(DeleteFileSystemCommand).map((c) => c.args[0].input)).toEqual([
      { FileSystemId: "fs-home" },
    ]);
    const order = efs.calls().map((c) => c.args[0].constructor.name);
    expect(order.lastIndexOf("DeleteMountTargetCommand")).toBeLessThan(
      order.indexOf("DeleteFileSystemCommand"),
    );
  });

  it("revokes the NFS groups' mutual rules before deleting either group, looking only in this VPC", async () => {
    const { inbound, outbound } = givenLeftovers();
    await sweepProvider.delete!("sweep-id", SWEEP);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: "vpc-id", Values: ["vpc-0a"] },
        {
          Name: "group-name",
          Values: ["security-group-for-inbound-nfs-*", "security-group-for-outbound-nfs-*"],
        },
      ],
    });
    expect(ec2.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
      ["DescribeSecurityGroupsCommand", expect.anything()],
      [
        "RevokeSecurityGroupIngressCommand",
        { GroupId: "sg-in", IpPermissions: inbound.IpPermissions },
      ],
      [
        "RevokeSecurityGroupEgressCommand",
        { GroupId: "sg-out", IpPermissions: outbound.IpPermissionsEgress },
      ],
      ["DeleteSecurityGroupCommand", { GroupId: "sg-in" }],
      ["DeleteSecurityGroupCommand", { GroupId: "sg-out" }],
    ]);
  });

  it.each([
    ["deleting", { FileSystems: [{ FileSystemId: "fs-home", LifeCycleState: "deleting" }] }],
    ["gone (no longer listed)", { FileSystems: [] }],
  ])(
    "leaves the home EFS to SageMaker when it is already %s: no DeleteFileSystem",
    async (state, described) => {
      givenLeftovers();
      efs.on(DescribeFileSystemsCommand, { FileSystemId: "fs-home" }).resolves(described as never);
      const logs: string[] = [];
      const log = jest.spyOn(console, "log").mockImplementation((m: string) => logs.push(m));
      try {
        await sweepProvider.delete!("sweep-id", { ...SWEEP, deleteFileSystem: true });
      } finally {
        log.mockRestore();
      }
      expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(0);
      // Its mount targets are still removed first: they block the subnets whatever happens to it.
      expect(efs.commandCalls(DeleteMountTargetCommand)).toHaveLength(2);
      expect(logs).toEqual([
        `studio-access: home EFS fs-home of studio-access-lob-a is already ${state === "deleting" ? "deleting" : "gone"}`,
      ]);
    },
  );

  it("takes FileSystemNotFound from DeleteFileSystem (gone meanwhile) as done", async () => {
    givenLeftovers();
    efs.on(DeleteFileSystemCommand).rejects(
      Object.assign(new Error("File system 'fs-home' does not exist."), {
        name: "FileSystemNotFound",
      }),
    );
    await expect(
      sweepProvider.delete!("sweep-id", { ...SWEEP, deleteFileSystem: true }),
    ).resolves.toBeUndefined();
    expect(efs.commandCalls(DeleteFileSystemCommand)).toHaveLength(1);
  });

  const dependencyViolation = () =>
    Object.assign(new Error("resource sg-in has a dependent object"), {
      name: "DependencyViolation",
    });

  it("tries an NFS group's deletion again while EC2 answers DependencyViolation, then deletes it", async () => {
    givenLeftovers();
    ec2
      .on(DeleteSecurityGroupCommand, { GroupId: "sg-in" })
      .rejectsOnce(dependencyViolation())
      .rejectsOnce(dependencyViolation())
      .resolves({});
    await sweepProvider.delete!("sweep-id", SWEEP);
    expect(
      ec2.commandCalls(DeleteSecurityGroupCommand).map((c) => c.args[0].input.GroupId),
    ).toEqual(["sg-in", "sg-in", "sg-in", "sg-out"]);
  });

  it("fails naming the group when DependencyViolation outlasts the deadline", async () => {
    givenLeftovers();
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: "sg-in", GroupName: "security-group-for-inbound-nfs-d-aaaaaaaaaaaa" },
      ],
    });
    ec2.on(DeleteSecurityGroupCommand).rejects(dependencyViolation());
    await expect(
      sweepProvider.delete!("sweep-id", { ...SWEEP, timeoutSeconds: 0.05 }),
    ).rejects.toThrow(
      "security group sg-in (security-group-for-inbound-nfs-d-aaaaaaaaaaaa) is still in use (DependencyViolation) after 0.05 s",
    );
    expect(ec2.commandCalls(DeleteSecurityGroupCommand).length).toBeGreaterThan(1);
  });

  it("does not retry any other refusal, and takes a group already gone as deleted", async () => {
    givenLeftovers();
    ec2
      .on(DeleteSecurityGroupCommand, { GroupId: "sg-in" })
      .rejects(Object.assign(new Error("gone"), { name: "InvalidGroup.NotFound" }));
    await sweepProvider.delete!("sweep-id", SWEEP);
    expect(ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(2);
    ec2.reset();
    givenLeftovers();
    ec2
      .on(DeleteSecurityGroupCommand)
      .rejects(Object.assign(new Error("denied"), { name: "UnauthorizedOperation" }));
    await expect(sweepProvider.delete!("sweep-id", SWEEP)).rejects.toThrow("denied");
    expect(ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(1);
  });

  it("fails naming the file system when its mount targets do not go away", async () => {
    givenLeftovers();
    efs.on(DescribeMountTargetsCommand, { FileSystemId: "fs-home" }).resolves({
      MountTargets: [
        { MountTargetId: "fsmt-1", VpcId: "vpc-0a", LifeCycleState: "deleting" } as never,
      ],
    });
    await expect(
      sweepProvider.delete!("sweep-id", { ...SWEEP, timeoutSeconds: 0.05 }),
    ).rejects.toThrow("mount targets of fs-home remain after 0.05 s");
    expect(ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(0);
  });
});
