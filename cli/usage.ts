import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  DescribeAppCommand,
  DescribeSpaceCommand,
  ListTagsCommand,
  paginateListApps,
  SageMakerClient,
  type AppDetails,
} from "@aws-sdk/client-sagemaker";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { closest } from "fastest-levenshtein";
import { usageReaderRoleArn } from "../components/policies/role-names";
import { LOBS_KEY } from "../functions/shared/tables";
import { TAGS } from "../functions/shared/teams";
import { adminSession, awsFailure, checkLob, type AdminConfig, type AdminSession } from "./admin";
import { CliError, EXIT, isNetworkError } from "./errors";

/*
 * `studio-access admin usage`: the Studio apps running in the LOBs, by LOB, team and user, read
 * through each LOB's usage reader role (which the hub's admin role alone may assume, and which may
 * only list and describe). Nothing is changed.
 */

/**
 * One running app, as `admin usage --json` prints it (field names are stable; see
 * docs/entitlements.md). Times are ISO 8601 UTC; a value SageMaker does not give is null.
 */
export interface UsageRow {
  readonly lob: string;
  /** The profile's studio-access:team tag; null when the profile lacks studio-access's tags. */
  readonly team: string | null;
  /** The profile's studio-access:username tag; null when untagged. */
  readonly user: string | null;
  /** Whether the app's profile carries studio-access's LOB (this LOB), team and username tags. */
  readonly tagged: boolean;
  /** The profile the app belongs to (a space's app: the space's owner); null when unknown. */
  readonly profile: string | null;
  /** The space the app runs in; null for a profile's own app. */
  readonly space: string | null;
  readonly appType: string;
  readonly appName: string;
  /** InService or Pending (the apps that are running or starting). */
  readonly status: string;
  /** ResourceSpec.InstanceType; null when SageMaker gives none. */
  readonly instanceType: string | null;
  readonly createdAt: string | null;
  /** Seconds since createdAt. */
  readonly ageSeconds: number | null;
  /**
   * DescribeApp's LastUserActivityTimestamp ("also updated when SageMaker AI performs health checks
   * without user activity", DescribeApp, Amazon SageMaker API Reference,
   * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeApp.html).
   */
  readonly lastUserActivityAt: string | null;
  /** Seconds since lastUserActivityAt. */
  readonly idleSeconds: number | null;
}

/** A LOB whose apps could not be read, and why (an AWS error's name, never a credential). */
export interface Unreachable {
  readonly lob: string;
  readonly reason: string;
}

/** A LOB as its record in the hub's LOBs table gives it. */
interface LobRecord {
  readonly lob: string;
  readonly accountId: string;
  readonly region: string;
  readonly domainId: string;
  readonly accessRoleArn: string;
}

/** The apps that cost money: running, or starting. */
const RUNNING = new Set(["InService", "Pending"]);

/**
 * A duration as `--idle-over` takes it, in seconds: minutes, hours or days, alone or combined
 * (`90m`, `2h`, `1h30m`, `1d`).
 */
export function parseDuration(flag: string, text: string): number {
  const parts = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (!parts || text.trim() === "")
    throw new CliError(
      EXIT.usage,
      `${flag} ${JSON.stringify(text)} is not a duration (like 90m, 2h, 1h30m or 1d)`,
    );
  const [, d, h, m] = parts;
  const seconds = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(m ?? 0) * 60;
  if (seconds === 0)
    throw new CliError(EXIT.usage, `${flag} ${JSON.stringify(text)} is not longer than zero`);
  return seconds;
}

/** Seconds as a person reads them: `3d 4h`, `2h 05m`, `12m`, `<1m`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "unknown";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return "<1m";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${String(days)}d ${String(hours)}h`;
  if (hours > 0) return `${String(hours)}h ${String(rest).padStart(2, "0")}m`;
  return `${String(rest)}m`;
}

/** `arn:<partition>:iam::<account>:role/<path/><name>` → its partition and name. */
function roleParts(arn: string): { partition: string; name: string } | undefined {
  const match = /^arn:(aws[a-z-]*):iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/.exec(
    arn,
  );
  return match ? { partition: match[1] ?? "aws", name: match[2] ?? "" } : undefined;
}

