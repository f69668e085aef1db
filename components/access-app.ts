import { createHash } from "node:crypto";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_RUNTIME } from "../functions/runtime";
import { ENTITLEMENTS_BY_USERNAME, ENTITLEMENTS_KEY, LOBS_KEY } from "../functions/shared/tables";
import { spMetadataXml, type SamlEntryConfig } from "./lib/saml";
import { checkEnvironmentSize, fetchUserPoolJwks, userPoolJwksUrl } from "./lib/jwks";
import { serviceTrustPolicy, type PolicyDocument } from "./policies/document";
import {
  accessRoleArn,
  lifecycleRoleName,
  lobAccessRoleArns,
  provisionerRoleName,
} from "./policies/role-names";
import {
  adminPolicy,
  adminTrustPolicy,
  assumeRolesPolicies,
  authorizerPolicy,
  lifecyclePolicy,
  presignerPolicy,
  samlEntryPolicy,
} from "./policies/hub-roles";
import { dataKeyPolicy } from "./policies/keys";
import { apiResourcePolicy, auditTrailBucketPolicy } from "./policies/resources";

export interface AccessAppArgs {
  readonly region: string;
  /** The hub VPC the presigner runs in. */
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly subnetIds: pulumi.Input<string>[];
  /** The DynamoDB gateway endpoint's prefix list: the presigner's only way to its tables. */
  readonly dynamodbPrefixListId: pulumi.Input<string>;
  /** The hub execute-api endpoint: the API is bound to it and answers nothing else. */
  readonly executeApiEndpointId: pulumi.Input<string>;
  /** The hub account, for the data key's policy and the trail's bucket policy. */
  readonly hubAccountId: string;
  /** LOB name → account id: the presigner may assume `accessRoleName` in these accounts only. */
  readonly lobAccounts: Readonly<Record<string, string>>;
  /** The role name every LOB creates for the presigner. @default "StudioAccessRole" */
  readonly accessRoleName: string;
  /** Cognito users to create; Cognito emails each a temporary password. */
  readonly users: readonly { readonly username: string; readonly email: string }[];
  /** Lifetime of a presigned URL, 5–300 s. @default 20 */
  readonly urlExpiresSeconds: number;
  /** Lifetime of the Studio session, 1800–43200 s. @default 28800 */
  readonly sessionExpiresSeconds: number;
  /** The API stage. @default "v1" */
  readonly stageName: string;
  /** Steady requests per second and burst the stage accepts. @default {20, 40} */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  /** Retention of every log group. @default 365 */
  readonly logRetentionDays: number;
  /** Multi-factor sign-in: TOTP required, optional, or off. @default "required" */
  readonly mfa: "required" | "optional" | "off";
  /** Whether the user pool refuses deletion (lift it with `pulumi up` before destroying). @default true */
  readonly userPoolDeletionProtection: boolean;
  /** Cognito threat protection (Plus tier): off, audit or enforced. @default "off" */
  readonly threatProtection: "off" | "audit" | "enforced";
  /** A CloudTrail trail recording data events on both tables and both functions. @default true */
  readonly auditTrail: boolean;
  /** Encrypt the tables and log groups with a customer-managed KMS key. @default true */
  readonly customerManagedKey: boolean;
  /** Folders holding each function's bundle (`index.js`), e.g. from `buildFunctions()`. */
  readonly functionDirs: Promise<{
    readonly authorizer: string;
    readonly presigner: string;
    readonly saml: string;
    readonly lifecycle: string;
  }>;
  /** Principals that may assume the hub's admin role (`studio-access admin`); none, no role. */
  readonly admins: readonly string[];
  /** The SAML entry (POST /saml) and the IdP it trusts; absent, there is none. */
  readonly saml?: SamlEntryConfig;
  /**
   * Where Cognito is, when not at https://cognito-idp.<region>.amazonaws.com (the standard SDK
   * setting AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER): the pool's JWKS is read from there.
   */
  readonly cognitoEndpoint?: string;
}

/** Where the SAML entry is, and what to give the IdP: the ACS URL, entity id and SP metadata. */
export interface SamlEntry {
  readonly acsUrl: pulumi.Output<string>;
  readonly spEntityId: string;
  readonly spMetadataXml: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
}

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

