import {
  DescribeAppCommand,
  DescribeSpaceCommand,
  ListAppsCommand,
  ListTagsCommand,
  SageMakerClient,
  type AppDetails,
} from "@aws-sdk/client-sagemaker";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { saveAdminConfig } from "../../cli/admin";
import { main, type Io } from "../../cli/main";
import { formatDuration, parseDuration } from "../../cli/usage";

/**
 * `studio-access admin usage` (#21) with STS, the LOBs table and SageMaker faked (the SDK's
 * clients, mocked): which roles it assumes, what it asks SageMaker, and what it prints.
 */
const sts = mockClient(STSClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const sageMaker = mockClient(SageMakerClient);
const named = (name: string) => Object.assign(new Error(name), { name });

const SESSION = `studio-access-admin-${userInfo().username.replace(/[^\w+=,.@-]/g, "-")}`.slice(
  0,
  64,
);
const ADMIN_ROLE = "arn:aws:iam::111111111111:role/studio-access-admin";
const READER_A = "arn:aws:iam::222222222222:role/studio-access/StudioAccessRole-usage";
const READER_B = "arn:aws:iam::333333333333:role/studio-access/StudioAccessRole-usage";
const EVIL = "x\u001b[2K\u001b[1Aevil";
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

const LOB_RECORDS = [
  {
    lob: "lob-b",
    accountId: "333333333333",
    region: "us-east-1",
    domainId: "d-bbbbbbbbbbbb",
    accessRoleArn: "arn:aws:iam::333333333333:role/StudioAccessRole",
    teams: ["default"],
  },
  {
    lob: "lob-a",
    accountId: "222222222222",
    region: "us-east-1",
    domainId: "d-aaaaaaaaaaaa",
    accessRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole",
    teams: ["analytics", "forecasting"],
  },
];

const profileArn = (domain: string, name: string) =>
  `arn:aws:sagemaker:us-east-1:${domain === "d-aaaaaaaaaaaa" ? "222222222222" : "333333333333"}:user-profile/${domain}/${name}`;
const tags = (lob: string, team: string, username: string) => [
  { Key: "studio-access:lob", Value: lob },
  { Key: "studio-access:team", Value: team },
  { Key: "studio-access:username", Value: username },
];

let dir: string;

/** The apps of lob-a and lob-b, as SageMaker lists and describes them. */
function fakeLobs(): void {
  const appsA: AppDetails[] = [
    {
      DomainId: "d-aaaaaaaaaaaa",
      UserProfileName: "analytics--dana-2sdsf7bol2unf5fv",
      AppType: "JupyterLab",
      AppName: "default",
      Status: "InService",
      CreationTime: minutesAgo(180),
      ResourceSpec: { InstanceType: "ml.t3.medium" },
    },
    {
      DomainId: "d-aaaaaaaaaaaa",
      SpaceName: "forecast-space",
      AppType: "CodeEditor",
      AppName: "default",
      Status: "InService",
      CreationTime: minutesAgo(60 * 24 * 3 + 240),
      ResourceSpec: { InstanceType: "ml.g5.xlarge" },
    },
    {
      DomainId: "d-aaaaaaaaaaaa",
      UserProfileName: "handmade",
      AppType: "JupyterLab",
      AppName: "default",
      Status: "InService",
      CreationTime: minutesAgo(30),
      ResourceSpec: { InstanceType: "ml.m5.large" },
    },
    {
      DomainId: "d-aaaaaaaaaaaa",
      UserProfileName: "analytics--dana-2sdsf7bol2unf5fv",
      AppType: "KernelGateway",
      AppName: "old",
      Status: "Deleted",
      CreationTime: minutesAgo(600),
      ResourceSpec: { InstanceType: "ml.p3.2xlarge" },
    },
  ];
  const appsB: AppDetails[] = [
    {
      DomainId: "d-bbbbbbbbbbbb",
      UserProfileName: "erin-abcdefabcdefabcd",
      AppType: "JupyterServer",
      AppName: "default",
      Status: "InService",
      CreationTime: minutesAgo(45),
      ResourceSpec: { InstanceType: "system" },
    },
  ];
  sageMaker.on(ListAppsCommand, { DomainIdEquals: "d-aaaaaaaaaaaa" }).resolves({ Apps: appsA });
  sageMaker.on(ListAppsCommand, { DomainIdEquals: "d-bbbbbbbbbbbb" }).resolves({ Apps: appsB });
  sageMaker
    .on(DescribeAppCommand, { UserProfileName: "analytics--dana-2sdsf7bol2unf5fv" })
    .resolves({ LastUserActivityTimestamp: minutesAgo(150) })
    .on(DescribeAppCommand, { SpaceName: "forecast-space" })
    .resolves({ LastUserActivityTimestamp: minutesAgo(61) })
    .on(DescribeAppCommand, { UserProfileName: "handmade" })
    .resolves({ LastUserActivityTimestamp: minutesAgo(5) })
    // SageMaker gives no last activity for this one.
    .on(DescribeAppCommand, { UserProfileName: "erin-abcdefabcdefabcd" })
    .resolves({});
  sageMaker.on(DescribeSpaceCommand, { SpaceName: "forecast-space" }).resolves({
    OwnershipSettings: { OwnerUserProfileName: "forecasting--finn-abcdabcdabcdabcd" },
  });
  sageMaker
    .on(ListTagsCommand, {
      ResourceArn: profileArn("d-aaaaaaaaaaaa", "analytics--dana-2sdsf7bol2unf5fv"),
    })
    .resolves({ Tags: tags("lob-a", "analytics", "dana") })
    .on(ListTagsCommand, {
      ResourceArn: profileArn("d-aaaaaaaaaaaa", "forecasting--finn-abcdabcdabcdabcd"),
    })
    .resolves({ Tags: tags("lob-a", "forecasting", "finn") })
    // A profile made by hand: no studio-access tags, so no team or user is guessed from its name.
    .on(ListTagsCommand, { ResourceArn: profileArn("d-aaaaaaaaaaaa", "handmade") })
    .resolves({ Tags: [{ Key: "owner", Value: "someone" }] })
    .on(ListTagsCommand, { ResourceArn: profileArn("d-bbbbbbbbbbbb", "erin-abcdefabcdefabcd") })
    .resolves({ Tags: tags("lob-b", "default", "erin") });
}

beforeEach(() => {
  sts.reset();
  dynamo.reset();
  sageMaker.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIAEXAMPLE",
      SecretAccessKey: "secret",
      SessionToken: "session",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  dynamo.on(ScanCommand).resolves({ Items: LOB_RECORDS });
  fakeLobs();
  dir = mkdtempSync(path.join(tmpdir(), "studio-access-usage-"));
  saveAdminConfig(dir, {
    roleArn: ADMIN_ROLE,
    entitlementsTable: "ents",
    lobsTable: "lobs",
    region: "us-east-1",
  });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdin: process.stdin,
    stdout: { write: (s: string) => ((stdout += s), true), isTTY: false },
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: false },
    env: { STUDIO_ACCESS_CONFIG_DIR: dir },
  } as unknown as Io;
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const assumed = () =>
  sts.commandCalls(AssumeRoleCommand).map((c) => [c.args[0].input.RoleArn, c.args[0].input]);

describe("studio-access admin usage", () => {
  it("lists the running apps of every LOB by LOB, team and user, through each LOB's usage reader role", async () => {
    const { code, stdout, stderr } = await cli(["admin", "usage"]);
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout.split("\n")).toEqual([
      "LOB    TEAM         USER                 APP            SPACE           INSTANCE      AGE     IDLE",
      "lob-a  analytics    dana                 JupyterLab     -               ml.t3.medium  3h 00m  2h 30m",
      "lob-a  forecasting  finn                 CodeEditor     forecast-space  ml.g5.xlarge  3d 4h   1h 01m",
      "lob-a  untagged     untagged (handmade)  JupyterLab     -               ml.m5.large   30m     5m",
      "lob-b  default      erin                 JupyterServer  -               system        45m     unknown",
      "",
    ]);
    // The admin role first (the admin's own credentials), then each LOB's reader with its session.
    expect(assumed()).toEqual([
      [ADMIN_ROLE, { RoleArn: ADMIN_ROLE, RoleSessionName: SESSION }],
      [READER_A, { RoleArn: READER_A, RoleSessionName: SESSION, DurationSeconds: 900 }],
      [READER_B, { RoleArn: READER_B, RoleSessionName: SESSION, DurationSeconds: 900 }],
    ]);
    // Read-only: only List and Describe calls, each LOB's apps by its own domain.
    const calls = sageMaker.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(new Set(calls)).toEqual(
      new Set(["ListAppsCommand", "DescribeAppCommand", "DescribeSpaceCommand", "ListTagsCommand"]),
    );
    expect(
      sageMaker.commandCalls(ListAppsCommand).map((c) => c.args[0].input.DomainIdEquals),
    ).toEqual(["d-aaaaaaaaaaaa", "d-bbbbbbbbbbbb"]);
    // A deleted app is not described: only running ones.
    expect(
      sageMaker.commandCalls(DescribeAppCommand).map((c) => c.args[0].input.AppName),
    ).not.toContain("old");
  });

  it("--json: stable field names, nulls for what SageMaker does not give, no credential", async () => {
    const { code, stdout } = await cli(["admin", "usage", "--lob", "lob-b", "--json"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as {
      generatedAt: string;
      apps: Record<string, unknown>[];
      unreachable: unknown[];
    };
    expect(Object.keys(parsed)).toEqual(["generatedAt", "apps", "unreachable"]);
    expect(parsed.unreachable).toEqual([]);
    expect(parsed.apps).toEqual([
      {
        lob: "lob-b",
        team: "default",
        user: "erin",
        tagged: true,
        profile: "erin-abcdefabcdefabcd",
        space: null,
        appType: "JupyterServer",
        appName: "default",
        status: "InService",
        instanceType: "system",
        createdAt: expect.stringMatching(/Z$/) as unknown,
        ageSeconds: expect.any(Number) as unknown,
        lastUserActivityAt: null,
        idleSeconds: null,
      },
    ]);
    expect(parsed.apps[0]?.ageSeconds).toBeGreaterThanOrEqual(45 * 60);
    expect(stdout).not.toMatch(/ASIAEXAMPLE|secret|session"/);
    // Only lob-b's reader is assumed.
    expect(assumed().map(([arn]) => arn)).toEqual([ADMIN_ROLE, READER_B]);
  });

  it("--idle-over 2h keeps apps idle longer than that, and says how many have no activity time", async () => {
    const { code, stdout } = await cli(["admin", "usage", "--idle-over", "2h"]);
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      "LOB    TEAM       USER  APP         SPACE  INSTANCE      AGE     IDLE",
      "lob-a  analytics  dana  JupyterLab  -      ml.t3.medium  3h 00m  2h 30m",
      "1 running app has no last activity time from SageMaker: left out of --idle-over (run without it to see it).",
      "",
    ]);
    const json = await cli(["admin", "usage", "--idle-over", "1h", "--json"]);
    const parsed = JSON.parse(json.stdout) as { idleOverSeconds: number; apps: { user: string }[] };
    expect(parsed.idleOverSeconds).toBe(3600);
    expect(parsed.apps.map((a) => a.user)).toEqual(["dana", "finn"]);
  });

  it.each([
    [
      ["--idle-over", "2x"],
      'studio-access: --idle-over "2x" is not a duration (like 90m, 2h, 1h30m or 1d)',
    ],
    [["--idle-over", "0m"], 'studio-access: --idle-over "0m" is not longer than zero'],
    [["--lob", "LOB A"], 'studio-access: "LOB A" is not a LOB name'],
    [["extra"], 'studio-access: admin usage takes no argument "extra"'],
    [
      ["--idle"],
      "studio-access: Unknown option '--idle'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--idle\"; see studio-access --help",
    ],
  ])("refuses %j before any AWS call (exit 2)", async (args, message) => {
    const { code, stdout, stderr } = await cli(["admin", "usage", ...args]);
    expect([code, stdout, stderr]).toEqual([2, "", `${message}\n`]);
    expect(sts.calls()).toHaveLength(0);
  });

  it("names the nearest LOB for an unknown one (exit 4)", async () => {
    const { code, stderr } = await cli(["admin", "usage", "--lob", "lob-c"]);
    expect([code, stderr]).toEqual([
      4,
      "studio-access: no LOB lob-c is registered in the hub (did you mean lob-a?)\n",
    ]);
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it("still lists the other LOBs when one's reader role refuses, names it, and exits 5", async () => {
    sts.on(AssumeRoleCommand, { RoleArn: READER_A }).rejects(named("AccessDenied"));
    const { code, stdout, stderr } = await cli(["admin", "usage"]);
    expect(code).toBe(5);
    expect(stdout).toMatch(/^lob-b {2}default {2}erin {2}JupyterServer/m);
    expect(stdout).not.toMatch(/lob-a/);
    expect(stderr).toBe(
      "studio-access: the apps of lob-a could not be read: AccessDenied: its usage reader role is missing or refuses (update the LOB's stack after the hub's, so it has the role)\n",
    );
  });

  it("says none ran only of the LOBs it could read, when one could not be read", async () => {
    sts.on(AssumeRoleCommand, { RoleArn: READER_A }).rejects(named("AccessDenied"));
    sageMaker.on(ListAppsCommand).resolves({ Apps: [] });
    const { code, stdout } = await cli(["admin", "usage"]);
    expect([code, stdout]).toEqual([
      5,
      "No running Studio apps in the LOBs that could be read (1 could not: below).\n",
    ]);
  });

  it("fails with exit 3 when the admin role cannot be assumed", async () => {
    sts.on(AssumeRoleCommand, { RoleArn: ADMIN_ROLE }).rejects(named("AccessDenied"));
    const { code, stderr } = await cli(["admin", "usage"]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/cannot assume the admin role/);
  });

  it("prints a tag's control characters escaped, in the table and the JSON", async () => {
    sageMaker
      .on(ListTagsCommand, { ResourceArn: profileArn("d-bbbbbbbbbbbb", "erin-abcdefabcdefabcd") })
      .resolves({ Tags: tags("lob-b", "default", EVIL) });
    const table = await cli(["admin", "usage", "--lob", "lob-b"]);
    expect(table.stdout).not.toContain("\u001b");
    expect(table.stdout).toContain("x\\u001b[2K\\u001b[1Aevil");
    const json = await cli(["admin", "usage", "--lob", "lob-b", "--json"]);
    expect(json.stdout).not.toContain("\u001b");
    expect((JSON.parse(json.stdout) as { apps: { user: string }[] }).apps[0]?.user).toBe(EVIL);
  });

  it("lists a profile tagged for another LOB as untagged, not as that LOB's user", async () => {
    sageMaker
      .on(ListTagsCommand, { ResourceArn: profileArn("d-bbbbbbbbbbbb", "erin-abcdefabcdefabcd") })
      .resolves({ Tags: tags("lob-a", "analytics", "erin") });
    const { stdout } = await cli(["admin", "usage", "--lob", "lob-b", "--json"]);
    expect((JSON.parse(stdout) as { apps: unknown[] }).apps[0]).toMatchObject({
      team: null,
      user: null,
      tagged: false,
      profile: "erin-abcdefabcdefabcd",
    });
  });

  it("says so when nothing runs", async () => {
    sageMaker.on(ListAppsCommand).resolves({ Apps: [] });
    expect((await cli(["admin", "usage"])).stdout).toBe("No running Studio apps.\n");
    expect((await cli(["admin", "usage", "--idle-over", "90m"])).stdout).toBe(
      "No running Studio app idle longer than 1h 30m.\n",
    );
  });
});

describe("admin usage's durations", () => {
  it.each([
    ["90m", 5400],
    ["2h", 7200],
    ["1h30m", 5400],
    ["1d", 86400],
    ["1d2h", 93600],
  ])("reads %s as %d seconds", (text, seconds) => {
    expect(parseDuration("--idle-over", text)).toBe(seconds);
  });

  it.each([
    [null, "unknown"],
    [59, "<1m"],
    [60, "1m"],
    [3660, "1h 01m"],
    [90000, "1d 1h"],
  ])("prints %j seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
