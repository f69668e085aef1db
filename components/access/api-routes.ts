import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BundledFunction } from "../lib/bundled-function";
import type { AccessScope } from "./scope";

export interface ApiRoutesArgs {
  readonly api: aws.apigateway.RestApi;
  /** Checks the bearer token of every GET route. */
  readonly authorizer: BundledFunction;
  /** Answers GET /studios and GET /studios/{lob}. */
  readonly presigner: BundledFunction;
  /** Answers POST /saml, when there is a SAML entry. */
  readonly saml?: BundledFunction;
  /** Answers GET /, GET /assets/{file} and GET /settings: the web portal. */
  readonly portal: BundledFunction;
}

/**
 * The operation names of the portal's methods: like the SAML entry's POST they have no authorizer
 * (they serve nothing secret; the page signs in itself), and the policy pack admits them by name.
 */
export const PORTAL_OPERATIONS = {
  page: "PortalPage",
  asset: "PortalAsset",
  settings: "PortalSettings",
} as const;

/**
 * The API's routes: GET /studios and GET /studios/{lob} to the presigner behind the TOKEN
 * authorizer, POST /saml to the SAML entry, and the portal's GET /, GET /assets/{file} and
 * GET /settings, each function invocable by API Gateway from its own routes only.
 */
export class ApiRoutes {
  /** Every method and integration: the deployment is made after all of them. */
  readonly parts: pulumi.Resource[] = [];
  /** The authorizer's settings and each route's, which a deployment snapshots. */
  readonly authorizerSettings: pulumi.Output<unknown>;
  readonly routeSettings: pulumi.Output<unknown>[] = [];

