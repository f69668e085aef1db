/**
 * A LOB's home-directory function (LOB config `homeDirectories: remove`): one per LOB account,
 * always this name, so the hub derives its ARN from the account it deployed and never from a row.
 */
export const HOMES_FUNCTION_NAME = "studio-access-homes";

/**
 * Its Lambda timeout: a large home directory takes a while to remove over NFS. The lifecycle
 * function's wait for it is bounded by this and, sooner, by its own drain deadline.
 */
export const HOMES_TIMEOUT_SECONDS = 300;

/** What a LOB's config says of a revoked user's home directory on the domain's EFS. */
export type HomeDirectories = "keep" | "remove";

export function homesFunctionArn(region: string, accountId: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${HOMES_FUNCTION_NAME}`;
}
