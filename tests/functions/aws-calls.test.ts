/**
 * #22: the sign-in path's own AWS calls (functions/shared/aws): where they go, what they put on
 * the wire, that the signature covers what was sent, how refusals come back and which are retried.
 * Each case runs against a local HTTP server that records what it got and answers as told.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { isThrottlingError, isTransientError } from "@smithy/service-error-classification";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import {
  AwsServiceError,
  endpointFor,
  jsonErrorCode,
  xmlErrorCode,
} from "../../functions/shared/aws/call";
import { BatchGetItemCommand, DynamoDBClient } from "../../functions/shared/aws/dynamodb";
import {
  CreatePresignedDomainUrlCommand,
  SageMakerClient,
} from "../../functions/shared/aws/sagemaker";
import { AssumeRoleCommand, STSClient } from "../../functions/shared/aws/sts";
import * as leanDynamoDB from "../../functions/shared/aws/dynamodb";
import * as leanSageMaker from "../../functions/shared/aws/sagemaker";
import * as leanSts from "../../functions/shared/aws/sts";
import * as sdkDynamoDB from "@aws-sdk/client-dynamodb";
import * as sdkSageMaker from "@aws-sdk/client-sagemaker";
import * as sdkSts from "@aws-sdk/client-sts";
import { bounded, ENV_CREDENTIALS } from "../../functions/shared/sdk";
import {
  fromAwsError,
  UpstreamFailure,
  UpstreamUnavailable,
} from "../../functions/presigner/errors";

const DYNAMODB = { endpointId: "DYNAMODB", hostPrefix: "dynamodb", signingName: "dynamodb" };
const STS = { endpointId: "STS", hostPrefix: "sts", signingName: "sts" };
const SAGEMAKER = {
  endpointId: "SAGEMAKER",
  hostPrefix: "api.sagemaker",
  signingName: "sagemaker",
};

describe("endpointFor: where each service is called, as the SDK resolves it", () => {
  it.each([
    ["DynamoDB", DYNAMODB, "us-east-1", "https://dynamodb.us-east-1.amazonaws.com/"],
    ["STS", STS, "eu-west-2", "https://sts.eu-west-2.amazonaws.com/"],
    [
      "SageMaker",
      SAGEMAKER,
      "ap-southeast-2",
      "https://api.sagemaker.ap-southeast-2.amazonaws.com/",
    ],
    ["SageMaker", SAGEMAKER, "cn-north-1", "https://api.sagemaker.cn-north-1.amazonaws.com.cn/"],
    ["STS", STS, "us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com/"],
  ])("%s in %s: %s", (_name, service, region, url) => {
    expect(endpointFor(service, region, {}).href).toBe(url);
  });

  it("takes AWS_ENDPOINT_URL_<SERVICE> first, then AWS_ENDPOINT_URL, unless told to ignore them", () => {
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4566",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9999",
    };
    expect(endpointFor(DYNAMODB, "us-east-1", env).href).toBe("http://127.0.0.1:4566/");
    expect(endpointFor(STS, "us-east-1", env).href).toBe("http://127.0.0.1:9999/");
    expect(
      endpointFor(DYNAMODB, "us-east-1", { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" })
        .href,
    ).toBe("https://dynamodb.us-east-1.amazonaws.com/");
  });

  it.each(["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"])(
    "refuses %s=true, naming it, rather than calling the standard endpoint",
    (name) => {
      expect(() => endpointFor(DYNAMODB, "us-east-1", { [name]: "TRUE" })).toThrow(
        `${name}=true is not supported`,
      );
      expect(endpointFor(DYNAMODB, "us-east-1", { [name]: "false" }).hostname).toBe(
        "dynamodb.us-east-1.amazonaws.com",
      );
    },
  );

  it.each(["", "us-east", "evil.example.com/x", "US-EAST-1"])("refuses region %j", (region) => {
    expect(() => endpointFor(DYNAMODB, region, {})).toThrow("is not an AWS region name");
  });

  it.each(["us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1"])(
    "refuses %s, an isolated partition's region, rather than calling a commercial host",
    (region) => {
      expect(() => endpointFor(STS, region, {})).toThrow("isolated partition");
    },
  );
});

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** Answers each request with the next of `answers` (the last repeats); records each request. */
async function server(
  answers: readonly { status: number; headers?: Record<string, string>; body: string }[],
): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const answer = answers[Math.min(received.length, answers.length) - 1]!;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${String((http.address() as AddressInfo).port)}`,
    received,
    close: () => {
      http.closeAllConnections();
      return new Promise((resolve) => {
        http.close(() => {
          resolve();
        });
      });
    },
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
async function answering(
  ...answers: { status: number; headers?: Record<string, string>; body: string }[]
) {
  const s = await server(answers);
  closers.push(s.close);
  return s;
}

const KEYS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "not-a-secret-at-all" };
const ROLE = { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "role-secret", sessionToken: "tok" };

/**
 * Verifies a received request's signature as AWS does: the request rebuilt from what arrived (its
 * signed headers only, its body), signed again with the same key, date, region and service.
 */
async function signatureHolds(
  got: Received,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
  service: string,
): Promise<boolean> {
  const authorization = String(got.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(";") ?? [];
  const amzDate = String(got.headers["x-amz-date"]);
  const headers = Object.fromEntries(
    signedHeaders.map((name) => [name, String(got.headers[name])]),
  );
  const [hostname, port] = String(got.headers.host).split(":");
  const request = new HttpRequest({
    method: got.method,
    protocol: "http:",
    hostname,
    port: Number(port),
    path: got.url,
    headers,
    body: got.body,
  });
  const signer = new SignatureV4({
    service,
    region,
    credentials,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const again = await signer.sign(request, { signingDate: date });
  return again.headers.authorization === authorization;
}

describe("what the calls put on the wire", () => {
  it("DynamoDB: AWS JSON 1.0, its target, the input as JSON, signed for dynamodb in the client's region", async () => {
    const s = await answering({
      status: 200,
      headers: { "content-type": "application/x-amz-json-1.0" },
      body: '{"Responses":{"t":[{"lob":{"S":"lob-a"}}]},"UnprocessedKeys":{}}',
    });
    const input = {
      RequestItems: { t: { Keys: [{ lob: { S: "lob-a" } }], ConsistentRead: true } },
    };
    const out = await new DynamoDBClient({
      endpoint: s.url,
      region: "eu-west-1",
      credentials: KEYS,
    }).send(new BatchGetItemCommand(input));
    expect(out.Responses).toEqual({ t: [{ lob: { S: "lob-a" } }] });
    const [got] = s.received;
    expect(got?.method).toBe("POST");
    expect(got?.url).toBe("/");
    expect(got?.headers["content-type"]).toBe("application/x-amz-json-1.0");
    expect(got?.headers["x-amz-target"]).toBe("DynamoDB_20120810.BatchGetItem");
    expect(JSON.parse(got!.body)).toEqual(input);
    expect(String(got?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    expect(got?.headers["x-amz-security-token"]).toBeUndefined();
    expect(await signatureHolds(got!, KEYS, "eu-west-1", "dynamodb")).toBe(true);
    // The control: the same request with one byte of its body changed does not verify.
    expect(
      await signatureHolds(
        { ...got!, body: got!.body.replace("lob-a", "lob-b") },
        KEYS,
        "eu-west-1",
        "dynamodb",
      ),
    ).toBe(false);
  });

  it("SageMaker: AWS JSON 1.1, signed for sagemaker with the role's session token", async () => {
    const s = await answering({ status: 200, body: '{"AuthorizedUrl":"https://studio/auth"}' });
    const out = await new SageMakerClient({
      endpoint: s.url,
      region: "us-east-1",
      credentials: ROLE,
    }).send(
      new CreatePresignedDomainUrlCommand({
        DomainId: "d-aaaaaaaaaaaa",
        UserProfileName: "p",
        ExpiresInSeconds: 20,
      }),
    );
    expect(out.AuthorizedUrl).toBe("https://studio/auth");
    const [got] = s.received;
    expect(got?.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(got?.headers["x-amz-target"]).toBe("SageMaker.CreatePresignedDomainUrl");
    expect(got?.headers["x-amz-security-token"]).toBe("tok");
    expect(String(got?.headers.authorization)).toContain("/us-east-1/sagemaker/aws4_request");
    expect(String(got?.headers.authorization)).toContain("x-amz-security-token");
    expect(await signatureHolds(got!, ROLE, "us-east-1", "sagemaker")).toBe(true);
  });

  it("STS: the query protocol's form body, the XML answer read into the SDK's shape", async () => {
    const s = await answering({
      status: 200,
      headers: { "content-type": "text/xml" },
      body: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIA222222222222</AccessKeyId>
      <SecretAccessKey>s&amp;cret</SecretAccessKey>
      <SessionToken>token</SessionToken>
      <Expiration>2026-12-05T02:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>`,
    });
    const out = await new STSClient({
      endpoint: s.url,
      region: "us-east-1",
      credentials: KEYS,
    }).send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole",
        RoleSessionName: "studio-access-presigner",
        DurationSeconds: 3600,
      }),
    );
    expect(out.Credentials).toEqual({
      AccessKeyId: "ASIA222222222222",
      SecretAccessKey: "s&cret",
      SessionToken: "token",
      Expiration: new Date("2026-12-05T02:00:00Z"),
    });
    const [got] = s.received;
    expect(got?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(got!.body))).toEqual({
      Action: "AssumeRole",
      Version: "2011-06-15",
      RoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole",
      RoleSessionName: "studio-access-presigner",
      DurationSeconds: "3600",
    });
    expect(String(got?.headers.authorization)).toContain("/us-east-1/sts/aws4_request");
    expect(await signatureHolds(got!, KEYS, "us-east-1", "sts")).toBe(true);
  });

  it("STS: refuses an input field the form does not carry, naming it", async () => {
    const s = await answering({ status: 200, body: "<AssumeRoleResponse/>" });
    await expect(
      new STSClient({ endpoint: s.url, region: "us-east-1", credentials: KEYS }).send(
        new AssumeRoleCommand({
          RoleArn: "arn:aws:iam::222222222222:role/r",
          RoleSessionName: "s",
          Tags: [{ Key: "k", Value: "v" }],
        }),
      ),
    ).rejects.toThrow("Tags is not supported");
    expect(s.received).toHaveLength(0);
  });
});

