import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonError, notAuthorized, unrecognizedClient } from "../http";
import type { Iam } from "../iam";
import type { DecisionRequest, IamDecision } from "../iam-decision";
import type { Session, Sts } from "../sts";
import type { Traffic } from "../traffic";
import type { SageMakerResources } from "./resources";

/** What every SageMaker API call reads: its resources, the roles, the caller's session, IAM's decision and the counters. */
export interface SageMakerContext {
  readonly resources: SageMakerResources;
  readonly iam: Iam;
  readonly sts: Sts;
  readonly decision: IamDecision;
  readonly traffic: Traffic;
}

/** The session that signed the request; without one, SageMaker's answer is already written. */
export function signedCaller(
  ctx: SageMakerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Session | undefined {
  const caller = ctx.sts.caller(req);
  if (!caller) unrecognizedClient(res);
  return caller;
}

/**
 * IAM's decision on one SageMaker action, counted as `<countedAs>:<outcome>`; when refused,
 * SageMaker's AccessDeniedException is already written.
 */
export async function allowed(
  ctx: SageMakerContext,
  caller: Session,
  vpceId: string | undefined,
  request: DecisionRequest,
  countedAs: string,
  res: ServerResponse,
): Promise<boolean> {
  const outcome = await ctx.decision.decide(caller, vpceId, request);
  ctx.traffic.count(`${countedAs}:${outcome}`);
  if (outcome === "Allowed") return true;
  jsonError(
    res,
    400,
    "AccessDeniedException",
    notAuthorized(caller.principal, request.action, request.resource),
  );
  return false;
}
