import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type { Ec2 } from "../ec2";
import type { Efs } from "../efs";

/** SageMaker's domains, user profiles, spaces and Studio apps, and the rules for deleting them. */

/**
 * A user profile. CreateUserProfile answers at once with the profile Pending; it is InService a
 * moment later (DescribeUserProfile's Status), https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeUserProfile.html
 */
export interface Profile {
  readonly name: string;
  readonly executionRole?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly readyAt: number;
  /** Its home directory on the domain's EFS: `/<uid>` (DescribeUserProfile's HomeEfsFileSystemUid). */
  readonly homeUid: string;
  /** Idle shutdown of its apps, by app type (JupyterLab, CodeEditor), as CreateUserProfile set it. */
  readonly idleSettings?: Readonly<Record<string, IdleSettings>>;
  /** Its spaces' EBS volume, as CreateUserProfile's UserSettings.SpaceStorageSettings set it. */
  readonly spaceStorage?: SpaceStorageDefaults;
}

/** SageMaker's DefaultEbsStorageSettings (API_DefaultEbsStorageSettings), in GB. */
export interface SpaceStorageDefaults {
  readonly DefaultEbsVolumeSizeInGb: number;
  readonly MaximumEbsVolumeSizeInGb: number;
}

/** A space: the profile that owns it, and its EBS volume's size when its owner's settings gave one. */
export interface Space {
  readonly owner: string;
  ebsVolumeSizeInGb?: number;
}

/** SageMaker's IdleSettings (API_IdleSettings), as a profile or a domain's defaults hold them. */
export interface IdleSettings {
  readonly LifecycleManagement?: "ENABLED" | "DISABLED";
  readonly IdleTimeoutInMinutes?: number;
  readonly MinIdleTimeoutInMinutes?: number;
  readonly MaxIdleTimeoutInMinutes?: number;
}

export interface Domain {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly profiles: Map<string, Profile>;
  /** Spaces by name, with the profile that owns each (a private space). */
  readonly spaces: Map<string, Space>;
  /** The domain's home EFS, when it has a VPC. */
  readonly fileSystemId?: string;
  /** The domain's tags, which SageMaker also puts on every app the domain launches. */
  readonly tags: Readonly<Record<string, string>>;
}

/** A Studio app: opening Studio creates one; deleting it passes through Deleting. */
export interface StudioApp {
  readonly domainId: string;
  readonly userProfileName: string;
  readonly appType: string;
  readonly appName: string;
  status: "InService" | "Deleting" | "Deleted";
  /**
   * Its domain's tags, as of its creation: "Tags that you specify for the Domain are also added to
   * all Apps that the Domain launches", https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html
   */
  readonly tags: Readonly<Record<string, string>>;
  /** The space it runs in (a space's app), if any. */
  readonly spaceName?: string;
  /** CreateApp's ResourceSpec.InstanceType, when given (the default JupyterServer app: `system`). */
  readonly instanceType?: string;
  /** CreationTime, in milliseconds. */
  createdAt?: number;
  /**
   * When its user was last active in it, in milliseconds: DescribeApp's LastUserActivityTimestamp
   * and what idle shutdown reads; unset, SageMaker gives none (and idle shutdown counts from its
   * creation).
   */
  lastActivity?: number;
}

export class SageMakerResources {
  readonly domains = new Map<string, Domain>();
  readonly apps: StudioApp[] = [];
  private homeUids = 0;
  /** How long a new user profile stays Pending (real SageMaker: seconds). */
  profileStartMs = 1_500;
  /** The emulator's clock: wall time (`advanceClock` moves the apps' times back instead). */
  now(): number {
    return Date.now();
  }

  /**
   * Lets `minutes` pass for the apps (their creation and last activity move that far into the
   * past, so every timestamp the API answers stays on wall time), then does what SageMaker's idle
   * shutdown does: every InService JupyterLab or Code Editor app whose user has been idle longer
   * than its profile's IdleTimeoutInMinutes (with LifecycleManagement ENABLED) is stopped, its
   * status Deleted ("Idle shutdown", SageMaker AI Developer Guide,
   * https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-idle-shutdown.html). Returns
   * the apps it stopped. (SageMaker decides idleness inside the app, from kernels, terminals and
   * the user's activity, which the emulator does not run: it reads `lastActivity`.)
   */
  advanceClock(minutes: number): StudioApp[] {
    const ms = minutes * 60_000;
    for (const app of this.apps) {
      if (app.createdAt !== undefined) app.createdAt -= ms;
      if (app.lastActivity !== undefined) app.lastActivity -= ms;
    }
    const stopped: StudioApp[] = [];
    for (const app of this.apps) {
      if (app.status !== "InService" || !["JupyterLab", "CodeEditor"].includes(app.appType))
        continue;
      const idle = this.domains.get(app.domainId)?.profiles.get(app.userProfileName)
        ?.idleSettings?.[app.appType];
      if (idle?.LifecycleManagement !== "ENABLED" || idle.IdleTimeoutInMinutes === undefined)
        continue;
      const since = app.lastActivity ?? app.createdAt ?? 0;
      if (this.now() - since > idle.IdleTimeoutInMinutes * 60_000) {
        app.status = "Deleted";
        stopped.push(app);
      }
    }
    return stopped;
  }

