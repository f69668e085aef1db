import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir, userInfo } from "node:os";
import * as path from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { AdminApi, saveAdminConfig, type AdminConfig } from "../../cli/admin";
import { main, type Io } from "../../cli/main";
import { disabledMarkerKey } from "../../functions/shared/tables";

/**
 * `studio-access admin` against a real DynamoDB implementation (dynalite, as the sandbox runs), so
 * every condition expression is evaluated, not just sent; STS and Cognito are mocked.
 */
const cognito = mockClient(CognitoIdentityProviderClient);
const sts = mockClient(STSClient);
const named = (name: string) => Object.assign(new Error(name), { name });

const ENTS = "ents";
const LOBS = "lobs";
const SESSION = `studio-access-admin-${userInfo().username.replace(/[^\w+=,.@-]/g, "-")}`.slice(
  0,
  64,
);
const POOL = "us-east-1_AbC123";
const CONFIG: AdminConfig = {
  roleArn: "arn:aws:iam::111111111111:role/studio-access-admin",
  entitlementsTable: ENTS,
  lobsTable: LOBS,
  region: "us-east-1",
  userPoolId: POOL,
};
const NOW = new Date("2026-12-04T10:00:00.000Z");
const EVIL = "x\u001b[2K\u001b[1Aevil";

let dynalite: Server;
let endpoint: string;
let db: DynamoDBDocumentClient;
let dir: string;

beforeAll(async () => {
  dynalite = (require("dynalite") as (opts: object) => Server)({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynalite.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${String((dynalite.address() as AddressInfo).port)}`;
  // AdminApi.connect's client takes its endpoint from the SDK's standard setting.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  const raw = new DynamoDBClient({ region: "us-east-1", endpoint });
  db = DynamoDBDocumentClient.from(raw);
  await raw.send(
    new CreateTableCommand({
      TableName: ENTS,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "lob", KeyType: "HASH" },
        { AttributeName: "userTeam", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "lob", AttributeType: "S" },
        { AttributeName: "userTeam", AttributeType: "S" },
        { AttributeName: "username", AttributeType: "S" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "by-username",
          KeySchema: [
            { AttributeName: "username", KeyType: "HASH" },
            { AttributeName: "lob", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
  await raw.send(
    new CreateTableCommand({
      TableName: LOBS,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "lob", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "lob", AttributeType: "S" }],
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  dynalite.closeAllConnections();
  await new Promise((resolve) => dynalite.close(resolve));
});

beforeEach(async () => {
  cognito.reset();
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIAEXAMPLE",
      SecretAccessKey: "secret",
      SessionToken: "session",
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  for (const table of [ENTS, LOBS]) {
    const { Items = [] } = await db.send(new ScanCommand({ TableName: table }));
    for (const item of Items)
      await db.send(
        new DeleteCommand({
          TableName: table,
          Key:
            table === LOBS
              ? { lob: item.lob as string }
              : { lob: item.lob as string, userTeam: item.userTeam as string },
        }),
      );
  }
  await put(LOBS, { lob: "lob-a", teams: ["analytics", "forecasting"] });
  await put(LOBS, { lob: "lob-b", teams: ["default"] });
  dir = mkdtempSync(path.join(tmpdir(), "studio-access-admin-"));
  saveAdminConfig(dir, { ...CONFIG });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const put = (table: string, item: Record<string, unknown>) =>
  db.send(new PutCommand({ TableName: table, Item: item }));
/** A row as a LOB stack (config) or an earlier grant (admin) wrote it. */
const row = (
  lob: string,
  username: string,
  team: string,
  profileName: string,
  extra: Record<string, unknown> = {},
) => ({
  lob,
  userTeam: `${username}#${team}`,
  username,
  team,
  profileName,
  source: "admin",
  ...extra,
});
/** A config seed, as a LOB's stack writes it: its own key, `<username>#config:<team>`. */
const seed = (
  lob: string,
  username: string,
  team: string,
  profileName: string,
  extra: Record<string, unknown> = {},
) => ({
  ...row(lob, username, team, profileName, { source: "config", ...extra }),
  userTeam: `${username}#config:${team}`,
});
const read = async (lob: string, userTeam: string) =>
  (await db.send(new GetCommand({ TableName: ENTS, Key: { lob, userTeam } }))).Item;
const everything = async () =>
  ((await db.send(new ScanCommand({ TableName: ENTS }))).Items ?? []).sort((a, b) =>
    `${String(a.lob)}/${String(a.userTeam)}`.localeCompare(
      `${String(b.lob)}/${String(b.userTeam)}`,
    ),
  );

/** The raw controls in printed text, line breaks between lines aside. */
const rawControls = (text: string) =>
  text.match(/[^\n\P{Cc}]|[\u202a-\u202e\u2066-\u2069]/gu) ?? [];

/** Runs the CLI in-process with its own config folder; returns what it printed. */
async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdin: process.stdin,
    stdout: { write: (s: string) => ((stdout += s), true), isTTY: false },
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: false },
    env: { STUDIO_ACCESS_CONFIG_DIR: dir, ...env },
  } as unknown as Io;
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** An AdminApi on the same tables, whose DynamoDB calls can be made to fail. */
function api(
  options: { sessionName?: string; fail?: (command: object) => Error | undefined } = {},
): AdminApi {
  const dynamo = {
    send: (command: object) => {
      const error = options.fail?.(command);
      return error ? Promise.reject(error) : db.send(command as PutCommand);
    },
  } as unknown as DynamoDBDocumentClient;
  return new AdminApi(
    dynamo,
    CONFIG,
    new CognitoIdentityProviderClient({ region: "us-east-1" }),
    options.sessionName,
  );
}

