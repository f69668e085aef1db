import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEvent } from "aws-lambda";
import type { RecordedResource } from "../../scripts/lib/mock-stack";
import {
  apiFromResources,
  BadRequestException,
  createDeployment,
  domainsFromResources,
  PrivateApi,
  type DeploymentSnapshot,
} from "../../scripts/sandbox/api-gateway";
import { apiDomainPolicy } from "../../components/policies/resources";
import type { LambdaHost } from "../../scripts/sandbox/lambda-host";

const ACCOUNT = "111111111111";
const REGION = "us-east-1";
const FN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:presigner`;
const OTHER_FN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:other`;
const invokeArn = (fn: string) =>
  `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fn}/invocations`;

type Declared = RecordedResource & { dependencies: string[] };
const T = {
  api: "aws:apigateway/restApi:RestApi",
  resource: "aws:apigateway/resource:Resource",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  deployment: "aws:apigateway/deployment:Deployment",
  stage: "aws:apigateway/stage:Stage",
  other: "aws:iam/role:Role",
};
const declare = (
  type: string,
  name: string,
  id: string,
  inputs: Record<string, unknown>,
  dependencies: string[] = [],
  state: Record<string, unknown> = {},
): Declared => ({
  type,
  name,
  custom: true,
  id,
  inputs,
  state: { ...inputs, ...state },
  account: ACCOUNT,
  region: REGION,
  dependencies,
});

/**
 * An API with `/studios` (GET) and `/studios/{lob}` (GET), each integrated with the presigner, and
 * a deployment depending on what `deploymentDependsOn` lists (as `type::name` keys).
 */
