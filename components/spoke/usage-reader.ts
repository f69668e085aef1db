import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { usageReaderPolicy, usageReaderTrustPolicy } from "../policies/lob-roles";
import { USAGE_READER_PATH, usageReaderRoleName } from "../policies/role-names";
import type { SpokeScope } from "./scope";

/**
 * The role `studio-access admin usage` reads the LOB's running apps through: trusted by the hub's
 * admin role only, allowed only to list and describe the domain's apps and spaces and read its
 * profiles' tags. Its name is fixed (`<accessRoleName>-usage`, path /studio-access/) so the hub can
 * grant assuming it in advance. A hub without admins has no admin role, and its LOBs no reader.
 */
export function usageReaderRole(
  scope: SpokeScope,
  args: { readonly domainId: pulumi.Output<string>; readonly adminRoleArn: string },
): { readonly roleArn: pulumi.Output<string>; readonly policy: aws.iam.RolePolicy } {
  const { name, hub, lob, accountId } = scope;
  const here = { parent: scope.parent };
  const role = new aws.iam.Role(
    `${name}-usage`,
    {
      name: usageReaderRoleName(hub.accessRoleName),
      path: USAGE_READER_PATH,
      description: `Lets studio-access admin usage list ${lob}'s running Studio apps, read-only`,
      assumeRolePolicy: JSON.stringify(usageReaderTrustPolicy({ adminRoleArn: args.adminRoleArn })),
      maxSessionDuration: 3600,
    },
    here,
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-usage`,
    {
      role: role.id,
      policy: args.domainId.apply((domainId) =>
        JSON.stringify(usageReaderPolicy({ region: hub.region, accountId, domainId, lob })),
      ),
    },
    here,
  );
  return { roleArn: role.arn, policy };
}
