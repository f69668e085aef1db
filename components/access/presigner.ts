import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import { presignerPolicy } from "../policies/hub-roles";
import { lobAccessRoleNames } from "../policies/role-names";
import type { BundledFunction } from "../lib/bundled-function";
import type { FunctionNetwork } from "./function-network";
import { assumeRolePolicies, lobRegistryJson, type LobRoles } from "./lob-roles";
import { accessFunction, type AccessScope } from "./scope";
import type { AccessTables } from "./tables";
import type { UserDirectory } from "./user-directory";

export interface PresignerArgs extends LobRoles {
  readonly tables: AccessTables;
  readonly directory: UserDirectory;
  readonly network: FunctionNetwork;
  /** Lifetime of a presigned URL, 5–300 s. */
  readonly urlExpiresSeconds: number;
  /** Lifetime of the Studio session, 1800–43200 s. */
  readonly sessionExpiresSeconds: number;
}

/**
 * The presigner: checks the caller's entitlement and answers with a presigned Studio URL, made
 * through the LOB's access role (or, on a first sign-in, its provisioning role).
 */
export class Presigner {
  readonly handler: BundledFunction;
  /** Each LOB's access and provisioning roles: the presigner's, and the SAML entry's. */
  readonly assumeAccessRoles: readonly aws.iam.Policy[];

  constructor(scope: AccessScope, args: PresignerArgs) {
    const { entitlements, lobs } = args.tables;
    this.assumeAccessRoles = assumeRolePolicies(
      scope,
      "assume-access",
      "AssumeLobAccessRoles",
      lobAccessRoleNames(args.accessRoleName),
      Object.values(args.lobAccounts),
    );
    this.handler = accessFunction(scope, "presigner", {
      policy: (arn) =>
        pulumi
          .all([entitlements.arn, lobs.arn, arn])
          .apply(([usersTableArn, lobsTableArn, logGroupArn]) =>
            presignerPolicy({ usersTableArn, lobsTableArn, logGroupArn }),
          ),
      // Under API Gateway's 29 s; the handler answers by min(25 s, time left - 1 s).
      timeout: 27,
      vpcConfig: args.network.vpcConfig,
      environment: {
        USERS_TABLE: entitlements.name,
        LOBS_TABLE: lobs.name,
        URL_EXPIRES_SECONDS: String(args.urlExpiresSeconds),
        SESSION_EXPIRES_SECONDS: String(args.sessionExpiresSeconds),
        // The presigner verifies the caller's token itself, with the authorizer's settings.
        USER_POOL_ID: args.directory.pool.id,
        USER_POOL_CLIENT_ID: args.directory.client.id,
        USER_POOL_JWKS: args.directory.jwks,
        LOB_REGISTRY: "lobs.json",
      },
      files: { "lobs.json": lobRegistryJson(args) },
      attach: this.assumeAccessRoles,
    });
  }
}
