import { PORTAL_OPERATIONS } from "../../components/access/api-routes";
import { deploymentTrigger } from "../../components/access/api-stage";
import { environmentBytes } from "../../components/lib/jwks";
import {
  loadStackConfig,
  MOCK_COGNITO_ENDPOINT,
  mockPoolJwks,
  resourceKey,
  runStackUnderMocks,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import { createDeployment } from "../../scripts/sandbox/api-gateway";
import { PORTAL_OPERATIONS as POLICY_PORTAL_OPERATIONS } from "../../policy/policies";
import { attachedDocuments, ofType, one, planHub, policyOf } from "../helpers/stacks";

let shared: StackRun;
beforeAll(async () => {
  shared = await planHub();
}, 60_000);

const role = (name: string) => one(shared, "aws:iam/role:Role", name);
const fn = (name: string) => one(shared, "aws:lambda/function:Function", name);
const variables = (name: string) =>
  (fn(name).inputs.environment as { variables: Record<string, string> }).variables;

describe("AccessApp: presigner", () => {
  it("may read the two tables, assume the listed LOB access roles, write its logs and attach to the VPC: nothing else", () => {
    const users = one(shared, "aws:dynamodb/table:Table", "access-entitlements");
    const lobs = one(shared, "aws:dynamodb/table:Table", "access-lobs");
    const logs = one(shared, "aws:cloudwatch/logGroup:LogGroup", "access-presigner");
    const policy = one(shared, "aws:iam/rolePolicy:RolePolicy", "access-presigner");
    expect(policy.inputs.role).toBe(role("access-presigner").id);
    expect(policyOf(policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadEntitlementsAndLobs",
          Effect: "Allow",
          Action: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"],
          Resource: [users.state.arn, `${String(users.state.arn)}/index/*`, lobs.state.arn],
        },
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${String(logs.state.arn)}:*`,
        },
        {
          Sid: "AttachToHubVpc",
          Effect: "Allow",
          Action: [
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
          ],
          Resource: "*",
        },
      ],
    });
    expect(role("access-presigner").inputs.managedPolicyArns).toBeUndefined();
    // Assuming the LOBs' roles: a customer managed policy (a role's inline policies share 10,240
    // characters), naming each role exactly in the configured LOB accounts only (#22).
    expect(attachedDocuments(shared, "access-presigner")).toEqual([
      {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AssumeLobAccessRoles",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: [
              "arn:aws:iam::*:role/StudioAccessRole",
              "arn:aws:iam::*:role/StudioAccessRole-provisioner",
            ],
            Condition: {
              StringEquals: { "aws:ResourceAccount": ["222222222222", "333333333333"] },
            },
          },
        ],
      },
    ]);
    // Every managed policy in the hub: the AssumeRole grants (the admin role's of the LOBs' usage
    // readers too, #21), and API Gateway's own on its logging role.
    expect(
      ofType(shared, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .map((a) => `${String(a.inputs.role)} ${String(a.inputs.policyArn)}`)
        .sort(),
    ).toEqual(
      [
        `${String(role("access-presigner").state.name)} ${String(one(shared, "aws:iam/policy:Policy", "access-assume-access-0").state.arn)}`,
        `${String(role("access-lifecycle").state.name)} ${String(one(shared, "aws:iam/policy:Policy", "access-assume-lifecycle-0").state.arn)}`,
        `${String(role("access-apigateway-logs").state.name)} arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
        `${String(role("access-admin").state.name)} ${String(one(shared, "aws:iam/policy:Policy", "access-admin-usage-0").state.arn)}`,
      ].sort(),
    );
    expect(one(shared, "aws:iam/policy:Policy", "access-assume-access-0").inputs.path).toBe(
      "/studio-access/",
    );
    // The inline policy changes only once the managed grant is attached (an upgrade that moves the
    // grant never leaves the role without it).
    expect(one(shared, "aws:iam/rolePolicy:RolePolicy", "access-presigner").dependsOn).toEqual([
      "access-presigner-0",
    ]);
  });

  it("is trusted by Lambda only", () => {
    expect(policyOf(role("access-presigner"), "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  it("runs in the hub subnets with its own SG, under API Gateway's timeout, with the configured URL lifetimes", () => {
    const sg = one(shared, "aws:ec2/securityGroup:SecurityGroup", "access-presigner");
    const subnets = ofType(shared, "aws:ec2/subnet:Subnet").map((s) => s.id);
    expect(fn("access-presigner").inputs).toMatchObject({
      runtime: "nodejs24.x",
      handler: "index.handler",
      architectures: ["arm64"],
      timeout: 27,
      role: role("access-presigner").state.arn,
      vpcConfig: { subnetIds: subnets, securityGroupIds: [sg.id] },
      loggingConfig: {
        logFormat: "Text",
        logGroup: one(shared, "aws:cloudwatch/logGroup:LogGroup", "access-presigner").state.name,
      },
      environment: {
        variables: {
          NODE_OPTIONS: "--enable-source-maps",
          USERS_TABLE: one(shared, "aws:dynamodb/table:Table", "access-entitlements").state.name,
          LOBS_TABLE: one(shared, "aws:dynamodb/table:Table", "access-lobs").state.name,
          URL_EXPIRES_SECONDS: "20",
          SESSION_EXPIRES_SECONDS: "28800",
          USER_POOL_ID: one(shared, "aws:cognito/userPool:UserPool", "access-users").id,
          USER_POOL_CLIENT_ID: one(
            shared,
            "aws:cognito/userPoolClient:UserPoolClient",
            "access-cli",
          ).id,
          USER_POOL_JWKS: variables("access-presigner").USER_POOL_JWKS,
          LOB_REGISTRY: "lobs.json",
        },
      },
    });
    expect(fn("access-presigner").inputs.timeout).toBeLessThan(29);
  });

  it("ships the LOB registry from the hub config in the presigner's archive, beside the bundle", async () => {
    const assets = (await (fn("access-presigner").inputs.code as { assets: unknown })
      .assets) as Record<string, { path?: Promise<string>; text?: Promise<string> }>;
    expect(Object.keys(assets).sort()).toEqual(["index.js", "index.js.map", "lobs.json"]);
    expect(await assets["index.js"]!.path).toMatch(/dist\/functions\/presigner\/index\.js$/);
    expect(JSON.parse((await assets["lobs.json"]!.text)!)).toEqual({
      "lob-a": {
        accountId: "222222222222",
        accessRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole",
        provisionerRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole-provisioner",
        lifecycleRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole-lifecycle",
      },
      "lob-b": {
        accountId: "333333333333",
        accessRoleArn: "arn:aws:iam::333333333333:role/StudioAccessRole",
        provisionerRoleArn: "arn:aws:iam::333333333333:role/StudioAccessRole-provisioner",
        lifecycleRoleArn: "arn:aws:iam::333333333333:role/StudioAccessRole-lifecycle",
      },
    });
  });

  it("may only send HTTPS to the hub endpoints and DynamoDB's prefix list", () => {
    const sg = one(shared, "aws:ec2/securityGroup:SecurityGroup", "access-presigner");
    const gateway = one(shared, "aws:ec2/vpcEndpoint:VpcEndpoint", "hub-dynamodb");
    const rules = ofType(shared, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
      (r) => r.inputs.securityGroupId === sg.id,
    );
    expect(rules.map((r) => r.inputs)).toEqual([
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "10.0.0.0/16",
        description: "hub interface endpoints",
      },
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        prefixListId: gateway.state.prefixListId,
        description: "DynamoDB gateway endpoint",
      },
    ]);
    const ingress = ofType(
      shared,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ).filter((r) => r.inputs.securityGroupId === sg.id);
    expect(ingress).toEqual([]);
  });
});

