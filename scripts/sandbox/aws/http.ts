import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The wire pieces every emulated service answers with: listeners, and JSON protocol answers. */

/**
 * Keeps a server's idle keep-alive connections open until their client closes them (or the server
 * stops: `close` below). The sandbox's clients keep idle sockets without a time limit (the AWS
 * SDK's NodeHttpHandler agents: `keepAlive: true`, no idle timeout), while a Node server closes an
 * idle connection after `server.keepAliveTimeout`, 5 s by default. A client sending its next request
 * on a socket just as the server closes it gets "socket hang up" (ECONNRESET): on a loaded machine,
 * the event loop's lag widens that window, and the deployer's clients (maxAttempts 1) do not retry.
 * Node's docs, HTTP, `server.keepAliveTimeout`: "A value of 0 will disable the keep-alive timeout
 * behavior on incoming connections" (https://nodejs.org/docs/latest-v20.x/api/http.html#serverkeepalivetimeout).
 * `headersTimeout` and `requestTimeout` still bound a request once it has begun.
 */
export function keepIdleConnections<S extends Server>(server: S): S {
  server.keepAliveTimeout = 0;
  return server;
}

export async function listen(server: Server): Promise<string> {
  keepIdleConnections(server);
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