  constructor(
    readonly region: string,
    private readonly ec2: Ec2,
    private readonly efs: Efs,
  ) {}

  /**
   * The ARN of a resource in a domain (`user-profile/<domain>/<name>`, `space/…`, `app/…`), in the
   * domain's account and region; a domain that does not exist has the placeholder account.
   */
  arn(domain: Domain | undefined, resource: string): string {
    return `arn:aws:sagemaker:${domain?.region ?? this.region}:${domain?.account ?? "000000000000"}:${resource}`;
  }

  /**
   * A VpcOnly domain. As SageMaker does, it also creates, in the domain's VPC, two NFS security
   * groups that reference each other (security-group-for-inbound-nfs-<domain>, …-outbound-…) and a
   * home EFS with a mount target in each subnet, none of which deleting the domain removes
   * (cloudformation-coverage-roadmap #1085 and #1754 describe the leftovers).
   */
  createDomain(
    account: string,
    region: string,
    name: string,
    network?: { vpcId: string; subnetIds: readonly string[] },
    tags: Readonly<Record<string, string>> = {},
  ): string {
    const id = `d-${randomBytes(6).toString("hex")}`;
    const fileSystemId = network ? `fs-${randomBytes(8).toString("hex")}` : undefined;
    this.domains.set(id, {
      id,
      account,
      region,
      name,
      profiles: new Map(),
      spaces: new Map(),
      ...(fileSystemId ? { fileSystemId } : {}),
      tags,
    });
    if (network && fileSystemId) {
      const inbound = this.ec2.createSecurityGroup(
        network.vpcId,
        `security-group-for-inbound-nfs-${id}`,
        account,
      );
      const outbound = this.ec2.createSecurityGroup(
        network.vpcId,
        `security-group-for-outbound-nfs-${id}`,
        account,
      );
      inbound.references.add(outbound.id);
      outbound.references.add(inbound.id);
      this.efs.createFileSystem(
        fileSystemId,
        account,
        `arn:aws:sagemaker:${region}:${account}:domain/${id}`,
        network,
      );
    }
    return id;
  }

  /** Apps not yet deleted (SageMaker refuses to delete their profile or domain meanwhile). */
  liveApps(domainId: string, userProfileName?: string): StudioApp[] {
    return this.apps.filter(
      (a) =>
        a.domainId === domainId &&
        a.status !== "Deleted" &&
        (userProfileName === undefined || a.userProfileName === userProfileName),
    );
  }

  /**
   * Refused while profiles or apps remain, as SageMaker refuses (ResourceInUse): "Delete all apps,
   * spaces and user profiles before deleting the domain",
   * https://docs.aws.amazon.com/sagemaker/latest/dg/gs-studio-delete-domain.html
   */
  deleteDomain(id: string): void {
    const domain = this.domains.get(id);
    if (domain && domain.profiles.size > 0)
      throw new Error(`ResourceInUse: domain ${id} still has user profiles`);
    if (this.liveApps(id).length > 0) throw new Error(`ResourceInUse: domain ${id} still has apps`);
    if (domain && domain.spaces.size > 0)
      throw new Error(`ResourceInUse: domain ${id} still has spaces`);
    this.domains.delete(id);
  }

  createUserProfile(
    domainId: string,
    name: string,
    settings: {
      executionRole?: string;
      tags?: Record<string, string>;
      startMs?: number;
      idleSettings?: Readonly<Record<string, IdleSettings>>;
      spaceStorage?: SpaceStorageDefaults;
    } = {},
  ): void {
    const domain = this.domains.get(domainId);
    if (!domain) throw new Error(`ResourceNotFound: domain ${domainId}`);
    domain.profiles.set(name, {
      name,
      tags: settings.tags ?? {},
      ...(settings.executionRole ? { executionRole: settings.executionRole } : {}),
      ...(settings.idleSettings ? { idleSettings: settings.idleSettings } : {}),
      ...(settings.spaceStorage ? { spaceStorage: settings.spaceStorage } : {}),
      readyAt: Date.now() + (settings.startMs ?? 0),
      // SageMaker numbers home directories from 200001 (the emulator, across its domains).
      homeUid: String(200001 + this.homeUids++),
    });
  }

  /** The domain's home EFS id (undefined for a domain without a VPC). */
  fileSystemOf(domainId: string): string | undefined {
    return this.domains.get(domainId)?.fileSystemId;
  }

