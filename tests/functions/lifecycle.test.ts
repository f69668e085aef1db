import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { AssumeRoleCommand, STSClient } from "../../functions/shared/aws/sts";
import {
  DeleteAppCommand,
  DeleteSpaceCommand,
  DeleteUserProfileCommand,
  DescribeUserProfileCommand,
  ListAppsCommand,
  ListSpacesCommand,
  ListTagsCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { marshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { mockClient as mockLean } from "../helpers/aws-mock";
import {
  createHandler,
  decide,
  keyOf,
  type CurrentRows,
  type EntitlementKey,
} from "../../functions/lifecycle/handler";
import { parseRegistry } from "../../functions/presigner/config";
import { LOB_A_RECORD, P } from "../helpers/fixtures";
import { captureLogs } from "../helpers/logs";

const ddb = mockClient(DynamoDBDocumentClient);
const sts = mockLean(STSClient);
const sm = mockClient(SageMakerClient);
const lambda = mockClient(LambdaClient);
const lambdaSessions: string[] = [];
const T0 = Date.parse("2026-11-22T12:00:00Z");
const REGISTRY = parseRegistry(
  JSON.stringify({
    "lob-a": {
      accountId: "222222222222",
      accessRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole",
      provisionerRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole-provisioner",
      lifecycleRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole-lifecycle",
    },
  }),
  "registry",
);

const PROFILE_ARN =
  "arn:aws:sagemaker:us-east-1:222222222222:user-profile/d-aaaaaaaaaaaa/forecasting--dana-scientist-jnzooc7btzxbvodz";
let clock: number;
let logs: ReturnType<typeof captureLogs>;
const sessions: string[] = [];

const row = (state?: string) => ({
  lob: "lob-a",
  userTeam: "dana.scientist#forecasting",
  username: "dana.scientist",
  team: "forecasting",
  profileName: P("dana.scientist", "forecasting"),
  source: "admin",
  ...(state ? { state } : {}),
});
/** A stream record: its key is the images' own unless given (as DynamoDB writes it). */
const record = (
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  sequence = "100",
  keys?: { lob: string; userTeam: string },
): DynamoDBRecord => {
  const body = after ?? before ?? {};
  return {
    eventName,
    dynamodb: {
      SequenceNumber: sequence,
      Keys: marshall(keys ?? { lob: body.lob, userTeam: body.userTeam }) as never,
      ...(before ? { OldImage: marshall(before) as never } : {}),
      ...(after ? { NewImage: marshall(after) as never } : {}),
    },
  };
};
/** The entitlement row as the table holds it now (undefined: no row). */
/** The user's admin row now (`dana.scientist#forecasting`). */
let current: Record<string, unknown> | undefined;
/** Their config seed now (`dana.scientist#config:forecasting`). */
let seed: Record<string, unknown> | undefined;
/** Their disabled marker now. */
let marker: Record<string, unknown> | undefined;
/** user-lob-a's profile in lob-a's analytics team, and its tags. */
const PROFILE_TAGS = (username = "dana.scientist", team = "forecasting", lob = "lob-a") => [
  { Key: "studio-access:lob", Value: lob },
  { Key: "studio-access:team", Value: team },
  { Key: "studio-access:username", Value: username },
];
let tags: { Key: string; Value: string }[] | undefined;

/** Lambda's context: the function's 300 s timeout, all ahead. */
const LAMBDA_CONTEXT = { getRemainingTimeInMillis: () => 300_000 };

function handler() {
  const lambdaHandler = createHandler({
    config: {
      usersTable: "users",
      lobsTable: "lobs",
      lobs: REGISTRY,
      budgetMs: 60_000,
      pollMs: 5_000,
    },
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    sts: new STSClient({}),
    sageMaker: (region, credentials) => {
      sessions.push(credentials.accessKeyId);
      return new SageMakerClient({ region, credentials });
    },
    lambda: (region, credentials) => {
      lambdaSessions.push(`${region} ${credentials.accessKeyId}`);
      return new LambdaClient({ region, credentials });
    },
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
  });
  return (event: DynamoDBStreamEvent) => lambdaHandler(event, LAMBDA_CONTEXT);
}

/** SageMaker as a profile in use drains: an app and a space, deleted over a few looks. */
function profileInUse() {
  let looks = 0;
  let deleted = false;
  sm.on(DescribeUserProfileCommand).callsFake(() => {
    if (deleted) throw Object.assign(new Error("gone"), { name: "ResourceNotFound" });
    looks += 1;
    return {
      Status: "InService",
      HomeEfsFileSystemUid: "200007",
      UserProfileArn: PROFILE_ARN,
    };
  });
  sm.on(ListSpacesCommand).callsFake(() => ({
    Spaces:
      looks < 3
        ? [
            {
              SpaceName: "demand",
              Status: "InService",
              OwnershipSettingsSummary: {
                OwnerUserProfileName: P("dana.scientist", "forecasting"),
              },
            },
            {
              SpaceName: "colleague",
              Status: "InService",
              OwnershipSettingsSummary: { OwnerUserProfileName: "forecasting--ann" },
            },
          ]
        : [],
  }));
  sm.on(ListAppsCommand).callsFake((input: ListAppsCommand["input"]) => ({
    Apps:
      looks < 2 && input.UserProfileNameEquals
        ? [
            {
              AppType: "JupyterLab",
              AppName: "default",
              UserProfileName: P("dana.scientist", "forecasting"),
              Status: "InService",
            },
          ]
        : [],
  }));
  sm.on(DeleteAppCommand).resolves({});
  sm.on(DeleteSpaceCommand).resolves({});
  sm.on(DeleteUserProfileCommand).callsFake(() => {
    deleted = true;
    return {};
  });
}

beforeEach(() => {
  ddb.reset();
  sts.reset();
  sm.reset();
  lambda.reset();
  clock = T0;
  sessions.length = 0;
  lambdaSessions.length = 0;
  logs = captureLogs();
  sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommand["input"]) => ({
    Credentials: {
      AccessKeyId: `ASIA-${String(input.RoleArn?.split("/").pop())}`,
      SecretAccessKey: "s",
      SessionToken: "t",
      Expiration: new Date(clock + 3600_000),
    },
  }));
  lobRecord({ ...LOB_A_RECORD, teams: ["analytics", "forecasting"] });
  current = row("revoked");
  seed = undefined;
  marker = undefined;
  ddb.on(GetCommand, { TableName: "users" }).callsFake((input: GetCommand["input"]) => {
    if (input.Key?.lob === "#disabled") return { Item: marker };
    return { Item: String(input.Key?.userTeam).includes("#config:") ? seed : current };
  });
  ddb.on(UpdateCommand).resolves({});
  tags = PROFILE_TAGS();
  sm.on(ListTagsCommand).callsFake(() => ({ Tags: tags }));
});
function lobRecord(item: Record<string, unknown> | undefined) {
  ddb.on(GetCommand, { TableName: "lobs" }).resolves({ Item: item });
}
afterEach(() => {
  logs.restore();
});