const json = (doc: pulumi.Input<PolicyDocument>) =>
  pulumi.output(doc).apply((d) => JSON.stringify(d));

/**
 * The hub's access application: Cognito as the identity source, the entitlement and LOB tables,
 * the authorizer and presigner functions, and the PRIVATE REST API that only the hub's
 * execute-api endpoint can reach.
 */
export class AccessApp extends pulumi.ComponentResource {
  readonly userPoolId: pulumi.Output<string>;
  readonly userPoolClientId: pulumi.Output<string>;
  readonly usersTableName: pulumi.Output<string>;
  readonly usersTableArn: pulumi.Output<string>;
  readonly lobsTableName: pulumi.Output<string>;
  readonly lobsTableArn: pulumi.Output<string>;
  readonly presignerRoleArn: pulumi.Output<string>;
  /** The lifecycle function's role: each LOB's lifecycle role trusts it. */
  readonly lifecycleRoleArn: pulumi.Output<string>;
  /** The role `studio-access admin` assumes, when the config names admins. */
  readonly adminRoleArn?: pulumi.Output<string>;
  readonly presignerFunctionName: pulumi.Output<string>;
  readonly authorizerFunctionName: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;
  readonly apiUrl: pulumi.Output<string>;
  readonly saml?: SamlEntry;

