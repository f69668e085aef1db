import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as path from "node:path";
import { jsonError, jsonOk } from "../http";
import { tagContext } from "../iam-decision";
import { allowed, signedCaller, type SageMakerContext } from "./context";

/** CreatePresignedDomainUrl, and Studio opening the URL it gives. */

interface PresignedLogin {
  readonly domainId: string;
  readonly profile: string;
  /** Where the URL lands: LandingUri and SpaceName as asked for. */
  readonly landingUri?: string;
  readonly spaceName?: string;
  readonly principal: string;
  readonly roleArn: string;
  readonly expiresAt: number;
  used: boolean;
}

export class PresignedUrls {
  private readonly logins = new Map<string, PresignedLogin>();

  constructor(private readonly ctx: SageMakerContext) {}

  async create(
    input: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
    vpceId: string | undefined,
  ): Promise<void> {
    const { resources, traffic } = this.ctx;
    const caller = signedCaller(this.ctx, req, res);
    if (!caller) return;
    if (caller.expiresAt < Date.now()) {
      jsonError(
        res,
        400,
        "ExpiredTokenException",
        "The security token included in the request is expired",
      );
      return;
    }
    if (traffic.throttled()) {
      traffic.count("SageMaker.CreatePresignedDomainUrl:Throttled");
      jsonError(res, 400, "ThrottlingException", "Rate exceeded");
      return;
    }
    const domainId = String(input.DomainId);
    const profile = String(input.UserProfileName);
    const domain = resources.domains.get(domainId);
    // IAM sees the profile's tags as aws:ResourceTag/<key> (the user-profile resource type's
    // condition keys, Service Authorization Reference). A profile that does not exist has none, so
    // a tag-conditioned role is refused (AccessDeniedException) before SageMaker would say
    // ResourceNotFound: which of the two AWS answers is on the "only real AWS" list
    // (docs/offline-and-aws.md), and the presigner handles both.
    const request = {
      action: "sagemaker:CreatePresignedDomainUrl",
      resource: resources.arn(domain, `user-profile/${domainId}/${profile}`),
      resourceAccount: domain?.account ?? "000000000000",
      context: tagContext("aws:ResourceTag", domain?.profiles.get(profile)?.tags),
    };
    const countedAs = "SageMaker.CreatePresignedDomainUrl";
    if (!(await allowed(this.ctx, caller, vpceId, request, countedAs, res))) return;
    // A Pending profile is answered as not there yet (what SageMaker answers is one of the things
    // only real AWS shows; the presigner then finds it Pending and waits or answers 202).
    const existing = domain?.profiles.get(profile);
    if (!domain || !existing || resources.profileStatus(existing) !== "InService") {
      jsonError(
        res,
        400,
        "ResourceNotFound",
        `User profile ${profile} does not exist in ${domainId}`,
      );
      return;
    }
    // LandingUri's documented forms: studio::<path> or app:<Application>:<path>.
    const landingUri = typeof input.LandingUri === "string" ? input.LandingUri : undefined;
    if (
      landingUri !== undefined &&
      !/^(studio::|app:(JupyterServer|JupyterLab|RStudioServerPro|CodeEditor|Canvas):)/.test(
        landingUri,
      )
    ) {
      jsonError(res, 400, "ValidationException", `Invalid LandingUri ${landingUri}`);
      return;
    }
    const spaceName = typeof input.SpaceName === "string" ? input.SpaceName : undefined;
    if (spaceName !== undefined && domain.spaces.get(spaceName)?.owner !== profile) {
      jsonError(res, 400, "ResourceNotFound", `Space ${spaceName} does not exist in ${domainId}`);
      return;
    }
    const token = randomBytes(24).toString("base64url");
    const expiresIn = Number(input.ExpiresInSeconds ?? 300);
    this.logins.set(token, {
      domainId,
      profile,
      ...(landingUri !== undefined ? { landingUri } : {}),
      ...(spaceName !== undefined ? { spaceName } : {}),
      principal: caller.principal,
      roleArn: caller.roleArn,
      expiresAt: Date.now() + expiresIn * 1000,
      used: false,
    });
    jsonOk(res, {
      AuthorizedUrl: `https://${domainId}.studio.${domain.region}.sagemaker.aws/auth?token=${token}`,
    });
  }

  /** Studio opening a presigned URL: once, before it expires, re-authorised against the role that made it. */
  async open(req: IncomingMessage, res: ServerResponse, vpceId: string | undefined): Promise<void> {
    const { resources, traffic, decision } = this.ctx;
    traffic.count("Studio.OpenPresignedUrl");
    const token = new URL(req.url ?? "", "http://studio").searchParams.get("token") ?? "";
    const login = this.logins.get(token);
    const deny = (message: string) => {
      traffic.count("Studio.OpenPresignedUrl:Denied");
      res.writeHead(403, { "Content-Type": "text/plain" });
      res.end(message);
    };
    if (!login || login.used || login.expiresAt < Date.now()) {
      deny("Invalid or expired auth token");
      return;
    }
    login.used = true;
    const domain = resources.domains.get(login.domainId);
    const outcome = await decision.decide(login, vpceId, {
      action: "sagemaker:CreatePresignedDomainUrl",
      resource: resources.arn(domain, `user-profile/${login.domainId}/${login.profile}`),
      resourceAccount: domain?.account ?? "000000000000",
      context: tagContext("aws:ResourceTag", domain?.profiles.get(login.profile)?.tags),
    });
    if (outcome !== "Allowed") {
      deny("Auth token containing insufficient permissions");
      return;
    }
    traffic.count("Studio.OpenPresignedUrl:Allowed");
    // The user's home directory appears on the domain's EFS with their first app.
    const homeUid = domain?.profiles.get(login.profile)?.homeUid;
    const home = homeUid ? resources.homeDirectory(login.domainId, homeUid) : undefined;
    if (home && !existsSync(home)) {
      mkdirSync(path.join(home, "work"), { recursive: true });
      writeFileSync(path.join(home, "work", "notes.ipynb"), "{}");
      writeFileSync(path.join(home, ".bashrc"), "");
    }
    // Studio starts the user's default app on first open, as the console does.
    if (!resources.liveApps(login.domainId, login.profile).length)
      resources.apps.push({
        domainId: login.domainId,
        userProfileName: login.profile,
        appType: "JupyterServer",
        appName: "default",
        status: "InService",
        tags: { ...(domain?.tags ?? {}) },
        instanceType: "system",
        createdAt: Date.now(),
        // Opening Studio is the user's activity.
        lastActivity: Date.now(),
      });
    const app = /^app:(\w+):/.exec(login.landingUri ?? "")?.[1];
    const where = login.spaceName ? `, space ${login.spaceName}` : "";
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html><head><title>${app ? `${app} - ` : ""}SageMaker Studio</title></head>` +
        `<body><h1>${app ?? "Studio"}</h1><p id="who">${login.profile} in ${login.domainId}${where}</p></body></html>`,
    );
  }
}
