import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { HomeDirectories } from "../../functions/shared/homes";
import {
  accessRolePolicy,
  accessRoleTrustPolicy,
  lifecycleLobPolicy,
  provisionerPolicy,
} from "../policies/lob-roles";
import { lifecycleRoleName, provisionerRoleName } from "../policies/role-names";
import type { SpokeScope } from "./scope";

export interface AccessRolesArgs {
  /** The LOB's Studio domain, the only one the roles act in. */
  readonly domainId: pulumi.Output<string>;
  /** The LOB's team names: the provisioner gives a profile one of their roles, no other. */
  readonly teams: readonly string[];
  /** What offboarding does with a revoked user's home directory. */
  readonly homeDirectories: HomeDirectories;
}

/**
 * The roles the hub's functions assume in the LOB, each only through the hub endpoints: the access
 * role (the presigner opens Studio), the provisioner role (a profile on first sign-in) and the
 * lifecycle role (offboarding). Their names are fixed so the hub can list them in advance.
 */
export class AccessRoles {
  readonly accessRoleArn: pulumi.Output<string>;
  readonly provisionerRoleArn: pulumi.Output<string>;
  readonly lifecycleRoleArn: pulumi.Output<string>;
  /** The three roles' policies: opening, provisioning and offboarding wait for them. */
  readonly policies: pulumi.Resource[];

  constructor(scope: SpokeScope, args: AccessRolesArgs) {
    const { name, hub, lob, accountId } = scope;
    const here = { parent: scope.parent };
    const { domainId } = args;
    // The role the hub's presigner assumes.
    const accessRole = new aws.iam.Role(
      `${name}-access`,
      {
        name: hub.accessRoleName,
        description: `Lets the studio-access presigner open ${lob}'s Studio through the hub endpoints`,
        assumeRolePolicy: JSON.stringify(
          accessRoleTrustPolicy({
            presignerRoleArn: hub.presignerRoleArn,
            ...(hub.samlRoleArn ? { samlRoleArn: hub.samlRoleArn } : {}),
            stsEndpointId: hub.endpointIds.sts,
          }),
        ),
        maxSessionDuration: 3600,
      },
      here,
    );
    this.accessRoleArn = accessRole.arn;
    const accessPolicy = new aws.iam.RolePolicy(
      `${name}-access`,
      {
        role: accessRole.id,
        policy: domainId.apply((domainId) =>
          JSON.stringify(
            accessRolePolicy({
              region: hub.region,
              accountId,
              domainId,
              lob,
              sageMakerApiEndpointId: hub.endpointIds["sagemaker-api"],
              studioEndpointId: hub.endpointIds.studio,
            }),
          ),
        ),
      },
      here,
    );

    // Creates a user's profile on first sign-in, with exactly their team's role and tags; the same
    // principals as the access role may assume it, the same way.
    const provisionerRole = new aws.iam.Role(
      `${name}-provisioner`,
      {
        name: provisionerRoleName(hub.accessRoleName),
        description: `Lets the studio-access presigner create ${lob}'s user profiles on first sign-in`,
        assumeRolePolicy: accessRole.assumeRolePolicy,
        maxSessionDuration: 3600,
      },
      here,
    );
    this.provisionerRoleArn = provisionerRole.arn;
    const provisioning = new aws.iam.RolePolicy(
      `${name}-provisioner`,
      {
        role: provisionerRole.id,
        policy: domainId.apply((domainId) =>
          JSON.stringify(
            provisionerPolicy({
              region: hub.region,
              accountId,
              domainId,
              lob,
              teams: args.teams,
              sageMakerApiEndpointId: hub.endpointIds["sagemaker-api"],
            }),
          ),
        ),
      },
      here,
    );

    // Offboards a revoked user: drains their apps and spaces and deletes the profile, as the hub's
    // lifecycle function, through the hub endpoints; only profiles tagged with this LOB.
    const lifecycleRole = new aws.iam.Role(
      `${name}-lifecycle`,
      {
        name: lifecycleRoleName(hub.accessRoleName),
        description: `Lets the studio-access lifecycle function offboard ${lob}'s revoked users`,
        assumeRolePolicy: JSON.stringify(
          accessRoleTrustPolicy({
            presignerRoleArn: hub.lifecycleRoleArn,
            stsEndpointId: hub.endpointIds.sts,
          }),
        ),
        maxSessionDuration: 3600,
      },
      here,
    );
    this.lifecycleRoleArn = lifecycleRole.arn;
    const removeHomes = args.homeDirectories === "remove";
    const offboarding = new aws.iam.RolePolicy(
      `${name}-lifecycle`,
      {
        role: lifecycleRole.id,
        policy: domainId.apply((domainId) =>
          JSON.stringify(
            lifecycleLobPolicy({
              region: hub.region,
              accountId,
              domainId,
              lob,
              sageMakerApiEndpointId: hub.endpointIds["sagemaker-api"],
              ...(removeHomes ? { removeHomes: { lambdaEndpointId: hub.endpointIds.lambda } } : {}),
            }),
          ),
        ),
      },
      here,
    );
    this.policies = [accessPolicy, provisioning, offboarding];
  }
}
