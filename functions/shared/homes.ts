/**
 * A LOB's home-directory function (LOB config `homeDirectories: remove`): one per LOB account,
 * always this name, so the hub derives its ARN from the account it deployed and never from a row.
 */
export const HOMES_FUNCTION_NAME = "studio-access-homes";

/** What a LOB's config says of a revoked user's home directory on the domain's EFS. */
export type HomeDirectories = "keep" | "remove";

export function homesFunctionArn(region: string, accountId: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${HOMES_FUNCTION_NAME}`;
}
