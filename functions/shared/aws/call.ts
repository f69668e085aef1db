import type { Readable } from "node:stream";
import { setTimeout as pause } from "node:timers/promises";
import { parseXML } from "@aws-sdk/xml-builder";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest, HttpResponse, loadJsonRpcErrorCode } from "@smithy/core/protocols";
import { MAXIMUM_RETRY_DELAY, Retry } from "@smithy/core/retry";
import { isThrottlingError, isTransientError } from "@smithy/service-error-classification";
import { SignatureV4 } from "@smithy/signature-v4";
import { currentSignal, ENV_CREDENTIALS, MAX_ATTEMPTS, SDK_OPTIONS } from "../sdk";

/**
 * The sign-in path's AWS calls, made directly: each request signed with the SDK's own Signature
 * Version 4 signer (@smithy/signature-v4), sent through the SDK's own Node.js HTTP handler with the
 * functions' timeouts (functions/shared/sdk.ts SDK_OPTIONS: connect 1 s, answer 3 s, inactivity 3 s,
 * all thrown) and the caller's deadline (the call's `abortSignal`, or an enclosing `bounded`'s),
 * retried once like the SDK's standard retry
 * strategy, its errors shaped like the SDK's (`name` the service's error code, `$fault`,
 * `$metadata.httpStatusCode`), so functions/presigner/errors.ts classifies both alike.
 *
 * Why not the SDK clients: their middleware stacks, endpoint rule sets, schema serde and config
 * providers cost the presigner about 170 KB of bundle, about 25 ms of a cold sign-in and half a
 * millisecond of each warm call (docs/functions.md, "Bundle size and sign-in speed"); the sign-in
 * needs nine operations of two protocols, whose wire formats are fixed and documented:
 * - AWS JSON 1.0 / 1.1: POST / with `X-Amz-Target: <prefix>.<Operation>` and a JSON body; errors
 *   name their code in `__type` or the `X-Amzn-ErrorType` header
 *   (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html, "Operation error serialization").
 * - AWS query (STS): POST / with a form body `Action=…&Version=…`, XML answers
 *   (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html), parsed with the SDK's own XML
 *   parser (@aws-sdk/xml-builder `parseXML`).
 * The lifecycle's drain (off the sign-in path) keeps the SDK clients.
 *
 * Adding an operation: a command class in the service's module (dynamodb.ts, sagemaker.ts; STS's
 * `send` reads AssumeRole's answer only), its input typed with the SDK's own type (`import type`)
 * and its output with the fields read (the wire's timestamps are numbers, not the SDK's Dates);
 * the function role's permission (components/policies/hub-roles.ts); the operation in the
 * rehearsal's emulator (scripts/sandbox/aws/) and in the benchmark's fake (scripts/lib/fake-aws.ts);
 * tests mock it through tests/helpers/aws-mock.ts; tests/functions/aws-calls.test.ts checks every
 * command's name against the SDK's.
 */

/** A request's service, in the terms its endpoint and signature need. */
export interface ServiceModel {
  /** The SDK's service id for `AWS_ENDPOINT_URL_<ID>`: DYNAMODB, STS, SAGEMAKER. */
  readonly endpointId: string;
  /** The host's first label(s): `dynamodb`, `sts`, `api.sagemaker`. */
  readonly hostPrefix: string;
  /** The name requests are signed for: `dynamodb`, `sts`, `sagemaker`. */
  readonly signingName: string;
}

/** Credentials as the SDK clients take them: static, or a function that gives them. */
export type Credentials =
  | {
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
    }
  | (() => Promise<{
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
    }>);

export interface ClientConfig {
  readonly region?: string;
  /** The functions' own (ENV_CREDENTIALS) unless given, e.g. a role's assumed credentials. */
  readonly credentials?: Credentials;
  /** Overrides the endpoint the environment or the region gives (tests). */
  readonly endpoint?: string;
}

/** What the SDK's outputs carry beside their fields (smithy `MetadataBearer`). */
export interface ResponseMetadata {
  readonly $metadata: {
    readonly httpStatusCode?: number;
    readonly requestId?: string;
    readonly attempts?: number;
  };
}

/**
 * A call's options, as the SDK's `send(command, options)` takes them: the caller's deadline. Unlike
 * the SDK's clients, these have no middleware to resolve again when a call passes options, so the
 * sign-in passes its signal with each call (the SDK's clients take theirs from `bounded`, whose
 * async context costs every promise of the process a hook on Node.js 20).
 */
export interface SendOptions {
  readonly abortSignal?: AbortSignal;
}

/** An AWS service's refusal, shaped as the SDK's ServiceException. */
export class AwsServiceError extends Error {
  readonly $fault: "client" | "server";
  readonly $metadata: ResponseMetadata["$metadata"];
  constructor(code: string, message: string, status: number, requestId: string | undefined) {
    super(message || code);
    this.name = code;
    this.$fault = status >= 500 ? "server" : "client";
    this.$metadata = { httpStatusCode: status, requestId };
  }
}