/** The state update the handler sent for `state`, whole. */
const updateTo = (state: string) =>
  ddb
    .commandCalls(UpdateCommand)
    .map((c) => c.args[0].input)
    .find((input) => input.ExpressionAttributeValues?.[":state"] === state);
const records = () => logs.lines().filter((l) => l.message === "record");
/** How many deletes SageMaker was asked for. */
const deletes = () => ({
  apps: sm.commandCalls(DeleteAppCommand).length,
  spaces: sm.commandCalls(DeleteSpaceCommand).length,
  profiles: sm.commandCalls(DeleteUserProfileCommand).length,
});

describe("lifecycle: the key decides whose entitlement a record is about", () => {
  it("splits userTeam at the last #: usernames may hold one, team names never do", () => {
    const odd = { ...row(), userTeam: "o#brien#forecasting", username: "o#brien" };
    expect(keyOf(record("MODIFY", odd, { ...odd, state: "revoked" }))).toEqual({
      lob: "lob-a",
      userTeam: "o#brien#forecasting",
      username: "o#brien",
      team: "forecasting",
      source: "admin",
    });
    // A config seed's key: `config:` before the team, which a team name never holds.
    const seeded = { ...odd, userTeam: "o#brien#config:forecasting" };
    expect(keyOf(record("REMOVE", seeded, undefined))).toEqual({
      lob: "lob-a",
      userTeam: "o#brien#config:forecasting",
      username: "o#brien",
      team: "forecasting",
      source: "config",
    });
  });

  it.each<[string, DynamoDBRecord, string]>([
    [
      "a body naming another user than the key (the decoy)",
      record("REMOVE", { ...row(), userTeam: "decoy#forecasting" }, undefined),
      "body-disagrees-with-key",
    ],
    [
      "a new image naming another team",
      record("MODIFY", row(), { ...row("revoked"), team: "analytics" }),
      "body-disagrees-with-key",
    ],
    [
      "an old image of another LOB",
      record("REMOVE", { ...row(), lob: "lob-b" }, undefined, "1", {
        lob: "lob-a",
        userTeam: "dana.scientist#forecasting",
      }),
      "body-disagrees-with-key",
    ],
    ["no key at all", { eventName: "REMOVE", dynamodb: { SequenceNumber: "1" } }, "no-key"],
    [
      "the disabled marker's key (no team)",
      record("REMOVE", undefined, undefined, "1", { lob: "#disabled", userTeam: "lee#" }),
      "malformed-key",
    ],
  ])("refuses %s", (_what, rec, reason) => {
    expect(keyOf(rec)).toEqual({ refused: reason });
  });
});

