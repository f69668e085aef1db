import type { IncomingMessage, ServerResponse } from "node:http";
import { notAuthorized, unrecognizedClient } from "./http";
import { tagContext, type IamDecision } from "./iam-decision";
import { principalAccount } from "./organizations";
import type { Sts } from "./sts";
import type { Traffic } from "./traffic";

/**
 * Lambda's event filtering (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html),
 * for what the program's filters use: a list matches a value it holds, an object matches field
 * by field.
 */
export function matchesFilter(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(value);
  if (typeof pattern === "object" && pattern !== null) {
    if (typeof value !== "object" || value === null) return false;
    return Object.entries(pattern).every(([k, p]) =>
      matchesFilter(p, (value as Record<string, unknown>)[k]),
    );
  }
  return pattern === value;
}

export type FunctionRunner = (
  functionArn: string,
  payload: unknown,
) => Promise<{ payload: unknown; error?: string } | undefined>;

/** Lambda: the deployed functions' tags, and Invoke. */
export class Lambda {
  /**
   * Each deployed Lambda function's tags, by ARN: Lambda decides InvokeFunction with them as
   * `aws:ResourceTag/<key>` ("Using attribute-based access control in Lambda",
   * https://docs.aws.amazon.com/lambda/latest/dg/attribute-based-access-control.html).
   */
  readonly functionTags = new Map<string, Readonly<Record<string, string>>>();
  /**
   * Runs a Lambda function the stacks deployed (the rehearsal's hosts): its answer, or the error
   * it raised, as Lambda's Invoke reports them.
   */
  invokeFunction: FunctionRunner | undefined;

  constructor(
    private readonly region: string,
    private readonly sts: Sts,
    private readonly decision: IamDecision,
    private readonly traffic: Traffic,
  ) {}

  /**
   * Lambda's Invoke (RequestResponse), as the hub's lifecycle function makes it with a LOB's
   * lifecycle role: decided by IAM (the caller's policies, the endpoint's policy), then run by the
   * rehearsal's host of that function. A handler's error comes back as Lambda reports it: status
   * 200, `X-Amz-Function-Error: Unhandled`, and `{errorMessage}` as the payload.
   * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
   */
  async invoke(
    name: string,
    body: string,
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    this.traffic.count("Lambda.Invoke");
    const caller = this.sts.caller(req);
    if (!caller) {
      unrecognizedClient(res);
      return;
    }
    const account = principalAccount(caller.principal) ?? "";
    const functionArn = name.startsWith("arn:")
      ? name
      : `arn:aws:lambda:${this.region}:${account}:function:${name}`;
    const outcome = await this.decision.decide(caller, vpceId, {
      action: "lambda:InvokeFunction",
      resource: functionArn,
      resourceAccount: functionArn.split(":")[4] ?? "",
      context: tagContext("aws:ResourceTag", this.functionTags.get(functionArn)),
    });
    this.traffic.count(`Lambda.Invoke:${outcome}`);
    const error = (status: number, type: string, message: string) => {
      res.writeHead(status, { "Content-Type": "application/json", "x-amzn-ErrorType": type });
      res.end(JSON.stringify({ Type: "User", Message: message }));
    };
    if (outcome !== "Allowed") {
      error(
        403,
        "AccessDeniedException",
        notAuthorized(caller.principal, "lambda:InvokeFunction", functionArn),
      );
      return;
    }
    const answer = await this.invokeFunction?.(functionArn, JSON.parse(body || "{}"));
    if (!answer) {
      error(404, "ResourceNotFoundException", `Function not found: ${functionArn}`);
      return;
    }
    res.writeHead(200, {
      "Content-Type": "application/json",
      "X-Amz-Executed-Version": "$LATEST",
      ...(answer.error !== undefined ? { "X-Amz-Function-Error": "Unhandled" } : {}),
    });
    res.end(
      JSON.stringify(
        answer.error !== undefined
          ? { errorType: "Error", errorMessage: answer.error }
          : answer.payload,
      ),
    );
  }
}
