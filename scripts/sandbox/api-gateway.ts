import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from "aws-lambda";
import type { PolicyDocument } from "../../components/policies/document";
import { evaluateIam } from "../lib/iam-eval";
import { resourceKey, type NewResource, type RecordedResource } from "../lib/mock-stack";
import type { LambdaHost } from "./lambda-host";

/**
 * A private REST API served as API Gateway would serve the deployed one, built from the program's
 * own API resources: the resource policy is evaluated with the caller's source endpoint, then the
 * TOKEN authorizer runs (results cached per token for its TTL), its returned policy is evaluated,
 * and the proxy integration invokes the function with the authorizer's context.
 */
interface Route {
  readonly resource: string;
  readonly segments: readonly string[];
  readonly method: string;
  readonly authorizerId?: string;
  readonly functionArn: string;
}

interface Authorizer {
  readonly functionArn: string;
  readonly header: string;
  readonly validation?: RegExp;
  readonly ttlSeconds: number;
}

export interface ApiDefinition {
  readonly apiId: string;
  readonly account: string;
  readonly region: string;
  readonly executionArn: string;
  readonly stage: string;
  readonly policy: PolicyDocument;
  readonly routes: readonly Route[];
  readonly authorizers: ReadonlyMap<string, Authorizer>;
}

const functionOf = (invokeArn: unknown) =>
  /functions\/(.+)\/invocations$/.exec(String(invokeArn))?.[1] ?? "";

/** A resource as the engine created it, with what it depends on (a `NewResource` or recorded one). */
type Declared = Pick<RecordedResource, "type" | "name" | "id" | "inputs" | "state"> &
  Partial<Pick<NewResource, "account" | "region" | "dependencies">>;

/** What a deployment captured: the API's configuration it saw when it was created. */
export interface DeploymentSnapshot {
  readonly deploymentId: string;
  readonly restApiId: string;
  /** The REST API and the resources, methods, integrations and authorizers it was made after. */
  readonly resources: readonly Declared[];
}

/** API Gateway's refusal of a control-plane call, as its SDK names it. */
export class BadRequestException extends Error {
  override readonly name = "BadRequestException";
}

const METHOD = "aws:apigateway/method:Method";
const INTEGRATION = "aws:apigateway/integration:Integration";

/** Everything `start` depends on, directly or through others, as `resourceKey`s. */
function dependencyClosure(start: Declared, byKey: ReadonlyMap<string, Declared>): Set<string> {
  const seen = new Set<string>();
  const queue = [...(start.dependencies ?? [])];
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    if (seen.has(key)) continue;
    seen.add(key);
    queue.push(...(byKey.get(key)?.dependencies ?? []));
  }
  return seen;
}

/**
 * CreateDeployment for one `aws.apigateway.Deployment` of a stack, as API Gateway answers it when
 * the engine creates the stack in the worst order its dependencies allow.
 *
 * The engine creates a resource once everything it depends on exists and runs the rest in
 * parallel, so the only parts of the API sure to exist when the deployment is created are those it
 * depends on, directly or transitively (inputs or `dependsOn`); any other method may already exist
 * while its integration does not. The provider makes a single CreateDeployment call
 * (resourceDeploymentCreate, internal/service/apigateway/deployment.go of
 * hashicorp/terraform-provider-aws, no retry), which API Gateway refuses with BadRequestException
 * "No integration defined for method" when a method of the API has no integration
 * (terraform-provider-aws issue #27271; the provider's Deployment page asks for dependencies on
 * every method and integration), and "The REST API doesn't contain any methods" when it has none
 * (CreateDeployment, API Gateway API reference). A deployment that succeeds is a snapshot ("Create a deployment for a REST API in
 * API Gateway", API Gateway developer guide: methods, integrations, authorizers, ...): what it was
 * made after, not what exists later.
 *
 * @param declared every resource the stack created, the deployment included
 */
