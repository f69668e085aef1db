import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import manifest from "portal-assets:manifest";
import { loadPortalSettings } from "./config";
import { createHandler } from "./handler";

const handle = createHandler(manifest, loadPortalSettings(process.env));

/** GET /, GET /assets/{file} and GET /settings of the API (functions/portal/handler.ts). */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return Promise.resolve(handle(event));
}
