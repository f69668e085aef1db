import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { fetchUserPoolJwks, userPoolJwksUrl } from "../lib/jwks";
import type { AccessPlacement } from "./scope";

export interface UserDirectoryArgs {
  readonly region: string;
  /** Cognito users to create; Cognito emails each a temporary password. */
  readonly users: readonly { readonly username: string; readonly email: string }[];
  readonly mfa: "required" | "optional" | "off";
  readonly deletionProtection: boolean;
  readonly threatProtection: "off" | "audit" | "enforced";
  /** Where Cognito is, when not at its standard endpoint: the pool's JWKS is read from there. */
  readonly cognitoEndpoint?: string;
}

/**
 * The identity source: a Cognito pool only an admin adds users to, its one secretless client, and
 * the configured users.
 */
export class UserDirectory {
  readonly pool: aws.cognito.UserPool;
  readonly client: aws.cognito.UserPoolClient;
  /**
   * The pool's signing keys, read now, from the operator's machine, and handed to every function
   * that verifies its tokens: none then needs the JWKS path at run time (components/lib/jwks.ts).
   */
  readonly jwks: pulumi.Output<string>;

  constructor(scope: AccessPlacement, args: UserDirectoryArgs) {
    const { name } = scope;
    const parent = { parent: scope.parent };
    this.pool = new aws.cognito.UserPool(
      `${name}-users`,
      {
        passwordPolicy: {
          minimumLength: 14,
          requireLowercase: true,
          requireUppercase: true,
          requireNumbers: true,
          requireSymbols: true,
          temporaryPasswordValidityDays: 1,
        },
        adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        autoVerifiedAttributes: ["email"],
        accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        mfaConfiguration: { required: "ON", optional: "OPTIONAL", off: "OFF" }[args.mfa],
        softwareTokenMfaConfiguration: { enabled: args.mfa !== "off" },
        deletionProtection: args.deletionProtection ? "ACTIVE" : "INACTIVE",
        ...(args.threatProtection === "off"
          ? {}
          : {
              userPoolTier: "PLUS",
              userPoolAddOns: {
                advancedSecurityMode: args.threatProtection === "audit" ? "AUDIT" : "ENFORCED",
              },
            }),
      },
      parent,
    );
    this.client = new aws.cognito.UserPoolClient(
      `${name}-cli`,
      {
        userPoolId: this.pool.id,
        generateSecret: false,
        explicitAuthFlows: [
          "ALLOW_USER_SRP_AUTH",
          "ALLOW_USER_PASSWORD_AUTH",
          "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        allowedOauthFlowsUserPoolClient: false,
        supportedIdentityProviders: ["COGNITO"],
        accessTokenValidity: 15,
        idTokenValidity: 15,
        refreshTokenValidity: 8,
        tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "hours" },
        preventUserExistenceErrors: "ENABLED",
        enableTokenRevocation: true,
      },
      parent,
    );
    for (const user of args.users) {
      new aws.cognito.User(
        `${name}-user-${user.username}`,
        {
          userPoolId: this.pool.id,
          username: user.username,
          attributes: { email: user.email, email_verified: "true" },
          desiredDeliveryMediums: ["EMAIL"],
        },
        parent,
      );
    }
    this.jwks = this.pool.id.apply((id) =>
      fetchUserPoolJwks(userPoolJwksUrl(args.region, id, args.cognitoEndpoint)),
    );
  }
}
