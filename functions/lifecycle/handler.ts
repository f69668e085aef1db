import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { SageMakerClient } from "@aws-sdk/client-sagemaker";
import {
  CredentialCache,
  ROLE_SESSION_NAMES,
  type RoleCredentials,
} from "../presigner/credentials";
import { deadlineSignal } from "../shared/deadline";
import { homesFunctionArn } from "../shared/homes";
import type { StudioClients } from "../shared/clients";
import { log, loggable } from "../shared/log";
import {
  disabledMarkerKey,
  ENTITLEMENTS_KEY,
  entitlementOf,
  type EntitlementSource,
  LOBS_KEY,
  parseEntitlementKey,
  seedKey,
} from "../shared/tables";
import { teamProfileName, userTeamKey } from "../shared/teams";
import type { LifecycleConfig } from "./config";
import { drainPass, ProfileNotOwned, type DrainHooks, type DrainStep } from "./drain";
import { bounded } from "../shared/sdk";

export interface LifecycleDeps extends Omit<StudioClients, "dynamo" | "sageMaker"> {
  /** The tables through the document client (functions/lifecycle/clients.ts `documentClient`). */
  readonly dynamo: DynamoDBDocumentClient;
  /** A LOB's SageMaker, as its lifecycle role, through the SDK (functions/lifecycle/clients.ts `sdkSageMaker`). */
  readonly sageMaker: (region: string, credentials: RoleCredentials) => SageMakerClient;
  readonly config: LifecycleConfig;
  /** A LOB's Lambda, as its lifecycle role: invokes its home-directory function. */
  readonly lambda: (region: string, credentials: RoleCredentials) => LambdaClient;
}

class DrainIncomplete extends Error {
  constructor(step: Extract<DrainStep, { done: false }>) {
    super(
      `still ${String(step.apps)} apps, ${String(step.spaces)} spaces, profile ${step.profile}`,
    );
    this.name = "DrainIncomplete";
  }
}

/**
 * Kept at the end of an invocation, after its drain deadline: time to record how a record's
 * offboarding ended (`drain-failed`, a bounded UpdateItem) and to answer.
 */
export const STATE_RESERVE_MS = 15_000;
/** The very end of an invocation, left for Lambda to take the answer. */
const ANSWER_RESERVE_MS = 1_000;

/** The drain deadline passed: what the record's row and log say, and why it is retried. */
class DrainDeadline extends Error {
  constructor(ms: number) {
    super(`the invocation's drain deadline (${String(ms)} ms) passed`);
    this.name = "DrainDeadline";
  }
}

/** The user was granted again while the drain ran: it stops before its next deletion. */
class GrantedAgain extends Error {
  constructor() {
    super("granted again while it drained");
    this.name = "GrantedAgain";
  }
}

/** Invokes the LOB's home-directory function; its failure fails this pass (retried, profile kept). */
async function removeHome(
  lambda: LambdaClient,
  functionArn: string,
  request: { uid: string; profile: string; domainId: string },
  signal: AbortSignal,
): Promise<void> {
  const answer = await bounded(signal, () =>
    lambda.send(new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(request) })),
  );
  if (answer.FunctionError) {
    const payload = answer.Payload ? Buffer.from(answer.Payload).toString("utf8") : "";
    const message = (JSON.parse(payload || "{}") as { errorMessage?: string }).errorMessage;
    throw new Error(`home directory ${request.uid}: ${message ?? answer.FunctionError}`);
  }
}

const image = (value: Record<string, unknown> | undefined) =>
  value ? unmarshall(value as Record<string, AttributeValue>) : undefined;
const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** The states of a row being offboarded: the lifecycle acts on them, and only sets them. */
const OFFBOARDING = ["revoked", "draining", "drain-failed"] as const;

/** The entitlement a stream record is about, from its key alone. */
export interface EntitlementKey {
  readonly lob: string;
  /** `<username>#<team>` (an admin row) or `<username>#config:<team>` (a config seed). */
  readonly userTeam: string;
  readonly username: string;
  readonly team: string;
  /** Which of the user's two rows in the team the record is about. */
  readonly source: EntitlementSource;
}