export function createDeployment(
  deployment: Declared,
  declared: readonly Declared[],
): DeploymentSnapshot {
  const key = (r: Declared) => resourceKey(r);
  const byKey = new Map(declared.map((r) => [key(r), r]));
  const seen = dependencyClosure(deployment, byKey);
  const restApiId = String(deployment.inputs.restApi);
  const ofApi = (type: string) =>
    declared.filter((r) => r.type === type && r.inputs.restApi === restApiId);
  const integrationOf = (method: Declared) =>
    ofApi(INTEGRATION).find(
      (i) =>
        i.inputs.resourceId === method.inputs.resourceId &&
        i.inputs.httpMethod === method.inputs.httpMethod,
    );
  // A method made after the deployment (one depending on it) cannot be there when it is created.
  const methods = ofApi(METHOD).filter((m) => !dependencyClosure(m, byKey).has(key(deployment)));
  const where = `creating ${deployment.type} ${deployment.name} (REST API ${restApiId})`;
  if (!methods.some((m) => seen.has(key(m))))
    throw new BadRequestException(
      `${where}: BadRequestException: The REST API doesn't contain any methods (it depends on none of its methods: the engine may create it first)`,
    );
  const unintegrated = methods.filter((m) => {
    const integration = integrationOf(m);
    return !integration || !seen.has(key(integration));
  });
  if (unintegrated.length > 0)
    throw new BadRequestException(
      `${where}: BadRequestException: No integration defined for method (${unintegrated
        .map((m) => {
          const integration = integrationOf(m);
          return `${String(m.inputs.httpMethod)} of method ${m.name}: ${integration ? `the deployment does not depend on its integration ${integration.name}, so the engine may create that after it` : "it has no integration"}`;
        })
        .join("; ")})`,
    );
  return {
    deploymentId: deployment.id,
    restApiId,
    // Copies: a later change to the API is not in this deployment.
    resources: declared
      .filter((r) => seen.has(key(r)) && r.type.startsWith("aws:apigateway/"))
      .map((r) => structuredClone(r)),
  };
}

/**
 * Reads the API a stage serves: the snapshot its deployment took (see `createDeployment`), not the
 * API's resources as they are now.
 * @param resources the stack's resources (its stage)
 * @param deployments the snapshots of the deployments API Gateway created, by deployment id
 */
export function apiFromResources(
  resources: readonly RecordedResource[],
  deployments: ReadonlyMap<string, DeploymentSnapshot>,
): ApiDefinition {
  const [stage] = resources.filter((r) => r.type === "aws:apigateway/stage:Stage");
  if (!stage) throw new Error("the program declares no REST API with a stage");
  const snapshot = deployments.get(String(stage.inputs.deployment));
  if (!snapshot)
    throw new Error(
      `stage ${String(stage.inputs.stageName)} points to deployment ${String(stage.inputs.deployment)}, which API Gateway did not create`,
    );
  const ofType = (type: string) => snapshot.resources.filter((r) => r.type === type);
  const api = ofType("aws:apigateway/restApi:RestApi").find((r) => r.id === snapshot.restApiId);
  if (!api) throw new Error(`deployment ${snapshot.deploymentId} was made before its REST API`);
  const paths = new Map<string, string>([[String(api.state.rootResourceId), ""]]);
  const resourceList = ofType("aws:apigateway/resource:Resource");
  for (let pass = 0; pass < resourceList.length; pass++) {
    for (const r of resourceList) {
      const parent = paths.get(String(r.inputs.parentId));
      if (parent !== undefined) paths.set(r.id, `${parent}/${String(r.inputs.pathPart)}`);
    }
  }
  const integrations = ofType(INTEGRATION);
  const routes = ofType(METHOD).map((m) => {
    const resource = paths.get(String(m.inputs.resourceId)) ?? "?";
    const integration = integrations.find(
      (i) =>
        i.inputs.resourceId === m.inputs.resourceId && i.inputs.httpMethod === m.inputs.httpMethod,
    );
    return {
      // The root resource's path is `/` (its path part is empty).
      resource: resource || "/",
      segments: resource.split("/").filter(Boolean),
      method: String(m.inputs.httpMethod),
      authorizerId: m.inputs.authorization === "CUSTOM" ? String(m.inputs.authorizerId) : undefined,
      functionArn: functionOf(integration?.inputs.uri),
    };
  });
  const authorizers = new Map(
    ofType("aws:apigateway/authorizer:Authorizer").map((a) => [
      a.id,
      {
        functionArn: functionOf(a.inputs.authorizerUri),
        header: String(a.inputs.identitySource).replace("method.request.header.", "").toLowerCase(),
        validation:
          typeof a.inputs.identityValidationExpression === "string"
            ? new RegExp(a.inputs.identityValidationExpression)
            : undefined,
        ttlSeconds: Number(a.inputs.authorizerResultTtlInSeconds ?? 300),
      },
    ]),
  );
  const executionArn = String(api.state.executionArn);
  const policy = JSON.parse(
    JSON.stringify(JSON.parse(String(api.inputs.policy))).replaceAll(
      '"execute-api:/',
      `"${executionArn}/`,
    ),
  ) as PolicyDocument;
  return {
    apiId: api.id,
    account: api.account ?? "",
    region: api.region ?? "",
    executionArn,
    stage: String(stage.inputs.stageName),
    policy,
    routes,
    authorizers,
  };
}

