import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "../policies/document";
import type { ApiRoutes } from "./api-routes";
import type { PrivateApi } from "./private-api";
import { accessLogGroup, type AccessScope } from "./scope";

/** JSON with object keys in order, so equal settings give equal text whatever built them. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The deployment trigger: a digest of every setting a deployment snapshots. */
export function deploymentTrigger(snapshot: unknown): string {
  return createHash("sha256").update(canonical(snapshot)).digest("hex");
}

export interface ApiStageArgs {
  readonly api: PrivateApi;
  readonly routes: ApiRoutes;
  readonly stageName: string;
  /** Steady requests per second and burst the stage accepts. */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * The API as published: a deployment of its routes, and the stage that serves it with access
 * logs and throttling on every method.
 */
export class ApiStage {
  readonly stage: aws.apigateway.Stage;

  constructor(scope: AccessScope, args: ApiStageArgs) {
    const { name } = scope;
    const parent = { parent: scope.parent };
    const { api } = args.api;
    // A deployment is a snapshot: any change to the policy, the authorizer's settings or a route's
    // method or integration settings needs a new one, in-place updates included.
    const redeployment = pulumi
      .all([args.api.policy, args.routes.authorizerSettings, ...args.routes.routeSettings])
      .apply(([apiPolicy, authorizerSettings, ...routeSettings]) =>
        deploymentTrigger({ apiPolicy, authorizer: authorizerSettings, routes: routeSettings }),
      );
    // The trigger reads the methods' and integrations' settings, not the integrations themselves, so
    // without `dependsOn` the engine may create the deployment while an integration is still being
    // created: CreateDeployment then fails ("No integration defined for method") or snapshots the
    // API without it. Made after every method and integration, it sees them all.
    const deployment = new aws.apigateway.Deployment(
      `${name}-api`,
      { restApi: api.id, triggers: { redeployment }, description: "studio-access routes" },
      { ...parent, dependsOn: args.routes.parts },
    );

    const accessLogs = accessLogGroup(scope, "api-access");
    const apiLogsRole = new aws.iam.Role(
      `${name}-apigateway-logs`,
      { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("apigateway.amazonaws.com")) },
      parent,
    );
    const apiLogsPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-apigateway-logs`,
      {
        role: apiLogsRole.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
      },
      parent,
    );
    // API Gateway writes access logs only once the region's account setting names a logging role.
    // The setting is a per-region singleton other APIs may rely on: destroy leaves it in place
    // (deleting the resource would reset it).
    const apiAccount = new aws.apigateway.Account(
      `${name}-apigateway-account`,
      { cloudwatchRoleArn: apiLogsRole.arn },
      { ...parent, dependsOn: [apiLogsPolicy], retainOnDelete: true },
    );
    this.stage = new aws.apigateway.Stage(
      `${name}-api`,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName: args.stageName,
        accessLogSettings: {
          destinationArn: accessLogs.arn,
          format: JSON.stringify({
            requestId: "$context.requestId",
            requestTime: "$context.requestTime",
            sourceVpce: "$context.identity.vpceId",
            sourceIp: "$context.identity.sourceIp",
            principal: "$context.authorizer.principalId",
            username: "$context.authorizer.username",
            method: "$context.httpMethod",
            resource: "$context.resourcePath",
            path: "$context.path",
            status: "$context.status",
            error: "$context.error.message",
            authorizerError: "$context.authorizer.error",
            latencyMs: "$context.responseLatency",
          }),
        },
      },
      { ...parent, dependsOn: [apiAccount] },
    );
    new aws.apigateway.MethodSettings(
      `${name}-api`,
      {
        restApi: api.id,
        stageName: this.stage.stageName,
        methodPath: "*/*",
        settings: {
          throttlingRateLimit: args.throttling.rateLimit,
          throttlingBurstLimit: args.throttling.burstLimit,
          metricsEnabled: true,
        },
      },
      parent,
    );
  }
}
