import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  accessRoleArn,
  apiResourcePolicy,
  authorizerPolicy,
  presignerPolicy,
  serviceTrustPolicy,
  type PolicyDocument,
} from "./lib/policies";

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
  /** Folders holding each function's bundle (`index.js`), e.g. from `buildFunctions()`. */
  readonly functionDirs: Promise<{ readonly authorizer: string; readonly presigner: string }>;
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
  readonly presignerFunctionName: pulumi.Output<string>;
  readonly authorizerFunctionName: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;
  readonly apiUrl: pulumi.Output<string>;

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
        deletionProtection: "INACTIVE",
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

    const table = (key: string, hashKey: string, rangeKey?: string) =>
      new aws.dynamodb.Table(
        `${name}-${key}`,
        {
          billingMode: "PAY_PER_REQUEST",
          hashKey,
          rangeKey,
          attributes: [hashKey, ...(rangeKey ? [rangeKey] : [])].map((attr) => ({
            name: attr,
            type: "S",
          })),
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true },
        },
        parent,
      );
    const users = table("entitlements", "username", "lob");
    const lobs = table("lobs", "lob");
    this.usersTableName = users.name;
    this.usersTableArn = users.arn;
    this.lobsTableName = lobs.name;
    this.lobsTableArn = lobs.arn;

    const logGroup = (key: string) =>
      new aws.cloudwatch.LogGroup(
        `${name}-${key}`,
        { retentionInDays: args.logRetentionDays },
        parent,
      );

    const lambdaFunction = (
      key: "authorizer" | "presigner",
      policy: (logGroupArn: pulumi.Output<string>) => pulumi.Input<PolicyDocument>,
      settings: {
        timeout: number;
        vpcConfig?: aws.types.input.lambda.FunctionVpcConfig;
        environment: Record<string, pulumi.Input<string>>;
      },
    ) => {
      const logs = logGroup(key);
      const role = new aws.iam.Role(
        `${name}-${key}`,
        {
          assumeRolePolicy: JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com")),
          maxSessionDuration: 3600,
        },
        parent,
      );
      const rolePolicy = new aws.iam.RolePolicy(
        `${name}-${key}`,
        { role: role.id, policy: json(policy(logs.arn)) },
        parent,
      );
      const fn = new aws.lambda.Function(
        `${name}-${key}`,
        {
          role: role.arn,
          runtime: "nodejs22.x",
          architectures: ["arm64"],
          handler: "index.handler",
          code: new pulumi.asset.FileArchive(args.functionDirs.then((dirs) => dirs[key])),
          memorySize: 256,
          timeout: settings.timeout,
          vpcConfig: settings.vpcConfig,
          loggingConfig: { logFormat: "Text", logGroup: logs.name },
          environment: {
            variables: { NODE_OPTIONS: "--enable-source-maps", ...settings.environment },
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
        environment: { USER_POOL_ID: pool.id, USER_POOL_CLIENT_ID: client.id },
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
    const roleArns = Object.values(args.lobAccounts).map((account) =>
      accessRoleArn(account, args.accessRoleName),
    );
    const presigner = lambdaFunction(
      "presigner",
      (arn) =>
        pulumi
          .all([users.arn, lobs.arn, arn])
          .apply(([usersTableArn, lobsTableArn, logGroupArn]) =>
            presignerPolicy({ usersTableArn, lobsTableArn, accessRoleArns: roleArns, logGroupArn }),
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
        },
      },
    );
    this.presignerRoleArn = presigner.role.arn;
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
    const tokenAuthorizer = new aws.apigateway.Authorizer(
      `${name}-jwt`,
      {
        restApi: api.id,
        type: "TOKEN",
        authorizerUri: authorizer.fn.invokeArn,
        identitySource: "method.request.header.Authorization",
        identityValidationExpression:
          "^[Bb]earer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]*$",
        authorizerResultTtlInSeconds: 300,
      },
      parent,
    );
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
    const routeParts: pulumi.Output<string>[] = [];
    for (const route of routes) {
      const method = new aws.apigateway.Method(
        `${name}-${route.key}`,
        {
          restApi: api.id,
          resourceId: route.resource.id,
          httpMethod: "GET",
          authorization: "CUSTOM",
          authorizerId: tokenAuthorizer.id,
          requestParameters: route.params,
        },
        parent,
      );
      const integration = new aws.apigateway.Integration(
        `${name}-${route.key}`,
        {
          restApi: api.id,
          resourceId: route.resource.id,
          httpMethod: method.httpMethod,
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          uri: presigner.fn.invokeArn,
        },
        parent,
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
        pulumi.interpolate`${route.path} ${method.id} ${method.authorizerId} ${integration.id} ${integration.uri}`,
      );
    }

    // A deployment is a snapshot: any change to routes, the authorizer or the policy needs a new one.
    const redeployment = pulumi
      .all([policy, tokenAuthorizer.id, ...routeParts])
      .apply((parts) => createHash("sha256").update(JSON.stringify(parts)).digest("hex"));
    const deployment = new aws.apigateway.Deployment(
      `${name}-api`,
      { restApi: api.id, triggers: { redeployment }, description: "studio-access routes" },
      parent,
    );

    const accessLogs = logGroup("api-access");
    const apiLogsRole = new aws.iam.Role(
      `${name}-apigateway-logs`,
      {
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy("apigateway.amazonaws.com")),
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
        ],
      },
      parent,
    );
    // API Gateway writes access logs only once the region's account setting names a logging role.
    const apiAccount = new aws.apigateway.Account(
      `${name}-apigateway-account`,
      { cloudwatchRoleArn: apiLogsRole.arn },
      parent,
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
            sourceVpce: "$context.identity.vpceId",
            sourceIp: "$context.identity.sourceIp",
            principal: "$context.authorizer.principalId",
            username: "$context.authorizer.username",
            method: "$context.httpMethod",
            path: "$context.resourcePath",
            status: "$context.status",
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

    this.registerOutputs({ apiUrl: this.apiUrl, presignerRoleArn: this.presignerRoleArn });
  }
}