/**
 * A private custom domain name as API Gateway serves it ("Custom domain names for private APIs in
 * API Gateway", API Gateway developer guide,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html):
 * its own execute-api policy, the VPC endpoints with an access association, and its base path
 * mappings (base path → stage; the root is "").
 */
export interface DomainDefinition {
  readonly name: string;
  readonly account: string;
  /**
   * What its policy's `execute-api:/*` stands for. AWS names the domain
   * `arn:aws:execute-api:<region>:<account>:/domainnames/<name>+<id>`; the IAM simulator's
   * resource-type matching does not take that form (multiple.resource.types), so the emulator
   * evaluates `arn:aws:execute-api:<region>:<account>:<id>/<stage>/<METHOD>/<path>`, the shape of a
   * method's ARN: the statements the program writes (`execute-api:/*`) match either alike.
   */
  readonly executionArn: string;
  readonly policy: PolicyDocument;
  /** The VPC endpoints associated with the domain (a rejected or deleted one is removed). */
  readonly associations: Set<string>;
  readonly mappings: ReadonlyMap<string, string>;
}

/** The private custom domain names the stack declares, read from their resources. */
export function domainsFromResources(resources: readonly RecordedResource[]): DomainDefinition[] {
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return ofType("aws:apigateway/domainName:DomainName")
    .filter(
      (d) =>
        (d.inputs.endpointConfiguration as { types?: unknown } | undefined)?.types === "PRIVATE",
    )
    .map((d) => {
      const arn = String(d.state.arn);
      const executionArn = `arn:aws:execute-api:${d.region ?? ""}:${d.account ?? ""}:${String(d.state.domainNameId)}`;
      const policy = JSON.parse(
        String(d.inputs.policy).replaceAll('"execute-api:/', `"${executionArn}/`),
      ) as PolicyDocument;
      return {
        name: String(d.inputs.domainName),
        account: d.account ?? "",
        executionArn,
        policy,
        associations: new Set(
          ofType("aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation")
            .filter((a) => a.inputs.domainNameArn === arn)
            .map((a) => String(a.inputs.accessAssociationSource)),
        ),
        mappings: new Map(
          ofType("aws:apigateway/basePathMapping:BasePathMapping")
            .filter(
              (m) =>
                m.inputs.domainName === d.inputs.domainName &&
                m.inputs.domainNameId === d.state.domainNameId,
            )
            .map((m) => [
              typeof m.inputs.basePath === "string" ? m.inputs.basePath : "",
              String(m.inputs.stageName),
            ]),
        ),
      };
    });
}

/** A path segment decoded, or undefined when its percent-encoding is malformed (`%E0%A4%A`). */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

export class PrivateApi {
  private readonly cache = new Map<string, { result: APIGatewayAuthorizerResult; until: number }>();
  requests = 0;

  constructor(
    private readonly api: ApiDefinition,
    private readonly functions: ReadonlyMap<string, LambdaHost>,
    /** The private custom domain names mapped to this API. */
    readonly domains: readonly DomainDefinition[] = [],
  ) {}