  constructor(scope: AccessScope, args: ApiRoutesArgs) {
    const { name } = scope;
    const parent = { parent: scope.parent };
    const { api, presigner } = args;
    const authorizerArgs = {
      restApi: api.id,
      type: "TOKEN",
      authorizerUri: args.authorizer.function.invokeArn,
      identitySource: "method.request.header.Authorization",
      identityValidationExpression: "^[Bb]earer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]*$",
      // A revoked or disabled user keeps access at most this long through a cached decision.
      authorizerResultTtlInSeconds: 60,
    };
    this.authorizerSettings = pulumi.output(authorizerArgs);
    const tokenAuthorizer = new aws.apigateway.Authorizer(`${name}-jwt`, authorizerArgs, parent);
    new aws.lambda.Permission(
      `${name}-authorizer-invoke`,
      {
        function: args.authorizer.function.name,
        action: "lambda:InvokeFunction",
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${tokenAuthorizer.id}`,
      },
      parent,
    );

    const studios = new aws.apigateway.Resource(
      `${name}-studios`,
      { restApi: api.id, parentId: api.rootResourceId, pathPart: "studios" },
      parent,
    );
    const studio = new aws.apigateway.Resource(
      `${name}-studio`,
      { restApi: api.id, parentId: studios.id, pathPart: "{lob}" },
      parent,
    );
    if (args.saml) this.samlRoute(scope, api, args.saml);
    const routes = [
      { key: "list", resource: studios, path: "/studios", params: undefined },
      {
        key: "open",
        resource: studio,
        path: "/studios/*",
        params: { "method.request.path.lob": true },
      },
    ];
    for (const route of routes) {
      const methodArgs = {
        restApi: api.id,
        resourceId: route.resource.id,
        httpMethod: "GET",
        authorization: "CUSTOM",
        authorizerId: tokenAuthorizer.id,
        requestParameters: route.params,
      };
      const method = new aws.apigateway.Method(`${name}-${route.key}`, methodArgs, parent);
      const integrationArgs = {
        restApi: api.id,
        resourceId: route.resource.id,
        httpMethod: method.httpMethod,
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: presigner.function.invokeArn,
      };
      this.parts.push(
        method,
        new aws.apigateway.Integration(`${name}-${route.key}`, integrationArgs, parent),
      );
      new aws.lambda.Permission(
        `${name}-presigner-invoke-${route.key}`,
        {
          function: presigner.function.name,
          action: "lambda:InvokeFunction",
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/GET${route.path}`,
        },
        parent,
      );
      this.routeSettings.push(
        pulumi.output({ path: route.path, method: methodArgs, integration: integrationArgs }),
      );
    }
    this.portalRoutes(scope, api, args.portal);
  }

  /**
   * POST /saml: the signed SAML response is the credential, so no authorizer (the resource policy
   * still admits only the hub's execute-api endpoint).
   */
  private samlRoute(scope: AccessScope, api: aws.apigateway.RestApi, saml: BundledFunction) {
    const { name } = scope;
    const parent = { parent: scope.parent };
    const samlResource = new aws.apigateway.Resource(
      `${name}-saml`,
      { restApi: api.id, parentId: api.rootResourceId, pathPart: "saml" },
      parent,
    );
    const methodArgs = {
      restApi: api.id,
      resourceId: samlResource.id,
      httpMethod: "POST",
      authorization: "NONE",
      // The policy pack's authorizer rule admits this one method without the JWT authorizer.
      operationName: "SamlAssertionConsumerService",
    };
    const method = new aws.apigateway.Method(`${name}-saml`, methodArgs, parent);
    const integrationArgs = {
      restApi: api.id,
      resourceId: samlResource.id,
      httpMethod: method.httpMethod,
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      uri: saml.function.invokeArn,
    };
    this.parts.push(
      method,
      new aws.apigateway.Integration(`${name}-saml`, integrationArgs, parent),
    );
    new aws.lambda.Permission(
      `${name}-saml-invoke`,
      {
        function: saml.function.name,
        action: "lambda:InvokeFunction",
        principal: "apigateway.amazonaws.com",
        sourceArn: pulumi.interpolate`${api.executionArn}/*/POST/saml`,
      },
      parent,
    );
    this.routeSettings.push(
      pulumi.output({ path: "/saml", method: methodArgs, integration: integrationArgs }),
    );
  }

  /**
   * The portal's routes, without authorizer: the page at the root resource, its assets, and the
   * pool's settings. The resource policy still admits only the hub's execute-api endpoint. Each
   * permission names its method and path; the root resource's path is empty, so its source ARN
   * ends in `GET/` ("Control access to an API with IAM permissions", resource format
   * `arn:aws:execute-api:region:account-id:api-id/stage/METHOD/resource-path`,
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html).
   */
  private portalRoutes(scope: AccessScope, api: aws.apigateway.RestApi, portal: BundledFunction) {
    const { name } = scope;
    const parent = { parent: scope.parent };
    const assets = new aws.apigateway.Resource(
      `${name}-assets`,
      { restApi: api.id, parentId: api.rootResourceId, pathPart: "assets" },
      parent,
    );
    const asset = new aws.apigateway.Resource(
      `${name}-asset`,
      { restApi: api.id, parentId: assets.id, pathPart: "{file}" },
      parent,
    );
    const settings = new aws.apigateway.Resource(
      `${name}-settings`,
      { restApi: api.id, parentId: api.rootResourceId, pathPart: "settings" },
      parent,
    );
    const routes = [
      { key: "page", resourceId: api.rootResourceId, path: "/", arnPath: "/", params: undefined },
      {
        key: "asset",
        resourceId: asset.id,
        path: "/assets/{file}",
        arnPath: "/assets/*",
        params: { "method.request.path.file": true },
      },
      {
        key: "settings",
        resourceId: settings.id,
        path: "/settings",
        arnPath: "/settings",
        params: undefined,
      },
    ] as const;
    for (const route of routes) {
      const methodArgs = {
        restApi: api.id,
        resourceId: route.resourceId,
        httpMethod: "GET",
        authorization: "NONE",
        // The policy pack's authorizer rule admits these methods without the JWT authorizer.
        operationName: PORTAL_OPERATIONS[route.key],
        requestParameters: route.params,
      };
      const method = new aws.apigateway.Method(`${name}-portal-${route.key}`, methodArgs, parent);
      const integrationArgs = {
        restApi: api.id,
        resourceId: route.resourceId,
        httpMethod: method.httpMethod,
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: portal.function.invokeArn,
      };
      this.parts.push(
        method,
        new aws.apigateway.Integration(`${name}-portal-${route.key}`, integrationArgs, parent),
      );
      new aws.lambda.Permission(
        `${name}-portal-invoke-${route.key}`,
        {
          function: portal.function.name,
          action: "lambda:InvokeFunction",
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/GET${route.arnPath}`,
        },
        parent,
      );
      this.routeSettings.push(
        pulumi.output({ path: route.path, method: methodArgs, integration: integrationArgs }),
      );
    }
  }
}
