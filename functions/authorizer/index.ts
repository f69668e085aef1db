import type {
  APIGatewayAuthorizerResult,
  APIGatewayTokenAuthorizerEvent,
  Context,
} from "aws-lambda";
import { createVerifier, Unauthorized, verifyBearer } from "../shared/access-token";
import { log } from "../shared/log";

export { MAX_AUTHORIZATION_LENGTH } from "../shared/access-token";

// arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<resource path>
const METHOD_ARN =
  /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]+)\/([^/]+)\/[A-Z*]+\/.*$/;

/** Created once per container so the JWKS download and its cache are shared by all invocations. */
export const verifier = createVerifier(process.env);

/**
 * Allows every method and route of the API stage the request came for. API Gateway caches the
 * decision per token, so a policy naming only the first route would deny the user's next route.
 */
export function stageWideResource(methodArn: string): string {
  const match = METHOD_ARN.exec(methodArn);
  if (!match) throw new Unauthorized("malformed methodArn");
  const [, apiArn, stage] = match as unknown as [string, string, string];
  return `${apiArn}/${stage}/*/*`;
}

export async function handler(
  event: APIGatewayTokenAuthorizerEvent,
  context?: Pick<Context, "awsRequestId">,
): Promise<APIGatewayAuthorizerResult> {
  const requestId = context?.awsRequestId;
  try {
    const resource = stageWideResource(event.methodArn);
    const { sub, username } = await verifyBearer(verifier, event.authorizationToken);
    log("info", "authorized", { requestId, username, outcome: "allow" });
    return {
      principalId: sub,
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: resource }],
      },
      context: { username },
    };
  } catch (error) {
    const reason = error instanceof Unauthorized ? error.reason : "verification failed";
    log("warn", "denied", { requestId, outcome: "deny", reason });
    // API Gateway's contract for a 401: any other error message becomes a 500.
    throw new Error("Unauthorized");
  }
}
