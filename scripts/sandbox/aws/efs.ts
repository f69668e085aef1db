import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Sts } from "./sts";
import type { Traffic } from "./traffic";

/** EFS: the home file systems SageMaker makes for its domains, and the access points the stacks make. */

export interface FileSystem {
  readonly id: string;
  readonly account: string;
  readonly domainArn: string;
  /** A local folder standing for the file system's contents (what a mount at its root shows). */
  readonly root: string;
  /** Mount target id → its subnet and VPC. */
  readonly mountTargets: Map<string, { subnetId: string; vpcId: string }>;
}

export class Efs {
  readonly fileSystems = new Map<string, FileSystem>();
  /** Deleted file systems, whose folders go when the emulator stops. */
  private readonly deletedFileSystems: FileSystem[] = [];
  /** EFS access points the stacks made: id → its file system. */
  readonly accessPoints = new Map<string, string>();
  /** Where the folders standing for EFS file systems are made (the sandbox: its state folder). */
  fileSystemsDir = tmpdir();

  constructor(
    private readonly sts: Sts,
    private readonly traffic: Traffic,
  ) {}

  /** A file system for a domain, with a mount target in each of the subnets given. */
  createFileSystem(
    id: string,
    account: string,
    domainArn: string,
    network: { vpcId: string; subnetIds: readonly string[] },
  ): void {
    const fs: FileSystem = {
      id,
      account,
      domainArn,
      root: mkdtempSync(path.join(this.fileSystemsDir, `studio-access-efs-${id}-`)),
      mountTargets: new Map(),
    };
    for (const subnetId of network.subnetIds)
      fs.mountTargets.set(`fsmt-${randomBytes(8).toString("hex")}`, {
        subnetId,
        vpcId: network.vpcId,
      });
    this.fileSystems.set(fs.id, fs);
  }

  /** The folder a function sees at its mount of an access point (at the file system's root). */
  mountOf(accessPointArn: string): string | undefined {
    const fileSystemId = this.accessPoints.get(accessPointArn);
    return fileSystemId ? this.fileSystems.get(fileSystemId)?.root : undefined;
  }

  /** The mount targets (network interfaces) in a subnet. */
  mountTargetsIn(subnetId: string): string[] {
    return [...this.fileSystems.values()].flatMap((fs) =>
      [...fs.mountTargets].filter(([, t]) => t.subnetId === subnetId).map(([mt]) => mt),
    );
  }

  /** Removes the folders standing for the EFS file systems (studio-access-efs-fs-… in the temp dir). */
  removeFolders(): void {
    for (const fs of [...this.fileSystems.values(), ...this.deletedFileSystems])
      rmSync(fs.root, { recursive: true, force: true });
  }

  /** The EFS calls a spoke's sweep makes: list file systems and mount targets, delete them. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "", "http://efs");
    const json = (status: number, body?: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    this.traffic.count(`EFS.${req.method ?? "?"} ${url.pathname.split("/")[2] ?? ""}`);
    if (!this.sts.caller(req)) {
      json(403, {
        ErrorCode: "UnrecognizedClientException",
        Message: "The security token included in the request is invalid.",
      });
      return;
    }
    const [, , kind, id] = url.pathname.split("/");
    if (req.method === "GET" && kind === "file-systems") {
      json(200, {
        FileSystems: [...this.fileSystems.values()].map((fs) => ({
          FileSystemId: fs.id,
          OwnerId: fs.account,
          CreationToken: fs.id,
          CreationTime: 0,
          LifeCycleState: "available",
          NumberOfMountTargets: fs.mountTargets.size,
          SizeInBytes: { Value: 0 },
          PerformanceMode: "generalPurpose",
          Tags: [{ Key: "ManagedByAmazonSageMakerResource", Value: fs.domainArn }],
        })),
      });
      return;
    }
    if (req.method === "GET" && kind === "mount-targets") {
      const fs = this.fileSystems.get(url.searchParams.get("FileSystemId") ?? "");
      json(200, {
        MountTargets: [...(fs?.mountTargets ?? [])].map(([mt, t]) => ({
          MountTargetId: mt,
          FileSystemId: fs?.id,
          SubnetId: t.subnetId,
          VpcId: t.vpcId,
          LifeCycleState: "available",
          OwnerId: fs?.account,
          IpAddress: "10.0.0.10",
        })),
      });
      return;
    }
    if (req.method === "DELETE" && kind === "mount-targets") {
      for (const fs of this.fileSystems.values()) fs.mountTargets.delete(id ?? "");
      json(204);
      return;
    }
    if (req.method === "DELETE" && kind === "file-systems") {
      const fs = this.fileSystems.get(id ?? "");
      if (fs && fs.mountTargets.size > 0) {
        json(409, { ErrorCode: "FileSystemInUse", Message: `${fs.id} has mount targets` });
        return;
      }
      if (fs) this.deletedFileSystems.push(fs);
      this.fileSystems.delete(id ?? "");
      json(204);
      return;
    }
    json(400, {
      ErrorCode: "BadRequest",
      Message: `${String(req.method)} ${url.pathname} is not emulated`,
    });
  }
}
