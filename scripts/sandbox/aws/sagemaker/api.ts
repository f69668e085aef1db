import type { IncomingMessage, ServerResponse } from "node:http";
import { jsonError } from "../http";
import type { SageMakerContext } from "./context";
import type { PresignedUrls } from "./presigned-urls";
import { STUDIO_RESOURCE_OPERATIONS, studioResourceCall } from "./studio-resources";
import { userProfileCall } from "./user-profiles";

/** SageMaker's API (`X-Amz-Target: SageMaker.<Operation>`): the operations the program's callers make. */
export async function sageMakerCall(
  ctx: SageMakerContext,
  presignedUrls: PresignedUrls,
  operation: string,
  input: Record<string, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  vpceId: string | undefined,
): Promise<void> {
  ctx.traffic.count(`SageMaker.${operation}`);
  if (STUDIO_RESOURCE_OPERATIONS.includes(operation))
    return studioResourceCall(ctx, operation, input, req, res, vpceId);
  if (operation === "CreateUserProfile" || operation === "DescribeUserProfile")
    return userProfileCall(ctx, operation, input, req, res, vpceId);
  if (operation === "CreatePresignedDomainUrl")
    return presignedUrls.create(input, req, res, vpceId);
  jsonError(res, 400, "UnknownOperationException", `${operation} is not emulated`);
}