describe("AccessApp: authorizer", () => {
  it("may only write its logs, runs outside the VPC and knows the pool, the client and the pool's JWKS", () => {
    const logs = one(shared, "aws:cloudwatch/logGroup:LogGroup", "access-authorizer");
    expect(policyOf(one(shared, "aws:iam/rolePolicy:RolePolicy", "access-authorizer"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${String(logs.state.arn)}:*`,
        },
      ],
    });
    expect(fn("access-authorizer").inputs.vpcConfig).toBeUndefined();
    expect(fn("access-authorizer").inputs.environment).toEqual({
      variables: {
        NODE_OPTIONS: "--enable-source-maps",
        USER_POOL_ID: one(shared, "aws:cognito/userPool:UserPool", "access-users").id,
        USER_POOL_CLIENT_ID: one(shared, "aws:cognito/userPoolClient:UserPoolClient", "access-cli")
          .id,
        USER_POOL_JWKS: expect.any(String) as unknown,
      },
    });
  });
});

describe("AccessApp: the pool's JWKS, read at pulumi up", () => {
  it.each(["access-authorizer", "access-presigner"])(
    "is in the %s's environment: the keys Cognito publishes for this pool, reduced to what verification reads",
    (name) => {
      const poolId = one(shared, "aws:cognito/userPool:UserPool", "access-users").id;
      // The mocks' Cognito names each pool's key after the pool: this pool's JWKS was read.
      const [key] = mockPoolJwks(poolId).keys;
      expect(JSON.parse(variables(name).USER_POOL_JWKS ?? "")).toEqual({
        keys: [
          { kid: `${poolId}-key`, kty: "RSA", alg: "RS256", use: "sig", n: key?.n, e: key?.e },
        ],
      });
    },
  );

  it("is in no other function's environment, and every environment fits Lambda's 4 KB", () => {
    for (const f of ofType(shared, "aws:lambda/function:Function")) {
      const vars = (f.inputs.environment as { variables: Record<string, string> }).variables;
      expect("USER_POOL_JWKS" in vars).toBe(
        f.name === "access-authorizer" || f.name === "access-presigner",
      );
      expect(environmentBytes(vars)).toBeLessThanOrEqual(4096);
    }
  });
});

describe("AccessApp: private API", () => {
  it("is PRIVATE, bound to the hub execute-api endpoint, and invocable only through it", () => {
    const endpoint = one(shared, "aws:ec2/vpcEndpoint:VpcEndpoint", "hub-execute-api");
    const api = one(shared, "aws:apigateway/restApi:RestApi", "access-api");
    expect(api.inputs.endpointConfiguration).toEqual({
      types: "PRIVATE",
      vpcEndpointIds: [endpoint.id],
    });
    expect(policyOf(api)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "InvokeThroughHubEndpoint",
          Effect: "Allow",
          Principal: "*",
          Action: "execute-api:Invoke",
          Resource: "execute-api:/*",
          Condition: { StringEquals: { "aws:SourceVpce": endpoint.id } },
        },
        {
          Sid: "DenyEverywhereElse",
          Effect: "Deny",
          Principal: "*",
          Action: "execute-api:Invoke",
          Resource: "execute-api:/*",
          Condition: { StringNotEquals: { "aws:SourceVpce": endpoint.id } },
        },
      ],
    });
  });

  it("puts the TOKEN authorizer on every method but the portal's", () => {
    const authorizer = one(shared, "aws:apigateway/authorizer:Authorizer", "access-jwt");
    expect(authorizer.inputs.authorizerResultTtlInSeconds).toBeLessThanOrEqual(60);
    expect(authorizer.inputs).toMatchObject({
      type: "TOKEN",
      identitySource: "method.request.header.Authorization",
      authorizerUri: fn("access-authorizer").state.invokeArn,
      authorizerResultTtlInSeconds: 60,
    });
    // The portal's three GETs have none (below): every other method has the JWT authorizer.
    const methods = ofType(shared, "aws:apigateway/method:Method").filter(
      (m) => !m.name.startsWith("access-portal-"),
    );
    expect(methods).toHaveLength(2);
    for (const method of methods) {
      expect(method.inputs).toMatchObject({
        httpMethod: "GET",
        authorization: "CUSTOM",
        authorizerId: authorizer.id,
      });
    }
  });

  it("routes GET /studios and GET /studios/{lob} to the presigner by proxy integration", () => {
    const api = one(shared, "aws:apigateway/restApi:RestApi", "access-api");
    const studios = one(shared, "aws:apigateway/resource:Resource", "access-studios");
    const studio = one(shared, "aws:apigateway/resource:Resource", "access-studio");
    expect(studios.inputs).toMatchObject({
      parentId: api.state.rootResourceId,
      pathPart: "studios",
    });
    expect(studio.inputs).toMatchObject({ parentId: studios.id, pathPart: "{lob}" });
    for (const key of ["list", "open"]) {
      expect(
        one(shared, "aws:apigateway/integration:Integration", `access-${key}`).inputs,
      ).toMatchObject({
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: fn("access-presigner").state.invokeArn,
      });
    }
  });

  it("lets API Gateway invoke each function only from this API's routes and authorizer", () => {
    const api = one(shared, "aws:apigateway/restApi:RestApi", "access-api");
    const authorizer = one(shared, "aws:apigateway/authorizer:Authorizer", "access-jwt");
    const arn = String(api.state.executionArn);
    expect(
      ofType(shared, "aws:lambda/permission:Permission")
        .map((p) => [p.inputs.function, p.inputs.principal, p.inputs.sourceArn])
        .sort(),
    ).toEqual([
      [
        fn("access-authorizer").state.name,
        "apigateway.amazonaws.com",
        `${arn}/authorizers/${authorizer.id}`,
      ],
      [fn("access-portal").state.name, "apigateway.amazonaws.com", `${arn}/*/GET/`],
      [fn("access-portal").state.name, "apigateway.amazonaws.com", `${arn}/*/GET/assets/*`],
      [fn("access-portal").state.name, "apigateway.amazonaws.com", `${arn}/*/GET/settings`],
      [fn("access-presigner").state.name, "apigateway.amazonaws.com", `${arn}/*/GET/studios`],
      [fn("access-presigner").state.name, "apigateway.amazonaws.com", `${arn}/*/GET/studios/*`],
    ]);
  });

  it("logs access and throttles every method of the stage", () => {
    const stage = one(shared, "aws:apigateway/stage:Stage", "access-api");
    const logs = one(shared, "aws:cloudwatch/logGroup:LogGroup", "access-api-access");
    expect(stage.inputs).toMatchObject({
      stageName: "v1",
      deployment: one(shared, "aws:apigateway/deployment:Deployment", "access-api").id,
    });
    const settings = stage.inputs.accessLogSettings as { destinationArn: string; format: string };
    expect(settings.destinationArn).toBe(logs.state.arn);
    expect(JSON.parse(settings.format)).toEqual({
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
    });
    expect(
      one(shared, "aws:apigateway/methodSettings:MethodSettings", "access-api").inputs,
    ).toMatchObject({
      methodPath: "*/*",
      settings: { throttlingRateLimit: 20, throttlingBurstLimit: 40, metricsEnabled: true },
    });
    // The repository's hub config sets apiDomain (#20): people reach the API at its name's root
    // (its execute-api address without a domain: tests/components/api-domain.test.ts).
    expect(shared.outputs.apiUrl).toBe("https://studio.corp.example.com/");
  });

  it("keeps every log group for the configured retention, encrypted with the hub key", () => {
    const groups = ofType(shared, "aws:cloudwatch/logGroup:LogGroup");
    const key = one(shared, "aws:kms/key:Key", "access-data");
    expect(groups.map((g) => [g.name, g.inputs.retentionInDays, g.inputs.kmsKeyId])).toEqual([
      ["access-authorizer", 365, key.state.arn],
      ["access-presigner", 365, key.state.arn],
      ["access-lifecycle", 365, key.state.arn],
      ["access-portal", 365, key.state.arn],
      ["access-api-access", 365, key.state.arn],
    ]);
  });

  it("redeploys on any change to the authorizer's or the routes' settings, not only their ids", () => {
    const api = one(shared, "aws:apigateway/restApi:RestApi", "access-api");
    const settings = (r: { inputs: Record<string, unknown> }) => r.inputs;
    const route = (key: string, path: string) => ({
      path,
      method: settings(one(shared, "aws:apigateway/method:Method", `access-${key}`)),
      integration: settings(one(shared, "aws:apigateway/integration:Integration", `access-${key}`)),
    });
    const snapshot = {
      apiPolicy: api.inputs.policy,
      authorizer: settings(one(shared, "aws:apigateway/authorizer:Authorizer", "access-jwt")),
      routes: [
        route("list", "/studios"),
        route("open", "/studios/*"),
        route("portal-page", "/"),
        route("portal-asset", "/assets/{file}"),
        route("portal-settings", "/settings"),
      ],
    };
    const trigger = (
      one(shared, "aws:apigateway/deployment:Deployment", "access-api").inputs.triggers as {
        redeployment: string;
      }
    ).redeployment;
    expect(trigger).toBe(deploymentTrigger(snapshot));
    const cached = { ...snapshot.authorizer, authorizerResultTtlInSeconds: 300 };
    expect(deploymentTrigger({ ...snapshot, authorizer: cached })).not.toBe(trigger);
  });

  it("makes the API deployment after every method and integration, so CreateDeployment sees them all", () => {
    const deployment = one(shared, "aws:apigateway/deployment:Deployment", "access-api");
    const parts = [
      ...ofType(shared, "aws:apigateway/method:Method"),
      ...ofType(shared, "aws:apigateway/integration:Integration"),
    ].map(resourceKey);
    expect(parts).toHaveLength(10);
    expect(deployment.dependencies).toEqual(expect.arrayContaining(parts));
    // As the rehearsal's emulated API Gateway decides it: no method without its integration.
    const snapshot = createDeployment(deployment, shared.resources);
    expect(snapshot.resources.map(resourceKey)).toEqual(expect.arrayContaining(parts));
  });

  it("keeps API Gateway's account-level logging setting on destroy (a per-region singleton)", () => {
    expect(
      one(shared, "aws:apigateway/account:Account", "access-apigateway-account").retainOnDelete,
    ).toBe(true);
    expect(
      shared.resources
        .filter((r) => r.retainOnDelete)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["access-apigateway-account", "access-audit", "access-audit", "access-audit"]);
  });

  it("redeploys when the resource policy changes, and only then", async () => {
    const trigger = (run: StackRun) =>
      (
        one(run, "aws:apigateway/deployment:Deployment", "access-api").inputs.triggers as {
          redeployment: string;
        }
      ).redeployment;
    const again = await runStackUnderMocks({ stack: "shared", config: loadStackConfig("shared") });
    expect(trigger(again)).toBe(trigger(shared));
    // A different region moves every endpoint, so the execute-api endpoint id in the policy changes.
    const moved = await runStackUnderMocks({
      stack: "shared",
      // (without apiDomain, whose certificate is in us-east-1: the config would be refused)
      config: Object.fromEntries(
        Object.entries({ ...loadStackConfig("shared"), "aws:region": "eu-west-1" }).filter(
          ([key]) => key !== "studio-access:apiDomain",
        ),
      ),
    });
    expect(trigger(moved)).toMatch(/^[0-9a-f]{64}$/);
    expect(trigger(moved)).not.toBe(trigger(shared));
  });
});

describe("AccessApp: the portal (GET /, /assets/{file}, /settings)", () => {
  it("may only write its logs, is trusted by Lambda only, runs outside the VPC and knows the pool, the client, its password policy and the URL lifetime", () => {
    const logs = one(shared, "aws:cloudwatch/logGroup:LogGroup", "access-portal");
    expect(policyOf(one(shared, "aws:iam/rolePolicy:RolePolicy", "access-portal"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${String(logs.state.arn)}:*`,
        },
      ],
    });
    expect(JSON.parse(String(role("access-portal").inputs.assumeRolePolicy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(
      ofType(shared, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
        (a) => a.inputs.role === role("access-portal").state.name,
      ),
    ).toEqual([]);
    const portal = fn("access-portal");
    expect(portal.inputs.vpcConfig).toBeUndefined();
    expect(portal.inputs).toMatchObject({
      runtime: "nodejs24.x",
      handler: "index.handler",
      timeout: 5,
      role: role("access-portal").state.arn,
    });
    expect(portal.inputs.environment).toEqual({
      variables: {
        NODE_OPTIONS: "--enable-source-maps",
        USER_POOL_ID: one(shared, "aws:cognito/userPool:UserPool", "access-users").id,
        USER_POOL_CLIENT_ID: one(shared, "aws:cognito/userPoolClient:UserPoolClient", "access-cli")
          .id,
        PASSWORD_POLICY: JSON.stringify({
          minimumLength: 14,
          requireLowercase: true,
          requireUppercase: true,
          requireNumbers: true,
          requireSymbols: true,
        }),
        URL_EXPIRES_SECONDS: "20",
        // The Cognito endpoint the stack was given (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, as
        // the mocks set it), as the CLI's configure line has it; unset, the function's default.
        COGNITO_ENDPOINT: MOCK_COGNITO_ENDPOINT,
      },
    });
    expect(environmentBytes(variables("access-portal"))).toBeLessThanOrEqual(4096);
  });

  it("routes GET /, GET /assets/{file} and GET /settings to the portal without authorizer, each by name for the policy pack", () => {
    const api = one(shared, "aws:apigateway/restApi:RestApi", "access-api");
    const root = String(api.state.rootResourceId);
    const assets = one(shared, "aws:apigateway/resource:Resource", "access-assets");
    const asset = one(shared, "aws:apigateway/resource:Resource", "access-asset");
    const settings = one(shared, "aws:apigateway/resource:Resource", "access-settings");
    expect([assets, asset, settings].map((r) => r.inputs)).toEqual([
      { restApi: api.id, parentId: root, pathPart: "assets" },
      { restApi: api.id, parentId: assets.id, pathPart: "{file}" },
      { restApi: api.id, parentId: root, pathPart: "settings" },
    ]);
    const routes = [
      ["page", root, "PortalPage", undefined],
      ["asset", asset.id, "PortalAsset", { "method.request.path.file": true }],
      ["settings", settings.id, "PortalSettings", undefined],
    ] as const;
    for (const [key, resourceId, operationName, requestParameters] of routes) {
      const method = one(shared, "aws:apigateway/method:Method", `access-portal-${key}`);
      expect(method.inputs).toEqual({
        restApi: api.id,
        resourceId,
        httpMethod: "GET",
        authorization: "NONE",
        operationName,
        ...(requestParameters ? { requestParameters } : {}),
      });
      expect(
        one(shared, "aws:apigateway/integration:Integration", `access-portal-${key}`).inputs,
      ).toEqual({
        restApi: api.id,
        resourceId,
        httpMethod: "GET",
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: fn("access-portal").state.invokeArn,
      });
    }
    // The policy pack's list of methods without authorizer is the component's.
    expect(Object.values(PORTAL_OPERATIONS)).toEqual([...POLICY_PORTAL_OPERATIONS]);
  });

  it("does not open the API wider: its resource policy still admits only the hub's execute-api endpoint", () => {
    const endpoint = one(shared, "aws:ec2/vpcEndpoint:VpcEndpoint", "hub-execute-api");
    const api = one(shared, "aws:apigateway/restApi:RestApi", "access-api");
    expect(String(api.inputs.policy)).toBe(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "InvokeThroughHubEndpoint",
            Effect: "Allow",
            Principal: "*",
            Action: "execute-api:Invoke",
            Resource: "execute-api:/*",
            Condition: { StringEquals: { "aws:SourceVpce": endpoint.id } },
          },
          {
            Sid: "DenyEverywhereElse",
            Effect: "Deny",
            Principal: "*",
            Action: "execute-api:Invoke",
            Resource: "execute-api:/*",
            Condition: { StringNotEquals: { "aws:SourceVpce": endpoint.id } },
          },
        ],
      }),
    );
    expect(api.inputs.endpointConfiguration).toEqual({
      types: "PRIVATE",
      vpcEndpointIds: [endpoint.id],
    });
  });
});

describe("AccessApp: Cognito and tables", () => {
  it("creates an admin-only pool with a strong password policy and a secretless client without OAuth", () => {
    expect(one(shared, "aws:cognito/userPool:UserPool", "access-users").inputs).toMatchObject({
      passwordPolicy: {
        minimumLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
      },
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
    });
    expect(
      one(shared, "aws:cognito/userPoolClient:UserPoolClient", "access-cli").inputs,
    ).toMatchObject({
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: false,
      explicitAuthFlows: [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
      ],
      accessTokenValidity: 15,
      tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "hours" },
      preventUserExistenceErrors: "ENABLED",
    });
    expect(
      ofType(shared, "aws:cognito/userPoolClient:UserPoolClient")[0]!.inputs.allowedOauthFlows,
    ).toBeUndefined();
  });

  it("creates the configured users, with no password in code (Cognito emails a temporary one)", () => {
    const users = ofType(shared, "aws:cognito/user:User");
    expect(
      users.map((u) => [u.inputs.username, (u.inputs.attributes as { email: string }).email]),
    ).toEqual([
      ["user-lob-a", "user-lob-a@example.com"],
      ["user-lob-b", "user-lob-b@example.com"],
      ["dana.scientist", "dana.scientist@example.com"],
      ["lee.leaving", "lee.leaving@example.com"],
      ["new.scientist", "new.scientist@example.com"],
    ]);
    for (const user of users) {
      expect(user.inputs.password).toBeUndefined();
      expect(user.inputs.temporaryPassword).toBeUndefined();
    }
  });

  it("keys both tables by LOB first (so IAM can confine a LOB's writer), with a username index, on demand, encrypted with the hub key, with point-in-time recovery", () => {
    const table = (name: string) => one(shared, "aws:dynamodb/table:Table", name).inputs;
    const key = one(shared, "aws:kms/key:Key", "access-data");
    const common = {
      billingMode: "PAY_PER_REQUEST",
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.state.arn },
    };
    expect(table("access-entitlements")).toMatchObject({
      ...common,
      hashKey: "lob",
      // One row per user and team: `<username>#<team>`.
      rangeKey: "userTeam",
      attributes: [
        { name: "lob", type: "S" },
        { name: "userTeam", type: "S" },
        { name: "username", type: "S" },
      ],
      globalSecondaryIndexes: [
        { name: "by-username", hashKey: "username", rangeKey: "lob", projectionType: "ALL" },
      ],
    });
    expect(table("access-lobs")).toMatchObject({
      ...common,
      hashKey: "lob",
      attributes: [{ name: "lob", type: "S" }],
    });
    expect(table("access-lobs").rangeKey).toBeUndefined();
  });
});

describe("AccessApp: sign-in hardening", () => {
  it("requires TOTP MFA, refuses pool deletion and turns threat protection off by default", () => {
    const pool = one(shared, "aws:cognito/userPool:UserPool", "access-users").inputs;
    expect(pool).toMatchObject({
      mfaConfiguration: "ON",
      softwareTokenMfaConfiguration: { enabled: true },
      deletionProtection: "ACTIVE",
    });
    expect(pool.userPoolAddOns).toBeUndefined();
    expect(pool.smsConfiguration).toBeUndefined();
  });

  it.each([
    ["optional", "OPTIONAL", true],
    ["off", "OFF", false],
  ])("maps mfa %s to Cognito's %s", async (mfa, cognito, totp) => {
    const run = await runStackUnderMocks({
      stack: "shared",
      config: { ...loadStackConfig("shared"), "studio-access:mfa": mfa },
    });
    expect(one(run, "aws:cognito/userPool:UserPool", "access-users").inputs).toMatchObject({
      mfaConfiguration: cognito,
      softwareTokenMfaConfiguration: { enabled: totp },
    });
  });

  it("puts the pool on the Plus tier with enforced threat protection when asked, and can lift deletion protection for a destroy (the pool's and both tables', #21)", async () => {
    const run = await runStackUnderMocks({
      stack: "shared",
      config: {
        ...loadStackConfig("shared"),
        "studio-access:threatProtection": "enforced",
        "studio-access:deletionProtection": "false",
      },
    });
    expect(one(run, "aws:cognito/userPool:UserPool", "access-users").inputs).toMatchObject({
      userPoolTier: "PLUS",
      userPoolAddOns: { advancedSecurityMode: "ENFORCED" },
      deletionProtection: "INACTIVE",
    });
    for (const table of ["access-entitlements", "access-lobs"])
      expect(one(run, "aws:dynamodb/table:Table", table).inputs.deletionProtectionEnabled).toBe(
        false,
      );
  });

  it("protects the entitlement and LOB tables from deletion by default (#21)", () => {
    for (const table of ["access-entitlements", "access-lobs"])
      expect(one(shared, "aws:dynamodb/table:Table", table).inputs.deletionProtectionEnabled).toBe(
        true,
      );
  });
});

describe("AccessApp: data at rest and audit", () => {
  it("creates one rotating customer-managed key usable by the account's principals only through DynamoDB, and by CloudWatch Logs for this account's log groups only", () => {
    const key = one(shared, "aws:kms/key:Key", "access-data");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(policyOf(key)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministersThroughIam",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111111111111:root" },
          Action: "kms:*",
          Resource: "*",
        },
        {
          Sid: "ThroughDynamoDbForThisAccount",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:CreateGrant",
            "kms:DescribeKey",
          ],
          Resource: "*",
          Condition: {
            StringEquals: {
              "kms:ViaService": "dynamodb.us-east-1.amazonaws.com",
              "kms:CallerAccount": "111111111111",
            },
          },
        },
        {
          Sid: "LogsForThisAccountsLogGroups",
          Effect: "Allow",
          Principal: { Service: "logs.us-east-1.amazonaws.com" },
          Action: [
            "kms:Encrypt*",
            "kms:Decrypt*",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:Describe*",
          ],
          Resource: "*",
          Condition: {
            ArnLike: {
              "kms:EncryptionContext:aws:logs:arn":
                "arn:aws:logs:us-east-1:111111111111:log-group:*",
            },
          },
        },
      ],
    });
  });

  it("records data events on both tables and every access function in a validated trail whose bucket is private and kept", () => {
    const trail = one(shared, "aws:cloudtrail/trail:Trail", "access-data-events");
    const bucket = one(shared, "aws:s3/bucket:Bucket", "access-audit");
    const users = one(shared, "aws:dynamodb/table:Table", "access-entitlements");
    const lobs = one(shared, "aws:dynamodb/table:Table", "access-lobs");
    expect(trail.inputs).toMatchObject({
      s3BucketName: bucket.id,
      enableLogFileValidation: true,
      advancedEventSelectors: [
        {
          fieldSelectors: [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::DynamoDB::Table"] },
            { field: "resources.ARN", equals: [users.state.arn, lobs.state.arn] },
          ],
        },
        {
          fieldSelectors: [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::Lambda::Function"] },
            {
              field: "resources.ARN",
              equals: [
                fn("access-authorizer").state.arn,
                fn("access-presigner").state.arn,
                fn("access-lifecycle").state.arn,
              ],
            },
          ],
        },
      ],
    });
    expect(
      one(shared, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "access-audit").inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const statements = (
      policyOf(one(shared, "aws:s3/bucketPolicy:BucketPolicy", "access-audit")) as {
        Statement: { Sid: string; Condition?: unknown }[];
      }
    ).Statement;
    expect(statements.map((st) => st.Sid)).toEqual([
      "TrailChecksAcl",
      "TrailWritesLogs",
      "TlsOnly",
    ]);
    expect(statements[1]?.Condition).toEqual({
      StringEquals: {
        "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/access-data-events",
        "s3:x-amz-acl": "bucket-owner-full-control",
      },
    });
  });

  it("leaves out the key and the trail when the config turns them off", async () => {
    const run = await runStackUnderMocks({
      stack: "shared",
      config: {
        ...loadStackConfig("shared"),
        "studio-access:auditTrail": "false",
        "studio-access:customerManagedKey": "false",
      },
    });
    expect(ofType(run, "aws:kms/key:Key")).toEqual([]);
    expect(ofType(run, "aws:cloudtrail/trail:Trail")).toEqual([]);
    expect(ofType(run, "aws:s3/bucket:Bucket")).toEqual([]);
    expect(
      one(run, "aws:dynamodb/table:Table", "access-lobs").inputs.serverSideEncryption as object,
    ).toEqual({ enabled: true });
  });
});

