import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import * as path from "node:path";
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { COGNITO_USERNAME } from "../functions/shared/profile-name";
import {
  DISABLED_PARTITION,
  disabledMarkerKey,
  ENTITLEMENTS_BY_USERNAME,
  ENTITLEMENTS_KEY,
  entitlementOf,
  type EntitlementSource,
  LOB_NAME,
  LOBS_KEY,
  parseEntitlementKey,
  seedKey,
} from "../functions/shared/tables";
import { DEFAULT_TEAM, TEAM_NAME, teamProfileName, userTeamKey } from "../functions/shared/teams";
import { writePrivate } from "./config";
import { CliError, EXIT, isNetworkError } from "./errors";

/** What `studio-access admin` needs: the hub's admin role and tables (the adminConfigure output). */
export interface AdminConfig {
  readonly roleArn: string;
  readonly entitlementsTable: string;
  readonly lobsTable: string;
  readonly region: string;
  /** The AWS profile holding the admin's own credentials; the SDK's default chain otherwise. */
  readonly profile?: string;
  /** The hub's user pool, for `admin disable`. */
  readonly userPoolId?: string;
}

const ADMIN_FILE = "admin.json";
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,128}$/;
const TABLE_NAME = /^[\w.-]{3,255}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Every problem with admin settings, each naming its flag and value. */
export function adminProblems(values: Partial<Record<keyof AdminConfig, string>>): string[] {
  const checks: [keyof AdminConfig, string, RegExp, string][] = [
    ["roleArn", "--role-arn", ROLE_ARN, "is not an IAM role ARN"],
    ["entitlementsTable", "--entitlements-table", TABLE_NAME, "is not a DynamoDB table name"],
    ["lobsTable", "--lobs-table", TABLE_NAME, "is not a DynamoDB table name"],
    ["region", "--region", REGION, "is not an AWS region (like us-east-1)"],
  ];
  const problems = checks.flatMap(([key, flag, pattern, problem]) => {
    const value = values[key];
    if (value === undefined || value === "") return [`${flag} is missing`];
    return pattern.test(value) ? [] : [`${flag} ${JSON.stringify(value)} ${problem}`];
  });
  const pool = values.userPoolId;
  if (pool !== undefined && pool !== "" && !/^[\w-]+_[0-9a-zA-Z]+$/.test(pool))
    problems.push(`--user-pool-id ${JSON.stringify(pool)} is not a user pool id`);
  return problems;
}