const textOf = (item: Record<string, unknown>, key: string) =>
  typeof item[key] === "string" ? item[key] : "";

const iso = (date: Date | undefined) => (date ? date.toISOString() : null);
const since = (now: Date, date: Date | undefined) =>
  date ? Math.max(0, Math.floor((now.getTime() - date.getTime()) / 1000)) : null;

/** Makes the SageMaker client of one LOB, as its usage reader role. */
export type ReaderClient = (record: LobRecord, roleArn: string) => Promise<SageMakerClient>;

/** The calls of `admin usage`, as the hub's admin role and the LOBs' usage reader roles. */
export class UsageApi {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly config: AdminConfig,
    private readonly reader: ReaderClient,
  ) {}

  /** Assumes the admin role; each LOB's reader role is assumed with its credentials. */
  static async connect(config: AdminConfig): Promise<UsageApi> {
    const admin = await adminSession(config);
    return new UsageApi(
      DynamoDBDocumentClient.from(new DynamoDBClient(admin.session)),
      config,
      readerThrough(admin),
    );
  }

  /**
   * The running apps of one LOB (exit 4, naming the nearest LOB, when there is no such LOB) or of
   * every LOB, in LOB, team, user, app type and name order; the LOBs whose apps could not be read
   * are named in `unreachable`, the others still listed.
   */
  async usage(
    filter: { lob?: string },
    now: Date,
  ): Promise<{ apps: UsageRow[]; unreachable: Unreachable[] }> {
    if (filter.lob !== undefined) checkLob(filter.lob);
    const records = await this.lobRecords();
    let chosen = records;
    if (filter.lob !== undefined) {
      chosen = records.filter((r) => r.lob === filter.lob);
      if (chosen.length === 0) {
        const names = records.map((r) => r.lob);
        const near = names.length > 0 ? closest(filter.lob, names) : undefined;
        throw new CliError(
          EXIT.notEntitled,
          `no LOB ${filter.lob} is registered in the hub${near ? ` (did you mean ${near}?)` : ""}`,
        );
      }
    }
    const apps: UsageRow[] = [];
    const unreachable: Unreachable[] = [];
    for (const record of chosen) {
      try {
        apps.push(...(await this.lobApps(record, now)));
      } catch (error) {
        unreachable.push({ lob: record.lob, reason: reasonOf(error) });
      }
    }
    // By LOB, then the tagged apps by team, user, type and name; a LOB's untagged apps last.
    const key = (r: UsageRow) => [
      r.lob,
      r.tagged ? "0" : "1",
      r.team ?? "",
      r.user ?? "",
      r.profile ?? "",
      r.appType,
      r.appName,
      r.space ?? "",
    ];
    apps.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      for (let i = 0; i < x.length; i++) {
        const order = (x[i] ?? "").localeCompare(y[i] ?? "");
        if (order !== 0) return order;
      }
      return 0;
    });
    return { apps, unreachable };
  }

  /** The LOBs' records (the admin role reads the LOBs table). */
  private async lobRecords(): Promise<LobRecord[]> {
    const records: LobRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let page;
      try {
        page = await this.dynamo.send(
          new ScanCommand({ TableName: this.config.lobsTable, ExclusiveStartKey: startKey }),
        );
      } catch (error) {
        throw awsFailure(error, "the LOBs could not be read");
      }
      for (const item of page.Items ?? [])
        records.push({
          lob: textOf(item, LOBS_KEY.partition),
          accountId: textOf(item, "accountId"),
          region: textOf(item, "region") || this.config.region,
          domainId: textOf(item, "domainId"),
          accessRoleArn: textOf(item, "accessRoleArn"),
        });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records.sort((a, b) => a.lob.localeCompare(b.lob));
  }

  /** One LOB's running apps, through its usage reader role. */
  private async lobApps(record: LobRecord, now: Date): Promise<UsageRow[]> {
    const role = roleParts(record.accessRoleArn);
    if (!role || !/^\d{12}$/.test(record.accountId) || !record.domainId)
      throw new CliError(EXIT.upstream, "its record in the LOBs table is incomplete");
    const readerArn = usageReaderRoleArn(record.accountId, role.name).replace(
      /^arn:aws:/,
      `arn:${role.partition}:`,
    );
    const sageMaker = await this.reader(record, readerArn);
    const profileArn = (name: string) =>
      `arn:${role.partition}:sagemaker:${record.region}:${record.accountId}:user-profile/${record.domainId}/${name}`;
    const owners = new Map<string, string | undefined>();
    const tagsOf = new Map<string, Record<string, string>>();
    const rows: UsageRow[] = [];
    const listed: AppDetails[] = [];
    for await (const page of paginateListApps(
      { client: sageMaker },
      { DomainIdEquals: record.domainId },
    ))
      listed.push(...(page.Apps ?? []));
    for (const app of listed) {
      if (!RUNNING.has(app.Status ?? "") || !app.AppType || !app.AppName) continue;
      const described = await sageMaker.send(
        new DescribeAppCommand({
          DomainId: record.domainId,
          AppType: app.AppType,
          AppName: app.AppName,
          ...(app.SpaceName
            ? { SpaceName: app.SpaceName }
            : { UserProfileName: app.UserProfileName }),
        }),
      );
      // A space's app is its owner's: the space names the owner's profile (a shared space may
      // have none, and is listed untagged).
      let profile = app.UserProfileName;
      if (app.SpaceName) {
        if (!owners.has(app.SpaceName)) {
          const space = await sageMaker.send(
            new DescribeSpaceCommand({ DomainId: record.domainId, SpaceName: app.SpaceName }),
          );
          owners.set(app.SpaceName, space.OwnershipSettings?.OwnerUserProfileName);
        }
        profile = owners.get(app.SpaceName);
      }
      let tags: Record<string, string> = {};
      if (profile) {
        const known = tagsOf.get(profile);
        if (known) tags = known;
        else {
          const listedTags: Record<string, string> = {};
          let token: string | undefined;
          do {
            const page = await sageMaker.send(
              new ListTagsCommand({ ResourceArn: profileArn(profile), NextToken: token }),
            );
            for (const tag of page.Tags ?? [])
              if (tag.Key !== undefined) listedTags[tag.Key] = tag.Value ?? "";
            token = page.NextToken;
          } while (token);
          tagsOf.set(profile, listedTags);
          tags = listedTags;
        }
      }
      // Identity from the profile's tags, never from its name: a profile without studio-access's
      // tags (or tagged with another LOB) is untagged.
      const team = tags[TAGS.team];
      const user = tags[TAGS.username];
      const tagged = tags[TAGS.lob] === record.lob && Boolean(team) && Boolean(user);
      const created = app.CreationTime ?? described.CreationTime;
      const active = described.LastUserActivityTimestamp;
      rows.push({
        lob: record.lob,
        team: tagged ? (team ?? null) : null,
        user: tagged ? (user ?? null) : null,
        tagged,
        profile: profile ?? null,
        space: app.SpaceName ?? null,
        appType: app.AppType,
        appName: app.AppName,
        status: app.Status ?? "",
        instanceType:
          app.ResourceSpec?.InstanceType ?? described.ResourceSpec?.InstanceType ?? null,
        createdAt: iso(created),
        ageSeconds: since(now, created),
        lastUserActivityAt: iso(active),
        idleSeconds: since(now, active),
      });
    }
    return rows;
  }
}