function apiResources(deploymentDependsOn: string[]) {
  const api = declare(
    T.api,
    "api",
    "a1b2c3d4e5",
    {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "execute-api:Invoke",
            Resource: "execute-api:/*",
          },
        ],
      }),
    },
    [],
    { rootResourceId: "root", executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:a1b2c3d4e5` },
  );
  const studios = declare(
    T.resource,
    "studios",
    "res1",
    {
      restApi: api.id,
      parentId: "root",
      pathPart: "studios",
    },
    [`${T.api}::api`],
  );
  const studio = declare(
    T.resource,
    "studio",
    "res2",
    {
      restApi: api.id,
      parentId: studios.id,
      pathPart: "{lob}",
    },
    [`${T.resource}::studios`],
  );
  const route = (key: string, resource: Declared) => [
    declare(
      T.method,
      key,
      `m-${key}`,
      {
        restApi: api.id,
        resourceId: resource.id,
        httpMethod: "GET",
        authorization: "NONE",
      },
      [`${T.resource}::${resource.name}`],
    ),
    declare(
      T.integration,
      key,
      `i-${key}`,
      {
        restApi: api.id,
        resourceId: resource.id,
        httpMethod: "GET",
        type: "AWS_PROXY",
        uri: invokeArn(FN),
      },
      [`${T.method}::${key}`],
    ),
  ];
  const deployment = declare(T.deployment, "deploy", "dep1", { restApi: api.id }, [
    `${T.api}::api`,
    ...deploymentDependsOn,
  ]);
  const stage = declare(
    T.stage,
    "stage",
    "stage1",
    { restApi: api.id, deployment: "dep1", stageName: "v1" },
    [`${T.deployment}::deploy`],
  );
  return {
    declared: [
      api,
      studios,
      studio,
      ...route("list", studios),
      ...route("open", studio),
      deployment,
      stage,
    ],
    deployment,
    stage,
  };
}

const METHODS = [`${T.method}::list`, `${T.method}::open`];
const INTEGRATIONS = [`${T.integration}::list`, `${T.integration}::open`];

describe("CreateDeployment, in the worst order the engine may take", () => {
  it("refuses when the deployment depends on the methods but not their integrations (the program before #18)", () => {
    const { declared, deployment } = apiResources(METHODS);
    expect(() => createDeployment(deployment, declared)).toThrow(BadRequestException);
    expect(() => createDeployment(deployment, declared)).toThrow(
      "creating aws:apigateway/deployment:Deployment deploy (REST API a1b2c3d4e5): BadRequestException: No integration defined for method (GET of method list: the deployment does not depend on its integration list, so the engine may create that after it; GET of method open: the deployment does not depend on its integration open, so the engine may create that after it)",
    );
  });

  it("refuses when one integration of several is missing from its dependencies", () => {
    const { declared, deployment } = apiResources([...METHODS, `${T.integration}::list`]);
    expect(() => createDeployment(deployment, declared)).toThrow(
      /No integration defined for method \(GET of method open: the deployment does not depend on its integration open/,
    );
  });

  it("refuses a method that has no integration at all", () => {
    const { declared, deployment } = apiResources([...METHODS, ...INTEGRATIONS]);
    const withoutOpen = declared.filter((r) => !(r.type === T.integration && r.name === "open"));
    expect(() => createDeployment(deployment, withoutOpen)).toThrow(
      /No integration defined for method \(GET of method open: it has no integration\)/,
    );
  });

  it("refuses an API whose methods may all come after it: The REST API doesn't contain any methods", () => {
    const { declared, deployment } = apiResources([]);
    expect(() => createDeployment(deployment, declared)).toThrow(
      /BadRequestException: The REST API doesn't contain any methods/,
    );
  });

  it("succeeds when it depends on every integration, directly or through another resource", () => {
    const direct = apiResources([...METHODS, ...INTEGRATIONS]);
    expect(createDeployment(direct.deployment, direct.declared).deploymentId).toBe("dep1");
    // Through a resource that depends on both integrations (integrations depend on their methods).
    const via = declare(T.other, "via", "via", {}, INTEGRATIONS);
    const indirect = apiResources([`${T.other}::via`]);
    const snapshot = createDeployment(indirect.deployment, [...indirect.declared, via]);
    expect(snapshot.resources.map((r) => `${r.type}::${r.name}`).sort()).toEqual(
      [
        `${T.api}::api`,
        `${T.resource}::studios`,
        `${T.resource}::studio`,
        ...METHODS,
        ...INTEGRATIONS,
      ].sort(),
    );
  });

  it("ignores a method made after the deployment (one that depends on it)", () => {
    const { declared, deployment } = apiResources([...METHODS, ...INTEGRATIONS]);
    const later = declare(
      T.method,
      "later",
      "m-later",
      {
        restApi: "a1b2c3d4e5",
        resourceId: "res1",
        httpMethod: "POST",
        authorization: "NONE",
      },
      [`${T.deployment}::deploy`],
    );
    expect(() => createDeployment(deployment, [...declared, later])).not.toThrow();
  });
});

describe("the emulated private API", () => {
  const calls: APIGatewayProxyEvent[] = [];
  const host = (fn: string) =>
    ({
      invoke: (event: APIGatewayProxyEvent) => {
        calls.push(event);
        return Promise.resolve({
          statusCode: 200,
          body: JSON.stringify({
            fn,
            resource: event.resource,
            pathParameters: event.pathParameters,
          }),
        });
      },
    }) as unknown as LambdaHost;
  let server: Server;
  let base = "";
  let snapshot: DeploymentSnapshot;
  let stage: RecordedResource;

  beforeAll(async () => {
    const made = apiResources([...METHODS, ...INTEGRATIONS]);
    stage = made.stage;
    snapshot = createDeployment(made.deployment, made.declared);
    // The API changes after the deployment: the stage still serves what the deployment saw.
    const open = made.declared.find((r) => r.type === T.integration && r.name === "open");
    open!.inputs.uri = invokeArn(OTHER_FN);
    const api = new PrivateApi(
      apiFromResources([stage], new Map([[snapshot.deploymentId, snapshot]])),
      new Map([
        [FN, host(FN)],
        [OTHER_FN, host(OTHER_FN)],
      ]),
    );
    server = createServer((req, res) => {
      void api.handle(req, "", res, "vpce-0123456789abcdef1");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    calls.length = 0;
  });

  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it("serves the integrations its deployment saw, not the API as it is now", async () => {
    expect(await get("/v1/studios/lob-a")).toEqual({
      status: 200,
      body: { fn: FN, resource: "/studios/{lob}", pathParameters: { lob: "lob-a" } },
    });
  });

  it("refuses to serve a stage whose deployment API Gateway did not create", () => {
    expect(() => apiFromResources([stage], new Map())).toThrow(
      "stage v1 points to deployment dep1, which API Gateway did not create",
    );
  });

  it("answers a malformed percent-encoding with 400, without invoking the function", async () => {
    expect(await get("/v1/studios/%E0%A4%A")).toEqual({
      status: 400,
      body: { message: "Bad Request" },
    });
    expect(calls).toEqual([]);
  });

  it("decodes a well-formed percent-encoding into the path parameter", async () => {
    expect((await get("/v1/studios/l%C3%B6b")).body).toMatchObject({
      pathParameters: { lob: "löb" },
    });
  });

  it("routes a trailing slash to the resource without it, never to {lob} with an empty value", async () => {
    expect(await get("/v1/studios/")).toEqual({
      status: 200,
      body: { fn: FN, resource: "/studios", pathParameters: null },
    });
    expect(calls.map((e) => e.path)).toEqual(["/studios/"]);
  });

  it("answers a resource the API does not have with 403 Missing Authentication Token", async () => {
    const missing = { status: 403, body: { message: "Missing Authentication Token" } };
    expect(await get("/v1")).toEqual(missing);
    expect(await get("/v1/")).toEqual(missing);
    expect(await get("/v1/studios//")).toEqual(missing);
    expect(await get("/v1/studios/lob-a/more")).toEqual(missing);
    expect(calls).toEqual([]);
  });

  describe("through a private custom domain name (#20)", () => {
    const HUB_VPCE = "vpce-0123456789abcdef1";
    const OTHER_VPCE = "vpce-0fedcba9876543210";
    const NAME = "studio.corp.example.com";
    const DOMAIN_ARN = `arn:aws:apigateway:${REGION}:${ACCOUNT}:/domainnames/${NAME}+abcde12345`;
    let domainServer: Server;
    let domainBase = "";
    let api: PrivateApi;
    const domainResources = (associated: string[]): RecordedResource[] => [
      declare(
        "aws:apigateway/domainName:DomainName",
        "domain",
        `${NAME}/abcde12345`,
        {
          domainName: NAME,
          endpointConfiguration: { types: "PRIVATE" },
          policy: JSON.stringify(apiDomainPolicy({ executeApiEndpointId: HUB_VPCE })),
        },
        [],
        { domainNameId: "abcde12345", arn: DOMAIN_ARN },
      ),
      declare("aws:apigateway/basePathMapping:BasePathMapping", "mapping", "map1", {
        domainName: NAME,
        domainNameId: "abcde12345",
        restApi: "a1b2c3d4e5",
        stageName: "v1",
      }),
      ...associated.map((vpce) =>
        declare(
          "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation",
          `association-${vpce}`,
          `association-${vpce}`,
          {
            domainNameArn: DOMAIN_ARN,
            accessAssociationSource: vpce,
            accessAssociationSourceType: "VPCE",
          },
        ),
      ),
    ];

    beforeAll(async () => {
      // The other endpoint is associated too, so only the domain's own policy refuses it.
      api = new PrivateApi(
        apiFromResources([stage], new Map([[snapshot.deploymentId, snapshot]])),
        new Map([[FN, host(FN)]]),
        domainsFromResources(domainResources([HUB_VPCE, OTHER_VPCE])),
      );
      // The endpoint a request came through, as the router would pass it (a test header here).
      domainServer = createServer((req, res) => {
        void api.handle(req, "", res, String(req.headers["x-test-vpce"]));
      });
      await new Promise<void>((resolve) => domainServer.listen(0, "127.0.0.1", resolve));
      domainBase = `http://127.0.0.1:${String((domainServer.address() as AddressInfo).port)}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => domainServer.close(resolve));
    });

    // fetch sends the URL's host whatever Host is given: node:http sends the header as set.
    const through = (path: string, vpce: string, hostHeader = NAME) =>
      new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        const req = request(
          `${domainBase}${path}`,
          { headers: { Host: hostHeader, "x-test-vpce": vpce } },
          (res) => {
            let text = "";
            res.on("data", (chunk: Buffer) => (text += chunk.toString()));
            res.on("end", () => {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
            });
          },
        );
        req.on("error", reject);
        req.end();
      });

    it("reads the domain, its policy, associations and root mapping from the resources", () => {
      const [domain] = domainsFromResources(domainResources([HUB_VPCE]));
      expect(domain?.executionArn).toBe(`arn:aws:execute-api:${REGION}:${ACCOUNT}:abcde12345`);
      expect([...(domain?.associations ?? [])]).toEqual([HUB_VPCE]);
      expect([...(domain?.mappings ?? [])]).toEqual([["", "v1"]]);
    });

    it("serves the stage at the domain's root through an associated endpoint its policy admits", async () => {
      expect(await through("/studios/lob-a", HUB_VPCE)).toEqual({
        status: 200,
        body: { fn: FN, resource: "/studios/{lob}", pathParameters: { lob: "lob-a" } },
      });
      expect(calls.map((e) => e.path)).toEqual(["/studios/lob-a"]);
    });

    it("has no stage in its paths: /v1/studios there is no resource", async () => {
      expect(await through("/v1/studios", HUB_VPCE)).toEqual({
        status: 403,
        body: { message: "Missing Authentication Token" },
      });
      expect(calls).toEqual([]);
    });

    it("refuses an associated endpoint the domain's policy does not admit", async () => {
      expect(await through("/studios", OTHER_VPCE)).toEqual({
        status: 403,
        body: {
          Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:${REGION}:${ACCOUNT}:abcde12345/v1/GET/studios`,
        },
      });
      expect(calls).toEqual([]);
    });

    it("refuses the hub endpoint once its access association is gone", async () => {
      const [domain] = api.domains;
      domain?.associations.delete(HUB_VPCE);
      try {
        expect(await through("/studios", HUB_VPCE)).toEqual({
          status: 403,
          body: { message: "Forbidden" },
        });
      } finally {
        domain?.associations.add(HUB_VPCE);
      }
      expect(calls).toEqual([]);
    });

    it("leaves a request for another host to the API's own address (the stage in its path)", async () => {
      expect(
        (await through("/v1/studios", HUB_VPCE, "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"))
          .status,
      ).toBe(200);
      expect(
        (await through("/studios", HUB_VPCE, "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"))
          .status,
      ).toBe(403);
    });
  });
});

describe("the emulated private API with a method on the root resource (the portal's page)", () => {
  const calls: APIGatewayProxyEvent[] = [];
  let server: Server;
  let base = "";

  beforeAll(async () => {
    const made = apiResources([...METHODS, ...INTEGRATIONS, `${T.integration}::page`]);
    const page = [
      declare(
        T.method,
        "page",
        "m-page",
        { restApi: "a1b2c3d4e5", resourceId: "root", httpMethod: "GET", authorization: "NONE" },
        [`${T.api}::api`],
      ),
      declare(
        T.integration,
        "page",
        "i-page",
        {
          restApi: "a1b2c3d4e5",
          resourceId: "root",
          httpMethod: "GET",
          type: "AWS_PROXY",
          uri: invokeArn(OTHER_FN),
        },
        [`${T.method}::page`],
      ),
    ];
    const snapshot = createDeployment(made.deployment, [...made.declared, ...page]);
    const host = {
      invoke: (event: APIGatewayProxyEvent) => {
        calls.push(event);
        return Promise.resolve({ statusCode: 200, body: "{}" });
      },
    } as unknown as LambdaHost;
    const api = new PrivateApi(
      apiFromResources([made.stage], new Map([[snapshot.deploymentId, snapshot]])),
      new Map([
        [FN, host],
        [OTHER_FN, host],
      ]),
    );
    server = createServer((req, res) => {
      void api.handle(req, "", res, "vpce-0123456789abcdef1");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("routes /v1 and /v1/ to the root's method, as resource / and path /, with the path as sent", async () => {
    for (const path of ["/v1", "/v1/"]) expect((await fetch(`${base}${path}`)).status).toBe(200);
    expect(
      calls.map((e) => [e.resource, e.path, e.requestContext.resourcePath, e.requestContext.path]),
    ).toEqual([
      ["/", "/", "/", "/v1"],
      ["/", "/", "/", "/v1/"],
    ]);
    calls.length = 0;
    expect((await fetch(`${base}/v1/studios`)).status).toBe(200);
    expect(calls.map((e) => [e.resource, e.path, e.requestContext.path])).toEqual([
      ["/studios", "/studios", "/v1/studios"],
    ]);
  });
});