describe("lifecycle: the current row decides, never the event", () => {
  it.each<[string, DynamoDBRecord, Record<string, unknown> | undefined, boolean, string]>([
    [
      "a row revoked (admin revoke)",
      record("MODIFY", row(), row("revoked")),
      row("revoked"),
      true,
      "row-revoked",
    ],
    [
      "a revoked row inserted (revoke of a user who had no row)",
      record("INSERT", undefined, row("revoked")),
      row("revoked"),
      true,
      "row-revoked",
    ],
    [
      "a retry of a failed drain",
      record("MODIFY", row(), row("revoked")),
      row("drain-failed"),
      true,
      "row-drain-failed",
    ],
    [
      "a row removed while active, none left",
      record("REMOVE", row(), undefined),
      undefined,
      true,
      "row-removed",
    ],
    [
      "a forged revoke while the row is active",
      record("MODIFY", row(), row("revoked")),
      row(),
      false,
      "row-active (admin)",
    ],
    [
      "a REMOVE while an active row exists (written again)",
      record("REMOVE", row(), undefined),
      row(),
      false,
      "row-active (admin)",
    ],
    [
      "a replay once offboarded",
      record("MODIFY", row(), row("revoked")),
      row("offboarded"),
      false,
      "row-offboarded",
    ],
    [
      "a revoke of a row that is gone",
      record("MODIFY", row(), row("revoked")),
      undefined,
      false,
      "no-row-for-MODIFY",
    ],
    [
      "a REMOVE of an offboarded row (its config member removed later)",
      record("REMOVE", row("offboarded"), undefined),
      undefined,
      false,
      "no-row-for-REMOVE",
    ],
  ])("%s", (_what, rec, now, act, reason) => {
    const k = keyOf(rec) as EntitlementKey;
    expect(decide(rec, k, { ...(now ? { admin: now } : {}), disabled: false })).toMatchObject({
      act,
      reason,
    });
  });
});

describe("lifecycle: forged, decoy and stale records do nothing", () => {
  it("a decoy row (key decoy#forecasting, body dana.scientist) deleted by a deployer touches nothing of hers", async () => {
    profileInUse();
    const decoy = { ...row(), userTeam: "decoy#forecasting" };
    current = undefined;
    const result = await handler()({ Records: [record("REMOVE", decoy, undefined, "4")] });
    expect(result.batchItemFailures).toEqual([]);
    expect(sm.calls()).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(records()).toEqual([
      expect.objectContaining({
        level: "warn",
        eventName: "REMOVE",
        lob: "lob-a",
        userTeam: "decoy#forecasting",
        decision: "skip",
        reason: "body-disagrees-with-key",
      }),
    ]);
  });

  it("a decoy whose body agrees (username decoy) reaches no profile of another user: the tags say dana.scientist", async () => {
    // A profile named as decoy's would be, but made for dana.scientist (a name collision).
    profileInUse();
    const decoy = { ...row(), userTeam: "decoy#forecasting", username: "decoy" };
    current = undefined;
    sm.on(DescribeUserProfileCommand).resolves({
      Status: "InService",
      UserProfileArn: PROFILE_ARN,
      HomeEfsFileSystemUid: "200007",
    });
    const result = await handler()({ Records: [record("REMOVE", decoy, undefined, "4")] });
    expect(result.batchItemFailures).toEqual([]);
    expect(sm.commandCalls(DescribeUserProfileCommand)[0]!.args[0].input.UserProfileName).toBe(
      "forecasting--decoy-xxvzxirk7d5hhzm7",
    );
    expect(deletes()).toEqual({ apps: 0, spaces: 0, profiles: 0 });
    expect(lambda.calls()).toHaveLength(0);
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "refused" });
  });

  it("a forged revoke (MODIFY to revoked) while the row is active does nothing", async () => {
    profileInUse();
    current = row();
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(sm.calls()).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    // The row was read as it is, strongly consistent, by the key.
    expect(
      ddb
        .commandCalls(GetCommand)
        .map((c) => c.args[0].input)
        .filter((i) => i.TableName === "users"),
    ).toEqual([
      {
        TableName: "users",
        Key: { lob: "lob-a", userTeam: "dana.scientist#forecasting" },
        ConsistentRead: true,
      },
      {
        TableName: "users",
        Key: { lob: "lob-a", userTeam: "dana.scientist#config:forecasting" },
        ConsistentRead: true,
      },
      // Their disabled marker, which outvotes every row.
      {
        TableName: "users",
        Key: { lob: "#disabled", userTeam: "dana.scientist#" },
        ConsistentRead: true,
      },
    ]);
    expect(records().at(-1)).toMatchObject({ decision: "skip", reason: "row-active (admin)" });
  });

  it("a REMOVE while an active row exists does nothing", async () => {
    profileInUse();
    current = row();
    await handler()({ Records: [record("REMOVE", row(), undefined)] });
    expect(sm.calls()).toHaveLength(0);
    expect(records().at(-1)).toMatchObject({ decision: "skip", reason: "row-active (admin)" });
  });
});

/** Dana's config seed in forecasting (lob-a's stack writes it: `<username>#config:<team>`). */
const seedRow = (state?: string) => ({
  ...row(state),
  userTeam: "dana.scientist#config:forecasting",
  source: "config",
});

