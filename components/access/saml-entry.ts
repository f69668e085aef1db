import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { samlEntryPolicy } from "../policies/hub-roles";
import { spMetadataXml, type SamlEntryConfig } from "../lib/saml";
import type { BundledFunction } from "../lib/bundled-function";
import type { FunctionNetwork } from "./function-network";
import { lobRegistryJson, type LobRoles } from "./lob-roles";
import { accessFunction, type AccessScope } from "./scope";
import type { AccessTables } from "./tables";

/** Where the SAML entry is, and what to give the IdP: the ACS URL, entity id and SP metadata. */
export interface SamlEntryDetails {
  readonly acsUrl: pulumi.Output<string>;
  readonly spEntityId: string;
  readonly spMetadataXml: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
}

export interface SamlEntryArgs extends LobRoles {
  readonly saml: SamlEntryConfig;
  readonly region: string;
  readonly hubAccountId: string;
  /** The API whose POST /saml is the entry, and its stage. */
  readonly apiId: pulumi.Output<string>;
  readonly stageName: string;
  /**
   * The API's address when it is not the execute-api one (a custom domain's root, with its
   * trailing slash): the ACS URL is `<apiUrl>saml`.
   */
  readonly apiUrl?: string;
  readonly tables: AccessTables;
  readonly network: FunctionNetwork;
  /** The presigner's policies: the entry opens Studio through the same LOB roles. */
  readonly assumeAccessRoles: readonly aws.iam.Policy[];
  readonly urlExpiresSeconds: number;
  readonly sessionExpiresSeconds: number;
}

/**
 * The SAML entry: the IdP's signed response is the credential (no authorizer); each assertion is
 * used once (the replay table), then the presigner's own modules open Studio. Its route is the
 * API's (ApiRoutes).
 */
export class SamlEntry {
  readonly handler: BundledFunction;
  readonly details: SamlEntryDetails;

  constructor(scope: AccessScope, args: SamlEntryArgs) {
    const { saml } = args;
    const { entitlements, lobs } = args.tables;
    const spEntityId = `urn:studio-access:${args.region}:${args.hubAccountId}`;
    const acsUrl = args.apiUrl
      ? pulumi.output(`${args.apiUrl}saml`)
      : pulumi.interpolate`https://${args.apiId}.execute-api.${args.region}.amazonaws.com/${args.stageName}/saml`;
    const replay = new aws.dynamodb.Table(
      `${scope.name}-replay`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: "id",
        attributes: [{ name: "id", type: "S" }],
        ttl: { attributeName: "expiresAt", enabled: true },
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: scope.keyArn },
      },
      { parent: scope.parent },
    );
    this.handler = accessFunction(scope, "saml", {
      policy: (arn) =>
        pulumi
          .all([entitlements.arn, lobs.arn, replay.arn, arn])
          .apply(([usersTableArn, lobsTableArn, replayTableArn, logGroupArn]) =>
            samlEntryPolicy({ usersTableArn, lobsTableArn, replayTableArn, logGroupArn }),
          ),
      timeout: 27,
      vpcConfig: args.network.vpcConfig,
      environment: {
        USERS_TABLE: entitlements.name,
        LOBS_TABLE: lobs.name,
        REPLAY_TABLE: replay.name,
        URL_EXPIRES_SECONDS: String(args.urlExpiresSeconds),
        SESSION_EXPIRES_SECONDS: String(args.sessionExpiresSeconds),
        LOB_REGISTRY: "lobs.json",
        SAML_IDP_CERTIFICATES: saml.idpCertificates.join("\n"),
        SAML_IDP_ENTITY_ID: saml.idpEntityId,
        SAML_SP_ENTITY_ID: spEntityId,
        SAML_ACS_URL: acsUrl,
        ...(saml.userAttribute ? { SAML_USER_ATTRIBUTE: saml.userAttribute } : {}),
        ...(saml.groupsAttribute ? { SAML_GROUPS_ATTRIBUTE: saml.groupsAttribute } : {}),
        SAML_GROUP_LOBS: JSON.stringify(saml.groupLobs),
      },
      files: { "lobs.json": lobRegistryJson(args) },
      attach: args.assumeAccessRoles,
    });
    this.details = {
      acsUrl,
      spEntityId,
      spMetadataXml: acsUrl.apply((url) => spMetadataXml(spEntityId, url)),
      roleArn: this.handler.role.arn,
    };
  }
}
