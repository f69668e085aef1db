import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The wire pieces every emulated service answers with: listeners, and JSON protocol answers. */

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

/** A JSON-protocol service's success (SageMaker's awsJson1.1). */
export function jsonOk(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" });
  res.end(JSON.stringify(body));
}

export function jsonError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
): void {
  res.writeHead(status, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": type });
  res.end(JSON.stringify({ __type: type, message }));
}

/** The answer to a request whose signature names no known credentials. */
export function unrecognizedClient(res: ServerResponse): void {
  jsonError(
    res,
    400,
    "UnrecognizedClientException",
    "The security token included in the request is invalid.",
  );
}

/** How every service words IAM's refusal. */
export function notAuthorized(principal: string, action: string, resource: string): string {
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}`;
}
