import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonError, jsonOk } from "../http";
import { tagContext } from "../iam-decision";
import { allowed, signedCaller, type SageMakerContext } from "./context";
import type { Domain, StudioApp } from "./resources";

/**
 * The Studio app, space and profile calls a destroy and an offboarding make, and those
 * `studio-access admin usage` makes (DescribeApp, DescribeSpace).
 */
export const STUDIO_RESOURCE_OPERATIONS = [
  "ListApps",
  "DescribeApp",
  "DescribeSpace",
  "DeleteApp",
  "ListSpaces",
  "DeleteSpace",
  "ListUserProfiles",
  "DeleteUserProfile",
  "ListTags",
  "CreateSpace",
  "UpdateSpace",
];

/**
 * SageMaker's Studio app, space and profile calls a destroy and an offboarding make (callers must
 * hold issued credentials). Every call is decided by IAM, with the profile's tags as
 * `aws:ResourceTag/<key>`: the lifecycle role's session by its policies, a stack's deploying
 * pipeline by its own (an administrator of its account). A session whose role the emulator does
 * not know has no policies, so it is refused (implicit deny), as IAM refuses a principal nothing
 * allows.
 */
export async function studioResourceCall(
  ctx: SageMakerContext,
  operation: string,
  given: Record<string, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  vpceId: string | undefined,
): Promise<void> {
  const caller = signedCaller(ctx, req, res);
  if (!caller) return;
  // ListTags names its resource by ARN: a user profile's, `…:user-profile/<domain>/<name>`.
  const tagged =
    operation === "ListTags"
      ? /:user-profile\/([^/]+)\/([^/]+)$/.exec(String(given.ResourceArn))
      : undefined;
  const input = tagged ? { ...given, DomainId: tagged[1], UserProfileName: tagged[2] } : given;
  const domainInput = input.DomainIdEquals ?? input.DomainId;
  const domainId = typeof domainInput === "string" ? domainInput : "";
  const domain = ctx.resources.domains.get(domainId);
  const request = {
    action: `sagemaker:${operation}`,
    ...target(ctx, operation, input, domainId, domain),
    resourceAccount: domain?.account ?? "000000000000",
  };
  if (!(await allowed(ctx, caller, vpceId, request, `SageMaker.${operation}`, res))) return;
  if (operation === "ListTags" && !tagged) {
    jsonError(res, 400, "ResourceNotFound", `no resource ${String(input.ResourceArn)}`);
    return;
  }
  answer(ctx, operation, input, domainId, res);
}

/** The app a DeleteApp names (domain, profile, type and name), in a status `status` accepts. */
function namedApp(
  resources: SageMakerContext["resources"],
  domainId: string,
  input: Record<string, unknown>,
  status: (status: string) => boolean,
) {
  return resources.apps.find(
    (a) =>
      a.domainId === domainId &&
      (input.SpaceName === undefined
        ? a.userProfileName === input.UserProfileName
        : a.spaceName === input.SpaceName) &&
      a.appName === input.AppName &&
      a.appType === input.AppType &&
      status(a.status),
  );
}

/**
 * The resource a call acts on and what IAM sees of it: an app its own tags (its domain's, from
 * its launch); a space its owner's profile ARN (sagemaker:OwnerUserProfileArn, a documented key of
 * DeleteSpace, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html);
 * a profile its tags.
 */
