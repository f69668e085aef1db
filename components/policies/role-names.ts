/*
 * The names and ARNs of the roles every LOB account holds for the hub: the hub's components grant
 * assuming them, and the spokes create them under these names.
 */

/** The ARN every LOB's access role has: the only roles the presigner may assume. */
export function accessRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** The name of every LOB's provisioning role: the access role's, with a suffix. */
export function provisionerRoleName(accessRoleName: string): string {
  return `${accessRoleName}-provisioner`;
}

/** The names of the roles the presigner and the SAML entry assume in each LOB account. */
export function lobAccessRoleNames(accessRoleName: string): string[] {
  return [accessRoleName, provisionerRoleName(accessRoleName)];
}

/** The roles the presigner and the SAML entry assume in each LOB account: access and provisioning. */
export function lobAccessRoleArns(accountIds: readonly string[], accessRoleName: string): string[] {
  return accountIds.flatMap((account) => [
    accessRoleArn(account, accessRoleName),
    accessRoleArn(account, provisionerRoleName(accessRoleName)),
  ]);
}

/** The name of every LOB's lifecycle role (offboarding): the access role's, with a suffix. */
export function lifecycleRoleName(accessRoleName: string): string {
  return `${accessRoleName}-lifecycle`;
}

/**
 * IAM path of every LOB's usage reader role (`studio-access admin usage`): a path of its own, so
 * the role stands apart from the roles the hub's functions assume.
 */
export const USAGE_READER_PATH = "/studio-access/";

/** The name of every LOB's usage reader role: the access role's, with a suffix. */
export function usageReaderRoleName(accessRoleName: string): string {
  return `${accessRoleName}-usage`;
}

/** The path (without its leading slash) and name of every LOB's usage reader role. */
export function usageReaderRolePathName(accessRoleName: string): string {
  return `${USAGE_READER_PATH.slice(1)}${usageReaderRoleName(accessRoleName)}`;
}

/** The ARN of a LOB's usage reader role: the only roles the hub's admin role may assume. */
export function usageReaderRoleArn(accountId: string, accessRoleName: string): string {
  return accessRoleArn(accountId, usageReaderRolePathName(accessRoleName));
}

/**
 * The role of this path and name in any account: `*` in the ARN's account field only, the name
 * exact. Every grant that uses it narrows the account with `aws:ResourceAccount` (#22): one list
 * of the LOB accounts serves every role name, instead of an ARN per role and LOB.
 */
export function anyAccountRoleArn(pathAndName: string): string {
  return `arn:aws:iam::*:role/${pathAndName}`;
}