describe("AccessApp: offboarding (the lifecycle function)", () => {
  it("runs on the entitlements table's stream (old and new images), for rows written revoked (inserted or modified) or removed only", () => {
    const users = one(shared, "aws:dynamodb/table:Table", "access-entitlements");
    expect(users.inputs).toMatchObject({
      streamEnabled: true,
      streamViewType: "NEW_AND_OLD_IMAGES",
    });
    expect(
      one(shared, "aws:lambda/eventSourceMapping:EventSourceMapping", "access-lifecycle").inputs,
    ).toEqual({
      functionName: fn("access-lifecycle").state.arn,
      eventSourceArn: users.state.streamArn,
      startingPosition: "LATEST",
      batchSize: 10,
      // #21: three retries, then the batch's record goes to the on-failure queue (was 10, then dropped).
      maximumRetryAttempts: 3,
      bisectBatchOnFunctionError: true,
      destinationConfig: {
        onFailure: {
          destinationArn: one(shared, "aws:sqs/queue:Queue", "access-lifecycle-failed").state.arn,
        },
      },
      functionResponseTypes: ["ReportBatchItemFailures"],
      filterCriteria: {
        filters: [
          {
            pattern:
              '{"eventName":["INSERT","MODIFY"],"dynamodb":{"NewImage":{"state":{"S":["revoked"]}}}}',
          },
          { pattern: '{"eventName":["REMOVE"]}' },
        ],
      },
    });
  });

  it("may read the stream, rows and LOB records, update only a row's key and offboarding state (never delete), assume the LOBs' lifecycle roles: nothing else", () => {
    const users = one(shared, "aws:dynamodb/table:Table", "access-entitlements");
    const lobs = one(shared, "aws:dynamodb/table:Table", "access-lobs");
    const statements = (
      policyOf(one(shared, "aws:iam/rolePolicy:RolePolicy", "access-lifecycle")) as {
        Statement: { Sid: string }[];
      }
    ).Statement;
    expect(statements.slice(0, 3)).toEqual([
      {
        Sid: "ReadEntitlementChanges",
        Effect: "Allow",
        Action: [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ],
        Resource: users.state.streamArn,
      },
      {
        Sid: "ReadEntitlementsAndLobs",
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: [users.state.arn, lobs.state.arn],
      },
      {
        Sid: "RecordOffboarding",
        Effect: "Allow",
        Action: "dynamodb:UpdateItem",
        Resource: users.state.arn,
        Condition: {
          "ForAllValues:StringEquals": {
            "dynamodb:Attributes": ["lob", "userTeam", "state", "stateAt", "detail"],
          },
          "ForAllValues:StringNotEquals": { "dynamodb:LeadingKeys": ["#disabled"] },
          StringEquals: { "dynamodb:ReturnValues": "NONE" },
        },
      },
    ]);
    expect(statements.map((st) => st.Sid).slice(3)).toEqual(["WriteOwnLogs", "AttachToHubVpc"]);
    expect(attachedDocuments(shared, "access-lifecycle")).toEqual([
      {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AssumeLobLifecycleRoles",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: ["arn:aws:iam::*:role/StudioAccessRole-lifecycle"],
            Condition: {
              StringEquals: { "aws:ResourceAccount": ["222222222222", "333333333333"] },
            },
          },
        ],
      },
    ]);
    expect(fn("access-lifecycle").inputs).toMatchObject({
      timeout: 300,
      vpcConfig: fn("access-presigner").inputs.vpcConfig,
      environment: {
        variables: {
          NODE_OPTIONS: "--enable-source-maps",
          USERS_TABLE: users.state.name,
          LOBS_TABLE: lobs.state.name,
          LOB_REGISTRY: "lobs.json",
        },
      },
    });
  });
});