function target(
  { resources }: SageMakerContext,
  operation: string,
  input: Record<string, unknown>,
  domainId: string,
  domain: Domain | undefined,
): { resource: string; context: Record<string, string> } {
  const profile = domain?.profiles.get(String(input.UserProfileName));
  if (operation === "ListTags")
    return {
      resource: String(input.ResourceArn),
      context: tagContext("aws:ResourceTag", profile?.tags),
    };
  if (operation.startsWith("List")) return { resource: "*", context: {} };
  if (operation === "DeleteApp" || operation === "DescribeApp") {
    const app = namedApp(resources, domainId, input, (status) => status !== "Deleted");
    return {
      resource: resources.arn(
        domain,
        `app/${domainId}/${String(input.UserProfileName ?? input.SpaceName)}/${String(input.AppType).toLowerCase()}/${String(input.AppName)}`,
      ),
      context: tagContext("aws:ResourceTag", app?.tags),
    };
  }
  if (operation === "CreateSpace" || operation === "UpdateSpace") {
    // A new space's owner and sharing type as CreateSpace names them; an existing space's owner
    // (the emulator's spaces are private ones). Both documented keys of CreateSpace/UpdateSpace.
    const owner =
      operation === "CreateSpace"
        ? (input.OwnershipSettings as { OwnerUserProfileName?: string } | undefined)
            ?.OwnerUserProfileName
        : domain?.spaces.get(String(input.SpaceName))?.owner;
    const sharing =
      operation === "CreateSpace"
        ? ((input.SpaceSharingSettings as { SharingType?: string } | undefined)?.SharingType ??
          "Private")
        : "Private";
    return {
      resource: resources.arn(domain, `space/${domainId}/${String(input.SpaceName)}`),
      context: {
        "sagemaker:SpaceSharingType": sharing,
        ...(owner
          ? {
              "sagemaker:OwnerUserProfileArn": resources.arn(
                domain,
                `user-profile/${domainId}/${owner}`,
              ),
            }
          : {}),
      },
    };
  }
  if (operation === "DeleteSpace" || operation === "DescribeSpace") {
    const owner = domain?.spaces.get(String(input.SpaceName))?.owner;
    return {
      resource: resources.arn(domain, `space/${domainId}/${String(input.SpaceName)}`),
      context: owner
        ? {
            "sagemaker:OwnerUserProfileArn": resources.arn(
              domain,
              `user-profile/${domainId}/${owner}`,
            ),
          }
        : {},
    };
  }
  return {
    resource: resources.arn(domain, `user-profile/${domainId}/${String(input.UserProfileName)}`),
    context: tagContext("aws:ResourceTag", profile?.tags),
  };
}

