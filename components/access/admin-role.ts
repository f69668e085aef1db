import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { adminPolicy, adminTrustPolicy } from "../policies/hub-roles";
import { usageReaderRolePathName } from "../policies/role-names";
import { policyJson } from "../lib/bundled-function";
import { assumeRolePolicies, type LobRoles } from "./lob-roles";
import type { AccessScope } from "./scope";
import type { AccessTables } from "./tables";
import type { UserDirectory } from "./user-directory";

/**
 * The role `studio-access admin` assumes to grant, revoke and list entitlements, trusted by the
 * configured admins only. For `admin usage` it may assume each configured LOB's usage reader role
 * (read-only, in managed policies like the presigner's: a thousand LOBs' accounts outgrow an inline
 * policy).
 */
export class AdminRole {
  readonly role: aws.iam.Role;

  constructor(
    scope: AccessScope,
    args: {
      readonly admins: readonly string[];
      readonly tables: AccessTables;
      readonly directory: UserDirectory;
    } & LobRoles,
  ) {
    const { name } = scope;
    const parent = { parent: scope.parent };
    this.role = new aws.iam.Role(
      `${name}-admin`,
      {
        name: "studio-access-admin",
        description: "studio-access admin: grant, revoke and list entitlements",
        assumeRolePolicy: JSON.stringify(adminTrustPolicy({ admins: args.admins })),
        maxSessionDuration: 3600,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-admin`,
      {
        role: this.role.id,
        policy: policyJson(
          pulumi
            .all([args.tables.entitlements.arn, args.tables.lobs.arn, args.directory.pool.arn])
            .apply(([usersTableArn, lobsTableArn, userPoolArn]) =>
              adminPolicy({ usersTableArn, lobsTableArn, userPoolArn }),
            ),
        ),
      },
      parent,
    );
    assumeRolePolicies(
      scope,
      "admin-usage",
      "AssumeLobUsageReaders",
      [usageReaderRolePathName(args.accessRoleName)],
      Object.values(args.lobAccounts),
    ).forEach(
      (policy, i) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-admin-usage-${String(i)}`,
          { role: this.role.name, policyArn: policy.arn },
          parent,
        ),
    );
  }
}
