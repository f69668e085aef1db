import * as aws from "@pulumi/aws";
import { assumeRolesPolicies } from "../policies/hub-roles";
import { accessRoleArn, lifecycleRoleName, provisionerRoleName } from "../policies/role-names";
import type { AccessScope } from "./scope";

/** Each LOB's account, and the name of the role every LOB creates for the presigner. */
export interface LobRoles {
  /** LOB name → account id. */
  readonly lobAccounts: Readonly<Record<string, string>>;
  readonly accessRoleName: string;
}

/**
 * The LOBs as deployed, as the `lobs.json` the functions ship with: each LOB's account and the
 * roles the hub assumes there. The presigner refuses a table record that says otherwise.
 */
export function lobRegistryJson({ lobAccounts, accessRoleName }: LobRoles): string {
  const provisioner = provisionerRoleName(accessRoleName);
  const lifecycle = lifecycleRoleName(accessRoleName);
  const registry = Object.fromEntries(
    Object.entries(lobAccounts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([lob, accountId]) => [
        lob,
        {
          accountId,
          accessRoleArn: accessRoleArn(accountId, accessRoleName),
          provisionerRoleArn: accessRoleArn(accountId, provisioner),
          lifecycleRoleArn: accessRoleArn(accountId, lifecycle),
        },
      ]),
  );
  return JSON.stringify(registry, null, 2);
}

/**
 * Managed policies that let a function assume the roles of these names in the LOB accounts (by
 * `aws:ResourceAccount`, see `assumeRolesPolicies`). Managed rather than inline: a role's inline
 * policies share 10,240 characters, which about 650 LOBs' accounts would fill.
 */
export const assumeRolePolicies = (
  scope: AccessScope,
  key: string,
  sid: string,
  roleNames: readonly string[],
  accountIds: readonly string[],
) =>
  assumeRolesPolicies(sid, roleNames, accountIds).map(
    (doc, i) =>
      new aws.iam.Policy(
        `${scope.name}-${key}-${String(i)}`,
        {
          path: "/studio-access/",
          description: `studio-access: ${sid} (${String(i + 1)} of the LOBs' accounts)`,
          policy: JSON.stringify(doc),
        },
        { parent: scope.parent },
      ),
  );