/** What SageMaker does and answers once IAM allowed the call. */
function answer(
  { resources }: SageMakerContext,
  operation: string,
  input: Record<string, unknown>,
  domainId: string,
  res: ServerResponse,
): void {
  const domain = resources.domains.get(domainId);
  if (operation === "CreateSpace" || operation === "UpdateSpace") {
    // SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb, held to the owner
    // profile's MaximumEbsVolumeSizeInGb (SageMakerResources.createSpace / updateSpace).
    const size = (
      input.SpaceSettings as
        | { SpaceStorageSettings?: { EbsStorageSettings?: { EbsVolumeSizeInGb?: number } } }
        | undefined
    )?.SpaceStorageSettings?.EbsStorageSettings?.EbsVolumeSizeInGb;
    const name = String(input.SpaceName);
    try {
      if (operation === "CreateSpace") {
        const owner = (input.OwnershipSettings as { OwnerUserProfileName?: string } | undefined)
          ?.OwnerUserProfileName;
        resources.createSpace(domainId, name, String(owner), size);
      } else resources.updateSpace(domainId, name, size);
    } catch (error) {
      const [type, ...rest] = (error as Error).message.split(": ");
      jsonError(res, 400, type ?? "ValidationException", rest.join(": "));
      return;
    }
    jsonOk(res, { SpaceArn: resources.arn(domain, `space/${domainId}/${name}`) });
    return;
  }
  if (operation === "ListApps") {
    const apps = resources.apps.filter(
      (a) =>
        a.domainId === domainId &&
        (input.UserProfileNameEquals === undefined ||
          a.userProfileName === input.UserProfileNameEquals) &&
        input.SpaceNameEquals === undefined,
    );
    const listed = apps.map((a) => ({
      DomainId: a.domainId,
      ...(a.spaceName ? { SpaceName: a.spaceName } : { UserProfileName: a.userProfileName }),
      AppType: a.appType,
      AppName: a.appName,
      Status: a.status,
      ...appDetails(a),
    }));
    // A deletion takes a moment: Deleting is seen once, then Deleted.
    for (const app of apps) if (app.status === "Deleting") app.status = "Deleted";
    jsonOk(res, { Apps: listed });
    return;
  }
  if (operation === "DescribeApp") {
    const app = namedApp(resources, domainId, input, (status) => status !== "Deleted");
    if (!app) {
      jsonError(res, 400, "ResourceNotFound", `no app ${String(input.AppName)}`);
      return;
    }
    jsonOk(res, {
      AppArn: resources.arn(
        domain,
        `app/${domainId}/${app.spaceName ?? app.userProfileName}/${app.appType.toLowerCase()}/${app.appName}`,
      ),
      DomainId: domainId,
      ...(app.spaceName ? { SpaceName: app.spaceName } : { UserProfileName: app.userProfileName }),
      AppType: app.appType,
      AppName: app.appName,
      Status: app.status,
      ...appDetails(app),
      ...(app.lastActivity === undefined
        ? {}
        : { LastUserActivityTimestamp: app.lastActivity / 1000 }),
    });
    return;
  }
  if (operation === "DeleteApp") {
    const app = namedApp(resources, domainId, input, (status) => status === "InService");
    if (!app) {
      jsonError(res, 400, "ResourceNotFound", `no app ${String(input.AppName)}`);
      return;
    }
    app.status = "Deleting";
    jsonOk(res, {});
    return;
  }
  if (operation === "ListTags") {
    const profile = domain?.profiles.get(
      typeof input.UserProfileName === "string" ? input.UserProfileName : "",
    );
    if (!profile) {
      jsonError(res, 400, "ResourceNotFound", `no resource ${String(input.ResourceArn)}`);
      return;
    }
    jsonOk(res, { Tags: Object.entries(profile.tags).map(([Key, Value]) => ({ Key, Value })) });
    return;
  }
  if (operation === "ListUserProfiles") {
    jsonOk(res, {
      UserProfiles: [...(domain?.profiles.values() ?? [])].map((p) => ({
        DomainId: domainId,
        UserProfileName: p.name,
        Status: resources.profileStatus(p),
      })),
    });
    return;
  }
  if (operation === "DeleteUserProfile") {
    const name = String(input.UserProfileName);
    if (!domain?.profiles.has(name)) {
      jsonError(res, 400, "ResourceNotFound", `no user profile ${name}`);
      return;
    }
    try {
      resources.deleteUserProfile(domainId, name);
    } catch (error) {
      jsonError(res, 400, "ResourceInUse", (error as Error).message);
      return;
    }
    jsonOk(res, {});
    return;
  }
  const spaces = domain?.spaces ?? new Map<string, { owner: string }>();
  if (operation === "ListSpaces") {
    jsonOk(res, {
      Spaces: [...spaces.entries()].map(([SpaceName, { owner }]) => ({
        DomainId: domainId,
        SpaceName,
        Status: "InService",
        OwnershipSettingsSummary: { OwnerUserProfileName: owner },
      })),
    });
    return;
  }
  if (operation === "DescribeSpace") {
    const space = spaces.get(String(input.SpaceName));
    if (!space) {
      jsonError(res, 400, "ResourceNotFound", `no space ${String(input.SpaceName)}`);
      return;
    }
    jsonOk(res, {
      DomainId: domainId,
      SpaceName: String(input.SpaceName),
      Status: "InService",
      OwnershipSettings: { OwnerUserProfileName: space.owner },
    });
    return;
  }
  if (!spaces.delete(String(input.SpaceName))) {
    jsonError(res, 400, "ResourceNotFound", `no space ${String(input.SpaceName)}`);
    return;
  }
  jsonOk(res, {});
}

/**
 * What ListApps (AppDetails) and DescribeApp say of an app's size and age, as SageMaker does:
 * ResourceSpec.InstanceType and CreationTime, a timestamp (epoch seconds in the JSON protocol).
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AppDetails.html,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeApp.html
 */
function appDetails(app: StudioApp): Record<string, unknown> {
  return {
    ...(app.instanceType ? { ResourceSpec: { InstanceType: app.instanceType } } : {}),
    ...(app.createdAt === undefined ? {} : { CreationTime: app.createdAt / 1000 }),
  };
}
