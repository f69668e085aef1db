import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { generate as generateCertificate } from "selfsigned";
import { endpointServices, type EndpointKey } from "../../../components/lib/endpoints";
import type { PolicyDocument } from "../../../components/policies/document";
import { readBody } from "../../lib/aws-wire";
import type { Ec2 } from "./ec2";
import type { Efs } from "./efs";
import { close, jsonError, keepIdleConnections, listen } from "./http";
import type { Lambda } from "./lambda";
import { sageMakerCall } from "./sagemaker/api";
import type { SageMakerContext } from "./sagemaker/context";
import type { PresignedUrls } from "./sagemaker/presigned-urls";
import type { Sts } from "./sts";

/**
 * The emulator's one endpoint, as listeners: each VPC endpoint the program creates is a loopback
 * listener; a request's `aws:SourceVpce` is the endpoint it arrived through. A "public" listener
 * (no endpoint) and a "foreign" one (an endpoint that is not the hub's) stand for the rest of the
 * world. Each request goes to the service its protocol names, if the listener serves it.
 */

/** The service a listener stands for; "any" is the public internet, which reaches every service. */
export type ServiceKey = EndpointKey | "other" | "any";

export interface Listener {
  readonly url: string;
  readonly service: ServiceKey;
  readonly vpceId?: string;
}

export type ApiHandler = (
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
  sourceVpce: string | undefined,
) => Promise<void>;

export const FOREIGN_VPCE = "vpce-0f0e0d0c0b0a09080";

/** The services requests are routed to. */
export interface RoutedServices {
  readonly sts: Sts;
  readonly ec2: Ec2;
  readonly efs: Efs;
  readonly sageMaker: SageMakerContext;
  readonly presignedUrls: PresignedUrls;
  readonly lambda: Lambda;
}

export class Router {
  readonly endpoints = new Map<string, { listener: Listener; server: Server }>();
  /** API Gateway's private API, which the rehearsal serves. */
  apiHandler: ApiHandler | undefined;
  private readonly extraServers: Server[] = [];

  constructor(
    private readonly region: string,
    private readonly services: RoutedServices,
    /** Each interface endpoint's policy (IAM's decision reads them). */
    private readonly endpointPolicies: Map<string, PolicyDocument>,
  ) {}

  async open(service: ServiceKey, vpceId: string | undefined): Promise<Listener> {
    const server = createServer((req, res) => {
      void this.dispatch(service, vpceId, req, res).catch((error: unknown) => {
        if (!res.headersSent)
          jsonError(
            res,
            500,
            "InternalFailure",
            error instanceof Error ? error.message : String(error),
          );
      });
    });
    const listener = { url: await listen(server), service, vpceId };
    if (vpceId && service !== "any") this.endpoints.set(vpceId, { listener, server });
    else this.extraServers.push(server);
    return listener;
  }

  async createEndpoint(
    id: string,
    serviceName: string,
    policy?: PolicyDocument,
  ): Promise<Listener> {
    if (policy) this.endpointPolicies.set(id, policy);
    const service =
      endpointServices(this.region).find((s) => s.serviceName === serviceName)?.key ?? "other";
    return this.open(service, id);
  }

  /**
   * The same endpoint over TLS, with a self-signed certificate: a browser can then follow a
   * presigned URL's https:// redirect to it (mapped there by its host resolver rules).
   */
  async tlsListener(vpceId: string, commonName = "*.sagemaker.aws"): Promise<string> {
    const endpoint = this.endpoints.get(vpceId);
    if (!endpoint) throw new Error(`no endpoint ${vpceId}`);
    const pems = await generateCertificate([{ name: "commonName", value: commonName }], {
      keySize: 2048,
      algorithm: "sha256",
    });
    const service = endpoint.listener.service;
    const server = createHttpsServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      void this.dispatch(service, vpceId, req, res).catch(() => {
        if (!res.headersSent) jsonError(res, 500, "InternalFailure", "dispatch failed");
      });
    });
    keepIdleConnections(server);
    this.extraServers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  async deleteEndpoint(id: string): Promise<void> {
    const endpoint = this.endpoints.get(id);
    if (!endpoint) return;
    this.endpoints.delete(id);
    this.endpointPolicies.delete(id);
    await close(endpoint.server);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.endpoints.values()].map(({ server }) => close(server)));
    await Promise.all(this.extraServers.map(close));
    this.endpoints.clear();
  }

  private async dispatch(
    service: ServiceKey,
    vpceId: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const services = this.services;
    const body = await readBody(req);
    const target = req.headers["x-amz-target"];
    const serves = (key: ServiceKey) => service === key || service === "any";
    if (req.method === "POST" && body.includes("Action=AssumeRole") && serves("sts"))
      return services.sts.assumeRole(new URLSearchParams(body), req, res, vpceId);
    if (req.method === "POST" && /(^|&)Action=\w+/.test(body) && service === "any") {
      services.ec2.handle(new URLSearchParams(body), req, res);
      return;
    }
    if ((req.url ?? "").startsWith("/2015-02-01/") && service === "any") {
      services.efs.handle(req, res);
      return;
    }
    if (typeof target === "string" && target.startsWith("SageMaker.") && serves("sagemaker-api")) {
      return sageMakerCall(
        services.sageMaker,
        services.presignedUrls,
        target.slice("SageMaker.".length),
        JSON.parse(body || "{}") as Record<string, unknown>,
        req,
        res,
        vpceId,
      );
    }
    const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? "");
    if (req.method === "POST" && invocation?.[1] && serves("lambda"))
      return services.lambda.invoke(decodeURIComponent(invocation[1]), body, req, res, vpceId);
    if (req.method === "GET" && (req.url ?? "").startsWith("/auth?") && serves("studio"))
      return services.presignedUrls.open(req, res, vpceId);
    if (this.apiHandler && serves("execute-api")) return this.apiHandler(req, body, res, vpceId);
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end(`this endpoint (${service}) does not serve that request`);
  }
}