/** Why a LOB's apps could not be read: the error's name and what it likely means. */
function reasonOf(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (isNetworkError(error)) return "AWS is unreachable from here";
  const name = error instanceof Error ? error.name : "unknown error";
  if (/AccessDenied/.test(name))
    return `${name}: its usage reader role is missing or refuses (update the LOB's stack after the hub's, so it has the role)`;
  return name;
}

/** Each LOB's SageMaker client, as its usage reader role assumed with the admin role's session. */
function readerThrough(admin: AdminSession): ReaderClient {
  const sts = new STSClient(admin.session);
  return async (record, roleArn) => {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: admin.sessionName,
        DurationSeconds: 900,
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new CliError(EXIT.upstream, "STS returned no credentials for the usage reader role");
    return new SageMakerClient({
      region: record.region,
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      },
    });
  };
}

/** The rows `--idle-over` keeps: idle longer than the threshold (an unknown idle time is not). */
export function idleOver(
  apps: readonly UsageRow[],
  seconds: number,
): { kept: UsageRow[]; unknown: number } {
  return {
    kept: apps.filter((a) => a.idleSeconds !== null && a.idleSeconds > seconds),
    unknown: apps.filter((a) => a.idleSeconds === null).length,
  };
}

/** The aligned table's cells: a header, then one line per app. */
export function usageTable(apps: readonly UsageRow[]): string[][] {
  return [
    ["LOB", "TEAM", "USER", "APP", "SPACE", "INSTANCE", "AGE", "IDLE"],
    ...apps.map((a) => [
      a.lob,
      a.team ?? "untagged",
      a.user ?? (a.profile ? `untagged (${a.profile})` : "untagged"),
      a.appType,
      a.space ?? "-",
      a.instanceType ?? "unknown",
      formatDuration(a.ageSeconds),
      formatDuration(a.idleSeconds),
    ]),
  ];
}