describe("AccessApp: the admin role (studio-access admin)", () => {
  it("is trusted by exactly the configured admins, and may disable and enable users, grant, revoke and list, not delete", () => {
    const users = one(shared, "aws:dynamodb/table:Table", "access-entitlements");
    const lobs = one(shared, "aws:dynamodb/table:Table", "access-lobs");
    const admin = role("access-admin");
    expect(admin.inputs.name).toBe("studio-access-admin");
    expect(policyOf(admin, "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ConfiguredAdminsOnly",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::111111111111:role/platform-engineer"] },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(policyOf(one(shared, "aws:iam/rolePolicy:RolePolicy", "access-admin"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DisableAndEnableUsers",
          Effect: "Allow",
          Action: ["cognito-idp:AdminDisableUser", "cognito-idp:AdminEnableUser"],
          Resource: one(shared, "aws:cognito/userPool:UserPool", "access-users").state.arn,
        },
        {
          Sid: "LookUpUsers",
          Effect: "Allow",
          Action: "cognito-idp:AdminGetUser",
          Resource: one(shared, "aws:cognito/userPool:UserPool", "access-users").state.arn,
        },
        {
          Sid: "ReadLobs",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:Scan"],
          Resource: lobs.state.arn,
        },
        {
          Sid: "GrantRevokeAndList",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
          Resource: [users.state.arn, `${String(users.state.arn)}/index/*`],
        },
      ],
    });
    expect(String(shared.outputs.adminConfigure)).toBe(
      `studio-access admin configure --role-arn ${String(admin.state.arn)} --entitlements-table ${String(users.state.name)} --lobs-table ${String(lobs.state.name)} --user-pool-id ${String(shared.outputs.userPoolId)} --region us-east-1`,
    );
  });

  it("may assume exactly the configured LOBs' usage reader roles (admin usage, #21), in an attached managed policy", () => {
    const admin = role("access-admin");
    const policy = one(shared, "aws:iam/policy:Policy", "access-admin-usage-0");
    expect(policy.inputs.path).toBe("/studio-access/");
    expect(policyOf(policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AssumeLobUsageReaders",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Resource: ["arn:aws:iam::*:role/studio-access/StudioAccessRole-usage"],
          Condition: { StringEquals: { "aws:ResourceAccount": ["222222222222", "333333333333"] } },
        },
      ],
    });
    const attached = shared.resources.filter(
      (r) =>
        r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
        r.inputs.role === admin.state.name,
    );
    expect(attached.map((a) => a.inputs.policyArn)).toEqual([policy.state.arn]);
  });

  it("is not created when the config names no admins", async () => {
    const run = await runStackUnderMocks({
      stack: "shared",
      config: { ...loadStackConfig("shared"), "studio-access:admins": "[]" },
    });
    expect(run.resources.filter((r) => r.name === "access-admin")).toEqual([]);
    expect(run.outputs.adminConfigure).toBeUndefined();
  }, 60_000);
});