describe("refusals: the SDK's error shape, and which are tried again", () => {
  it.each([
    [
      "a JSON __type with its namespace",
      400,
      {},
      '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}',
      "ConditionalCheckFailedException",
      "The conditional request failed",
    ],
    [
      "the X-Amzn-ErrorType header when the body names none, its suffix dropped",
      400,
      { "x-amzn-errortype": "ResourceNotFound:http://internal.amazon.com/" },
      '{"Message":"no such profile"}',
      "ResourceNotFound",
      "no such profile",
    ],
    [
      "the body's __type before the header, as the SDK reads them",
      400,
      { "x-amzn-errortype": "Other" },
      '{"__type":"com.amazonaws.sagemaker#ResourceInUse","message":"exists"}',
      "ResourceInUse",
      "exists",
    ],
    ["a body that is not JSON, 503", 503, {}, "<html>busy</html>", "ServiceUnavailable", ""],
    ["an empty 500", 500, {}, "", "InternalFailure", ""],
  ])("%s", (_what, status, headers, body, code, message) => {
    expect(jsonErrorCode(status, headers, body)).toEqual({ code, message });
  });

  it("an STS refusal's code and message from its XML", () => {
    const body = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error>
  <RequestId>r-1</RequestId>
</ErrorResponse>`;
    expect(xmlErrorCode(403, {}, body)).toEqual({
      code: "AccessDenied",
      message: "not authorized",
    });
    expect(xmlErrorCode(503, {}, "not xml <")).toEqual({ code: "ServiceUnavailable", message: "" });
  });

  it("a client error is thrown once, shaped as the SDK's (name, $fault, $metadata), not retried", async () => {
    const s = await answering({
      status: 400,
      headers: { "x-amzn-requestid": "req-1" },
      body: '{"__type":"ValidationException","message":"bad input"}',
    });
    const error = (await new SageMakerClient({
      endpoint: s.url,
      region: "us-east-1",
      credentials: ROLE,
    })
      .send(new CreatePresignedDomainUrlCommand({ DomainId: "d", UserProfileName: "p" }))
      .catch((e: unknown) => e)) as AwsServiceError;
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error.name).toBe("ValidationException");
    expect(error.message).toBe("bad input");
    expect(error.$fault).toBe("client");
    expect(error.$metadata).toEqual({ httpStatusCode: 400, requestId: "req-1", attempts: 1 });
    expect(s.received).toHaveLength(1);
    expect(fromAwsError(error, "SageMaker.CreatePresignedDomainUrl")).toBeInstanceOf(
      UpstreamFailure,
    );
  });

  it.each([
    ["throttled (400 ThrottlingException)", 400, '{"__type":"ThrottlingException"}'],
    ["unavailable (503)", 503, ""],
  ])(
    "%s: tried once more, then thrown as the SDK would (503 to the caller)",
    async (_what, status, body) => {
      const s = await answering({ status, body });
      const error = (await new DynamoDBClient({
        endpoint: s.url,
        region: "us-east-1",
        credentials: KEYS,
      })
        .send(new BatchGetItemCommand({ RequestItems: {} }))
        .catch((e: unknown) => e)) as AwsServiceError;
      expect(s.received).toHaveLength(2);
      expect(error.$metadata.attempts).toBe(2);
      const sdkError = error as Parameters<typeof isThrottlingError>[0];
      expect(isThrottlingError(sdkError) || isTransientError(sdkError)).toBe(true);
      expect(fromAwsError(error, "DynamoDB.BatchGetItem")).toBeInstanceOf(UpstreamUnavailable);
    },
  );

  it("a throttled call that then succeeds answers the second attempt's output", async () => {
    const s = await answering(
      { status: 400, body: '{"__type":"ProvisionedThroughputExceededException"}' },
      { status: 200, body: '{"Responses":{"t":[]}}' },
    );
    const out = await new DynamoDBClient({
      endpoint: s.url,
      region: "us-east-1",
      credentials: KEYS,
    }).send(new BatchGetItemCommand({ RequestItems: {} }));
    expect(out.Responses).toEqual({ t: [] });
    expect(s.received).toHaveLength(2);
  });

  it("the wait before a retry ends at the caller's deadline, with AbortError, and no second attempt", async () => {
    const s = await answering({ status: 400, body: '{"__type":"ThrottlingException"}' });
    const client = new DynamoDBClient({ endpoint: s.url, region: "us-east-1", credentials: KEYS });
    // Math.random() at its top: the throttled backoff would wait about Retry.throttlingDelay(), 1 s.
    const random = jest.spyOn(Math, "random").mockReturnValue(0.999);
    try {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => {
        controller.abort();
      }, 100);
      const error = (await bounded(controller.signal, () =>
        client.send(new BatchGetItemCommand({ RequestItems: {} })),
      ).catch((e: unknown) => e)) as Error;
      const ms = Date.now() - started;
      expect(error.name).toBe("AbortError");
      expect(ms).toBeLessThan(900);
      expect(s.received).toHaveLength(1);
    } finally {
      random.mockRestore();
    }
  });
});

describe("every command of the sign-in's own clients is an operation the SDK names", () => {
  const modules: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["DynamoDB", leanDynamoDB, sdkDynamoDB],
    ["SageMaker", leanSageMaker, sdkSageMaker],
    ["STS", leanSts, sdkSts],
  ];
  const commands = modules.flatMap(([service, ours, sdk]) =>
    Object.entries(ours)
      .filter(([name]) => name.endsWith("Command"))
      .map(([name, command]) => [service, name, command, sdk] as const),
  );

  it("has the nine operations of the sign-in", () => {
    expect(commands.map(([service, name]) => `${service}.${name}`).sort()).toEqual([
      "DynamoDB.BatchGetItemCommand",
      "DynamoDB.DeleteItemCommand",
      "DynamoDB.PutItemCommand",
      "DynamoDB.QueryCommand",
      "STS.AssumeRoleCommand",
      "SageMaker.CreatePresignedDomainUrlCommand",
      "SageMaker.CreateUserProfileCommand",
      "SageMaker.DescribeUserProfileCommand",
      "SageMaker.ListTagsCommand",
    ]);
  });

  it.each(
    commands.map(([service, name, command, sdk]) => [`${service}.${name}`, name, command, sdk]),
  )(
    "%s sends the operation its name says, which the SDK's client has",
    (_label, name, command, sdk) => {
      const operation = new (command as new (input: object) => { operation: string })({}).operation;
      expect(`${operation}Command`).toBe(name);
      expect(typeof sdk[name]).toBe("function");
    },
  );
});

describe("ENV_CREDENTIALS: the functions' own credentials, from the environment at each call", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("reads the three variables Lambda sets, when it is called", async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "ASIAFIRST",
      AWS_SECRET_ACCESS_KEY: "first-secret",
      AWS_SESSION_TOKEN: "first-token",
    });
    await expect(ENV_CREDENTIALS()).resolves.toEqual({
      accessKeyId: "ASIAFIRST",
      secretAccessKey: "first-secret",
      sessionToken: "first-token",
    });
    process.env.AWS_ACCESS_KEY_ID = "AKIASECOND";
    delete process.env.AWS_SESSION_TOKEN;
    await expect(ENV_CREDENTIALS()).resolves.toEqual({
      accessKeyId: "AKIASECOND",
      secretAccessKey: "first-secret",
    });
  });

  it.each(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])(
    "refuses, naming the variables, when %s is missing",
    async (name) => {
      process.env = {
        ...saved,
        AWS_ACCESS_KEY_ID: "AKIA",
        AWS_SECRET_ACCESS_KEY: "s",
        [name]: "",
      };
      await expect(ENV_CREDENTIALS()).rejects.toThrow(
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
      );
    },
  );
});