/** How `admin usage` prints: lines, aligned tables and JSON, each made printable by the CLI. */
export interface UsageOutput {
  readonly config: () => AdminConfig;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly json: (value: unknown) => void;
  readonly table: (cells: string[][]) => void;
}

/**
 * `studio-access admin usage [--lob L] [--idle-over 2h] [--json]`: the flags are checked before
 * anything is called. Exit 0; 5 when a LOB's apps could not be read (the others are listed).
 */
export async function adminUsage(
  flags: { lob?: string; idleOver?: string; json: boolean },
  io: UsageOutput,
  connect: (config: AdminConfig) => Promise<UsageApi> = (config) => UsageApi.connect(config),
  now: () => Date = () => new Date(),
): Promise<typeof EXIT.ok | typeof EXIT.upstream> {
  const threshold =
    flags.idleOver === undefined ? undefined : parseDuration("--idle-over", flags.idleOver);
  if (flags.lob !== undefined) checkLob(flags.lob);
  const api = await connect(io.config());
  const at = now();
  const listed = await api.usage({ lob: flags.lob }, at);
  const { kept, unknown } =
    threshold === undefined ? { kept: listed.apps, unknown: 0 } : idleOver(listed.apps, threshold);
  if (flags.json) {
    io.json({
      generatedAt: at.toISOString(),
      ...(threshold === undefined ? {} : { idleOverSeconds: threshold }),
      apps: kept,
      unreachable: listed.unreachable,
    });
  } else {
    // "None" only of the LOBs that could be read: an unreachable LOB may have apps.
    const among =
      listed.unreachable.length === 0
        ? ""
        : ` in the LOBs that could be read (${String(listed.unreachable.length)} could not: below)`;
    if (kept.length === 0)
      io.out(
        threshold === undefined
          ? `No running Studio apps${among}.`
          : `No running Studio app idle longer than ${formatDuration(threshold)}${among}.`,
      );
    else io.table(usageTable(kept));
    if (unknown > 0)
      io.out(
        `${String(unknown)} running ${unknown === 1 ? "app has" : "apps have"} no last activity time from SageMaker: left out of --idle-over (run without it to see ${unknown === 1 ? "it" : "them"}).`,
      );
  }
  for (const { lob, reason } of listed.unreachable)
    io.err(`studio-access: the apps of ${lob} could not be read: ${reason}`);
  return listed.unreachable.length > 0 ? EXIT.upstream : EXIT.ok;
}
