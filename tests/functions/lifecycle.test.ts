import type { DynamoDBRecord } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  DeleteAppCommand,
  DeleteSpaceCommand,
  DeleteUserProfileCommand,
  DescribeUserProfileCommand,
  ListAppsCommand,
  ListSpacesCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { marshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { createHandler, offboardingOf } from "../../functions/lifecycle/handler";
import { parseRegistry } from "../../functions/presigner/config";
import { LOB_A_RECORD } from "../helpers/fixtures";
import { captureLogs } from "../helpers/logs";

const ddb = mockClient(DynamoDBDocumentClient);
const sts = mockClient(STSClient);
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

let clock: number;
let logs: ReturnType<typeof captureLogs>;
const sessions: string[] = [];

const row = (state?: string) => ({
  lob: "lob-a",
  userTeam: "dana.scientist#forecasting",
  username: "dana.scientist",
  team: "forecasting",
  profileName: "forecasting--dana-scientist-4b72e7",
  source: "admin",
  ...(state ? { state } : {}),
});
const record = (
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  sequence = "100",
): DynamoDBRecord => ({
  eventName,
  dynamodb: {
    SequenceNumber: sequence,
    ...(before ? { OldImage: marshall(before) as never } : {}),
    ...(after ? { NewImage: marshall(after) as never } : {}),
  },
});

function handler() {
  return createHandler({
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
}

/** SageMaker as a profile in use drains: an app and a space, deleted over a few looks. */
function profileInUse() {
  let looks = 0;
  let deleted = false;
  sm.on(DescribeUserProfileCommand).callsFake(() => {
    if (deleted) throw Object.assign(new Error("gone"), { name: "ResourceNotFound" });
    looks += 1;
    return { Status: "InService", HomeEfsFileSystemUid: "200007" };
  });
  sm.on(ListSpacesCommand).callsFake(() => ({
    Spaces:
      looks < 3
        ? [
            {
              SpaceName: "demand",
              Status: "InService",
              OwnershipSettingsSummary: {
                OwnerUserProfileName: "forecasting--dana-scientist-4b72e7",
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
              UserProfileName: "forecasting--dana-scientist-4b72e7",
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
  ddb.on(GetCommand).resolves({ Item: { ...LOB_A_RECORD, teams: ["analytics", "forecasting"] } });
  ddb.on(UpdateCommand).resolves({});
  ddb.on(DeleteCommand).resolves({});
});
afterEach(() => {
  logs.restore();
});

describe("lifecycle: which stream records it acts on", () => {
  it.each<[string, DynamoDBRecord, boolean | undefined]>([
    ["a row newly revoked (admin revoke)", record("MODIFY", row(), row("revoked")), false],
    [
      "a row removed while active (a member taken out of a stack's config)",
      record("REMOVE", row(), undefined),
      true,
    ],
    [
      "an active row removed that never had a state",
      record("REMOVE", { ...row(), source: "config" }, undefined),
      true,
    ],
    ["its own draining mark", record("MODIFY", row("revoked"), row("draining")), undefined],
    ["its own failure mark", record("MODIFY", row("draining"), row("drain-failed")), undefined],
    ["its own final delete", record("REMOVE", row("draining"), undefined), undefined],
    ["a grant", record("INSERT", undefined, row()), undefined],
    ["a revoked row revoked again", record("MODIFY", row("revoked"), row("revoked")), undefined],
  ])("%s", (_what, rec, removed) => {
    const o = offboardingOf(rec);
    expect(o?.removed).toBe(removed);
    if (o)
      expect(o).toMatchObject({ lob: "lob-a", username: "dana.scientist", team: "forecasting" });
  });
});

describe("lifecycle: offboarding a revoked entitlement", () => {
  it("marks it draining, drains apps then spaces (the user's only), deletes the profile, then the row", async () => {
    profileInUse();
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(result).toEqual({ batchItemFailures: [] });
    // Through the LOB's lifecycle role, never the access or provisioning role.
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      "arn:aws:iam::222222222222:role/StudioAccessRole-lifecycle",
    ]);
    expect(sm.commandCalls(DeleteAppCommand).map((c) => c.args[0].input)).toEqual([
      {
        DomainId: "d-aaaaaaaaaaaa",
        AppType: "JupyterLab",
        AppName: "default",
        UserProfileName: "forecasting--dana-scientist-4b72e7",
        SpaceName: undefined,
      },
    ]);
    expect(sm.commandCalls(DeleteSpaceCommand).map((c) => c.args[0].input)).toEqual([
      { DomainId: "d-aaaaaaaaaaaa", SpaceName: "demand" },
    ]);
    expect(sm.commandCalls(DeleteUserProfileCommand).map((c) => c.args[0].input)).toEqual([
      { DomainId: "d-aaaaaaaaaaaa", UserProfileName: "forecasting--dana-scientist-4b72e7" },
    ]);
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update).toMatchObject({
      Key: { lob: "lob-a", userTeam: "dana.scientist#forecasting" },
      ConditionExpression: "#state IN (:revoked, :draining, :failed)",
      ExpressionAttributeValues: expect.objectContaining({ ":state": "draining" }) as unknown,
    });
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input).toEqual({
      TableName: "users",
      Key: { lob: "lob-a", userTeam: "dana.scientist#forecasting" },
      ConditionExpression: "#state = :draining",
      ExpressionAttributeNames: { "#state": "state" },
      ExpressionAttributeValues: { ":draining": "draining" },
    });
    expect(logs.lines().at(-1)).toMatchObject({
      message: "offboard",
      outcome: "offboarded",
      profile: "forecasting--dana-scientist-4b72e7",
    });
  });

  it("derives the profile from the username and team, not from the row's profileName", async () => {
    profileInUse();
    const forged = { ...row("revoked"), profileName: "forecasting--ann" };
    await handler()({ Records: [record("MODIFY", row(), forged)] });
    expect(
      sm.commandCalls(DeleteUserProfileCommand).map((c) => c.args[0].input.UserProfileName),
    ).toEqual(["forecasting--dana-scientist-4b72e7"]);
  });

  it("drains a member removed from config, without touching the (gone) row", async () => {
    profileInUse();
    await handler()({ Records: [record("REMOVE", row(), undefined)] });
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it("is done at once for a user who never signed in (no profile)", async () => {
    sm.on(DescribeUserProfileCommand).rejects(
      Object.assign(new Error("x"), { name: "ResourceNotFound" }),
    );
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(result.batchItemFailures).toEqual([]);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(1);
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

  it("records drain-failed with the reason and reports the record for a retry when SageMaker refuses", async () => {
    sm.on(DescribeUserProfileCommand).resolves({ Status: "InService" });
    sm.on(ListSpacesCommand).resolves({ Spaces: [] });
    sm.on(ListAppsCommand).resolves({ Apps: [] });
    sm.on(DeleteUserProfileCommand).rejects(
      Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }),
    );
    const result = await handler()({
      Records: [record("MODIFY", row(), row("revoked"), "7")],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "7" }] });
    const failed = ddb.commandCalls(UpdateCommand).at(-1)!.args[0].input;
    expect(failed.ExpressionAttributeValues).toMatchObject({
      ":state": "drain-failed",
      ":detail": "AccessDeniedException: not authorized",
    });
    expect(logs.lines().at(-1)).toMatchObject({ level: "error", outcome: "failed" });
  });

  it("gives up for this invocation when apps outlast its budget, leaving the retry to Lambda", async () => {
    sm.on(DescribeUserProfileCommand).resolves({ Status: "InService" });
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
    await handler()({
      Records: [record("MODIFY", { ...row(), lob: "lob-z" }, { ...row("revoked"), lob: "lob-z" })],
    });
    ddb.on(GetCommand).resolves({});
    await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(sm.calls()).toHaveLength(0);
    expect(logs.lines().map((l) => l.outcome)).toEqual(["unknown-lob", "no-lob-record"]);
  });

  it("refuses a LOB record that names another account than the registry", async () => {
    ddb.on(GetCommand).resolves({ Item: { ...LOB_A_RECORD, accountId: "999999999999" } });
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"), "3")] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "3" }]);
    expect(sm.calls()).toHaveLength(0);
  });
});

describe("lifecycle: a LOB whose config removes home directories", () => {
  const removing = () =>
    ddb.on(GetCommand).resolves({
      Item: { ...LOB_A_RECORD, teams: ["forecasting"], homeDirectories: "remove" },
    });
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
          profile: "forecasting--dana-scientist-4b72e7",
          domainId: "d-aaaaaaaaaaaa",
        }),
      }),
    );
    expect(order.slice(0, 2)).toEqual(["home", "profile"]);
    // With the LOB's lifecycle role's session.
    expect(lambdaSessions[0]).toBe("us-east-1 ASIA-StudioAccessRole-lifecycle");
    expect(sm.commandCalls(DeleteAppCommand)).toHaveLength(1);
  });

  it("offboards fully: home, profile, row", async () => {
    removing();
    profileInUse();
    lambda.on(InvokeCommand).resolves(ok({ uid: "200007", outcome: "removed", entries: 3 }));
    const result = await handler()({ Records: [record("MODIFY", row(), row("revoked"))] });
    expect(result.batchItemFailures).toEqual([]);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(sm.commandCalls(DeleteUserProfileCommand)).toHaveLength(1);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(1);
  });

  it("keeps the profile and reports drain-failed when the removal fails, so a retry finds the UID again", async () => {
    removing();
    sm.on(DescribeUserProfileCommand).resolves({
      Status: "InService",
      HomeEfsFileSystemUid: "200007",
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
    expect(
      ddb.commandCalls(UpdateCommand).at(-1)!.args[0].input.ExpressionAttributeValues,
    ).toMatchObject({
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