describe("admin list", () => {
  it("shows a username holding terminal escapes as text, one row per line, aligned", async () => {
    await put(ENTS, row("lob-b", EVIL, "default", "x-evil"));
    await put(ENTS, row("lob-b", "jane.doe", "default", "jane-doe-d48722"));
    await put(ENTS, row("lob-b", "z\u202eeno", "default", "z-eno", { detail: "a\rb" }));
    const listed = await cli(["admin", "list", "--lob", "lob-b"]);
    expect(listed).toEqual({
      code: 0,
      stdout:
        "LOB    TEAM     USER                     PROFILE          STATE              SOURCE\n" +
        "lob-b  default  jane.doe                 jane-doe-d48722  active             admin\n" +
        "lob-b  default  x\\u001b[2K\\u001b[1Aevil  x-evil           active             admin\n" +
        "lob-b  default  z\\u202eeno               z-eno            active (a\\u000db)  admin\n",
      stderr: "",
    });
  });

  it("shows one line per user and team with who owns what: config, admin, config + admin", async () => {
    await put(ENTS, seed("lob-a", "ann", "analytics", "analytics--ann"));
    await put(ENTS, row("lob-a", "bob", "analytics", "analytics--bob"));
    await put(ENTS, seed("lob-a", "cy", "analytics", "analytics--cy"));
    await put(ENTS, row("lob-a", "cy", "analytics", "analytics--cy"));
    await put(ENTS, seed("lob-a", "dee", "analytics", "analytics--dee"));
    await put(ENTS, row("lob-a", "dee", "analytics", "analytics--dee", { state: "offboarded" }));
    await put(ENTS, row("lob-a", "eve", "analytics", "analytics--eve", { state: "revoked" }));
    expect((await cli(["admin", "list", "--lob", "lob-a"])).stdout).toBe(
      "LOB    TEAM       USER  PROFILE         STATE    SOURCE\n" +
        "lob-a  analytics  ann   analytics--ann  active   config\n" +
        "lob-a  analytics  bob   analytics--bob  active   admin\n" +
        "lob-a  analytics  cy    analytics--cy   active   config + admin\n" +
        "lob-a  analytics  dee   analytics--dee  active   config + admin (offboarded)\n" +
        "lob-a  analytics  eve   analytics--eve  revoked  admin\n",
    );
  });

  it("prints JSON that parses to the rows exactly, with no raw control character", async () => {
    await put(ENTS, row("lob-b", `${EVIL}\u202e`, "default", "x-evil", { state: "drain-failed" }));
    const listed = await cli(["admin", "list", "--json"]);
    expect(rawControls(listed.stdout)).toEqual([]);
    expect(JSON.parse(listed.stdout)).toEqual({
      entitlements: [
        {
          lob: "lob-b",
          team: "default",
          username: `${EVIL}\u202e`,
          profileName: "x-evil",
          state: "drain-failed",
          source: "admin",
        },
      ],
      disabled: [],
    });
  });

  it("shows offboarded rows, and disabled markers as users, never as a LOB", async () => {
    await put(
      ENTS,
      row("lob-b", "lee.leaving", "default", "lee-leaving-1", { state: "offboarded" }),
    );
    await put(ENTS, row("lob-a", "lee.leaving", "analytics", "analytics--lee-leaving-1"));
    await put(ENTS, {
      ...disabledMarkerKey("lee.leaving"),
      username: "lee.leaving",
      state: "disabled",
      stateAt: "2026-12-01T09:00:00.000Z",
      by: "studio-access-admin-pat",
    });
    await put(ENTS, {
      ...disabledMarkerKey("back.again"),
      username: "back.again",
      state: "enabled",
      stateAt: "2026-12-02T09:00:00.000Z",
    });
    const disabledLine =
      "lee.leaving is disabled since 2026-12-01T09:00:00.000Z (by studio-access-admin-pat): every entry refuses them; admin grant USER LOB --enable lifts it.\n";
    const rows =
      "LOB    TEAM       USER         PROFILE                   STATE       SOURCE\n" +
      "lob-a  analytics  lee.leaving  analytics--lee-leaving-1  active      admin\n" +
      "lob-b  default    lee.leaving  lee-leaving-1             offboarded  admin\n";
    expect((await cli(["admin", "list", "--user", "lee.leaving"])).stdout).toBe(
      rows + disabledLine,
    );
    expect((await cli(["admin", "list"])).stdout).toBe(rows + disabledLine);
    expect((await cli(["admin", "list", "--lob", "lob-b"])).stdout).toBe(
      "LOB    TEAM     USER         PROFILE        STATE       SOURCE\n" +
        "lob-b  default  lee.leaving  lee-leaving-1  offboarded  admin\n",
    );
    expect((await cli(["admin", "list", "--user", "back.again"])).stdout).toBe(
      "No entitlements.\n",
    );
    expect(await cli(["admin", "list", "--lob", "#disabled"])).toEqual({
      code: 2,
      stdout: "",
      stderr: 'studio-access: "#disabled" is not a LOB name\n',
    });
  });
});