/**
 * The record's key, or why it is refused. The key is what DynamoDB wrote (a row's images are what
 * its writer put there), split at the LAST `#` (`parseEntitlementKey`): team names hold no `#`,
 * usernames may. An image whose lob, userTeam, username or team disagrees with the key is refused:
 * a row keyed `decoy#analytics` saying it is user-lob-a's must not offboard user-lob-a.
 */
export function keyOf(record: DynamoDBRecord): EntitlementKey | { refused: string } {
  const keys = image(record.dynamodb?.Keys);
  const lob = text(keys?.[ENTITLEMENTS_KEY.partition]);
  const userTeam = text(keys?.[ENTITLEMENTS_KEY.sort]);
  if (!lob || !userTeam) return { refused: "no-key" };
  const parsed = parseEntitlementKey(userTeam);
  if (!parsed) return { refused: "malformed-key" };
  const { username, team, source } = parsed;
  for (const body of [image(record.dynamodb?.OldImage), image(record.dynamodb?.NewImage)]) {
    if (!body) continue;
    if (
      body[ENTITLEMENTS_KEY.partition] !== lob ||
      body[ENTITLEMENTS_KEY.sort] !== userTeam ||
      body.username !== username ||
      body.team !== team
    )
      return { refused: "body-disagrees-with-key" };
  }
  return { lob, userTeam, username, team, source };
}

/** The user's rows in the team as they are now, and whether `admin disable` marked the user. */
export interface CurrentRows {
  /** The admin row (`<username>#<team>`): the only row whose state offboarding records. */
  readonly admin?: Record<string, unknown>;
  /** The config seed (`<username>#config:<team>`), owned by the LOB's stack. */
  readonly seed?: Record<string, unknown>;
  readonly disabled: boolean;
}

/** What the current rows say of a record: offboard (no row lets the user in), or skip. */
export type Decision =
  | { readonly act: true; readonly removed: boolean; readonly reason: string }
  | { readonly act: false; readonly reason: string };

/** The rows `entitlementOf` weighs, from what `currentRows` read. */
function rowsOf(current: CurrentRows) {
  return [
    ...(current.seed ? [{ source: "config" as const, state: current.seed.state }] : []),
    ...(current.admin ? [{ source: "admin" as const, state: current.admin.state }] : []),
  ];
}

/**
 * Decides from the rows as they are NOW (read with ConsistentRead), never from the event: an
 * event can be forged (a direct invoke) or stale (a replay), the table cannot. The one rule
 * (`entitlementOf`) says whether the user is still in the team; if so, nothing is drained: a
 * seed removed from the config while an admin grant is active (`admin-grant-stands`), an admin
 * grant revoked while the config still names the user (`config-seed-remains`: remove them from
 * the team in Pulumi.<lob>.yaml). A disabled user is in no team. Otherwise, an admin row being
 * offboarded (revoked, draining, drain-failed) is offboarded, its state recorded on it; a REMOVE
 * of an active row (a member taken out of a stack's config, with no admin grant, or only an
 * offboarded one) is offboarded without a state to record: the tombstone is only ever the admin
 * row. Anything else is skipped.
 */
export function decide(record: DynamoDBRecord, k: EntitlementKey, current: CurrentRows): Decision {
  const { entitled, by } = entitlementOf(rowsOf(current), current.disabled);
  const adminState = current.admin ? (text(current.admin.state) ?? "active") : undefined;
  if (entitled) {
    if (k.source === "config" && !current.seed && by.includes("admin"))
      return { act: false, reason: "admin-grant-stands" };
    if (
      k.source === "admin" &&
      by.includes("config") &&
      adminState !== undefined &&
      adminState !== "active"
    )
      return {
        act: false,
        reason: `config-seed-remains: remove ${k.username} from ${k.team} in Pulumi.${k.lob}.yaml`,
      };
    return { act: false, reason: `row-active (${by.join(" + ")})` };
  }
  if (adminState !== undefined && (OFFBOARDING as readonly string[]).includes(adminState))
    return { act: true, removed: false, reason: `row-${adminState}` };
  const before = image(record.dynamodb?.OldImage);
  if (record.eventName === "REMOVE" && (text(before?.state) ?? "active") === "active")
    return { act: true, removed: true, reason: "row-removed" };
  if (adminState !== undefined) return { act: false, reason: `row-${adminState}` };
  return { act: false, reason: `no-row-for-${String(record.eventName)}` };
}

