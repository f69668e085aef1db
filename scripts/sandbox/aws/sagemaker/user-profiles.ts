import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonError, jsonOk } from "../http";
import { tagContext, type DecisionRequest } from "../iam-decision";
import { allowed, signedCaller, type SageMakerContext } from "./context";
import type { IdleSettings, SpaceStorageDefaults } from "./resources";

/**
 * CreateUserProfile and DescribeUserProfile, as the presigner's provisioning role makes them on a
 * first sign-in. IAM decides each as AWS does: CreateUserProfile with the request's tags as
 * `aws:RequestTag/<key>` and `aws:TagKeys`, the tags themselves as `sagemaker:AddTags` ("To add
 * tags when you create a resource, you need sagemaker:AddTags", SageMaker developer guide,
 * security_iam_id-based-policy-examples), and the execution role as `iam:PassRole` to
 * sagemaker.amazonaws.com. A name taken is ResourceInUse (API_CreateUserProfile's errors).
 */
export async function userProfileCall(
  ctx: SageMakerContext,
  operation: "CreateUserProfile" | "DescribeUserProfile",
  input: Record<string, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  vpceId: string | undefined,
): Promise<void> {
  const { resources } = ctx;
  const caller = signedCaller(ctx, req, res);
  if (!caller) return;
  const domainId = String(input.DomainId);
  const name = String(input.UserProfileName);
  const domain = resources.domains.get(domainId);
  const account = domain?.account ?? "000000000000";
  const profileArn = resources.arn(domain, `user-profile/${domainId}/${name}`);
  const tags = Object.fromEntries(
    ((input.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => [
      t.Key,
      t.Value,
    ]),
  );
  // The request's tags, as IAM sees them on CreateUserProfile and on the AddTags it implies.
  const requestTags: Record<string, string | string[]> = {
    ...tagContext("aws:RequestTag", tags),
    "aws:TagKeys": Object.keys(tags),
  };
  const executionRole = (input.UserSettings as { ExecutionRole?: string } | undefined)
    ?.ExecutionRole;
  const onProfile = (
    action: string,
    context: Record<string, string | string[]>,
  ): DecisionRequest => ({ action, resource: profileArn, resourceAccount: account, context });
  const checks: DecisionRequest[] =
    operation === "DescribeUserProfile"
      ? [
          onProfile(
            "sagemaker:DescribeUserProfile",
            tagContext("aws:ResourceTag", domain?.profiles.get(name)?.tags),
          ),
        ]
      : [
          onProfile("sagemaker:CreateUserProfile", requestTags),
          ...(Object.keys(tags).length > 0 ? [onProfile("sagemaker:AddTags", requestTags)] : []),
          ...(executionRole
            ? [
                {
                  action: "iam:PassRole",
                  resource: executionRole,
                  resourceAccount: executionRole.split(":")[4] ?? "",
                  context: { "iam:PassedToService": "sagemaker.amazonaws.com" },
                },
              ]
            : []),
        ];
  for (const check of checks) {
    const countedAs = `SageMaker.${operation}:${check.action}`;
    if (!(await allowed(ctx, caller, vpceId, check, countedAs, res))) return;
  }
  const existing = domain?.profiles.get(name);
  if (operation === "DescribeUserProfile") {
    if (!existing) {
      jsonError(res, 400, "ResourceNotFound", `User profile ${name} does not exist in ${domainId}`);
      return;
    }
    jsonOk(res, {
      DomainId: domainId,
      UserProfileArn: profileArn,
      UserProfileName: name,
      Status: resources.profileStatus(existing),
      HomeEfsFileSystemUid: existing.homeUid,
      UserSettings: existing.executionRole ? { ExecutionRole: existing.executionRole } : {},
    });
    return;
  }
  if (!domain) {
    jsonError(res, 400, "ResourceNotFound", `Domain ${domainId} does not exist`);
    return;
  }
  if (existing) {
    jsonError(res, 400, "ResourceInUse", `User profile ${name} already exists`);
    return;
  }
  if (executionRole && !ctx.iam.roles.has(executionRole)) {
    jsonError(res, 400, "ValidationException", `Role ${executionRole} does not exist`);
    return;
  }
  // Idle shutdown of its JupyterLab and Code Editor apps (UserSettings.<App>AppSettings.
  // AppLifecycleManagement.IdleSettings, API_CreateUserProfile), kept as given.
  const settings = input.UserSettings as Record<string, unknown> | undefined;
  const idleOf = (app: string) =>
    (settings?.[app] as { AppLifecycleManagement?: { IdleSettings?: IdleSettings } } | undefined)
      ?.AppLifecycleManagement?.IdleSettings;
  const idle = {
    ...(idleOf("JupyterLabAppSettings") ? { JupyterLab: idleOf("JupyterLabAppSettings") } : {}),
    ...(idleOf("CodeEditorAppSettings") ? { CodeEditor: idleOf("CodeEditorAppSettings") } : {}),
  };
  const storage = (
    settings?.SpaceStorageSettings as
      { DefaultEbsStorageSettings?: SpaceStorageDefaults } | undefined
  )?.DefaultEbsStorageSettings;
  resources.createUserProfile(domainId, name, {
    ...(executionRole ? { executionRole } : {}),
    tags,
    startMs: resources.profileStartMs,
    ...(Object.keys(idle).length > 0 ? { idleSettings: idle } : {}),
    // Its spaces' EBS volume (UserSettings.SpaceStorageSettings.DefaultEbsStorageSettings).
    ...(storage ? { spaceStorage: storage } : {}),
  });
  jsonOk(res, { UserProfileArn: profileArn });
}
