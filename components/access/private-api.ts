import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { apiResourcePolicy } from "../policies/resources";
import { policyJson } from "../lib/bundled-function";
import type { AccessScope } from "./scope";

/**
 * The PRIVATE REST API: bound to the hub's execute-api endpoint, whose resource policy admits
 * nothing else. Its routes are ApiRoutes', its stage ApiStage's.
 */
export class PrivateApi {
  readonly api: aws.apigateway.RestApi;
  /** The resource policy's text: a deployment snapshots it (ApiStage). */
  readonly policy: pulumi.Output<string>;

  constructor(scope: AccessScope, args: { readonly executeApiEndpointId: pulumi.Input<string> }) {
    this.policy = policyJson(
      pulumi
        .output(args.executeApiEndpointId)
        .apply((executeApiEndpointId) => apiResourcePolicy({ executeApiEndpointId })),
    );
    this.api = new aws.apigateway.RestApi(
      `${scope.name}-api`,
      {
        description: "studio-access: presigned Studio URLs for signed-in users",
        endpointConfiguration: { types: "PRIVATE", vpcEndpointIds: [args.executeApiEndpointId] },
        policy: this.policy,
      },
      { parent: scope.parent },
    );
  }
}