/**
 * The endpoint a service is called at, as the SDK resolves it for a standard region:
 * `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL` ("Service-specific endpoints",
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), else
 * `https://<prefix>.<region>.amazonaws.com` (`.amazonaws.com.cn` in the China regions), the
 * regional endpoints the hub's interface endpoints answer for through private DNS
 * (https://docs.aws.amazon.com/general/latest/gr/rande.html). FIPS and dual-stack endpoints are not
 * chosen: `AWS_USE_FIPS_ENDPOINT` or `AWS_USE_DUALSTACK_ENDPOINT` set to true is refused, naming it.
 */
export function endpointFor(
  service: ServiceModel,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): URL {
  for (const name of ["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"]) {
    if (env[name]?.toLowerCase() === "true") {
      throw new Error(
        `${name}=true is not supported by the sign-in's AWS calls (functions/shared/aws)`,
      );
    }
  }
  const configured =
    env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true"
      ? undefined
      : (env[`AWS_ENDPOINT_URL_${service.endpointId}`] ?? env.AWS_ENDPOINT_URL);
  if (configured) return new URL(configured);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new Error(`region ${JSON.stringify(region.slice(0, 40))} is not an AWS region name`);
  }
  // The isolated partitions (us-iso-east-1, us-isob-east-1, eu-isoe-west-1, …) have domains of
  // their own that this code does not name: refused rather than sent to the wrong host.
  if (/^[a-z]{2}-iso[a-z]?-/.test(region)) {
    throw new Error(
      `region ${region} is in an isolated partition, whose endpoints are not supported`,
    );
  }
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return new URL(`https://${service.hostPrefix}.${region}.${suffix}`);
}

/**
 * The wait before a retry, as the SDK's standard strategy computes it (@smithy/core, util-retry
 * `DefaultRetryBackoffStrategy.computeNextBackoffDelay`, not exported): a random part of
 * min(base × 2^(retries so far), MAXIMUM_RETRY_DELAY), the base the SDK's own (`Retry.delay()`, and
 * `Retry.throttlingDelay()` when throttled). Unlike the SDK's wait, this one ends at the caller's
 * deadline. The SDK's retry quota and Retry-After hint are not modelled: two attempts at most.
 */
function backoffMs(retriesSoFar: number, throttled: boolean): number {
  const base = throttled ? Retry.throttlingDelay() : Retry.delay();
  return Math.floor(Math.random() * Math.min(base * 2 ** retriesSoFar, MAXIMUM_RETRY_DELAY));
}

type Failure = Parameters<typeof isThrottlingError>[0] & { $metadata?: { attempts?: number } };

/** One service's calls, for one region and one set of credentials. */
export class AwsClient {
  /** Resolved at the first call, as the SDK's clients resolve region and endpoint. */
  private resolved?: { readonly signer: SignatureV4; readonly url: URL };

  constructor(
    private readonly service: ServiceModel,
    private readonly config: ClientConfig,
  ) {}

  private resolve(): { readonly signer: SignatureV4; readonly url: URL } {
    if (this.resolved) return this.resolved;
    const { service, config } = this;
    const region = config.region ?? process.env.AWS_REGION ?? "";
    if (!region) throw new Error(`${service.signingName}: no region (AWS_REGION is not set)`);
    const url = config.endpoint ? new URL(config.endpoint) : endpointFor(service, region);
    const credentials = config.credentials ?? ENV_CREDENTIALS;
    const signer = new SignatureV4({
      service: service.signingName,
      region,
      credentials:
        typeof credentials === "function" ? credentials : () => Promise.resolve(credentials),
      sha256: Sha256,
      uriEscapePath: true,
      applyChecksum: false,
    });
    this.resolved = { signer, url };
    return this.resolved;
  }

