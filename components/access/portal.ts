import * as pulumi from "@pulumi/pulumi";
import { portalPolicy } from "../policies/hub-roles";
import type { BundledFunction } from "../lib/bundled-function";
import { accessFunction, type AccessScope } from "./scope";
import type { UserDirectory } from "./user-directory";

export interface PortalArgs {
  readonly directory: UserDirectory;
  /** Lifetime of a presigned URL: the page says how soon a link it opens expires. */
  readonly urlExpiresSeconds: number;
  /** Where the browser calls Cognito, when not at https://cognito-idp.<region>.amazonaws.com. */
  readonly cognitoEndpoint?: string;
}

/**
 * The portal: a function serving the web page (GET /), its assets (GET /assets/{file}) and the
 * pool's settings (GET /settings), all embedded in its bundle at build time (functions/portal/).
 * Its role may write its own logs, nothing else. Like the authorizer, and unlike the presigner,
 * it runs outside the hub VPC: it calls nothing (no AWS API, no network), so it needs no
 * endpoint, and without an ENI it starts sooner.
 */
export class Portal {
  readonly handler: BundledFunction;

  constructor(scope: AccessScope, args: PortalArgs) {
    const { pool, client } = args.directory;
    this.handler = accessFunction(scope, "portal", {
      policy: (arn) => arn.apply((logGroupArn) => portalPolicy({ logGroupArn })),
      timeout: 5,
      environment: {
        USER_POOL_ID: pool.id,
        USER_POOL_CLIENT_ID: client.id,
        // The pool's own rules, as deployed: the page and the CLI state them before asking (unset,
        // Cognito's defaults: 8 characters, each class required).
        PASSWORD_POLICY: pulumi.output(pool.passwordPolicy).apply((p) =>
          JSON.stringify({
            minimumLength: p.minimumLength ?? 8,
            requireLowercase: p.requireLowercase ?? true,
            requireUppercase: p.requireUppercase ?? true,
            requireNumbers: p.requireNumbers ?? true,
            requireSymbols: p.requireSymbols ?? true,
          }),
        ),
        URL_EXPIRES_SECONDS: String(args.urlExpiresSeconds),
        ...(args.cognitoEndpoint ? { COGNITO_ENDPOINT: args.cognitoEndpoint } : {}),
      },
    });
  }
}