  constructor(name: string, args: AccessAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:access:AccessApp", name, {}, opts);
    const parent = { parent: this };

    const pool = new aws.cognito.UserPool(
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
        deletionProtection: args.userPoolDeletionProtection ? "ACTIVE" : "INACTIVE",
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
    const client = new aws.cognito.UserPoolClient(
      `${name}-cli`,
      {
        userPoolId: pool.id,
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
          userPoolId: pool.id,
          username: user.username,
          attributes: { email: user.email, email_verified: "true" },
          desiredDeliveryMediums: ["EMAIL"],
        },
        parent,
      );
    }
    this.userPoolId = pool.id;
    this.userPoolClientId = client.id;
    // The pool's signing keys, read now, from the operator's machine, and handed to every function
    // that verifies its tokens: none then needs the JWKS path at run time (components/lib/jwks.ts).
    const poolJwks = pool.id.apply((id) =>
      fetchUserPoolJwks(userPoolJwksUrl(args.region, id, args.cognitoEndpoint)),
    );

    // One key for the hub's data at rest: tables and log groups (CloudWatch Logs may use it only
    // for this account's log groups in this region).
    const key = args.customerManagedKey
      ? new aws.kms.Key(
          `${name}-data`,
          {
            description: "studio-access hub: entitlement and LOB tables, function and API logs",
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: JSON.stringify(
              dataKeyPolicy({ region: args.region, accountId: args.hubAccountId }),
            ),
          },
          parent,
        )
      : undefined;
    const keyArn = key?.arn;

    // Both tables are keyed by LOB first, so a LOB's deployer can be held to its own rows.
    const users = new aws.dynamodb.Table(
      `${name}-entitlements`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: ENTITLEMENTS_KEY.partition,
        rangeKey: ENTITLEMENTS_KEY.sort,
        attributes: [
          { name: ENTITLEMENTS_KEY.partition, type: "S" },
          { name: ENTITLEMENTS_KEY.sort, type: "S" },
          { name: ENTITLEMENTS_BY_USERNAME.partition, type: "S" },
        ],
        globalSecondaryIndexes: [
          {
            name: ENTITLEMENTS_BY_USERNAME.name,
            hashKey: ENTITLEMENTS_BY_USERNAME.partition,
            rangeKey: ENTITLEMENTS_BY_USERNAME.sort,
            projectionType: "ALL",
          },
        ],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
        // Every change, before and after: revoking or removing an entitlement offboards its profile.
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
      },
      parent,
    );
    const lobs = new aws.dynamodb.Table(
      `${name}-lobs`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: LOBS_KEY.partition,
        attributes: [{ name: LOBS_KEY.partition, type: "S" }],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
      },
      parent,
    );
    this.usersTableName = users.name;
    this.usersTableArn = users.arn;
    this.lobsTableName = lobs.name;
    this.lobsTableArn = lobs.arn;

    const logGroup = (key: string) =>
      new aws.cloudwatch.LogGroup(
        `${name}-${key}`,
        { retentionInDays: args.logRetentionDays, kmsKeyId: keyArn },
        parent,
      );

    const lambdaFunction = (
      key: "authorizer" | "presigner" | "saml" | "lifecycle",
      policy: (logGroupArn: pulumi.Output<string>) => pulumi.Input<PolicyDocument>,
      settings: {
        timeout: number;
        vpcConfig?: aws.types.input.lambda.FunctionVpcConfig;
        environment: Record<string, pulumi.Input<string>>;
        /** Files written beside the bundle in the function's archive. */
        files?: Record<string, string>;
        /** Customer managed policies attached to its role beside the inline one. */
        attach?: readonly aws.iam.Policy[];
      },
    ) => {
      const dir = args.functionDirs.then((dirs) => dirs[key]);
      const code = new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.FileAsset(dir.then((d) => path.join(d, "index.js"))),
        "index.js.map": new pulumi.asset.FileAsset(dir.then((d) => path.join(d, "index.js.map"))),
        ...Object.fromEntries(
          Object.entries(settings.files ?? {}).map(([file, text]) => [
            file,
            new pulumi.asset.StringAsset(text),
          ]),
        ),
      });
      const logs = logGroup(key);
      const role = new aws.iam.Role(
        `${name}-${key}`,
        {
          assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")),
          maxSessionDuration: 3600,
        },
        parent,
      );
      const attachments = (settings.attach ?? []).map(
        (managed, i) =>
          new aws.iam.RolePolicyAttachment(
            `${name}-${key}-${String(i)}`,
            { role: role.name, policyArn: managed.arn },
            parent,
          ),
      );
      // After the attachments: an update that moves a grant from the inline policy to a managed
      // one never leaves the role without it.
      const rolePolicy = new aws.iam.RolePolicy(
        `${name}-${key}`,
        { role: role.id, policy: json(policy(logs.arn)) },
        { ...parent, dependsOn: attachments },
      );
      const fn = new aws.lambda.Function(
        `${name}-${key}`,
        {
          role: role.arn,
          runtime: LAMBDA_RUNTIME,
          architectures: ["arm64"],
          handler: "index.handler",
          code,
          memorySize: 256,
          timeout: settings.timeout,
          vpcConfig: settings.vpcConfig,
          loggingConfig: { logFormat: "Text", logGroup: logs.name },
          environment: {
            // Checked against Lambda's 4 KB before Lambda refuses it.
            variables: pulumi
              .output({ NODE_OPTIONS: "--enable-source-maps", ...settings.environment })
              .apply((variables) => {
                checkEnvironmentSize(`${name}-${key}`, variables);
                return variables;
              }),
          },
        },
        { ...parent, dependsOn: [rolePolicy] },
      );
      return { fn, role };
    };

    const authorizer = lambdaFunction(
      "authorizer",
      (arn) => pulumi.output(arn).apply((logGroupArn) => authorizerPolicy({ logGroupArn })),
      {
        timeout: 10,
        environment: {
          USER_POOL_ID: pool.id,
          USER_POOL_CLIENT_ID: client.id,
          USER_POOL_JWKS: poolJwks,
        },
      },
    );

    const presignerSg = new aws.ec2.SecurityGroup(
      `${name}-presigner`,
      { vpcId: args.vpcId, description: "Presigner: HTTPS to the hub endpoints and DynamoDB only" },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-presigner-to-endpoints`,
      {
        securityGroupId: presignerSg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: args.vpcCidr,
        description: "hub interface endpoints",
      },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-presigner-to-dynamodb`,
      {
        securityGroupId: presignerSg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        prefixListId: args.dynamodbPrefixListId,
        description: "DynamoDB gateway endpoint",
      },
      parent,
    );
    // Each LOB's access role (presigns) and provisioning role (creates a first sign-in's profile).
    const provisioner = provisionerRoleName(args.accessRoleName);
    const lifecycleRole = lifecycleRoleName(args.accessRoleName);
    // Managed policies rather than inline ones: a role's inline policies share 10,240
    // characters, which about 83 LOBs' two role ARNs would fill.
    const assumePolicies = (key: string, sid: string, roleArns: readonly string[]) =>
      assumeRolesPolicies(sid, roleArns).map(
        (doc, i) =>
          new aws.iam.Policy(
            `${name}-${key}-${String(i)}`,
            {
              path: "/studio-access/",
              description: `studio-access: ${sid} (${String(i + 1)} of the LOBs' roles)`,
              policy: JSON.stringify(doc),
            },
            parent,
          ),
      );
    // The presigner's and the SAML entry's: each LOB's access and provisioning roles.
    const assumeAccessRoles = assumePolicies(
      "assume-access",
      "AssumeLobAccessRoles",
      lobAccessRoleArns(Object.values(args.lobAccounts), args.accessRoleName),
    );
    // The LOBs as deployed: the presigner refuses a table record that says otherwise.
    const registry = Object.fromEntries(
      Object.entries(args.lobAccounts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([lob, accountId]) => [
          lob,
          {
            accountId,
            accessRoleArn: accessRoleArn(accountId, args.accessRoleName),
            provisionerRoleArn: accessRoleArn(accountId, provisioner),
            lifecycleRoleArn: accessRoleArn(accountId, lifecycleRole),
          },
        ]),
    );
    const presigner = lambdaFunction(
      "presigner",
      (arn) =>
        pulumi
          .all([users.arn, lobs.arn, arn])
          .apply(([usersTableArn, lobsTableArn, logGroupArn]) =>
            presignerPolicy({ usersTableArn, lobsTableArn, logGroupArn }),
          ),
      {
        // Under API Gateway's 29 s; the handler answers by min(25 s, time left - 1 s).
        timeout: 27,
        vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [presignerSg.id] },
        environment: {
          USERS_TABLE: users.name,
          LOBS_TABLE: lobs.name,
          URL_EXPIRES_SECONDS: String(args.urlExpiresSeconds),
          SESSION_EXPIRES_SECONDS: String(args.sessionExpiresSeconds),
          // The presigner verifies the caller's token itself, with the authorizer's settings.
          USER_POOL_ID: pool.id,
          USER_POOL_CLIENT_ID: client.id,
          USER_POOL_JWKS: poolJwks,
          LOB_REGISTRY: "lobs.json",
        },
        files: { "lobs.json": JSON.stringify(registry, null, 2) },
        attach: assumeAccessRoles,
      },
    );
    this.presignerRoleArn = presigner.role.arn;

    // Offboarding: the table's stream runs the lifecycle function on every revoked or removed
    // entitlement; it drains and deletes the profile through the LOB's lifecycle role, and marks
    // the row offboarded.
    const lifecycle = lambdaFunction(
      "lifecycle",
      (arn) =>
        pulumi
          .all([users.arn, users.streamArn, lobs.arn, arn])
          .apply(([usersTableArn, streamArn, lobsTableArn, logGroupArn]) =>
            lifecyclePolicy({
              usersTableArn,
              streamArn,
              lobsTableArn,
              logGroupArn,
            }),
          ),
      {
        timeout: 300,
        vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [presignerSg.id] },
        environment: { USERS_TABLE: users.name, LOBS_TABLE: lobs.name, LOB_REGISTRY: "lobs.json" },
        files: { "lobs.json": JSON.stringify(registry, null, 2) },
        attach: assumePolicies(
          "assume-lifecycle",
          "AssumeLobLifecycleRoles",
          Object.values(args.lobAccounts).map((account) => accessRoleArn(account, lifecycleRole)),
        ),
      },
    );
    this.lifecycleRoleArn = lifecycle.role.arn;
    new aws.lambda.EventSourceMapping(
      `${name}-lifecycle`,
      {
        functionName: lifecycle.fn.arn,
        eventSourceArn: users.streamArn,
        startingPosition: "LATEST",
        batchSize: 10,
        // A failed record is retried (its row shows drain-failed meanwhile), then skipped.
        maximumRetryAttempts: 10,
        bisectBatchOnFunctionError: true,
        functionResponseTypes: ["ReportBatchItemFailures"],
        // Only what the function may act on: a row written revoked (a revoke, or a revoked row
        // written for a user who had none), or a row removed. The function reads the row again
        // and acts only on what it says now.
        filterCriteria: {
          filters: [
            {
              pattern: JSON.stringify({
                eventName: ["INSERT", "MODIFY"],
                dynamodb: { NewImage: { state: { S: ["revoked"] } } },
              }),
            },
            { pattern: JSON.stringify({ eventName: ["REMOVE"] }) },
          ],
        },
      },
      parent,
    );

    // `studio-access admin`: grants and revokes entitlements, assumed by the configured admins.
    if (args.admins.length > 0) {
      const admin = new aws.iam.Role(
        `${name}-admin`,
        {
          name: "studio-access-admin",
          description: "studio-access admin: grant, revoke and list entitlements",
          assumeRolePolicy: JSON.stringify(adminTrustPolicy({ admins: args.admins })),
          maxSessionDuration: 3600,
        },
        parent,
      );
      new aws.iam.RolePolicy(
        `${name}-admin`,
        {
          role: admin.id,
          policy: json(
            pulumi
              .all([users.arn, lobs.arn, pool.arn])
              .apply(([usersTableArn, lobsTableArn, userPoolArn]) =>
                adminPolicy({ usersTableArn, lobsTableArn, userPoolArn }),
              ),
          ),
        },
        parent,
      );
      this.adminRoleArn = admin.arn;
    }

    this.presignerFunctionName = presigner.fn.name;
    this.authorizerFunctionName = authorizer.fn.name;

    const policy = json(
      pulumi
        .output(args.executeApiEndpointId)
        .apply((executeApiEndpointId) => apiResourcePolicy({ executeApiEndpointId })),
    );
    const api = new aws.apigateway.RestApi(
      `${name}-api`,
      {
        description: "studio-access: presigned Studio URLs for signed-in users",
        endpointConfiguration: { types: "PRIVATE", vpcEndpointIds: [args.executeApiEndpointId] },
        policy,
      },
      parent,
    );
    this.apiId = api.id;

    // The SAML entry: the IdP's signed response is the credential (no authorizer); each assertion
    // is used once (the replay table), then the presigner's own modules open Studio.
    let samlFn: ReturnType<typeof lambdaFunction> | undefined;
    const spEntityId = `urn:studio-access:${args.region}:${args.hubAccountId}`;
    const acsUrl = pulumi.interpolate`https://${api.id}.execute-api.${args.region}.amazonaws.com/${args.stageName}/saml`;
    if (args.saml) {
      const saml = args.saml;
      const replay = new aws.dynamodb.Table(
        `${name}-replay`,
        {
          billingMode: "PAY_PER_REQUEST",
          hashKey: "id",
          attributes: [{ name: "id", type: "S" }],
          ttl: { attributeName: "expiresAt", enabled: true },
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
        },
        parent,
      );
      samlFn = lambdaFunction(
        "saml",
        (arn) =>
          pulumi
            .all([users.arn, lobs.arn, replay.arn, arn])
            .apply(([usersTableArn, lobsTableArn, replayTableArn, logGroupArn]) =>
              samlEntryPolicy({
                usersTableArn,
                lobsTableArn,
                replayTableArn,
                logGroupArn,
              }),
            ),
        {
          timeout: 27,
          vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [presignerSg.id] },
          environment: {
            USERS_TABLE: users.name,
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
          files: { "lobs.json": JSON.stringify(registry, null, 2) },
          attach: assumeAccessRoles,
        },
      );
    }
    const authorizerArgs = {
      restApi: api.id,
      type: "TOKEN",
      authorizerUri: authorizer.fn.invokeArn,
      identitySource: "method.request.header.Authorization",
      identityValidationExpression: "^[Bb]earer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]*$",
      // A revoked or disabled user keeps access at most this long through a cached decision.
      authorizerResultTtlInSeconds: 60,
    };
    const tokenAuthorizer = new aws.apigateway.Authorizer(`${name}-jwt`, authorizerArgs, parent);
    new aws.lambda.Permission(
      `${name}-authorizer-invoke`,
      {
        function: authorizer.fn.name,
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
    const routes = [
      { key: "list", resource: studios, path: "/studios", params: undefined },
      {
        key: "open",
        resource: studio,
        path: "/studios/*",
        params: { "method.request.path.lob": true },
      },
    ];
    const routeParts: pulumi.Output<unknown>[] = [];
    // Every method and integration of the API: the deployment is created after all of them.
    const apiParts: pulumi.Resource[] = [];
    if (samlFn) {
      const samlResource = new aws.apigateway.Resource(
        `${name}-saml`,
        { restApi: api.id, parentId: api.rootResourceId, pathPart: "saml" },
        parent,
      );
      // The signed SAML response is the credential: no authorizer (the resource policy still
      // admits only the hub's execute-api endpoint).
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
        uri: samlFn.fn.invokeArn,
      };
      apiParts.push(
        method,
        new aws.apigateway.Integration(`${name}-saml`, integrationArgs, parent),
      );
      new aws.lambda.Permission(
        `${name}-saml-invoke`,
        {
          function: samlFn.fn.name,
          action: "lambda:InvokeFunction",
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/POST/saml`,
        },
        parent,
      );
      routeParts.push(
        pulumi.output({ path: "/saml", method: methodArgs, integration: integrationArgs }),
      );
      this.saml = {
        acsUrl,
        spEntityId,
        spMetadataXml: acsUrl.apply((url) => spMetadataXml(spEntityId, url)),
        roleArn: samlFn.role.arn,
      };
    }
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
        uri: presigner.fn.invokeArn,
      };
      apiParts.push(
        method,
        new aws.apigateway.Integration(`${name}-${route.key}`, integrationArgs, parent),
      );
      new aws.lambda.Permission(
        `${name}-presigner-invoke-${route.key}`,
        {
          function: presigner.fn.name,
          action: "lambda:InvokeFunction",
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/GET${route.path}`,
        },
        parent,
      );
      routeParts.push(
        pulumi.output({ path: route.path, method: methodArgs, integration: integrationArgs }),
      );
    }

    // A deployment is a snapshot: any change to the policy, the authorizer's settings or a route's
    // method or integration settings needs a new one, in-place updates included.
    const redeployment = pulumi
      .all([policy, pulumi.output(authorizerArgs), ...routeParts])
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
      { ...parent, dependsOn: apiParts },
    );

    const accessLogs = logGroup("api-access");
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
    const stage = new aws.apigateway.Stage(
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
        stageName: stage.stageName,
        methodPath: "*/*",
        settings: {
          throttlingRateLimit: args.throttling.rateLimit,
          throttlingBurstLimit: args.throttling.burstLimit,
          metricsEnabled: true,
        },
      },
      parent,
    );
    this.apiUrl = pulumi.interpolate`https://${api.id}.execute-api.${args.region}.amazonaws.com/${stage.stageName}`;

    if (args.auditTrail) {
      // Who read or wrote an entitlement, and who invoked a function (the direct-invocation path
      // included): data events, which CloudTrail does not record by default. The bucket is kept
      // on destroy: an audit trail outlives what it audits.
      const bucket = new aws.s3.Bucket(
        `${name}-audit`,
        { forceDestroy: false },
        { ...parent, retainOnDelete: true },
      );
      new aws.s3.BucketPublicAccessBlock(
        `${name}-audit`,
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        { ...parent, retainOnDelete: true },
      );
      const trailName = `${name}-data-events`;
      const bucketPolicy = new aws.s3.BucketPolicy(
        `${name}-audit`,
        {
          bucket: bucket.id,
          policy: bucket.arn.apply((bucketArn) =>
            JSON.stringify(
              auditTrailBucketPolicy({
                bucketArn,
                trailArn: `arn:aws:cloudtrail:${args.region}:${args.hubAccountId}:trail/${trailName}`,
              }),
            ),
          ),
        },
        { ...parent, retainOnDelete: true },
      );
      new aws.cloudtrail.Trail(
        `${name}-data-events`,
        {
          name: trailName,
          s3BucketName: bucket.id,
          enableLogFileValidation: true,
          includeGlobalServiceEvents: false,
          isMultiRegionTrail: false,
          advancedEventSelectors: [
            {
              name: "entitlement and LOB tables",
              fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::DynamoDB::Table"] },
                { field: "resources.ARN", equals: [users.arn, lobs.arn] },
              ],
            },
            {
              name: "access function invocations",
              fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::Lambda::Function"] },
                {
                  field: "resources.ARN",
                  equals: [
                    authorizer.fn.arn,
                    presigner.fn.arn,
                    lifecycle.fn.arn,
                    ...(samlFn ? [samlFn.fn.arn] : []),
                  ],
                },
              ],
            },
          ],
        },
        { ...parent, dependsOn: [bucketPolicy] },
      );
    }

    this.registerOutputs({ apiUrl: this.apiUrl, presignerRoleArn: this.presignerRoleArn });
  }
}