export function saveAdminConfig(
  dir: string,
  values: Partial<Record<keyof AdminConfig, string>>,
): AdminConfig {
  const problems = adminProblems(values);
  if (problems.length > 0) throw new CliError(EXIT.usage, problems.join("; "));
  const config = Object.fromEntries(
    Object.entries(values).filter(([, v]) => typeof v === "string" && v !== ""),
  ) as unknown as AdminConfig;
  writePrivate(dir, ADMIN_FILE, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

export function loadAdminConfig(dir: string): AdminConfig {
  const file = path.join(dir, ADMIN_FILE);
  let saved: Partial<Record<keyof AdminConfig, string>>;
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as typeof saved;
  } catch {
    throw new CliError(
      EXIT.usage,
      "admin is not configured: run the studio-access admin configure line (the shared stack's adminConfigure output)",
    );
  }
  const problems = adminProblems(saved);
  if (problems.length > 0)
    throw new CliError(EXIT.usage, `admin configuration: ${problems.join("; ")}`);
  return saved as unknown as AdminConfig;
}

/**
 * An entitlement as `admin list` shows it: a user in one team of a LOB, whatever rows make it so
 * (a config seed, an admin row, or both; `entitlementOf` is the rule).
 */
export interface EntitlementRow {
  readonly lob: string;
  readonly team: string;
  readonly username: string;
  readonly profileName: string;
  /**
   * active (a config seed or an active admin grant lets them in), else the admin row's state:
   * revoked, draining, drain-failed or offboarded (kept: it keeps the user out).
   */
  readonly state: string;
  /**
   * Who owns what: `config` (a seed the stack's `pulumi up` makes and deletes), `admin` (granted
   * here; `admin revoke` and the lifecycle function change it), or `config + admin`; a row whose
   * own state differs from `state` has it in brackets (`config + admin (offboarded)`).
   */
  readonly source: string;
  /** Why the last drain failed, when it did. */
  readonly detail?: string;
}

/** An item's attribute as text ("" when absent or not a string). */
const textOf = (item: Record<string, unknown>) => (key: string) =>
  typeof item[key] === "string" ? item[key] : "";

/** Which source a row is: its key's form (an older release's seed says so in `source`). */
function sourceOf(item: Record<string, unknown>): EntitlementSource {
  return parseEntitlementKey(textOf(item)(ENTITLEMENTS_KEY.sort))?.source ?? "admin";
}

/** One row as `admin list` would show it alone. */
function rowOf(item: Record<string, unknown>): EntitlementRow {
  return merged([item])[0] as EntitlementRow;
}

/**
 * The users' rows, one line per LOB, team and user, by the one rule (`entitlementOf`); `disabled`
 * holds the disabled markers' keys (`disabledMarkerKey`): a disabled user is in no team.
 */
function merged(
  items: readonly Record<string, unknown>[],
  disabled: ReadonlySet<string> = new Set(),
): EntitlementRow[] {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const item of items) {
    const s = textOf(item);
    const key = JSON.stringify([s("lob"), s("team"), s("username")]);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()].map((group) => {
    const seed = group.find((i) => sourceOf(i) === "config");
    const admin = group.find((i) => sourceOf(i) === "admin");
    const stateOf = (item: Record<string, unknown>) => textOf(item)("state") || "active";
    const { entitled } = entitlementOf(
      group.map((i) => ({ source: sourceOf(i), state: stateOf(i) })),
      disabled.has(disabledMarkerKey(textOf(group[0] ?? {})("username")).userTeam),
    );
    const first = admin ?? seed ?? {};
    const state = entitled ? "active" : stateOf(first);
    const part = (name: string, item: Record<string, unknown> | undefined) =>
      item ? [stateOf(item) === state ? name : `${name} (${stateOf(item)})`] : [];
    const s = textOf(first);
    const detail = admin ? textOf(admin)("detail") : "";
    return {
      lob: s("lob"),
      team: s("team"),
      username: s("username"),
      profileName: s("profileName"),
      state,
      source: [...part("config", seed), ...part("admin", admin)].join(" + "),
      ...(detail ? { detail } : {}),
    };
  });
}

/** A user's disabled marker (see `DISABLED_PARTITION`), as `admin list` shows it. */
export interface DisabledMarker {
  readonly username: string;
  /** disabled (every entry refuses the user) or enabled (lifted by `admin grant --enable`). */
  readonly state: string;
  readonly stateAt: string;
  /** The admin session that set it, when known. */
  readonly by?: string;
}

function markerOf(item: Record<string, unknown>): DisabledMarker {
  const s = textOf(item);
  return {
    username: s("username"),
    state: s("state"),
    stateAt: s("stateAt"),
    ...(s("by") ? { by: s("by") } : {}),
  };
}

const isMarker = (item: Record<string, unknown>) =>
  item[ENTITLEMENTS_KEY.partition] === DISABLED_PARTITION;