describe("lifecycle: a config seed and an admin grant coexist; the user stays while either lets them in", () => {
  it.each<[string, DynamoDBRecord, CurrentRows, boolean, string]>([
    [
      "seed only, removed from the config",
      record("REMOVE", seedRow(), undefined),
      { disabled: false },
      true,
      "row-removed",
    ],
    [
      "admin only, revoked",
      record("MODIFY", row(), row("revoked")),
      { admin: row("revoked"), disabled: false },
      true,
      "row-revoked",
    ],
    [
      "both, the seed removed while the admin grant is active",
      record("REMOVE", seedRow(), undefined),
      { admin: row(), disabled: false },
      false,
      "admin-grant-stands",
    ],
    [
      "both, the admin grant revoked while the seed is there",
      record("MODIFY", row(), row("revoked")),
      { admin: row("revoked"), seed: seedRow(), disabled: false },
      false,
      "config-seed-remains: remove dana.scientist from forecasting in Pulumi.lob-a.yaml",
    ],
    [
      "the seed removed after the admin grant was revoked (it waited for the seed)",
      record("REMOVE", seedRow(), undefined),
      { admin: row("revoked"), disabled: false },
      true,
      "row-revoked",
    ],
    [
      "the seed re-added over an offboarded admin row, then removed again",
      record("REMOVE", seedRow(), undefined),
      { admin: row("offboarded"), disabled: false },
      true,
      "row-removed",
    ],
    [
      "disabled, with a seed and the admin row disable revoked",
      record("INSERT", undefined, row("revoked")),
      { admin: row("revoked"), seed: seedRow(), disabled: true },
      true,
      "row-revoked",
    ],
  ])("%s", (_what, rec, now, act, reason) => {
    const k = keyOf(rec) as EntitlementKey;
    expect(decide(rec, k, now)).toEqual(
      act ? { act, removed: reason === "row-removed", reason } : { act, reason },
    );
  });

  it("a seed removed while an admin grant is active: the profile stays, nothing is written", async () => {
    profileInUse();
    current = row();
    await handler()({ Records: [record("REMOVE", seedRow(), undefined)] });
    expect(sm.calls()).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(records().at(-1)).toMatchObject({
      userTeam: "dana.scientist#config:forecasting",
      decision: "skip",
      reason: "admin-grant-stands",
    });
  });

  it("an admin grant revoked while the config still names the user: skipped, the reason says where to remove them", async () => {
    profileInUse();
    seed = seedRow();
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(sm.calls()).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(records().at(-1)).toMatchObject({
      decision: "skip",
      reason: "config-seed-remains: remove dana.scientist from forecasting in Pulumi.lob-a.yaml",
    });
  });

  it("a seed removed after the admin grant was revoked: offboarded, its states recorded on the admin row, never on the seed", async () => {
    profileInUse();
    current = row("revoked");
    await handler()({ Records: [record("REMOVE", seedRow(), undefined)] });
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    const keys = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key);
    expect(keys).toEqual([
      { lob: "lob-a", userTeam: "dana.scientist#forecasting" },
      { lob: "lob-a", userTeam: "dana.scientist#forecasting" },
    ]);
    expect(updateTo("offboarded")).toBeDefined();
  });

  it("a seed re-added over an offboarded admin row and removed again: drained, the admin row left offboarded", async () => {
    profileInUse();
    current = row("offboarded");
    await handler()({ Records: [record("REMOVE", seedRow(), undefined)] });
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it("a disabled user's revoked admin row is offboarded though their seed is there: the disable is over both", async () => {
    profileInUse();
    seed = seedRow();
    marker = { lob: "#disabled", userTeam: "dana.scientist#", state: "disabled" };
    await handler()({ Records: [record("INSERT", undefined, row("revoked"))] });
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    expect(updateTo("offboarded")).toBeDefined();
    // Lifted (enabled): the seed lets them in again, and a revoke record is skipped.
    marker = { ...marker, state: "enabled" };
    current = row("revoked");
    sm.reset();
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(sm.calls()).toHaveLength(0);
  });
});

describe("lifecycle: the profile must be the entitlement's (its tags)", () => {
  it.each<[string, { Key: string; Value: string }[]]>([
    ["untagged (made outside studio-access)", []],
    ["tagged for another user", PROFILE_TAGS("someone.else")],
    ["tagged for another team", PROFILE_TAGS("dana.scientist", "analytics")],
    ["tagged for another LOB", PROFILE_TAGS("dana.scientist", "forecasting", "lob-b")],
  ])(
    "refuses a profile %s: nothing deleted, the row drain-failed with the reason, not retried",
    async (_what, found) => {
      lobRecord({ ...LOB_A_RECORD, teams: ["forecasting"], homeDirectories: "remove" });
      profileInUse();
      tags = found;
      const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"), "6")] });
      expect(result.batchItemFailures).toEqual([]);
      expect(sm.commandCalls(ListTagsCommand)[0]!.args[0].input).toEqual({
        ResourceArn: PROFILE_ARN,
      });
      expect(deletes()).toEqual({ apps: 0, spaces: 0, profiles: 0 });
      expect(lambda.calls()).toHaveLength(0);
      expect(updateTo("drain-failed")?.ExpressionAttributeValues?.[":detail"]).toMatch(
        /^ProfileNotOwned: profile forecasting--dana-scientist-jnzooc7btzxbvodz is not this entitlement's \(studio-access:/,
      );
      expect(updateTo("offboarded")).toBeUndefined();
      expect(logs.lines().at(-1)).toMatchObject({ level: "error", outcome: "refused" });
    },
  );
});

describe("lifecycle: offboarding a revoked entitlement", () => {
  it("marks it draining, drains apps then spaces (the user's only), deletes the profile, then marks the row offboarded (kept)", async () => {
    profileInUse();
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(result).toEqual({ batchItemFailures: [] });
    // Through the LOB's lifecycle role, never the access or provisioning role, in its own session.
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole-lifecycle",
        RoleSessionName: "studio-access-lifecycle",
        DurationSeconds: 3600,
      },
    ]);
    expect(sm.commandCalls(DeleteAppCommand).map((c) => c.args[0].input)).toEqual([
      {
        DomainId: "d-aaaaaaaaaaaa",
        AppType: "JupyterLab",
        AppName: "default",
        UserProfileName: P("dana.scientist", "forecasting"),
        SpaceName: undefined,
      },
    ]);
    expect(sm.commandCalls(DeleteSpaceCommand).map((c) => c.args[0].input)).toEqual([
      { DomainId: "d-aaaaaaaaaaaa", SpaceName: "demand" },
    ]);
    expect(sm.commandCalls(DeleteUserProfileCommand).map((c) => c.args[0].input)).toEqual([
      { DomainId: "d-aaaaaaaaaaaa", UserProfileName: P("dana.scientist", "forecasting") },
    ]);
    expect(updateTo("draining")).toEqual({
      TableName: "users",
      Key: { lob: "lob-a", userTeam: "dana.scientist#forecasting" },
      UpdateExpression: "SET #state = :state, #at = :at REMOVE #detail",
      ConditionExpression: "#state IN (:from0, :from1, :from2)",
      ExpressionAttributeNames: { "#state": "state", "#detail": "detail", "#at": "stateAt" },
      ExpressionAttributeValues: {
        ":state": "draining",
        ":at": "2026-11-22T12:00:00.000Z",
        ":from0": "revoked",
        ":from1": "draining",
        ":from2": "drain-failed",
      },
    });
    // Kept as the durable marker, only if still draining (a re-grant wins); never deleted.
    expect(updateTo("offboarded")).toMatchObject({
      Key: { lob: "lob-a", userTeam: "dana.scientist#forecasting" },
      UpdateExpression: "SET #state = :state, #at = :at REMOVE #detail",
      ConditionExpression: "#state IN (:from0)",
      ExpressionAttributeValues: expect.objectContaining({
        ":state": "offboarded",
        ":from0": "draining",
      }) as unknown,
    });
    expect(records()).toEqual([
      expect.objectContaining({
        level: "info",
        eventName: "MODIFY",
        sequence: "100",
        lob: "lob-a",
        userTeam: "dana.scientist#forecasting",
        decision: "offboard",
        reason: "row-revoked",
      }),
    ]);
    // The decision is logged before anything is deleted.
    const lines = logs.lines().map((l) => l.message);
    expect(lines).toEqual(["record", "offboard"]);
    expect(logs.lines().at(-1)).toMatchObject({
      message: "offboard",
      outcome: "offboarded",
      profile: P("dana.scientist", "forecasting"),
    });
  });

  it("offboards a revoked row newly inserted (a revoke of a user who had no row)", async () => {
    profileInUse();
    await handler()({ Records: [record("INSERT", undefined, row("revoked"))] });
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    expect(updateTo("offboarded")).toBeDefined();
  });

  it("derives the profile from the key's username and team, not from the row's profileName", async () => {
    profileInUse();
    const forged = { ...row("revoked"), profileName: "forecasting--ann" };
    await handler()({ Records: [record("MODIFY", row(), forged)] });
    expect(
      sm.commandCalls(DeleteUserProfileCommand).map((c) => c.args[0].input.UserProfileName),
    ).toEqual([P("dana.scientist", "forecasting")]);
  });

  it("drains a member removed from config, without touching the (gone) row", async () => {
    profileInUse();
    current = undefined;
    await handler()({ Records: [record("REMOVE", seedRow(), undefined)] });
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it("is done at once for a user who never signed in (no profile)", async () => {
    sm.on(DescribeUserProfileCommand).rejects(
      Object.assign(new Error("x"), { name: "ResourceNotFound" }),
    );
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(result.batchItemFailures).toEqual([]);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(0);
    expect(updateTo("offboarded")).toBeDefined();
  });

  it("stops when the user was granted again before it started (the row is active)", async () => {
    profileInUse();
    ddb
      .on(UpdateCommand)
      .rejects(Object.assign(new Error("x"), { name: "ConditionalCheckFailedException" }));
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(sm.calls()).toHaveLength(0);
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "re-granted" });
  });

  it("stops before deleting more when a seed lets the user in again while it drains", async () => {
    profileInUse();
    // The stack re-adds them to the team after the first pass deleted their app.
    sm.on(DeleteAppCommand).callsFake(() => {
      seed = seedRow();
      return {};
    });
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(result.batchItemFailures).toEqual([]);
    expect(sm.commandCalls(DeleteAppCommand)).toHaveLength(1);
    expect(sm.commandCalls(DeleteSpaceCommand)).toHaveLength(0);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(0);
    expect(updateTo("drain-failed")).toMatchObject({
      ConditionExpression: "#state IN (:from0)",
      ExpressionAttributeValues: expect.objectContaining({
        ":detail": "granted again while it drained",
        ":from0": "draining",
      }) as unknown,
    });
    expect(updateTo("offboarded")).toBeUndefined();
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "re-granted" });
  });

  it("records drain-failed with the reason and reports the record for a retry when SageMaker refuses", async () => {
    sm.on(DescribeUserProfileCommand).resolves({
      Status: "InService",
      UserProfileArn: PROFILE_ARN,
    });
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListAppsCommand).resolves({ Apps: [] });
    sm.on(DeleteUserProfileCommand).rejects(
      Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }),
    );
    const result = await handler()({
      Records: [record("MODIFY", row(), row("revoked"), "7")],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "7" }] });
    expect(updateTo("drain-failed")?.ExpressionAttributeValues).toMatchObject({
      ":state": "drain-failed",
      ":detail": "AccessDeniedException: not authorized",
    });
    expect(logs.lines().at(-1)).toMatchObject({ level: "error", outcome: "failed" });
  });

  it("gives up for this invocation when apps outlast its budget, leaving the retry to Lambda", async () => {
    sm.on(DescribeUserProfileCommand).resolves({
      Status: "InService",
      UserProfileArn: PROFILE_ARN,
    });
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListAppsCommand).resolves({
      Apps: [{ AppType: "JupyterLab", AppName: "stuck", Status: "Deleting" }],
    });
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"), "9")] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "9" }]);
    expect(clock - T0).toBeLessThanOrEqual(60_000);
    expect(logs.lines().at(-1)).toMatchObject({
      detail: "DrainIncomplete: still 1 apps, 0 spaces, profile InService",
    });
  });

  it("ignores a LOB the hub never registered, and a LOB whose record is gone (its destroy drains it)", async () => {
    current = { ...row("revoked"), lob: "lob-z" };
    await handler()({
      Records: [record("MODIFY", { ...row(), lob: "lob-z" }, { ...row("revoked"), lob: "lob-z" })],
    });
    current = row("revoked");
    lobRecord(undefined);
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(sm.calls()).toHaveLength(0);
    expect(
      logs
        .lines()
        .filter((l) => l.message === "offboard")
        .map((l) => l.outcome),
    ).toEqual(["unknown-lob", "no-lob-record"]);
  });

  it("refuses a LOB record that names another account than the registry", async () => {
    lobRecord({ ...LOB_A_RECORD, accountId: "999999999999" });
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"), "3")] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "3" }]);
    expect(sm.calls()).toHaveLength(0);
  });

  it("retries a record whose row it could not read, deciding nothing", async () => {
    ddb.on(GetCommand, { TableName: "users" }).rejects(new Error("throttled"));
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"), "8")] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "8" }]);
    expect(sm.calls()).toHaveLength(0);
    expect(records().at(-1)).toMatchObject({ decision: "retry", reason: "Error: throttled" });
  });
});

