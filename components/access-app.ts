import * as pulumi from "@pulumi/pulumi";
import { authorizerPolicy } from "./policies/hub-roles";
import type { SamlEntryConfig } from "./lib/saml";
import { AdminRole } from "./access/admin-role";
import { AlarmTopic, type AlarmRecipients } from "./access/alarm-topic";
import { HubAlarms } from "./access/alarms";
import { HubDashboard } from "./access/dashboard";
import { FailedRecords } from "./access/failed-records";
import { LogMetrics } from "./access/log-metrics";
import { ApiDomain, type ApiDomainConfig } from "./access/api-domain";
import { ApiRoutes } from "./access/api-routes";
import { ApiStage } from "./access/api-stage";
import { AuditTrail } from "./access/audit-trail";
import { dataKey } from "./access/data-key";
import { FunctionNetwork } from "./access/function-network";
import { Offboarding } from "./access/offboarding";
import { Portal } from "./access/portal";
import { Presigner } from "./access/presigner";
import { PrivateApi } from "./access/private-api";
import { SamlEntry, type SamlEntryDetails } from "./access/saml-entry";
import { accessFunction, type AccessFunctionDirs, type AccessScope } from "./access/scope";
import { AccessTables } from "./access/tables";
import { UserDirectory } from "./access/user-directory";

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
  /** That endpoint's regional DNS name and zone: the custom domain's record is an alias of it. */
  readonly executeApiEndpointDns?: pulumi.Input<{ dnsName: string; hostedZoneId: string }>;
  /** A private custom domain name for the API (`apiDomain`); absent, the execute-api address. */
  readonly apiDomain?: ApiDomainConfig;
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
  /**
   * Whether AWS refuses to delete the user pool and the entitlement and LOB tables (lift it with
   * `pulumi up` before destroying, as `npm run destroy` does). @default true
   */
  readonly deletionProtection: boolean;
  /** Cognito threat protection (Plus tier): off, audit or enforced. @default "off" */
  readonly threatProtection: "off" | "audit" | "enforced";
  /** A CloudTrail trail recording data events on both tables and both functions. @default true */
  readonly auditTrail: boolean;
  /** Encrypt the tables and log groups with a customer-managed KMS key. @default true */
  readonly customerManagedKey: boolean;
  /** Folders holding each function's bundle (`index.js`), e.g. from `buildFunctions()`. */
  readonly functionDirs: Promise<AccessFunctionDirs>;
  /** Principals that may assume the hub's admin role (`studio-access admin`); none, no role. */
  readonly admins: readonly string[];
  /** The SAML entry (POST /saml) and the IdP it trusts; absent, there is none. */
  readonly saml?: SamlEntryConfig;
  /**
   * Where Cognito is, when not at https://cognito-idp.<region>.amazonaws.com (the standard SDK
   * setting AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER): the pool's JWKS is read from there.
   */
  readonly cognitoEndpoint?: string;
  /** Who hears the alarms (`alarms`): a topic made for these emails, or a given topic; absent, nobody. */
  readonly alarms?: AlarmRecipients;
}

