import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { CredentialCache, type RoleCredentials } from "../presigner/credentials";
import { homesFunctionArn } from "../shared/homes";
import type { StudioClients } from "../shared/clients";
import { log } from "../shared/log";
import { ENTITLEMENTS_KEY, LOBS_KEY } from "../shared/tables";
import { teamProfileName, userTeamKey } from "../shared/teams";
import type { LifecycleConfig } from "./config";
import { drainPass, type DrainStep } from "./drain";

export interface LifecycleDeps extends StudioClients {
  readonly config: LifecycleConfig;
  /** A LOB's Lambda, as its lifecycle role: invokes its home-directory function. */
  readonly lambda: (region: string, credentials: RoleCredentials) => LambdaClient;
}

/** An entitlement to offboard, and whether its row is still there (revoked) or gone (removed). */
interface Offboarding {
  readonly lob: string;
  readonly username: string;
  readonly team: string;
  /** The row was deleted (a member removed from a stack's config): nothing to record. */
  readonly removed: boolean;
}

class DrainIncomplete extends Error {
  constructor(step: Extract<DrainStep, { done: false }>) {
    super(
      `still ${String(step.apps)} apps, ${String(step.spaces)} spaces, profile ${step.profile}`,
    );
    this.name = "DrainIncomplete";
  }
}

/** Invokes the LOB's home-directory function; its failure fails this pass (retried, profile kept). */
async function removeHome(
  lambda: LambdaClient,
  functionArn: string,
  request: { uid: string; profile: string; domainId: string },
): Promise<void> {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(request) }),
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

/**
 * What a stream record asks of this function. A row newly `revoked` (`admin revoke`) is drained,
 * then deleted; a row deleted while active (a member removed from a stack's config) is drained.
 * Its own writes (`draining`, `drain-failed`, the final delete) ask nothing.
 */
export function offboardingOf(record: DynamoDBRecord): Offboarding | undefined {
  const before = image(record.dynamodb?.OldImage);
  const after = image(record.dynamodb?.NewImage);
  const row =
    record.eventName === "MODIFY" && after?.state === "revoked" && before?.state !== "revoked"
      ? after
      : record.eventName === "REMOVE" && (before?.state ?? "active") === "active"
        ? before
        : undefined;
  const lob = text(row?.lob);
  const username = text(row?.username);
  const team = text(row?.team);
  if (!lob || !username || !team) return undefined;
  return { lob, username, team, removed: record.eventName === "REMOVE" };
}

/**
 * The entitlements table's stream: offboards revoked and removed entitlements, through the LOB's
 * lifecycle role (not the access or provisioning role). It drains the user's apps and spaces,
 * deletes the profile, then deletes the row; `admin list` shows `draining` meanwhile, and
 * `drain-failed` with the reason when a pass fails (the record is retried).
 */
export function createHandler(deps: LifecycleDeps) {
  const { config, now } = deps;
  const credentials = new CredentialCache(deps.sts, now);
  const sleep =
    deps.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        setTimeout(resolve, ms);
      }));
  const key = (o: Offboarding) => ({
    [ENTITLEMENTS_KEY.partition]: o.lob,
    [ENTITLEMENTS_KEY.sort]: userTeamKey(o.username, o.team),
  });

  /** Sets the row's state, only while it is still being offboarded (a re-grant wins). */
  async function setState(o: Offboarding, state: string, detail?: string): Promise<boolean> {
    try {
      await deps.dynamo.send(
        new UpdateCommand({
          TableName: config.usersTable,
          Key: key(o),
          UpdateExpression: detail
            ? "SET #state = :state, #detail = :detail, #at = :at"
            : "SET #state = :state, #at = :at REMOVE #detail",
          ConditionExpression: "#state IN (:revoked, :draining, :failed)",
          ExpressionAttributeNames: { "#state": "state", "#detail": "detail", "#at": "stateAt" },
          ExpressionAttributeValues: {
            ":state": state,
            ":at": new Date(now()).toISOString(),
            ":revoked": "revoked",
            ":draining": "draining",
            ":failed": "drain-failed",
            ...(detail ? { ":detail": detail } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  async function offboard(o: Offboarding): Promise<string> {
    const registered = config.lobs.get(o.lob);
    if (!registered) return "unknown-lob";
    const { Item: record } = await deps.dynamo.send(
      new GetCommand({
        TableName: config.lobsTable,
        Key: { [LOBS_KEY.partition]: o.lob },
        ConsistentRead: true,
      }),
    );
    // No record: the LOB's own destroy drains its whole domain.
    if (!record) return "no-lob-record";
    const { accountId, region, domainId } = record;
    if (
      accountId !== registered.accountId ||
      typeof region !== "string" ||
      typeof domainId !== "string"
    )
      throw new Error(`lobs table: ${o.lob}'s record does not match the deployed registry`);
    const profile = teamProfileName(o.username, o.team);
    if (profile === undefined) return "no-profile-name";
    if (!o.removed && !(await setState(o, "draining"))) return "re-granted";
    const roleCredentials = await credentials.get(registered.lifecycleRoleArn);
    const client = deps.sageMaker(region, roleCredentials);
    // The LOB's config (its record) says whether the home directory goes with the profile; the
    // function is the one the hub derives from the registered account, never one a row names.
    const beforeDelete =
      record.homeDirectories === "remove"
        ? async (uid: string | undefined) => {
            if (uid === undefined) return;
            await removeHome(
              deps.lambda(region, roleCredentials),
              homesFunctionArn(region, registered.accountId),
              { uid, profile, domainId },
            );
          }
        : undefined;
    const deadline = now() + config.budgetMs;
    for (let attempt = 0; ; attempt++) {
      const step = await drainPass(client, domainId, profile, undefined, beforeDelete);
      if (step.done) break;
      // Quick when SageMaker is quick, gentle when it is not: 250 ms, doubling, at most pollMs.
      const wait = Math.min(config.pollMs, 250 * 2 ** attempt);
      if (now() + wait > deadline) throw new DrainIncomplete(step);
      await sleep(wait);
    }
    if (!o.removed) {
      try {
        await deps.dynamo.send(
          new DeleteCommand({
            TableName: config.usersTable,
            Key: key(o),
            ConditionExpression: "#state = :draining",
            ExpressionAttributeNames: { "#state": "state" },
            ExpressionAttributeValues: { ":draining": "draining" },
          }),
        );
      } catch (error) {
        // Granted again while it drained: the row stays, and a new profile comes on sign-in.
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
        return "re-granted";
      }
    }
    return "offboarded";
  }

  return async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const o = offboardingOf(record);
      if (!o) continue;
      const started = now();
      const fields = {
        lob: o.lob,
        team: o.team,
        username: o.username,
        profile: teamProfileName(o.username, o.team),
        removed: o.removed,
      };
      try {
        const outcome = await offboard(o);
        log("info", "offboard", { ...fields, outcome, latencyMs: now() - started });
      } catch (error) {
        const detail = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300);
        log("error", "offboard", {
          ...fields,
          outcome: "failed",
          detail,
          latencyMs: now() - started,
        });
        if (!o.removed) await setState(o, "drain-failed", detail).catch(() => false);
        batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? "" });
      }
    }
    return { batchItemFailures };
  };
}
