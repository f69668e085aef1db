import type { AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import {
  at,
  AwsClient,
  AwsCommand,
  readXml,
  xmlErrorCode,
  type ClientConfig,
  type ResponseMetadata,
  type SendOptions,
} from "./call";

/** What AssumeRole answers, as the SDK types it (Expiration a `Date`). */
export interface AssumeRoleOutput {
  readonly Credentials?: {
    readonly AccessKeyId?: string;
    readonly SecretAccessKey?: string;
    readonly SessionToken?: string;
    readonly Expiration?: Date;
  };
}

export class AssumeRoleCommand extends AwsCommand<AssumeRoleCommandInput, AssumeRoleOutput> {
  readonly operation = "AssumeRole";
}

/**
 * STS AssumeRole (AWS query protocol, version 2011-06-15; the regional endpoint
 * `sts.<region>.amazonaws.com`, which the SDK uses by default), in the SDK's names:
 * `new STSClient(config).send(new AssumeRoleCommand(input))`. The form body carries the input's
 * string and number fields (RoleArn, RoleSessionName, DurationSeconds); the answer's XML is read
 * with the SDK's parser.
 */
export class STSClient {
  private readonly client: AwsClient;
  constructor(config: ClientConfig = {}) {
    this.client = new AwsClient(
      { endpointId: "STS", hostPrefix: "sts", signingName: "sts" },
      config,
    );
  }

  async send(
    command: AssumeRoleCommand,
    options: SendOptions = {},
  ): Promise<AssumeRoleOutput & ResponseMetadata> {
    const form = new URLSearchParams({ Action: command.operation, Version: "2011-06-15" });
    for (const [key, value] of Object.entries(command.input)) {
      if (typeof value === "string" || typeof value === "number") form.set(key, String(value));
      else if (value !== undefined) {
        throw new Error(`STS.AssumeRole: ${key} is not supported by functions/shared/aws/sts.ts`);
      }
    }
    const text = await this.client.post(
      { "content-type": "application/x-www-form-urlencoded" },
      form.toString(),
      xmlErrorCode,
      options,
    );
    const credentials = at(readXml(text), "AssumeRoleResponse", "AssumeRoleResult", "Credentials");
    const field = (name: string) => {
      const value = at(credentials, name);
      return typeof value === "string" ? value : undefined;
    };
    // An expiry that is no date is no expiry: the credentials are refused as incomplete.
    const expiration = field("Expiration");
    const expires = expiration === undefined ? undefined : new Date(expiration);
    return {
      $metadata: { httpStatusCode: 200 },
      ...(credentials
        ? {
            Credentials: {
              AccessKeyId: field("AccessKeyId"),
              SecretAccessKey: field("SecretAccessKey"),
              SessionToken: field("SessionToken"),
              Expiration: expires && !Number.isNaN(expires.getTime()) ? expires : undefined,
            },
          }
        : {}),
    };
  }
}