  /**
   * POSTs `body` with `headers`, signed, and answers the body of a 2xx; refusals are thrown as
   * {@link AwsServiceError} (their code read by `errorCode`), network failures as Node's errors
   * (TimeoutError, AbortError, ECONNRESET…). A throttled or transient failure is tried again once
   * (MAX_ATTEMPTS) after the SDK's backoff, unless the caller's deadline has passed.
   */
  async post(
    headers: Record<string, string>,
    body: string,
    errorCode: (status: number, headers: Record<string, string>, body: string) => ErrorFields,
    options: SendOptions = {},
  ): Promise<string> {
    // The caller's deadline: given with the call, or held by an enclosing `bounded` (the SDK's way).
    const abortSignal = options.abortSignal ?? currentSignal();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(headers, body, errorCode, abortSignal);
      } catch (error) {
        const failure = error as Failure;
        const throttled = isThrottlingError(failure);
        if (attempt >= MAX_ATTEMPTS || !(throttled || isTransientError(failure))) {
          if (error instanceof Error)
            failure.$metadata = { ...failure.$metadata, attempts: attempt };
          throw error;
        }
        // Node's timer ends at the deadline with an AbortError, as the HTTP handler does.
        await pause(backoffMs(attempt - 1, throttled), undefined, { signal: abortSignal });
      }
    }
  }

  private async once(
    headers: Record<string, string>,
    body: string,
    errorCode: (status: number, headers: Record<string, string>, body: string) => ErrorFields,
    abortSignal: AbortSignal | undefined,
  ): Promise<string> {
    const { url, signer } = this.resolve();
    const request = new HttpRequest({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        "content-length": String(Buffer.byteLength(body)),
        ...headers,
      },
      body,
    });
    const signed = await signer.sign(request);
    // The signer answers a clone of the request (@smithy/signature-v4 prepareRequest).
    if (!HttpRequest.isInstance(signed)) throw new Error("the signer answered no HTTP request");
    const { response } = await SDK_OPTIONS.requestHandler.handle(
      signed,
      abortSignal ? { abortSignal } : {},
    );
    const text = await readAll(response.body as Readable);
    if (response.statusCode >= 200 && response.statusCode < 300) return text;
    const { code, message } = errorCode(response.statusCode, response.headers, text);
    throw new AwsServiceError(
      code,
      message,
      response.statusCode,
      response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"],
    );
  }
}

export interface ErrorFields {
  readonly code: string;
  readonly message: string;
}

/** The code a status alone says, when an answer names none (e.g. an empty 503 from a proxy). */
function codeOfStatus(status: number): string {
  if (status === 429) return "TooManyRequestsException";
  if (status === 503) return "ServiceUnavailable";
  return status >= 500 ? "InternalFailure" : "UnknownError";
}

/**
 * An AWS JSON error's code, read as the SDK reads it (@smithy/core/protocols `loadJsonRpcErrorCode`:
 * the body's `__type`, then its `code`, then the `X-Amzn-ErrorType` header, any namespace and `:`
 * suffix removed), and its message (`message` or `Message`).
 */
export function jsonErrorCode(
  status: number,
  headers: Record<string, string>,
  body: string,
): ErrorFields {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(body);
    if (value && typeof value === "object") parsed = value as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): the status names the error.
  }
  const code = loadJsonRpcErrorCode(new HttpResponse({ statusCode: status, headers }), parsed);
  const message = parsed.message ?? parsed.Message;
  return {
    code: typeof code === "string" && code ? code : codeOfStatus(status),
    message: typeof message === "string" ? message : "",
  };
}

/** An AWS query error: `<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error>`. */
export function xmlErrorCode(
  status: number,
  _headers: Record<string, string>,
  body: string,
): ErrorFields {
  const parsed = readXml(body);
  const error = at(parsed, "ErrorResponse", "Error") ?? at(parsed, "Error");
  const code = at(error, "Code");
  const message = at(error, "Message");
  return {
    code: typeof code === "string" && code ? code : codeOfStatus(status),
    message: typeof message === "string" ? message : "",
  };
}

/** The SDK's XML parser; a body that is not XML reads as nothing. */
export function readXml(body: string): unknown {
  try {
    return body ? (parseXML(body) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** The value at `path` in parsed XML (nested objects), or undefined. */
export function at(value: unknown, ...path: string[]): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== "object") return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** An operation's input, carried to a client's `send` (the SDK's `new XCommand(input)` shape). */
export abstract class AwsCommand<Input, Output> {
  /** Never set: carries the output type for `send`. */
  declare readonly __output?: Output;
  constructor(readonly input: Input) {}
  /** The operation's name: `BatchGetItem`, `AssumeRole`, … */
  abstract readonly operation: string;
}

/** An AWS JSON 1.0 / 1.1 service's client: `send(new Command(input))` as the SDK's clients. */
export class JsonClient {
  private readonly client: AwsClient;
  constructor(
    service: ServiceModel,
    private readonly protocol: { readonly targetPrefix: string; readonly version: "1.0" | "1.1" },
    config: ClientConfig,
  ) {
    this.client = new AwsClient(service, config);
  }

  async send<Input, Output>(
    command: AwsCommand<Input, Output>,
    options: SendOptions = {},
  ): Promise<Output & ResponseMetadata> {
    const text = await this.client.post(
      {
        "content-type": `application/x-amz-json-${this.protocol.version}`,
        "x-amz-target": `${this.protocol.targetPrefix}.${command.operation}`,
      },
      JSON.stringify(command.input),
      jsonErrorCode,
      options,
    );
    const output = (text ? JSON.parse(text) : {}) as Output;
    return { ...output, $metadata: { httpStatusCode: 200 } };
  }
}