describe("lifecycle: a LOB whose config removes home directories", () => {
  const removing = () => {
    lobRecord({ ...LOB_A_RECORD, teams: ["forecasting"], homeDirectories: "remove" });
  };
  const ok = (body: unknown) => ({
    StatusCode: 200,
    Payload: Buffer.from(JSON.stringify(body)) as never,
  });

  it("removes the home directory once apps and spaces are gone, then deletes the profile", async () => {
    removing();
    profileInUse();
    const order: string[] = [];
    lambda.on(InvokeCommand).callsFake(() => {
      order.push("home");
      return ok({ uid: "200007", outcome: "removed", entries: 3 });
    });
    sm.on(DeleteUserProfileCommand).callsFake(() => {
      order.push("profile");
      throw Object.assign(new Error("stop here"), { name: "ResourceInUse" });
    });
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input)).toEqual(
      Array(order.filter((o) => o === "home").length).fill({
        // Derived from the registered account, never from the record.
        FunctionName: "arn:aws:lambda:us-east-1:222222222222:function:studio-access-homes",
        Payload: JSON.stringify({
          uid: "200007",
          profile: P("dana.scientist", "forecasting"),
          domainId: "d-aaaaaaaaaaaa",
        }),
      }),
    );
    expect(order.slice(0, 2)).toEqual(["home", "profile"]);
    // With the LOB's lifecycle role's session.
    expect(lambdaSessions[0]).toBe("us-east-1 ASIA-StudioAccessRole-lifecycle");
    expect(sm.commandCalls(DeleteAppCommand)).toHaveLength(1);
  });

  it("checks the profile's tags in every pass before anything is deleted or the home removed", async () => {
    removing();
    profileInUse();
    lambda.on(InvokeCommand).resolves(ok({ uid: "200007", outcome: "removed", entries: 3 }));
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    const calls = sm
      .calls()
      .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    // Each pass: describe, then the tags, then the rest.
    calls.forEach((name, i) => {
      if (name === "DescribeUserProfileCommand" && calls[i + 1] !== undefined)
        expect(calls[i + 1]).toBe("ListTagsCommand");
    });
    expect(calls.indexOf("ListTagsCommand")).toBeLessThan(calls.indexOf("DeleteAppCommand"));
  });

  it("offboards fully: home, profile, row marked offboarded", async () => {
    removing();
    profileInUse();
    lambda.on(InvokeCommand).resolves(ok({ uid: "200007", outcome: "removed", entries: 3 }));
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(result.batchItemFailures).toEqual([]);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    expect(updateTo("offboarded")).toBeDefined();
  });

  it("keeps the profile and reports drain-failed when the removal fails, so a retry finds the UID again", async () => {
    removing();
    sm.on(DescribeUserProfileCommand).resolves({
      Status: "InService",
      HomeEfsFileSystemUid: "200007",
      UserProfileArn: PROFILE_ARN,
    });
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListAppsCommand).resolves({ Apps: [] });
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: "Unhandled",
      Payload: Buffer.from(
        JSON.stringify({ errorMessage: "EACCES: permission denied, rmdir '/mnt/home/200007'" }),
      ) as never,
    });
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"), "5")] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "5" }]);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(0);
    expect(updateTo("drain-failed")?.ExpressionAttributeValues).toMatchObject({
      ":state": "drain-failed",
      ":detail":
        "Error: home directory 200007: EACCES: permission denied, rmdir '/mnt/home/200007'",
    });
  });

  it("invokes nothing for a LOB that keeps home directories (the default)", async () => {
    profileInUse();
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    expect(lambda.calls()).toHaveLength(0);
  });
});