/** The AWS calls of `studio-access admin`, as the hub's admin role. */
export class AdminApi {
  /**
   * @param sessionName the admin role session's name (`studio-access-admin-<login>`), recorded as
   *   `by` on the disabled markers this session writes; omitted when unknown.
   */
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly config: AdminConfig,
    private readonly cognito?: CognitoIdentityProviderClient,
    private readonly sessionName?: string,
  ) {}

  /**
   * Assumes the admin role with the admin's own credentials (the profile, or the SDK's default
   * chain). Endpoints come from the SDK's standard settings (AWS_ENDPOINT_URL_STS, _DYNAMODB).
   */
  static async connect(config: AdminConfig): Promise<AdminApi> {
    const { session, sessionName } = await adminSession(config);
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(session));
    return new AdminApi(dynamo, config, new CognitoIdentityProviderClient(session), sessionName);
  }

  /** The LOB's teams, from its record; exit 4 when there is no such LOB. */
  async teamsOf(lob: string): Promise<readonly string[]> {
    checkLob(lob);
    const { Item } = await this.call(() =>
      this.dynamo.send(
        new GetCommand({ TableName: this.config.lobsTable, Key: { [LOBS_KEY.partition]: lob } }),
      ),
    );
    if (!Item) throw new CliError(EXIT.notEntitled, `no LOB ${lob} is registered in the hub`);
    const teams: unknown = Item.teams;
    return Array.isArray(teams) ? teams.filter((t): t is string => typeof t === "string") : [];
  }

  /** The team to act on: the one named (which the LOB must have), or the LOB's only team. */
  private async teamFor(lob: string, team: string | undefined): Promise<string> {
    const teams = await this.teamsOf(lob);
    if (team === undefined) {
      const [only] = teams;
      if (teams.length === 1 && only !== undefined) return only;
      throw new CliError(
        EXIT.usage,
        `${lob} has teams ${teams.join(", ")}: choose one with --team`,
      );
    }
    if (!TEAM_NAME.test(team) || !teams.includes(team))
      throw new CliError(
        EXIT.usage,
        `${lob} has no team ${JSON.stringify(team)} (it has ${teams.join(", ")})`,
      );
    return team;
  }

  /**
   * Grants a user a LOB's team; a no-op when they have it. Their profile comes on first sign-in.
   * An `offboarded` row (a finished revocation, kept to outvote IdP groups) is written again; a
   * row still being offboarded is refused. A disabled user is refused unless `enable` lifts the
   * disable: their Cognito user is enabled (if the pool has one), then the marker.
   */
  async grant(
    username: string,
    lob: string,
    team: string | undefined,
    now: Date,
    options: { enable?: boolean } = {},
  ): Promise<{
    row: EntitlementRow;
    created: boolean;
    /** The row replaced an offboarded one. */
    again: boolean;
    /** With `enable`: the disable lifted (undefined: the user was not disabled). */
    lifted?: DisabledMarker;
    /** With `enable`: whether the pool has the user (false: they sign in through the IdP). */
    inPool?: boolean;
    /**
     * Without `enable`, with the pool configured: whether the pool has the user (false: an IdP
     * user, or a mistyped name), or why it could not be told (an AWS error's name).
     */
    poolUser?: boolean | { unchecked: string };
  }> {
    checkUsername(username);
    const chosen = await this.teamFor(lob, team);
    const profileName = teamProfileName(username, chosen);
    if (profileName === undefined)
      throw new CliError(EXIT.usage, `${JSON.stringify(username)} has no valid profile name`);
    if (options.enable) this.needPool("admin grant --enable");
    const marker = await this.marker(username);
    if (marker?.state === "disabled" && !options.enable)
      throw new CliError(
        EXIT.usage,
        `${username} was disabled (admin disable, ${marker.stateAt || "time unknown"}): grant again with --enable to lift it`,
      );
    let lifted: DisabledMarker | undefined;
    let inPool: boolean | undefined;
    if (options.enable) {
      // Cognito first, the marker last: if either call fails, the marker still refuses the user
      // at every entry (a pool user enabled early gets nothing), and granting again finishes.
      inPool = await this.setPoolUser(username, "enable");
      if (marker?.state === "disabled" && (await this.liftMarker(username, now))) lifted = marker;
    }
    const item = {
      [ENTITLEMENTS_KEY.partition]: lob,
      [ENTITLEMENTS_KEY.sort]: userTeamKey(username, chosen),
      username,
      team: chosen,
      profileName,
      state: "active",
      source: "admin",
      grantedAt: now.toISOString(),
    };
    // A grant does not need the pool (SAML-only users have no Cognito user), but a name the pool
    // does not know may be a typo: the caller says so.
    const poolUser =
      options.enable || !this.config.userPoolId || !this.cognito
        ? undefined
        : await this.poolHas(username);
    const enabling = {
      ...(lifted ? { lifted } : {}),
      ...(inPool !== undefined ? { inPool } : {}),
      ...(poolUser !== undefined ? { poolUser } : {}),
    };
    try {
      // Over an offboarded row only: one still revoked, draining or drain-failed has a profile
      // the lifecycle function is deleting, which a fresh grant would race.
      const { Attributes } = await this.dynamo.send(
        new PutCommand({
          TableName: this.config.entitlementsTable,
          Item: item,
          ConditionExpression: "attribute_not_exists(#key) OR #state = :offboarded",
          ExpressionAttributeNames: { "#key": ENTITLEMENTS_KEY.sort, "#state": "state" },
          ExpressionAttributeValues: { ":offboarded": "offboarded" },
          ReturnValues: "ALL_OLD",
        }),
      );
      return { row: rowOf(item), created: true, again: Attributes !== undefined, ...enabling };
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException")
        throw awsFailure(error, "the grant failed");
    }
    const existing = rowOf((await this.get(lob, username, chosen, "admin")) ?? item);
    if (existing.state !== "active")
      throw new CliError(
        EXIT.upstream,
        `${username}'s entitlement to ${lob}/${chosen} is being offboarded (${existing.state}): grant it again once admin list shows it offboarded`,
      );
    return { row: existing, created: false, again: false, ...enabling };
  }

  /**
   * Revokes a user's admin grant: the admin row becomes `revoked`, the API refuses it at once
   * (unless the stack's config still names the user), and the lifecycle function drains and
   * deletes the profile, then marks the row `offboarded`. A config seed is the stack's: revoke
   * never touches it. With only a seed, it is refused (remove the member from the config); with
   * both, the admin grant is revoked and `seedRemains` says the config still lets them in. A user
   * with no row (who may reach the team through an IdP group) gets a `revoked` row, which
   * outvotes the group.
   */
  async revoke(
    username: string,
    lob: string,
    team: string | undefined,
    now: Date,
  ): Promise<{
    row: EntitlementRow;
    outcome: "revoked" | "blocked" | "unchanged";
    /** The config seed that still lets them in, after the admin grant was revoked. */
    seedRemains?: true;
  }> {
    checkUsername(username);
    checkLob(lob);
    let chosen = team;
    let checked = false;
    if (chosen === undefined) {
      // An offboarded row is history: the team to act on is among the others.
      const teams = [
        ...new Set(
          (await this.list({ lob }))
            .filter((r) => r.username === username && r.state !== "offboarded")
            .map((r) => r.team),
        ),
      ];
      if (teams.length > 1)
        throw new CliError(
          EXIT.usage,
          `${username} is in several teams of ${lob} (${teams.join(", ")}): choose one with --team`,
        );
      chosen = teams[0];
      if (chosen === undefined) {
        chosen = await this.teamFor(lob, undefined);
        checked = true;
      }
    }
    const seed = await this.get(lob, username, chosen, "config");
    const seedActive = seed !== undefined && (textOf(seed)("state") || "active") === "active";
    const fromConfig = () =>
      new CliError(
        EXIT.usage,
        `${username}'s entitlement to ${lob}/${chosen} comes from the ${lob} stack's config: remove ${username} from ${chosen} in Pulumi.${lob}.yaml (${chosen === DEFAULT_TEAM ? "members" : `teams.${chosen}.members`}) and run pulumi up -s ${lob}`,
      );
    let current = await this.get(lob, username, chosen, "admin");
    if (!current) {
      // Only the config lets them in: nothing of the admin's to revoke.
      if (seedActive) throw fromConfig();
      // No row, yet an IdP group (the SAML entry's groupLobs) may still let them in: a revoked
      // row outvotes the group. The lifecycle function offboards it like any revocation (drains
      // a profile they made through the group, then marks it offboarded), and it stays.
      if (!checked) chosen = await this.teamFor(lob, chosen);
      const profileName = teamProfileName(username, chosen);
      if (profileName === undefined)
        throw new CliError(EXIT.usage, `${JSON.stringify(username)} has no valid profile name`);
      const item = {
        [ENTITLEMENTS_KEY.partition]: lob,
        [ENTITLEMENTS_KEY.sort]: userTeamKey(username, chosen),
        username,
        team: chosen,
        profileName,
        state: "revoked",
        source: "admin",
        stateAt: now.toISOString(),
      };
      try {
        await this.dynamo.send(
          new PutCommand({
            TableName: this.config.entitlementsTable,
            Item: item,
            ConditionExpression: "attribute_not_exists(#key)",
            ExpressionAttributeNames: { "#key": ENTITLEMENTS_KEY.sort },
          }),
        );
        return { row: rowOf(item), outcome: "blocked" };
      } catch (error) {
        if ((error as Error).name !== "ConditionalCheckFailedException")
          throw awsFailure(error, "the revoke failed");
      }
      // Written meanwhile (a grant): revoke what is there now.
      current = await this.get(lob, username, chosen, "admin");
      if (!current)
        throw new CliError(
          EXIT.upstream,
          "the revoke failed: the row changed meanwhile; run it again",
        );
    }
    const row = rowOf(current);
    // A drain-failed row is revoked again: the new write's stream record has the lifecycle
    // function try once more (a drain another invocation left marked failed has nothing else to
    // retry it). Revoked, draining and offboarded rows are on their way out or out already.
    if (row.state !== "active" && row.state !== "drain-failed")
      return { row, outcome: "unchanged" };
    // A seed an older release wrote under the admin row's key: still the config's.
    if (textOf(current)("source") === "config") throw fromConfig();
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.config.entitlementsTable,
          Key: {
            [ENTITLEMENTS_KEY.partition]: lob,
            [ENTITLEMENTS_KEY.sort]: userTeamKey(username, chosen),
          },
          // The failed drain's reason goes with it: it is about to be tried again.
          UpdateExpression: "SET #state = :revoked, #at = :at REMOVE #detail",
          ConditionExpression: "#source = :admin AND #state = :was",
          ExpressionAttributeNames: {
            "#state": "state",
            "#at": "stateAt",
            "#source": "source",
            "#detail": "detail",
          },
          ExpressionAttributeValues: {
            ":revoked": "revoked",
            ":was": row.state,
            ":admin": "admin",
            ":at": now.toISOString(),
          },
        }),
      );
    } catch (error) {
      // Changed meanwhile (revoked by someone else): show what it is now.
      if ((error as Error).name === "ConditionalCheckFailedException")
        return {
          row: rowOf((await this.get(lob, username, chosen, "admin")) ?? current),
          outcome: "unchanged",
        };
      throw awsFailure(error, "the revoke failed");
    }
    return {
      row: { ...row, state: "revoked" },
      outcome: "revoked",
      ...(seedActive ? { seedRemains: true as const } : {}),
    };
  }

  /**
   * Disables a user: the disabled marker makes every entry refuse them (group mappings included),
   * and each team they are in gets a `revoked` admin row (their active admin grant revoked, or a
   * revoked row written beside a config seed), so the lifecycle function drains and deletes each
   * profile: it reads the marker, which outvotes a seed. Config seeds are the stacks' and stay;
   * they are named, to be removed from their stacks' config too. Cognito refuses their sign-ins
   * and refreshes. A user with no row and no Cognito user is refused (exit 2), unless `idpOnly`
   * says they sign in only through the IdP: usernames are case-sensitive, and a misspelt one
   * would otherwise be marked while the real user stays in. Items whose key does not name this
   * user and a valid team, as their attributes say, are not acted on: they are `skipped`.
   */
  async disable(
    username: string,
    now: Date,
    options: { idpOnly?: boolean } = {},
  ): Promise<{
    revoked: EntitlementRow[];
    seeds: EntitlementRow[];
    inPool: boolean;
    /** `<lob>/<sort key>` of each item left alone: its key and attributes disagree. */
    skipped: string[];
  }> {
    checkUsername(username);
    this.needPool("admin disable");
    const items: Record<string, unknown>[] = [];
    const skipped: string[] = [];
    // By the key, as the lifecycle function reads a row (`keyOf`), never by its attributes alone:
    // a row keyed `junk`, or `<user>#Default`, saying it is this user's in a team must not turn
    // disable's write onto another row, or make it update a row that is not there.
    for (const item of (await this.userItems(username)).filter((i) => !isMarker(i))) {
      const s = textOf(item);
      const parsed = parseEntitlementKey(s(ENTITLEMENTS_KEY.sort));
      if (parsed?.username === username && parsed.team === s("team")) items.push(item);
      else skipped.push(`${s(ENTITLEMENTS_KEY.partition)}/${s(ENTITLEMENTS_KEY.sort)}`);
    }
    let inPool: boolean | undefined;
    if (items.length === 0 && skipped.length === 0 && !options.idpOnly) {
      // Nothing of theirs in the table: only the pool can say the name is right. Asked first, so
      // that a name the pool does not have either is refused with nothing written.
      inPool = await this.setPoolUser(username, "disable");
      if (!inPool)
        throw new CliError(
          EXIT.usage,
          `no Cognito user and no entitlement is named ${username}: usernames are case-sensitive (admin list shows how each is spelt); for a user who signs in only through the IdP, run admin disable ${username} --idp-only`,
        );
    }
    // The marker first: from this write on every entry refuses the user, so should a revoke or
    // Cognito fail below, they are still kept out, and running disable again finishes the rest.
    const marker = {
      ...disabledMarkerKey(username),
      username,
      state: "disabled",
      stateAt: now.toISOString(),
      ...(this.sessionName ? { by: this.sessionName } : {}),
    };
    await this.call(
      () =>
        this.dynamo.send(
          new PutCommand({ TableName: this.config.entitlementsTable, Item: marker }),
        ),
      "the disabled marker could not be written",
    );
    const revoked: EntitlementRow[] = [];
    const seeds: EntitlementRow[] = [];
    for (const row of merged(items).filter((r) => r.state === "active")) {
      const mine = items.filter(
        (i) => textOf(i)("lob") === row.lob && textOf(i)("team") === row.team,
      );
      if (
        mine.some((i) => sourceOf(i) === "config" && (textOf(i)("state") || "active") === "active")
      )
        seeds.push(row);
      const key = {
        [ENTITLEMENTS_KEY.partition]: row.lob,
        [ENTITLEMENTS_KEY.sort]: userTeamKey(username, row.team),
      };
      const names = { "#state": "state", "#at": "stateAt", "#key": ENTITLEMENTS_KEY.sort };
      // Whether the admin row is there, read by its key: what the write may assume.
      const adminRow = await this.get(row.lob, username, row.team, "admin");
      try {
        if (adminRow)
          await this.dynamo.send(
            new UpdateCommand({
              TableName: this.config.entitlementsTable,
              Key: key,
              UpdateExpression: "SET #state = :revoked, #at = :at",
              // Only a row that is there: UpdateItem would create a missing one. An offboarded
              // row beside a seed is revoked again: its profile is the seed's now. So is a
              // revoked, draining or drain-failed one (an `admin revoke` the seed kept skipped,
              // or a drain the seed stopped): the write makes a stream record, and the lifecycle
              // function, finding the marker, drains the profile the seed kept open.
              ConditionExpression:
                "attribute_exists(#key) AND (attribute_not_exists(#state) OR #state IN (:active, :offboarded, :revoked, :draining, :drainFailed))",
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ":revoked": "revoked",
                ":active": "active",
                ":offboarded": "offboarded",
                ":draining": "draining",
                ":drainFailed": "drain-failed",
                ":at": now.toISOString(),
              },
            }),
          );
        else
          await this.dynamo.send(
            new PutCommand({
              TableName: this.config.entitlementsTable,
              Item: {
                ...key,
                username,
                team: row.team,
                profileName: row.profileName,
                state: "revoked",
                source: "admin",
                stateAt: now.toISOString(),
              },
              ConditionExpression: "attribute_not_exists(#key)",
              ExpressionAttributeNames: { "#key": ENTITLEMENTS_KEY.sort },
            }),
          );
        revoked.push({ ...row, state: "revoked" });
      } catch (error) {
        if ((error as Error).name !== "ConditionalCheckFailedException")
          throw awsFailure(error, "the revoke failed");
      }
    }
    inPool ??= await this.setPoolUser(username, "disable");
    return { revoked, seeds, inPool, skipped };
  }

  /** Entitlements of one LOB, of one user, or of every LOB, in LOB, team and user order. */
  async list(filter: { lob?: string; user?: string }): Promise<EntitlementRow[]> {
    return (await this.listing(filter)).rows;
  }

  /**
   * Entitlements as `list` gives them, and the disabled users among them: the one asked for
   * (`user`), or every one (no filter); a LOB's listing has none. A marker is never a row, though
   * the username index returns it with the user's rows.
   */
  async listing(filter: {
    lob?: string;
    user?: string;
  }): Promise<{ rows: EntitlementRow[]; disabled: DisabledMarker[] }> {
    if (filter.lob !== undefined) checkLob(filter.lob);
    const items: Record<string, unknown>[] = [];
    if (filter.user !== undefined) {
      items.push(...(await this.userItems(filter.user)).filter((i) => !isMarker(i)));
      // The marker by its key, which is case- and form-folded (disabledMarkerKey): it says the
      // user is disabled however the admin spelt the name, unlike its username attribute.
      const { Item: marker } = await this.call(() =>
        this.dynamo.send(
          new GetCommand({
            TableName: this.config.entitlementsTable,
            Key: disabledMarkerKey(filter.user ?? ""),
            ConsistentRead: true,
          }),
        ),
      );
      if (marker) items.push(marker);
    } else {
      const lobs = filter.lob !== undefined ? [filter.lob] : await this.lobNames();
      // The markers too, for a LOB's listing as well: the rule reads them (a disabled user is
      // in no team, whatever a seed says).
      lobs.push(DISABLED_PARTITION);
      for (const lob of lobs)
        items.push(
          ...(await this.query({
            KeyConditionExpression: "#k = :v",
            ExpressionAttributeNames: { "#k": ENTITLEMENTS_KEY.partition },
            ExpressionAttributeValues: { ":v": lob },
          })),
        );
    }
    const markers = items.filter((i) => isMarker(i) && i.state === "disabled");
    const rows = merged(
      items.filter((item) => !isMarker(item)),
      new Set(markers.map((m) => String(m[ENTITLEMENTS_KEY.sort]))),
    )
      .filter((r) => filter.lob === undefined || r.lob === filter.lob)
      .sort(
        (a, b) =>
          a.lob.localeCompare(b.lob) ||
          a.team.localeCompare(b.team) ||
          a.username.localeCompare(b.username),
      );
    const disabled =
      filter.lob === undefined
        ? markers.map(markerOf).sort((a, b) => a.username.localeCompare(b.username))
        : [];
    return { rows, disabled };
  }

  /** The user's disabled marker, if they ever had one. */
  private async marker(username: string): Promise<DisabledMarker | undefined> {
    const { Item } = await this.call(() =>
      this.dynamo.send(
        new GetCommand({
          TableName: this.config.entitlementsTable,
          Key: disabledMarkerKey(username),
          ConsistentRead: true,
        }),
      ),
    );
    return Item ? markerOf(Item) : undefined;
  }

  /** Sets a disabled marker to enabled; false when it was no longer disabled (lifted meanwhile). */
  private async liftMarker(username: string, now: Date): Promise<boolean> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.config.entitlementsTable,
          Key: disabledMarkerKey(username),
          // `by` names who set the state now; an unknown session leaves no stale name behind.
          UpdateExpression: this.sessionName
            ? "SET #state = :enabled, #at = :at, #by = :by"
            : "SET #state = :enabled, #at = :at REMOVE #by",
          ConditionExpression: "#state = :disabled",
          ExpressionAttributeNames: { "#state": "state", "#at": "stateAt", "#by": "by" },
          ExpressionAttributeValues: {
            ":enabled": "enabled",
            ":disabled": "disabled",
            ":at": now.toISOString(),
            ...(this.sessionName ? { ":by": this.sessionName } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw awsFailure(error, "the disabled marker could not be lifted");
    }
  }

  /** The pool must be configured for what touches Cognito; checked before anything is written. */
  private needPool(what: string): void {
    if (!this.config.userPoolId || !this.cognito)
      throw new CliError(
        EXIT.usage,
        `${what} needs the user pool: run the admin configure line again (it has --user-pool-id)`,
      );
  }

  /**
   * Whether the pool has the user (AdminGetUser, which the admin role may call on the hub's pool
   * only); an error other than UserNotFoundException leaves it unchecked, named.
   */
  private async poolHas(username: string): Promise<boolean | { unchecked: string }> {
    try {
      await this.cognito?.send(
        new AdminGetUserCommand({ UserPoolId: this.config.userPoolId, Username: username }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "UserNotFoundException") return false;
      return { unchecked: error instanceof Error ? error.name : "unknown error" };
    }
  }

  /** Disables or enables the user in the pool; false when the pool has no such user (IdP-only). */
  private async setPoolUser(username: string, to: "disable" | "enable"): Promise<boolean> {
    const input = { UserPoolId: this.config.userPoolId, Username: username };
    try {
      await this.cognito?.send(
        to === "disable" ? new AdminDisableUserCommand(input) : new AdminEnableUserCommand(input),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "UserNotFoundException") return false;
      throw awsFailure(error, `Cognito refused to ${to} the user`);
    }
  }

  /** Every item of a user, through the username index: their rows and their disabled marker. */
  private userItems(username: string): Promise<Record<string, unknown>[]> {
    return this.query({
      IndexName: ENTITLEMENTS_BY_USERNAME.name,
      KeyConditionExpression: "#k = :v",
      ExpressionAttributeNames: { "#k": ENTITLEMENTS_BY_USERNAME.partition },
      ExpressionAttributeValues: { ":v": username },
    });
  }

  /** The user's row in the team from `source`: their admin row, or their config seed. */
  private async get(lob: string, username: string, team: string, source: EntitlementSource) {
    const { Item } = await this.call(() =>
      this.dynamo.send(
        new GetCommand({
          TableName: this.config.entitlementsTable,
          Key: {
            [ENTITLEMENTS_KEY.partition]: lob,
            [ENTITLEMENTS_KEY.sort]:
              source === "config" ? seedKey(username, team) : userTeamKey(username, team),
          },
          ConsistentRead: true,
        }),
      ),
    );
    return Item;
  }

  private async lobNames(): Promise<string[]> {
    const names: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.call(() =>
        this.dynamo.send(
          new ScanCommand({
            TableName: this.config.lobsTable,
            ProjectionExpression: "#k",
            ExpressionAttributeNames: { "#k": LOBS_KEY.partition },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      names.push(...(page.Items ?? []).map((i) => String(i[LOBS_KEY.partition])));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return names.sort();
  }

  private async query(
    input: Omit<ConstructorParameters<typeof QueryCommand>[0], "TableName">,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.call(() =>
        this.dynamo.send(
          new QueryCommand({
            ...input,
            TableName: this.config.entitlementsTable,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async call<T>(send: () => Promise<T>, what = "DynamoDB refused the call"): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw awsFailure(error, what);
    }
  }
}

/** The admin role's session: what `admin` calls AWS with (the admin role, assumed). */
export interface AdminSession {
  readonly session: {
    readonly region: string;
    readonly credentials: {
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
    };
  };
  /** The role session's name, `studio-access-admin-<login>`. */
  readonly sessionName: string;
}

/**
 * Assumes the admin role with the admin's own credentials (the profile, or the SDK's default
 * chain). Endpoints come from the SDK's standard settings (AWS_ENDPOINT_URL_STS, _DYNAMODB).
 */
export async function adminSession(config: AdminConfig): Promise<AdminSession> {
  const base = { region: config.region, ...(config.profile ? { profile: config.profile } : {}) };
  const sessionName =
    `studio-access-admin-${userInfo().username.replace(/[^\w+=,.@-]/g, "-")}`.slice(0, 64);
  let credentials;
  try {
    ({ Credentials: credentials } = await new STSClient(base).send(
      new AssumeRoleCommand({ RoleArn: config.roleArn, RoleSessionName: sessionName }),
    ));
  } catch (error) {
    throw awsFailure(error, `cannot assume the admin role ${config.roleArn}`);
  }
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
    throw new CliError(EXIT.upstream, "STS returned no credentials for the admin role");
  return {
    session: {
      region: config.region,
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      },
    },
    sessionName,
  };
}

/** A LOB's name, checked before it is a key: `#disabled` (the markers) is no LOB. */
export function checkLob(lob: string): void {
  if (!LOB_NAME.test(lob))
    throw new CliError(EXIT.usage, `${JSON.stringify(lob)} is not a LOB name`);
}

function checkUsername(username: string): void {
  if (!COGNITO_USERNAME.test(username))
    throw new CliError(EXIT.usage, `${JSON.stringify(username)} is not a Cognito username`);
  // The SAML entry reads usernames in NFC: a decomposed one (a macOS paste) would name nobody.
  if (username.normalize("NFC") !== username)
    throw new CliError(
      EXIT.usage,
      `${JSON.stringify(username)} is not in Unicode NFC (as sign-in reads it): type it as ${JSON.stringify(username.normalize("NFC"))}`,
    );
}

/** An AWS failure as one line: the service's error name, never a credential. */
export function awsFailure(error: unknown, what: string): CliError {
  if (error instanceof CliError) return error;
  if (isNetworkError(error))
    return new CliError(EXIT.upstream, `${what}: AWS is unreachable from here`);
  const name = error instanceof Error ? error.name : "unknown error";
  if (
    /AccessDenied|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|CredentialsProviderError/.test(
      name,
    )
  )
    return new CliError(
      EXIT.signIn,
      `${what}: ${name} (are your AWS credentials among the hub's admins, and current?)`,
    );
  return new CliError(EXIT.upstream, `${what}: ${name}`);
}