describe("admin disable", () => {
  const active = seed("lob-b", "lee.leaving", "default", "lee-leaving-1");
  const other = row("lob-a", "lee.leaving", "analytics", "analytics--lee-leaving-1");
  const draining = row("lob-a", "lee.leaving", "forecasting", "forecasting--lee-leaving-1", {
    state: "draining",
  });

  it("makes no stub row from a forged row whose key is not <username>#<team>", async () => {
    await put(ENTS, {
      lob: "lob-a",
      userTeam: "decoy#analytics",
      username: "lee.leaving",
      team: "analytics",
      profileName: "x",
    });
    cognito.on(AdminDisableUserCommand).resolves({});
    expect((await cli(["admin", "disable", "lee.leaving"])).code).toBe(0);
    expect(await read("lob-a", "lee.leaving#analytics")).toBeUndefined();
  });

  it("refuses a name with no Cognito user and no row (usernames are case-sensitive), writing nothing (exit 2)", async () => {
    await put(ENTS, other);
    cognito.on(AdminDisableUserCommand).rejects(named("UserNotFoundException"));
    expect(await cli(["admin", "disable", "Lee.Leaving"])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "studio-access: no Cognito user and no entitlement is named Lee.Leaving: usernames are case-sensitive (admin list shows how each is spelt); for a user who signs in only through the IdP, run admin disable Lee.Leaving --idp-only\n",
    });
    expect(await everything()).toEqual([other]);
  });

  it("admin list --user shows a disabled user whatever the case the disable was typed in", async () => {
    await put(ENTS, other);
    cognito.on(AdminDisableUserCommand).rejects(named("UserNotFoundException"));
    expect((await cli(["admin", "disable", "Lee.Leaving", "--idp-only"])).code).toBe(0);
    expect((await cli(["admin", "list", "--user", "lee.leaving"])).stdout).toMatch(
      /\nLee\.Leaving is disabled since /,
    );
  });

  it("acts on rows by their key: a row keyed lee.leaving#Default beside the seed is skipped, and the revoked row written", async () => {
    const lookalike = {
      ...row("lob-b", "lee.leaving", "default", "x"),
      userTeam: "lee.leaving#Default",
    };
    await Promise.all([active, lookalike].map((r) => put(ENTS, r)));
    cognito.on(AdminDisableUserCommand).resolves({});
    const run = await cli(["admin", "disable", "lee.leaving"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("revoked lob-b/default");
    expect(run.stdout).toContain("Skipped lob-b/lee.leaving#Default:");
    expect((await read("lob-b", "lee.leaving#default"))?.state).toBe("revoked");
    expect(await read("lob-b", "lee.leaving#Default")).toEqual(lookalike);
  });

  it("never rewrites a seed through a row whose team attribute is config:<team>", async () => {
    const junk = { ...row("lob-b", "lee.leaving", "config:default", "x"), userTeam: "junk" };
    await Promise.all([active, junk].map((r) => put(ENTS, r)));
    cognito.on(AdminDisableUserCommand).resolves({});
    const run = await cli(["admin", "disable", "lee.leaving"]);
    expect(run.stdout).toContain("Skipped lob-b/junk:");
    expect(await read("lob-b", "lee.leaving#config:default")).toEqual(active);
    expect((await read("lob-b", "lee.leaving#default"))?.state).toBe("revoked");
  });

  it("revokes again a stale draining admin row a seed kept open", async () => {
    const stale = row("lob-b", "lee.leaving", "default", "lee-leaving-1", {
      state: "draining",
      stateAt: "2026-11-01T00:00:00.000Z",
    });
    await Promise.all([active, stale].map((r) => put(ENTS, r)));
    cognito.on(AdminDisableUserCommand).resolves({});
    expect((await cli(["admin", "disable", "lee.leaving"])).stdout).toContain(
      "revoked lob-b/default",
    );
    const after = await read("lob-b", "lee.leaving#default");
    expect(after?.state).toBe("revoked");
    expect(after?.stateAt).not.toBe("2026-11-01T00:00:00.000Z");
  });

  it("refuses a username not in Unicode NFC, naming the form sign-in reads, before any call", async () => {
    const run = await cli(["admin", "disable", "jose\u0301"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not in Unicode NFC (as sign-in reads it): type it as");
    expect(cognito.calls()).toHaveLength(0);
  });

  it("marks the user disabled, revokes every active row, then disables the Cognito user", async () => {
    await Promise.all([active, other, draining].map((r) => put(ENTS, r)));
    cognito.on(AdminDisableUserCommand).resolves({});
    const run = await cli(["admin", "disable", "lee.leaving"]);
    expect(run).toEqual({
      code: 0,
      stdout:
        "Disabled lee.leaving: Cognito refuses their sign-ins; revoked lob-a/analytics, lob-b/default: each profile is drained and deleted.\n" +
        "The lob-b stack's config still names lee.leaving (members): remove them from default in Pulumi.lob-b.yaml too, or lifting the disable lets them in there again.\n",
      stderr: "",
    });
    expect(cognito.commandCalls(AdminDisableUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: "lee.leaving" },
    ]);
    const stateAt = (await read("#disabled", "lee.leaving#"))?.stateAt as string;
    expect(await everything()).toEqual([
      {
        lob: "#disabled",
        userTeam: "lee.leaving#",
        username: "lee.leaving",
        state: "disabled",
        stateAt,
        by: SESSION,
      },
      { ...other, state: "revoked", stateAt },
      draining,
      // The seed is the stack's: left as it is; a revoked admin row beside it carries the
      // revocation (the lifecycle function drains the profile: the marker outvotes the seed).
      active,
      {
        ...row("lob-b", "lee.leaving", "default", "lee-leaving-1"),
        state: "revoked",
        stateAt,
      },
    ]);
    expect(Date.parse(stateAt)).toBeGreaterThan(Date.now() - 60_000);
    // The disable is over the seed: admin list shows the admin row's state, the seed beside it.
    expect((await cli(["admin", "list", "--lob", "lob-b"])).stdout).toMatch(
      / revoked {2}config \(active\) \+ admin\n$/,
    );
  });

  it.each(["revoked", "drain-failed"])(
    "revokes again a %s admin row a seed kept open, so the lifecycle function drains it",
    async (state) => {
      const kept = row("lob-b", "lee.leaving", "default", "lee-leaving-1", {
        state,
        stateAt: "2026-12-01T09:00:00.000Z",
      });
      await Promise.all([active, kept].map((r) => put(ENTS, r)));
      cognito.on(AdminDisableUserCommand).resolves({});
      const run = await cli(["admin", "disable", "lee.leaving"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("revoked lob-b/default");
      const after = await read("lob-b", "lee.leaving#default");
      // A new write (its stream record wakes the lifecycle function), as revoked.
      expect(after?.state).toBe("revoked");
      expect(after?.stateAt).not.toBe("2026-12-01T09:00:00.000Z");
    },
  );

  it("marks and revokes a user the pool does not have (IdP only), and says so, exit 0", async () => {
    await put(ENTS, other);
    cognito.on(AdminDisableUserCommand).rejects(named("UserNotFoundException"));
    expect(await cli(["admin", "disable", "lee.leaving"])).toEqual({
      code: 0,
      stdout:
        "No Cognito user lee.leaving to disable: they sign in through the IdP; marked disabled and 1 entitlement revoked (lob-a/analytics). Every entry refuses them, IdP group mappings included.\n",
      stderr: "",
    });
    expect((await read("#disabled", "lee.leaving#"))?.state).toBe("disabled");
    expect((await read("lob-a", "lee.leaving#analytics"))?.state).toBe("revoked");
    // Nothing to revoke: still marked, and said plainly.
    expect((await cli(["admin", "disable", "ida.only", "--idp-only"])).stdout).toBe(
      "No Cognito user ida.only to disable: they sign in through the IdP; marked disabled and 0 entitlements revoked. Every entry refuses them, IdP group mappings included.\n",
    );
    expect((await read("#disabled", "ida.only#"))?.state).toBe("disabled");
    // A spelling that only the marker folds: said, since the rows and the pool are exact.
    expect((await cli(["admin", "disable", "Lee.Leaving", "--idp-only"])).stdout).toBe(
      "No Cognito user Lee.Leaving to disable: they sign in through the IdP; marked disabled and 0 entitlements revoked. Every entry refuses them, IdP group mappings included.\n" +
        "No entitlement is spelt exactly Lee.Leaving, and the disable also refuses every spelling that differs only by letter case or Unicode form (lee.leaving): if you meant another user, check admin list for their spelling; their rows and Cognito user are untouched.\n",
    );
  });

  it("writes the marker first: a revoke that fails leaves the user refused", async () => {
    await put(ENTS, other);
    const failing = api({
      fail: (command) =>
        command instanceof UpdateCommand ? named("InternalServerError") : undefined,
    });
    await expect(failing.disable("lee.leaving", NOW)).rejects.toThrow(
      "the revoke failed: InternalServerError",
    );
    // No `by` when the session's name is unknown.
    expect(await read("#disabled", "lee.leaving#")).toEqual({
      ...disabledMarkerKey("lee.leaving"),
      username: "lee.leaving",
      state: "disabled",
      stateAt: NOW.toISOString(),
    });
    expect(cognito.commandCalls(AdminDisableUserCommand)).toHaveLength(0);
  });

  it("keeps the marker and the revokes when Cognito then fails (exit 5)", async () => {
    await put(ENTS, other);
    cognito.on(AdminDisableUserCommand).rejects(named("InternalErrorException"));
    expect(await cli(["admin", "disable", "lee.leaving"])).toEqual({
      code: 5,
      stdout: "",
      stderr: "studio-access: Cognito refused to disable the user: InternalErrorException\n",
    });
    expect((await read("#disabled", "lee.leaving#"))?.state).toBe("disabled");
    expect((await read("lob-a", "lee.leaving#analytics"))?.state).toBe("revoked");
  });

  it("writes nothing without the user pool configured (exit 2)", async () => {
    saveAdminConfig(dir, { ...CONFIG, userPoolId: undefined });
    expect(await cli(["admin", "disable", "lee.leaving"])).toMatchObject({
      code: 2,
      stderr:
        "studio-access: admin disable needs the user pool: run the admin configure line again (it has --user-pool-id)\n",
    });
    expect(await everything()).toEqual([]);
  });
});

describe("admin grant", () => {
  const granted = (extra: Record<string, unknown> = {}) => ({
    ...row("lob-b", "lee.leaving", "default", "lee-leaving-syipsuicwg2wg6sy"),
    state: "active",
    ...extra,
  });

  it("writes an offboarded row again, as a new grant", async () => {
    await put(ENTS, granted({ state: "offboarded", stateAt: "2026-11-01T00:00:00.000Z" }));
    expect(await cli(["admin", "grant", "lee.leaving", "lob-b"])).toEqual({
      code: 0,
      stdout:
        "Granted lee.leaving in lob-b/default (profile lee-leaving-syipsuicwg2wg6sy) again (it was offboarded). The profile is created on their first sign-in.\n",
      stderr: "",
    });
    const after = await read("lob-b", "lee.leaving#default");
    expect(after).toEqual(granted({ grantedAt: after?.grantedAt }));
  });

  it.each(["revoked", "draining", "drain-failed"])(
    "refuses a row still being offboarded (%s), leaving it as it is (exit 5)",
    async (state) => {
      await put(ENTS, granted({ state }));
      expect(await cli(["admin", "grant", "lee.leaving", "lob-b"])).toEqual({
        code: 5,
        stdout: "",
        stderr: `studio-access: lee.leaving's entitlement to lob-b/default is being offboarded (${state}): grant it again once admin list shows it offboarded\n`,
      });
      expect(await read("lob-b", "lee.leaving#default")).toEqual(granted({ state }));
    },
  );

  it("is a no-op on an active row", async () => {
    await put(ENTS, granted({ grantedAt: "2026-01-01T00:00:00.000Z" }));
    expect((await cli(["admin", "grant", "lee.leaving", "lob-b"])).stdout).toBe(
      "lee.leaving in lob-b/default (profile lee-leaving-syipsuicwg2wg6sy) is already granted.\n",
    );
    expect(await read("lob-b", "lee.leaving#default")).toEqual(
      granted({ grantedAt: "2026-01-01T00:00:00.000Z" }),
    );
  });

  it("warns of a username the pool does not have, and still grants (SAML-only users are legitimate) (#20)", async () => {
    cognito.on(AdminGetUserCommand).rejects(named("UserNotFoundException"));
    expect(await cli(["admin", "grant", "lee.leavng", "lob-b"])).toEqual({
      code: 0,
      stdout:
        "Granted lee.leavng in lob-b/default (profile lee-leavng-ng6dvlhsximxxldf). The profile is created on their first sign-in.\n",
      stderr:
        "warning: the user pool has no user lee.leavng. That is right for a user who signs in only through the IdP (SAML); if it is a typo, check the spelling (studio-access admin list shows the names entitled so far; the IdP's directory has its users) and undo it with studio-access admin revoke lee.leavng lob-b --team default\n",
    });
    expect(cognito.commandCalls(AdminGetUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: "lee.leavng" },
    ]);
    expect((await read("lob-b", "lee.leavng#default"))?.state).toBe("active");
  });

  it("says nothing more for a user the pool has; names why when it cannot look", async () => {
    cognito.on(AdminGetUserCommand).resolves({ Username: "lee.leaving" });
    expect((await cli(["admin", "grant", "lee.leaving", "lob-b"])).stderr).toBe("");
    cognito.on(AdminGetUserCommand).rejects(named("AccessDeniedException"));
    expect(
      await cli(["admin", "grant", "lee.leaving", "lob-a", "--team", "analytics"]),
    ).toMatchObject({
      code: 0,
      stderr:
        "warning: could not check that the user pool has lee.leaving (AccessDeniedException); granted anyway\n",
    });
  });

  const disabledMarker = {
    ...disabledMarkerKey("lee.leaving"),
    username: "lee.leaving",
    state: "disabled",
    stateAt: "2026-12-01T09:00:00.000Z",
    by: "studio-access-admin-pat",
  };

  it("refuses a disabled user, naming the way out, and writes nothing (exit 2)", async () => {
    await put(ENTS, disabledMarker);
    expect(await cli(["admin", "grant", "lee.leaving", "lob-b"])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "studio-access: lee.leaving was disabled (admin disable, 2026-12-01T09:00:00.000Z): grant again with --enable to lift it\n",
    });
    expect(await everything()).toEqual([disabledMarker]);
    expect(cognito.calls()).toHaveLength(0);
  });

  it("with --enable: enables the Cognito user, lifts the marker, then grants", async () => {
    await put(ENTS, disabledMarker);
    cognito.on(AdminEnableUserCommand).resolves({});
    expect(await cli(["admin", "grant", "lee.leaving", "lob-b", "--enable"])).toEqual({
      code: 0,
      stdout:
        "Lifted the disable of lee.leaving (admin disable, 2026-12-01T09:00:00.000Z). Their Cognito user is enabled.\n" +
        "Granted lee.leaving in lob-b/default (profile lee-leaving-syipsuicwg2wg6sy). The profile is created on their first sign-in.\n",
      stderr: "",
    });
    expect(cognito.commandCalls(AdminEnableUserCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: "lee.leaving" },
    ]);
    const marker = await read("#disabled", "lee.leaving#");
    expect(marker).toEqual({
      ...disabledMarker,
      state: "enabled",
      stateAt: marker?.stateAt as string,
      by: SESSION,
    });
    expect(marker?.stateAt).not.toBe(disabledMarker.stateAt);
    expect((await read("lob-b", "lee.leaving#default"))?.state).toBe("active");
  });

  it("with --enable: an IdP-only user (no Cognito user) is fine; an unknown session leaves no `by`", async () => {
    await put(ENTS, disabledMarker);
    cognito.on(AdminEnableUserCommand).rejects(named("UserNotFoundException"));
    const result = await api().grant("lee.leaving", "lob-b", undefined, NOW, { enable: true });
    expect(result).toMatchObject({ created: true, inPool: false, lifted: { state: "disabled" } });
    expect(await read("#disabled", "lee.leaving#")).toEqual({
      ...disabledMarkerKey("lee.leaving"),
      username: "lee.leaving",
      state: "enabled",
      stateAt: NOW.toISOString(),
    });
    expect(
      (await cli(["admin", "grant", "lee.leaving", "lob-a", "--team", "analytics", "--enable"]))
        .stdout,
    ).toBe(
      "lee.leaving was not disabled. No Cognito user lee.leaving: they sign in through the IdP.\n" +
        "Granted lee.leaving in lob-a/analytics (profile analytics--lee-leaving-syipsuicwg2wg6sy). The profile is created on their first sign-in.\n",
    );
  });

  it("with --enable: when Cognito fails, the marker still refuses the user and no row is written", async () => {
    await put(ENTS, disabledMarker);
    cognito.on(AdminEnableUserCommand).rejects(named("AccessDeniedException"));
    const run = await cli(["admin", "grant", "lee.leaving", "lob-b", "--enable"]);
    expect(run).toMatchObject({
      code: 3,
      stderr:
        "studio-access: Cognito refused to enable the user: AccessDeniedException (are your AWS credentials among the hub's admins, and current?)\n",
    });
    expect(await everything()).toEqual([disabledMarker]);
  });
});

describe("admin grant beside a config seed", () => {
  it("writes the admin row under its own key, the seed untouched: both stand (config + admin)", async () => {
    const mine = seed("lob-a", "dana", "analytics", "analytics--dana");
    await put(ENTS, mine);
    expect((await cli(["admin", "grant", "dana", "lob-a", "--team", "analytics"])).code).toBe(0);
    expect(await read("lob-a", "dana#config:analytics")).toEqual(mine);
    expect((await read("lob-a", "dana#analytics"))?.source).toBe("admin");
    expect((await cli(["admin", "list", "--user", "dana"])).stdout).toMatch(
      /lob-a {2}analytics {2}dana {2}\S+ {2}active {2}config \+ admin\n$/,
    );
  });
});

describe("admin revoke", () => {
  it("writes a revoked row for a user with none (an IdP group may map them), in the LOB's only team", async () => {
    expect(await cli(["admin", "revoke", "gus.group", "lob-b"])).toEqual({
      code: 0,
      stdout:
        "Revoked gus.group in lob-b/default (profile gus-group-pwkydeoo73s77axi): they had no entitlement there, so a revoked one is written. It blocks their IdP group mapping to lob-b/default too; a profile they made through it is drained and deleted.\n",
      stderr: "",
    });
    const written = await read("lob-b", "gus.group#default");
    expect(written).toEqual({
      lob: "lob-b",
      userTeam: "gus.group#default",
      username: "gus.group",
      team: "default",
      profileName: "gus-group-pwkydeoo73s77axi",
      state: "revoked",
      source: "admin",
      stateAt: written?.stateAt as string,
    });
    expect(Date.parse(String(written?.stateAt))).toBeGreaterThan(Date.now() - 60_000);
  });

  it("in a LOB of several teams, writes the team named, and asks for one otherwise (exit 2)", async () => {
    expect(await cli(["admin", "revoke", "gus.group", "lob-a"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "studio-access: lob-a has teams analytics, forecasting: choose one with --team\n",
    });
    expect(await cli(["admin", "revoke", "gus.group", "lob-a", "--team", "risk"])).toMatchObject({
      code: 2,
      stderr: 'studio-access: lob-a has no team "risk" (it has analytics, forecasting)\n',
    });
    expect(await cli(["admin", "revoke", "gus.group", "lob-z"])).toMatchObject({
      code: 4,
      stderr: "studio-access: no LOB lob-z is registered in the hub\n",
    });
    expect(await everything()).toEqual([]);
    const run = await cli(["admin", "revoke", "gus.group", "lob-a", "--team", "forecasting"]);
    expect(run.code).toBe(0);
    expect((await everything()).map((r) => [r.lob, r.userTeam, r.state] as unknown[])).toEqual([
      ["lob-a", "gus.group#forecasting", "revoked"],
    ]);
  });

  it("does not overwrite a row granted meanwhile: it revokes that row instead", async () => {
    let raced = false;
    const racing = api({
      fail: (command) => {
        if (command instanceof PutCommand && !raced) {
          raced = true;
          // A grant lands between the read and the write.
          void put(
            ENTS,
            row("lob-b", "gus.group", "default", "gus-group-pwkydeoo73s77axi", {
              state: "active",
              grantedAt: "2026-12-04T09:59:59.000Z",
            }),
          );
        }
        return undefined;
      },
    });
    // Let the racing grant land first: the conditional put must then fail.
    const result = await new Promise((resolve) => setTimeout(resolve, 0)).then(() =>
      racing.revoke("gus.group", "lob-b", undefined, NOW),
    );
    expect(result).toMatchObject({ outcome: "revoked" });
    expect(await read("lob-b", "gus.group#default")).toMatchObject({
      state: "revoked",
      grantedAt: "2026-12-04T09:59:59.000Z",
      stateAt: NOW.toISOString(),
    });
  });

  it("has nothing to do for an offboarded row (exit 0)", async () => {
    const gone = row("lob-b", "lee.leaving", "default", "lee-leaving-syipsuicwg2wg6sy", {
      state: "offboarded",
    });
    await put(ENTS, gone);
    expect(await cli(["admin", "revoke", "lee.leaving", "lob-b"])).toEqual({
      code: 0,
      stdout:
        "lee.leaving in lob-b/default (profile lee-leaving-syipsuicwg2wg6sy) is offboarded already: nothing to do.\n",
      stderr: "",
    });
    expect(await everything()).toEqual([gone]);
  });

  it("revokes a drain-failed row again, so the lifecycle function tries once more", async () => {
    await put(
      ENTS,
      row("lob-b", "lee.leaving", "default", "lee-leaving-syipsuicwg2wg6sy", {
        state: "drain-failed",
        detail: "granted again while it drained",
        stateAt: "2026-12-01T09:00:00.000Z",
      }),
    );
    const run = await cli(["admin", "revoke", "lee.leaving", "lob-b"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Revoked lee.leaving in lob-b\/default .*: Studio refuses them now/,
    );
    const after = await read("lob-b", "lee.leaving#default");
    // A new write (its stream record wakes the lifecycle function), without the old reason.
    expect(after?.state).toBe("revoked");
    expect(after?.stateAt).not.toBe("2026-12-01T09:00:00.000Z");
    expect(after).not.toHaveProperty("detail");
  });

  it("chooses the team among rows not offboarded", async () => {
    await put(ENTS, row("lob-a", "dana", "analytics", "analytics--dana", { state: "offboarded" }));
    await put(ENTS, row("lob-a", "dana", "forecasting", "forecasting--dana", { state: "active" }));
    const run = await cli(["admin", "revoke", "dana", "lob-a"]);
    expect(run.stdout).toMatch(
      /^Revoked dana in lob-a\/forecasting \(profile forecasting--dana\): Studio refuses them now/,
    );
    expect((await read("lob-a", "dana#forecasting"))?.state).toBe("revoked");
    expect((await read("lob-a", "dana#analytics"))?.state).toBe("offboarded");
  });

  it("still refuses a config seed alone, naming the stack file and key (exit 2), writing nothing", async () => {
    const only = seed("lob-a", "dana", "analytics", "analytics--dana");
    await put(ENTS, only);
    expect(await cli(["admin", "revoke", "dana", "lob-a"])).toMatchObject({
      code: 2,
      stderr:
        "studio-access: dana's entitlement to lob-a/analytics comes from the lob-a stack's config: remove dana from analytics in Pulumi.lob-a.yaml (teams.analytics.members) and run pulumi up -s lob-a\n",
    });
    expect(await everything()).toEqual([only]);
    // A seed an older release wrote under the admin row's key is the config's all the same.
    await put(ENTS, row("lob-a", "ann", "analytics", "analytics--ann", { source: "config" }));
    expect((await cli(["admin", "revoke", "ann", "lob-a"])).code).toBe(2);
  });

  it("revokes the admin grant beside a seed, leaves the seed, and says the config still lets them in (exit 2)", async () => {
    const mine = seed("lob-a", "dana", "analytics", "analytics--dana");
    await put(ENTS, mine);
    await put(ENTS, row("lob-a", "dana", "analytics", "analytics--dana", { state: "active" }));
    // Two rows of one team are one team: no --team needed.
    expect(await cli(["admin", "revoke", "dana", "lob-a"])).toEqual({
      code: 2,
      stdout:
        "Revoked the admin grant of dana in lob-a/analytics (profile analytics--dana); the lob-a stack's config still names them, so Studio still lets them in.\n",
      stderr:
        "studio-access: dana stays in lob-a/analytics through the lob-a stack's config: remove dana from analytics in Pulumi.lob-a.yaml (teams.analytics.members) and run pulumi up -s lob-a\n",
    });
    expect((await read("lob-a", "dana#analytics"))?.state).toBe("revoked");
    expect(await read("lob-a", "dana#config:analytics")).toEqual(mine);
  });

  it("prints an error naming a row's escapes as text", async () => {
    await put(ENTS, row("lob-b", "dana", "default", "d\u001b]0;pwned\u0007", { source: "config" }));
    const run = await cli(["admin", "revoke", "dana", "lob-b"]);
    expect(run.stderr).toBe(
      "studio-access: dana's entitlement to lob-b/default comes from the lob-b stack's config: remove dana from default in Pulumi.lob-b.yaml (members) and run pulumi up -s lob-b\n",
    );
    const granted = await cli(["admin", "grant", "dana", "lob-b"]);
    expect(granted.stdout).toBe(
      "dana in lob-b/default (profile d\\u001b]0;pwned\\u0007) is already granted.\n",
    );
  });
});