describe("lifecycle: a grant that lands mid-pass stops the drain before the next deletion", () => {
  /** An idle profile (no apps): one pass deletes its space, removes its home and deletes it. */
  function idleProfile(grantBefore: "space" | "home" | "profile", grant: () => void) {
    let deleted = false;
    sm.on(DescribeUserProfileCommand).callsFake(() => {
      if (deleted) throw Object.assign(new Error("gone"), { name: "ResourceNotFound" });
      return { Status: "InService", HomeEfsFileSystemUid: "200007", UserProfileArn: PROFILE_ARN };
    });
    let spaceGone = false;
    sm.on(ListSpacesCommand).callsFake(() => ({
      Spaces: spaceGone
        ? []
        : [
            {
              SpaceName: "demand",
              Status: "InService",
              OwnershipSettingsSummary: {
                OwnerUserProfileName: P("dana.scientist", "forecasting"),
              },
            },
          ],
    }));
    sm.on(ListAppsCommand).callsFake(() => {
      // Granted once the pass has read the rows and listed what to delete.
      if (grantBefore === "space") grant();
      return { Apps: [] };
    });
    sm.on(DeleteSpaceCommand).callsFake(() => {
      spaceGone = true;
      return {};
    });
    lambda.on(InvokeCommand).callsFake(() => {
      if (grantBefore === "profile") grant();
      return { StatusCode: 200, Payload: Buffer.from('{"outcome":"removed"}') as never };
    });
    sm.on(DeleteUserProfileCommand).callsFake(() => {
      deleted = true;
      return {};
    });
    // The second pass (the space is gone): the grant lands after its first read.
    if (grantBefore === "home")
      sm.on(ListAppsCommand).callsFake(() => {
        if (spaceGone) grant();
        return { Apps: [] };
      });
  }
  beforeEach(() => {
    lobRecord({ ...LOB_A_RECORD, teams: ["forecasting"], homeDirectories: "remove" });
  });

  it("a seed re-added during a revoked drain keeps the space, home and profile", async () => {
    current = row("revoked");
    idleProfile("space", () => {
      seed = seedRow();
    });
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(result.batchItemFailures).toEqual([]);
    expect(deletes()).toEqual({ apps: 0, spaces: 0, profiles: 0 });
    expect(lambda.calls()).toHaveLength(0);
    expect(updateTo("drain-failed")?.ExpressionAttributeValues).toMatchObject({
      ":detail": "granted again while it drained",
    });
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "re-granted" });
    expect(logs.lines().at(-1)).not.toHaveProperty("deleted");
  });

  it("an admin grant on the removed-seed path, landing before the home goes, keeps home and profile", async () => {
    current = undefined; // a seed-only member, removed from the config
    idleProfile("home", () => {
      current = row(); // `admin grant`: no admin row, so attribute_not_exists passes
    });
    const result = await handler()({ Records: [record("REMOVE", seedRow(), undefined)] });
    expect(result.batchItemFailures).toEqual([]);
    expect(deletes()).toEqual({ apps: 0, spaces: 1, profiles: 0 });
    expect(lambda.calls()).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "re-granted",
      removed: true,
      deleted: "space demand",
    });
  });

  it("a seed re-added while the home is removed keeps the profile; the row names what is gone", async () => {
    current = row("revoked");
    idleProfile("profile", () => {
      seed = seedRow();
    });
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(deletes()).toEqual({ apps: 0, spaces: 1, profiles: 0 });
    expect(lambda.calls()).toHaveLength(1);
    expect(updateTo("drain-failed")?.ExpressionAttributeValues).toMatchObject({
      ":detail":
        "granted again while it drained, after it deleted space demand, home directory 200007",
    });
    expect(logs.lines().at(-1)).toMatchObject({
      outcome: "re-granted",
      deleted: "space demand, home directory 200007",
    });
  });
});