/**
 * The hub's access application: Cognito as the identity source, the entitlement and LOB tables,
 * the authorizer and presigner functions, and the PRIVATE REST API that only the hub's
 * execute-api endpoint can reach; with them the SAML entry, offboarding, the admin role, the
 * audit trail and the data key. Each is a part in components/access/, composed here; all their
 * resources are this component's children (see AccessScope).
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
  readonly portalFunctionName: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;
  /** Where people reach the API: the custom domain's root when there is one, else the stage. */
  readonly apiUrl: pulumi.Output<string>;
  /** The custom domain name, when `apiDomain` is set. */
  readonly apiDomainName?: string;
  readonly saml?: SamlEntryDetails;
  /** The lifecycle's on-failure queue: what Lambda gave up on, for an operator to read. */
  readonly failedRecordsQueueUrl: pulumi.Output<string>;
  /** The topic the alarms notify, when there is one. */
  readonly alarmTopicArn?: pulumi.Output<string>;
  /** The hub's CloudWatch dashboard. */
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: AccessAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("studio-access:access:AccessApp", name, {}, opts);
    const directory = new UserDirectory(
      { name, parent: this },
      {
        region: args.region,
        users: args.users,
        mfa: args.mfa,
        deletionProtection: args.deletionProtection,
        threatProtection: args.threatProtection,
        cognitoEndpoint: args.cognitoEndpoint,
      },
    );
    const alarmTopic = (args.alarms?.emails.length ?? 0) > 0;
    const key = args.customerManagedKey
      ? dataKey({ name, parent: this }, { ...args, alarmTopic })
      : undefined;
    const scope: AccessScope = {
      name,
      parent: this,
      logRetentionDays: args.logRetentionDays,
      keyArn: key?.arn,
      functionDirs: args.functionDirs,
    };
    const tables = new AccessTables(scope, { deletionProtection: args.deletionProtection });

    const authorizer = accessFunction(scope, "authorizer", {
      policy: (arn) => arn.apply((logGroupArn) => authorizerPolicy({ logGroupArn })),
      timeout: 10,
      environment: {
        USER_POOL_ID: directory.pool.id,
        USER_POOL_CLIENT_ID: directory.client.id,
        USER_POOL_JWKS: directory.jwks,
      },
    });
    const network = new FunctionNetwork(scope, args);
    const presigner = new Presigner(scope, { ...args, tables, directory, network });
    const failedRecords = new FailedRecords(scope);
    const offboarding = new Offboarding(scope, { ...args, tables, network, failedRecords });
    if (args.admins.length > 0)
      this.adminRoleArn = new AdminRole(scope, {
        admins: args.admins,
        tables,
        directory,
        lobAccounts: args.lobAccounts,
        accessRoleName: args.accessRoleName,
      }).role.arn;

    const api = new PrivateApi(scope, args);
    // Where the API is reached: the custom domain maps the stage at its root (see ApiDomain).
    const publicUrl = args.apiDomain ? `https://${args.apiDomain.name}/` : undefined;
    const saml = args.saml
      ? new SamlEntry(scope, {
          ...args,
          saml: args.saml,
          apiId: api.api.id,
          ...(publicUrl ? { apiUrl: publicUrl } : {}),
          tables,
          network,
          assumeAccessRoles: presigner.assumeAccessRoles,
        })
      : undefined;
    const portal = new Portal(scope, { ...args, directory });
    const routes = new ApiRoutes(scope, {
      api: api.api,
      authorizer,
      presigner: presigner.handler,
      saml: saml?.handler,
      portal: portal.handler,
    });
    const { stage } = new ApiStage(scope, { ...args, api, routes });
    if (args.apiDomain) {
      if (!args.executeApiEndpointDns)
        throw new Error(
          "apiDomain needs the execute-api endpoint's DNS name (executeApiEndpointDns)",
        );
      new ApiDomain(scope, {
        domain: args.apiDomain,
        region: args.region,
        vpcId: args.vpcId,
        executeApiEndpointId: args.executeApiEndpointId,
        executeApiEndpointDns: args.executeApiEndpointDns,
        restApiId: api.api.id,
        stage,
      });
      this.apiDomainName = args.apiDomain.name;
    }

    if (args.auditTrail) {
      const functions = [authorizer, presigner.handler, offboarding.handler];
      new AuditTrail(scope, {
        ...args,
        tables,
        functions: saml ? [...functions, saml.handler] : functions,
      });
    }

    // Operators hear first: metrics from the logs, the alarms on them and AWS's, one dashboard.
    new LogMetrics(scope, {
      authorizer,
      presigner: presigner.handler,
      lifecycle: offboarding.handler,
    });
    const topic = new AlarmTopic(scope, {
      region: args.region,
      hubAccountId: args.hubAccountId,
      ...(args.alarms ? { recipients: args.alarms } : {}),
    });
    const watched = [
      { key: "authorizer", fn: authorizer },
      { key: "presigner", fn: presigner.handler },
      { key: "lifecycle", fn: offboarding.handler },
      { key: "portal", fn: portal.handler },
      ...(saml ? [{ key: "saml", fn: saml.handler }] : []),
    ];
    const alarms = new HubAlarms(scope, {
      apiName: api.api.name,
      stageName: stage.stageName,
      functions: watched,
      failedRecordsQueueName: failedRecords.queue.name,
      ...(topic.topicArn ? { topicArn: topic.topicArn } : {}),
    });
    const dashboard = new HubDashboard(scope, {
      region: args.region,
      apiName: api.api.name,
      stageName: stage.stageName,
      functionNames: Object.fromEntries(watched.map((w) => [w.key, w.fn.function.name])),
      failedRecordsQueueName: failedRecords.queue.name,
      alarms,
    });
    this.failedRecordsQueueUrl = failedRecords.queue.url;
    this.alarmTopicArn = topic.topicArn;
    this.dashboardName = dashboard.dashboard.dashboardName;

    this.userPoolId = directory.pool.id;
    this.userPoolClientId = directory.client.id;
    this.usersTableName = tables.entitlements.name;
    this.usersTableArn = tables.entitlements.arn;
    this.lobsTableName = tables.lobs.name;
    this.lobsTableArn = tables.lobs.arn;
    this.presignerRoleArn = presigner.handler.role.arn;
    this.lifecycleRoleArn = offboarding.handler.role.arn;
    this.presignerFunctionName = presigner.handler.function.name;
    this.authorizerFunctionName = authorizer.function.name;
    this.portalFunctionName = portal.handler.function.name;
    this.apiId = api.api.id;
    this.apiUrl = publicUrl
      ? stage.stageName.apply(() => publicUrl)
      : pulumi.interpolate`https://${api.api.id}.execute-api.${args.region}.amazonaws.com/${stage.stageName}`;
    this.saml = saml?.details;
    this.registerOutputs({ apiUrl: this.apiUrl, presignerRoleArn: this.presignerRoleArn });
  }
}
