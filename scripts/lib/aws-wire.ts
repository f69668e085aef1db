import type { IncomingMessage, ServerResponse } from "node:http";

/** The wire pieces shared by the loopback stand-ins for AWS (the benchmark fake and the sandbox). */

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** STS's awsQuery answer to a successful AssumeRole, as the SDK parses it. */
export function writeAssumeRoleResponse(
  res: ServerResponse,
  c: { accessKeyId: string; expiration: Date; assumedRoleArn: string; sessionName: string },
): void {
  res.writeHead(200, { "Content-Type": "text/xml" });
  res.end(
    `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
      `<AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>local</SecretAccessKey><SessionToken>local</SessionToken>` +
      `<Expiration>${c.expiration.toISOString()}</Expiration></Credentials>` +
      `<AssumedRoleUser><Arn>${c.assumedRoleArn}</Arn><AssumedRoleId>AROALOCAL:${c.sessionName}</AssumedRoleId></AssumedRoleUser>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></AssumeRoleResponse>`,
  );
}