describe("lifecycle: two invocations drain the same user at once", () => {
  /** The admin row with setState's condition applied, as DynamoDB would. */
  function conditionalTable() {
    ddb.on(UpdateCommand).callsFake((input: UpdateCommand["input"]) => {
      const values = input.ExpressionAttributeValues ?? {};
      const from = Object.entries(values)
        .filter(([name]) => name.startsWith(":from"))
        .map(([, state]) => state as unknown);
      if (!current || !from.includes(current.state))
        throw Object.assign(new Error("x"), { name: "ConditionalCheckFailedException" });
      current = { ...current, state: values[":state"], detail: values[":detail"] };
      return {};
    });
  }

  it("a completed drain offboards a row another invocation marked drain-failed meanwhile", async () => {
    current = row("revoked");
    conditionalTable();
    let deleted = false;
    sm.on(DescribeUserProfileCommand).callsFake(() => {
      if (deleted) throw Object.assign(new Error("gone"), { name: "ResourceNotFound" });
      return { Status: "InService", UserProfileArn: PROFILE_ARN };
    });
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListAppsCommand).resolves({ Apps: [] });
    sm.on(DeleteUserProfileCommand).callsFake(() => {
      deleted = true;
      // The other invocation saw a seed (gone since) and recorded it, from draining.
      if (current)
        current = { ...current, state: "drain-failed", detail: "granted again while it drained" };
      return {};
    });
    const result = await handler()({ Records: [record("REMOVE", seedRow(), undefined)] });
    expect(result.batchItemFailures).toEqual([]);
    expect(current).toMatchObject({ state: "offboarded" });
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "offboarded" });
  });

  it("a drain stopped by an error after a deletion names what it deleted on the row", async () => {
    current = row("revoked");
    conditionalTable();
    sm.on(DescribeUserProfileCommand).resolves({
      Status: "InService",
      UserProfileArn: PROFILE_ARN,
      HomeEfsFileSystemUid: "200001",
    });
    const owned = { OwnerUserProfileName: "forecasting--dana-scientist-jnzooc7btzxbvodz" };
    sm.on(ListSpacesCommand).resolves({
      Spaces: [
        { SpaceName: "s1", Status: "InService", OwnershipSettingsSummary: owned },
        { SpaceName: "s2", Status: "InService", OwnershipSettingsSummary: owned },
      ],
    });
    sm.on(ListAppsCommand).resolves({ Apps: [] });
    let spaceDeleted = false;
    sm.on(DeleteSpaceCommand).callsFake(() => {
      spaceDeleted = true;
      return {};
    });
    // The rows cannot be read again once the first space is gone: the drain stops there.
    ddb.on(GetCommand, { TableName: "users" }).callsFake((input: GetCommand["input"]) => {
      if (spaceDeleted)
        throw Object.assign(new Error("Rate exceeded"), {
          name: "ProvisionedThroughputExceededException",
        });
      if (input.Key?.lob === "#disabled") return { Item: marker };
      return { Item: String(input.Key?.userTeam).includes("#config:") ? seed : current };
    });
    const result = await handler()({ Records: [record("MODIFY", row("active"), row("revoked"))] });
    expect(result.batchItemFailures).toHaveLength(1);
    expect(sm.commandCalls(DeleteSpaceCommand)).toHaveLength(1);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(0);
    expect(current).toMatchObject({
      state: "drain-failed",
      detail: "ProvisionedThroughputExceededException: Rate exceeded, after it deleted space s1",
    });
  });

  it("a completed drain offboards a row admin disable revoked again meanwhile", async () => {
    current = row("revoked");
    conditionalTable();
    let deleted = false;
    sm.on(DescribeUserProfileCommand).callsFake(() => {
      if (deleted) throw Object.assign(new Error("gone"), { name: "ResourceNotFound" });
      return { Status: "InService", UserProfileArn: PROFILE_ARN };
    });
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListAppsCommand).resolves({ Apps: [] });
    sm.on(DeleteUserProfileCommand).callsFake(() => {
      deleted = true;
      // admin disable re-revokes a draining row (its condition admits draining).
      if (current) current = { ...current, state: "revoked" };
      return {};
    });
    const result = await handler()({ Records: [record("MODIFY", row("active"), row("revoked"))] });
    expect(result.batchItemFailures).toEqual([]);
    expect(current).toMatchObject({ state: "offboarded" });
    expect(logs.lines().at(-1)).toMatchObject({ outcome: "offboarded" });
  });
});