/**
 * The entitlements table's stream: offboards revoked and removed entitlements, through the LOB's
 * lifecycle role (not the access or provisioning role). Each record's key names the entitlement;
 * the row, read again, says whether to act. It checks that the profile is this user's (its tags),
 * drains its apps and spaces, removes the home directory where the LOB says so, deletes the
 * profile, then marks the row `offboarded` (kept: it keeps the user out, group mapping included).
 * `admin list` shows `draining` meanwhile, and `drain-failed` with the reason when a pass fails.
 */
export function createHandler(deps: LifecycleDeps) {
  const { config, now } = deps;
  const credentials = new CredentialCache(deps.sts, now, {
    roleSessionName: ROLE_SESSION_NAMES.lifecycle,
  });
  const sleep =
    deps.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        setTimeout(resolve, ms);
      }));
  /** The user's admin row in the team: where offboarding records its state, whatever the record. */
  const adminKey = (k: EntitlementKey) => ({
    [ENTITLEMENTS_KEY.partition]: k.lob,
    [ENTITLEMENTS_KEY.sort]: userTeamKey(k.username, k.team),
  });

  /**
   * The user's rows in the team and their disabled marker as they are now: three GetItems, read
   * strongly consistently (the write that made the record is visible).
   */
  async function currentRows(k: EntitlementKey, signal: AbortSignal): Promise<CurrentRows> {
    const get = async (Key: Record<string, string>) =>
      (
        await bounded(signal, () =>
          deps.dynamo.send(
            new GetCommand({ TableName: config.usersTable, Key, ConsistentRead: true }),
          ),
        )
      ).Item;
    const [admin, seed, marker] = await Promise.all([
      get(adminKey(k)),
      get({
        [ENTITLEMENTS_KEY.partition]: k.lob,
        [ENTITLEMENTS_KEY.sort]: seedKey(k.username, k.team),
      }),
      get(disabledMarkerKey(k.username)),
    ]);
    return {
      ...(admin ? { admin } : {}),
      ...(seed ? { seed } : {}),
      disabled: marker?.state === "disabled",
    };
  }

  /**
   * Sets the admin row's state, only while it exists and is being offboarded (`from`): UpdateItem
   * would otherwise create a missing row, and a re-grant (active) wins. Only the key, `state`,
   * `stateAt` and `detail` are named: the role may touch no other attribute (dynamodb:Attributes).
   */
  async function setState(
    k: EntitlementKey,
    state: "draining" | "drain-failed" | "offboarded",
    from: readonly string[],
    signal: AbortSignal,
    detail?: string,
  ): Promise<boolean> {
    const states = Object.fromEntries(from.map((s, i) => [`:from${String(i)}`, s]));
    try {
      await bounded(signal, () =>
        deps.dynamo.send(
          new UpdateCommand({
            TableName: config.usersTable,
            Key: adminKey(k),
            UpdateExpression: detail
              ? "SET #state = :state, #detail = :detail, #at = :at"
              : "SET #state = :state, #at = :at REMOVE #detail",
            ConditionExpression: `#state IN (${Object.keys(states).join(", ")})`,
            ExpressionAttributeNames: { "#state": "state", "#detail": "detail", "#at": "stateAt" },
            ExpressionAttributeValues: {
              ":state": state,
              ":at": new Date(now()).toISOString(),
              ...states,
              ...(detail ? { ":detail": detail } : {}),
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  /** Whether no row lets the user into the team now (read again, strongly consistent). */
  async function stillOut(k: EntitlementKey, signal: AbortSignal): Promise<boolean> {
    const rowsNow = await currentRows(k, signal);
    return !entitlementOf(rowsOf(rowsNow), rowsNow.disabled).entitled;
  }

  /**
   * Drains until `deadline` (deps.now's clock); `signal` aborts its calls at the same moment. What
   * it deletes for good (spaces, the home directory, the profile) is added to `deleted`, so that
   * a drain that stops half-way says what is already gone.
   */
  async function offboard(
    k: EntitlementKey,
    removed: boolean,
    signal: AbortSignal,
    deadline: number,
    deleted: string[],
  ): Promise<string> {
    const registered = config.lobs.get(k.lob);
    if (!registered) return "unknown-lob";
    const { Item: record } = await bounded(signal, () =>
      deps.dynamo.send(
        new GetCommand({
          TableName: config.lobsTable,
          Key: { [LOBS_KEY.partition]: k.lob },
          ConsistentRead: true,
        }),
      ),
    );
    // No record: the LOB's own destroy drains its whole domain.
    if (!record) return "no-lob-record";
    const { accountId, region, domainId } = record;
    if (
      accountId !== registered.accountId ||
      typeof region !== "string" ||
      typeof domainId !== "string"
    )
      throw new Error(`lobs table: ${k.lob}'s record does not match the deployed registry`);
    const profile = teamProfileName(k.username, k.team);
    if (profile === undefined) return "no-profile-name";
    if (!removed && !(await setState(k, "draining", OFFBOARDING, signal))) return "re-granted";
    const roleCredentials = await credentials.get(registered.lifecycleRoleArn, signal);
    const client = deps.sageMaker(region, roleCredentials);
    // The LOB's config (its record) says whether the home directory goes with the profile; the
    // function is the one the hub derives from the registered account, never one a row names.
    // drainPass runs it only once the profile's tags proved it this user's, with the UID the
    // profile itself reports.
    //
    // A pass takes a while (many calls, apps to stop): a grant or a seed that comes meanwhile
    // must stop it before anything more is lost, so the rows are read again immediately before
    // each deletion that cannot be undone, not only at the start of the pass.
    const hooks: DrainHooks = {
      confirm: async () => {
        if (!(await stillOut(k, signal))) throw new GrantedAgain();
      },
      deleted: (what) => deleted.push(loggable(what)),
      ...(record.homeDirectories === "remove"
        ? {
            removeHome: (uid: string) =>
              removeHome(
                deps.lambda(region, roleCredentials),
                homesFunctionArn(region, registered.accountId),
                { uid, profile, domainId },
                signal,
              ),
          }
        : {}),
    };
    const grantedAgain = async () => {
      if (!removed) {
        const gone = deleted.length > 0 ? `, after it deleted ${deleted.join(", ")}` : "";
        await setState(
          k,
          "drain-failed",
          ["draining"],
          signal,
          `${new GrantedAgain().message}${gone}`,
        );
      }
      return "re-granted";
    };
    const owner = { lob: k.lob, username: k.username, team: k.team };
    for (let attempt = 0; ; attempt++) {
      // Each pass deletes apps too: the rows are read first.
      if (!(await stillOut(k, signal))) return grantedAgain();
      let step: DrainStep;
      try {
        step = await drainPass(client, domainId, profile, owner, signal, hooks);
      } catch (error) {
        if (error instanceof GrantedAgain) return grantedAgain();
        throw error;
      }
      if (step.done) break;
      // Quick when SageMaker is quick, gentle when it is not: 250 ms, doubling, at most pollMs.
      const wait = Math.min(config.pollMs, 250 * 2 ** attempt);
      if (now() + wait > deadline) throw new DrainIncomplete(step);
      await sleep(wait);
    }
    // The row stays, as `offboarded`: the durable marker that keeps the user out (a removed row
    // has none to keep). Granted again while it drained: the row is active and stays so.
    if (!removed && !(await setState(k, "offboarded", ["draining"], signal))) {
      // Another invocation for the same user may have marked it drain-failed meanwhile (it saw a
      // grant that has gone since), or admin disable revoked it again: the drain is complete, and
      // left so the row would stay drain-failed with nothing to retry it. Still out now: it is
      // offboarded.
      if (!(await stillOut(k, signal))) return "re-granted";
      if (!(await setState(k, "offboarded", ["drain-failed", "revoked"], signal)))
        return "re-granted";
    }
    return "offboarded";
  }

  /**
   * Bounded by the invocation's time: its records are drained until the drain deadline, min(budget,
   * time left − STATE_RESERVE_MS), when every call still waiting is aborted and the records not
   * done are reported for a retry; what is left of the time records their `drain-failed` state.
   */
  return async function handler(
    event: DynamoDBStreamEvent,
    context: Pick<Context, "getRemainingTimeInMillis">,
  ): Promise<DynamoDBBatchResponse> {
    const remaining = context.getRemainingTimeInMillis();
    const drainMs = Math.max(0, Math.min(config.budgetMs, remaining - STATE_RESERVE_MS));
    const deadline = now() + drainMs;
    const drain = deadlineSignal(drainMs, () => new DrainDeadline(drainMs));
    const last = deadlineSignal(
      remaining - ANSWER_RESERVE_MS,
      () => new Error("the invocation's time ran out"),
    );
    try {
      return await handleRecords(event, drain.signal, deadline, last.signal);
    } finally {
      drain.clear();
      last.clear();
    }
  };

  async function handleRecords(
    event: DynamoDBStreamEvent,
    signal: AbortSignal,
    deadline: number,
    lastSignal: AbortSignal,
  ): Promise<DynamoDBBatchResponse> {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const started = now();
      const sequence = record.dynamodb?.SequenceNumber ?? "";
      const k = keyOf(record);
      const keyFields = (): Record<string, unknown> => {
        const keys = image(record.dynamodb?.Keys);
        return {
          eventName: record.eventName,
          sequence,
          lob: loggable(text(keys?.[ENTITLEMENTS_KEY.partition]) ?? ""),
          userTeam: loggable(text(keys?.[ENTITLEMENTS_KEY.sort]) ?? ""),
        };
      };
      if ("refused" in k) {
        // Refused for good: its key or body is not a row the table could hold; no retry helps.
        log("warn", "record", { ...keyFields(), decision: "skip", reason: k.refused });
        continue;
      }
      let decision: Decision;
      try {
        decision = decide(record, k, await currentRows(k, signal));
      } catch (error) {
        log("error", "record", {
          ...keyFields(),
          decision: "retry",
          reason: describe(error, signal),
        });
        batchItemFailures.push({ itemIdentifier: sequence });
        continue;
      }
      // Logged before it acts, so a drain that never returns still left its reason.
      log("info", "record", {
        ...keyFields(),
        decision: decision.act ? "offboard" : "skip",
        reason: loggable(decision.reason),
      });
      if (!decision.act) continue;
      const { removed } = decision;
      const fields = {
        lob: k.lob,
        team: k.team,
        username: k.username,
        profile: teamProfileName(k.username, k.team),
        removed,
      };
      // What the drain deleted for good, for the log when it stops half-way.
      const deleted: string[] = [];
      const gone = () => (deleted.length > 0 ? { deleted: deleted.join(", ") } : {});
      try {
        const outcome = await offboard(k, removed, signal, deadline, deleted);
        log("info", "offboard", {
          ...fields,
          outcome,
          ...(outcome === "offboarded" ? {} : gone()),
          latencyMs: now() - started,
        });
      } catch (error) {
        const detail = describe(error, signal);
        const refused = error instanceof ProfileNotOwned;
        log("error", "offboard", {
          ...fields,
          outcome: refused ? "refused" : "failed",
          detail,
          ...gone(),
          latencyMs: now() - started,
        });
        // What was deleted for good goes on the row too, for admin list.
        const lost = deleted.length > 0 ? `, after it deleted ${deleted.join(", ")}` : "";
        if (!removed)
          await setState(k, "drain-failed", OFFBOARDING, lastSignal, `${detail}${lost}`).catch(
            () => false,
          );
        // A profile that is not this user's stays refused on every retry: not retried (the row
        // shows drain-failed and why, for an operator).
        if (!refused) batchItemFailures.push({ itemIdentifier: sequence });
      }
    }
    return { batchItemFailures };
  }
}

/** An error for the log and the row; a call aborted by `signal` names the deadline that did it. */
function describe(error: unknown, signal?: AbortSignal): string {
  const { name, message } = error as Error;
  const why =
    name === "AbortError" && signal?.aborted ? ` (${(signal.reason as Error).message})` : "";
  return loggable(`${name}: ${message}${why}`);
}
