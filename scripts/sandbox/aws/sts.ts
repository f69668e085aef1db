import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Outcome } from "../../lib/iam-eval";
import { writeAssumeRoleResponse } from "../../lib/aws-wire";
import { notAuthorized } from "./http";
import type { Iam } from "./iam";
import type { Caller, IamDecision } from "./iam-decision";
import type { Traffic } from "./traffic";

/**
 * STS: the credentials the emulator issues, and AssumeRole. Request signatures are not verified:
 * the caller is known by the access key id of the credentials this emulator issued.
 */

export interface Session extends Caller {
  readonly expiresAt: number;
}

function stsError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "Content-Type": "text/xml" });
  res.end(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
      `<RequestId>sandbox</RequestId></ErrorResponse>`,
  );
}

export class Sts {
  readonly sessions = new Map<string, Session>();

  constructor(
    private readonly iam: Iam,
    private readonly decision: IamDecision,
    private readonly traffic: Traffic,
  ) {}

  /** Credentials for a role, as Lambda hands its function: the principal is the role. */
  issueCredentials(
    roleArn: string,
    lifetimeSeconds = 3600,
  ): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    const accessKeyId = this.newSession(roleArn, roleArn, Date.now() + lifetimeSeconds * 1000);
    return { accessKeyId, secretAccessKey: "sandbox", sessionToken: "sandbox" };
  }

  /** The session whose access key id signed the request. */
  caller(req: IncomingMessage): Session | undefined {
    const match = /Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? "");
    return match?.[1] ? this.sessions.get(match[1]) : undefined;
  }

  async assumeRole(
    params: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    this.traffic.count("STS.AssumeRole");
    const caller = this.caller(req);
    if (!caller) {
      stsError(
        res,
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      );
      return;
    }
    if (caller.expiresAt < Date.now()) {
      stsError(res, 400, "ExpiredToken", "The security token included in the request is expired");
      return;
    }
    if (this.traffic.throttled()) {
      this.traffic.count("STS.AssumeRole:Throttled");
      stsError(res, 400, "Throttling", "Rate exceeded");
      return;
    }
    const roleArn = params.get("RoleArn") ?? "";
    const role = this.iam.roles.get(roleArn);
    const outcome: Outcome = role
      ? await this.decision.decide(caller, vpceId, {
          action: "sts:AssumeRole",
          resource: roleArn,
          resourceAccount: role.account,
          resourcePolicy: role.trust,
        })
      : "ImplicitlyDenied";
    this.traffic.count(`STS.AssumeRole:${outcome}`);
    if (outcome !== "Allowed" || !role) {
      stsError(
        res,
        403,
        "AccessDenied",
        notAuthorized(caller.principal, "sts:AssumeRole", roleArn),
      );
      return;
    }
    const sessionName = params.get("RoleSessionName") ?? "session";
    const lifetime = Number(params.get("DurationSeconds") ?? 3600);
    const principal = `arn:aws:sts::${role.account}:assumed-role/${roleArn.split("/").pop() ?? ""}/${sessionName}`;
    const expiresAt = Date.now() + lifetime * 1000;
    const accessKeyId = this.newSession(principal, roleArn, expiresAt);
    writeAssumeRoleResponse(res, {
      accessKeyId,
      expiration: new Date(expiresAt),
      assumedRoleArn: principal,
      sessionName,
    });
  }

  /** A session's access key id (temporary credentials' ids start ASIA). */
  private newSession(principal: string, roleArn: string, expiresAt: number): string {
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    this.sessions.set(accessKeyId, { principal, roleArn, expiresAt });
    return accessKeyId;
  }
}