  /**
   * The folder standing for a profile's home directory on its domain's EFS. Studio creates it when
   * the user first opens an app; DeleteUserProfile leaves it (the user only "loses access to their
   * EFS volume", API_DeleteUserProfile). Undefined without a file system.
   * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DeleteUserProfile.html
   */
  homeDirectory(domainId: string, homeUid: string): string | undefined {
    const fileSystemId = this.domains.get(domainId)?.fileSystemId;
    const fs = fileSystemId ? this.efs.fileSystems.get(fileSystemId) : undefined;
    return fs ? path.join(fs.root, homeUid) : undefined;
  }

  /** Pending until its start time has passed, then InService. */
  profileStatus(profile: Profile): "Pending" | "InService" {
    return Date.now() < profile.readyAt ? "Pending" : "InService";
  }

  /** Every profile of every domain, with its domain (the rehearsal's view of what exists). */
  allProfiles(): (Profile & { domainId: string })[] {
    return [...this.domains.values()].flatMap((d) =>
      [...d.profiles.values()].map((p) => ({ ...p, domainId: d.id })),
    );
  }

  /**
   * A private space, as a user makes one in Studio (the rehearsal's deep-link steps use it), with
   * CreateSpace's SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb when
   * given. Its volume is the owner profile's DefaultEbsVolumeSizeInGb unless asked otherwise, and
   * a size above the profile's MaximumEbsVolumeSizeInGb is refused: ValidationException
   * (API_CreateSpace, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateSpace.html;
   * DefaultEbsStorageSettings, "The maximum size of the EBS storage volume for a space",
   * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DefaultEbsStorageSettings.html).
   * A profile without storage settings holds no limit here (the domain's defaults are not kept).
   */
  createSpace(domainId: string, name: string, owner: string, ebsVolumeSizeInGb?: number): void {
    const domain = this.domains.get(domainId);
    const profile = domain?.profiles.get(owner);
    if (!domain || !profile) throw new Error(`ResourceNotFound: profile ${owner}`);
    if (domain.spaces.has(name)) throw new Error(`ResourceInUse: space ${name} already exists`);
    this.checkVolumeSize(profile, ebsVolumeSizeInGb);
    const size = ebsVolumeSizeInGb ?? profile.spaceStorage?.DefaultEbsVolumeSizeInGb;
    domain.spaces.set(name, { owner, ...(size !== undefined ? { ebsVolumeSizeInGb: size } : {}) });
  }

  /**
   * UpdateSpace's new EBS volume size, held to the owner profile's maximum as CreateSpace's
   * (ValidationException, API_UpdateSpace,
   * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateSpace.html).
   */
  updateSpace(domainId: string, name: string, ebsVolumeSizeInGb?: number): void {
    const domain = this.domains.get(domainId);
    const space = domain?.spaces.get(name);
    if (!domain || !space) throw new Error(`ResourceNotFound: space ${name}`);
    const profile = domain.profiles.get(space.owner);
    if (profile) this.checkVolumeSize(profile, ebsVolumeSizeInGb);
    if (ebsVolumeSizeInGb !== undefined) space.ebsVolumeSizeInGb = ebsVolumeSizeInGb;
  }

  private checkVolumeSize(profile: Profile, size: number | undefined): void {
    const max = profile.spaceStorage?.MaximumEbsVolumeSizeInGb;
    if (size !== undefined && max !== undefined && size > max)
      throw new Error(
        `ValidationException: EbsVolumeSizeInGb ${String(size)} is above the maximum ${String(max)} GB of user profile ${profile.name}`,
      );
  }

  /**
   * Refused while the profile has apps or spaces, and while it is not yet InService (still
   * Pending): ResourceInUse, the error API_DeleteUserProfile documents for a resource in use,
   * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DeleteUserProfile.html. The AWS
   * provider waits for InService after CreateUserProfile (waitUserProfileInService,
   * internal/service/sagemaker/user_profile.go), so a profile a stack made is never Pending here.
   */
  deleteUserProfile(domainId: string, name: string): void {
    const profile = this.domains.get(domainId)?.profiles.get(name);
    if (profile && this.profileStatus(profile) !== "InService")
      throw new Error(
        `ResourceInUse: user profile ${name} in ${domainId} is ${this.profileStatus(profile)}, not InService`,
      );
    if (this.liveApps(domainId, name).length > 0)
      throw new Error(`ResourceInUse: user profile ${name} in ${domainId} still has apps`);
    const spaces = [...(this.domains.get(domainId)?.spaces.values() ?? [])];
    if (spaces.some((space) => space.owner === name))
      throw new Error(`ResourceInUse: user profile ${name} in ${domainId} still has spaces`);
    this.domains.get(domainId)?.profiles.delete(name);
  }
}