  /**
   * A request whose Host is one of the custom domain names, through the domain: the endpoint it
   * came through needs an access association with the domain, and the domain's own policy must
   * admit it ("To invoke a private API using a custom domain name, your VPC endpoint needs a domain
   * name access association with a custom domain name, and the custom domain name needs to allow
   * access for the VPC endpoint to invoke it", "Invoke a private API", API Gateway developer guide,
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-api-test-invoke-url.html);
   * then the base path mapping picks the stage and the API answers as it does on its own address
   * (its resource policy too: the consumer's endpoint must be admitted there as well, "API
   * provider: Share your private custom domain name using the API Gateway AWS CLI").
   * @returns the path on the API (with its stage), or undefined when the request was answered
   */
  private async throughDomain(
    domain: DomainDefinition,
    url: URL,
    method: string,
    res: ServerResponse,
    sourceVpce: string | undefined,
  ): Promise<string | undefined> {
    if (sourceVpce === undefined || !domain.associations.has(sourceVpce)) {
      // AWS documents that the association is needed, not the body of its refusal: a 403 with
      // API Gateway's generic message is this emulator's.
      send(res, 403, { message: "Forbidden" });
      return undefined;
    }
    // The longest base path the request's first segment names, else the root mapping.
    const [, first = ""] = url.pathname.split("/");
    const basePath = domain.mappings.has(first) && first !== "" ? first : "";
    const stage = domain.mappings.get(basePath);
    if (stage === undefined) {
      send(res, 403, { message: "Forbidden" });
      return undefined;
    }
    const rest = basePath === "" ? url.pathname : url.pathname.slice(basePath.length + 1);
    const resource = `${domain.executionArn}/${stage}/${method}${rest}`;
    const allowed = await evaluateIam({
      principal: "anonymous",
      action: "execute-api:Invoke",
      resource,
      resourceAccount: domain.account,
      resourcePolicy: domain.policy,
      context: { "aws:SourceVpce": sourceVpce },
    });
    if (allowed !== "Allowed") {
      send(res, 403, {
        Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${resource}`,
      });
      return undefined;
    }
    return `/${stage}${rest === "" ? "/" : rest}`;
  }

  private fn(arn: string): LambdaHost {
    const host = this.functions.get(arn);
    if (!host) throw new Error(`no function ${arn} is running`);
    return host;
  }

  async handle(
    req: IncomingMessage,
    body: string,
    res: ServerResponse,
    sourceVpce: string | undefined,
  ): Promise<void> {
    this.requests += 1;
    const url = new URL(req.url ?? "/", "http://api");
    const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
    const domain = this.domains.find((d) => d.name === host);
    if (domain) {
      const onApi = await this.throughDomain(domain, url, req.method ?? "GET", res, sourceVpce);
      if (onApi === undefined) return;
      url.pathname = onApi;
    }
    const [, stage = "", ...rest] = url.pathname.split("/");
    // A REST API routes `/studios/` as `/studios`: one trailing slash is not a segment (the proxy
    // event's `path` keeps it). Any other empty segment is one, and matches no resource; a path
    // parameter never matches an empty segment. (No AWS page states this; it is what API Gateway
    // is reported to do, e.g. aws/chalice#65 and aws-powertools/powertools-lambda-python#1552.)
    const segments = rest.at(-1) === "" ? rest.slice(0, -1) : rest;
    const decoded = segments.map(decodeSegment);
    const method = req.method ?? "GET";
    if (decoded.includes(undefined)) {
      // A path whose percent-encoding does not decode is a client error, refused before routing:
      // API Gateway answers 400 and invokes nothing (reported in adamchainz/apig-wsgi#102; AWS
      // documents no gateway response for it, so the body is this emulator's).
      send(res, 400, { message: "Bad Request" });
      return;
    }
    if (stage !== this.api.stage) {
      send(res, 403, { message: "Forbidden" });
      return;
    }
    // A method or resource the deployment does not have: API Gateway's MISSING_AUTHENTICATION_TOKEN
    // gateway response, 403 {"message":"Missing Authentication Token"} ("Gateway response types
    // for API Gateway", API Gateway developer guide), whoever asks. `GET /v1` and `GET /v1/` are
    // the root resource (no segment): the portal's page when the API has it.
    const route = this.api.routes.find(
      (r) =>
        r.method === method &&
        r.segments.length === segments.length &&
        r.segments.every((s, i) => (s.startsWith("{") ? segments[i] !== "" : s === segments[i])),
    );
    if (!route) {
      send(res, 403, { message: "Missing Authentication Token" });
      return;
    }
    const methodArn = `${this.api.executionArn}/${stage}/${method}/${segments.join("/")}`;
    // The root resource's ARN ends in `GET/` (an empty resource path), which the IAM simulator's
    // execute-api ARN pattern does not classify (it needs a non-empty path): its decisions are
    // asked for `GET//`, which every policy here (`<api>/*`, `<api>/<stage>/*/*`) matches as AWS
    // matches `GET/`. A policy naming the root's exact ARN would need this revisited.
    const decidedArn = segments.length === 0 ? `${methodArn}/` : methodArn;

    const allowedByPolicy = await evaluateIam({
      principal: "anonymous",
      action: "execute-api:Invoke",
      resource: decidedArn,
      resourceAccount: this.api.account,
      resourcePolicy: this.api.policy,
      context: sourceVpce
        ? { "aws:SourceVpce": sourceVpce }
        : { "aws:SourceIp": req.socket.remoteAddress ?? "" },
    });
    if (allowedByPolicy !== "Allowed") {
      send(res, 403, {
        Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${methodArn}`,
      });
      return;
    }

    const pathParameters = Object.fromEntries(
      route.segments.flatMap((s, i) =>
        s.startsWith("{") ? [[s.slice(1, -1), decoded[i] ?? ""]] : [],
      ),
    );
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
    );

    let authorizerContext: Record<string, unknown> = {};
    if (route.authorizerId) {
      const authorizer = this.api.authorizers.get(route.authorizerId);
      const token = headers[authorizer?.header ?? "authorization"];
      if (!authorizer || !token || (authorizer.validation && !authorizer.validation.test(token))) {
        send(res, 401, { message: "Unauthorized" });
        return;
      }
      let cached = this.cache.get(token);
      if (!cached || cached.until < Date.now()) {
        try {
          const result = await this.fn(authorizer.functionArn).invoke<APIGatewayAuthorizerResult>({
            type: "TOKEN",
            authorizationToken: token,
            methodArn,
          });
          cached = { result, until: Date.now() + authorizer.ttlSeconds * 1000 };
          this.cache.set(token, cached);
        } catch (error) {
          // The authorizer's "Unauthorized" is API Gateway's 401; any other failure is its 500.
          const unauthorized = error instanceof Error && error.message === "Unauthorized";
          send(res, unauthorized ? 401 : 500, { message: unauthorized ? "Unauthorized" : null });
          return;
        }
      }
      const allowed = await evaluateIam({
        principal: `arn:aws:iam::${this.api.account}:user/api-caller`,
        action: "execute-api:Invoke",
        resource: decidedArn,
        resourceAccount: this.api.account,
        identity: [cached.result.policyDocument as unknown as PolicyDocument],
      });
      if (allowed !== "Allowed") {
        send(res, 403, { Message: "User is not authorized to access this resource" });
        return;
      }
      authorizerContext = { ...cached.result.context, principalId: cached.result.principalId };
    }

    try {
      const result = await this.fn(route.functionArn).invoke<APIGatewayProxyResult>({
        resource: route.resource,
        // The path within the API (`/` for the root, `/v1` included); requestContext.path is the
        // path as the client sent it, stage included ($context.path, "$context variables for data
        // models, authorizers, mapping templates, and access logging", API Gateway developer guide,
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
        path: url.pathname.slice(stage.length + 1) || "/",
        httpMethod: method,
        headers,
        // Every value of each request header, as API Gateway's proxy integration passes them.
        multiValueHeaders: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v : [v ?? ""]]),
        ),
        // As API Gateway does: the last value of each name, and every value in the multi-value map.
        queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : null,
        multiValueQueryStringParameters: url.search
          ? Object.fromEntries(
              [...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)]),
            )
          : null,
        pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
        stageVariables: null,
        body: body || null,
        isBase64Encoded: false,
        requestContext: {
          accountId: this.api.account,
          apiId: this.api.apiId,
          stage,
          requestId: randomUUID(),
          resourcePath: route.resource,
          path: url.pathname,
          httpMethod: method,
          authorizer: authorizerContext,
          identity: { sourceIp: req.socket.remoteAddress ?? "", vpceId: sourceVpce },
        },
      });
      // API Gateway merges a proxy response's headers and multiValueHeaders ("Output format of a
      // Lambda function for proxy integration", API Gateway developer guide): several Set-Cookie.
      const responseHeaders: Record<string, string | string[]> = Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      for (const [k, values] of Object.entries(result.multiValueHeaders ?? {}))
        responseHeaders[k] = [
          ...[responseHeaders[k] ?? []].flat(),
          ...values.map((v) => String(v)),
        ];
      send(res, result.statusCode, result.body, responseHeaders);
    } catch {
      send(res, 502, { message: "Internal server error" });
    }
  }
}
