import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cidrsOverlap, parseCidr } from "../components/lib/cidr";
import { StudioSpoke, type HubOutputs } from "../components/studio-spoke";
import { ConfigError, NAMESPACE, type LobConfig } from "./config";
import { stackTags } from "./shared";

const HUB_OUTPUTS: readonly (keyof HubOutputs)[] = [
  "region",
  "hubAccountId",
  "lobAccounts",
  "accessRoleName",
  "vpcId",
  "vpcCidr",
  "routeTableId",
  "availabilityZoneIds",
  "transitGatewayId",
  "hubTgwRouteTableId",
  "spokesTgwRouteTableId",
  "endpointSecurityGroupId",
  "endpointIds",
  "zoneIds",
  "usersTableName",
  "lobsTableName",
  "presignerRoleArn",
];

/** Reads the hub's outputs before anything is declared, so a missing or stale hub fails clearly. */
async function readHub(ref: pulumi.StackReference, name: string): Promise<HubOutputs> {
  const entries = await Promise.all(
    HUB_OUTPUTS.map(async (key) => [key, (await ref.getOutputDetails(key)).value] as const),
  );
  const missing = entries.filter(([, value]) => value === undefined).map(([key]) => key);
  if (missing.length > 0) {
    throw new ConfigError([
      `the hub stack ${name} has no output ${missing.join(", ")}: deploy it first (pulumi up -s shared), ` +
        `and check ${NAMESPACE}:sharedStack`,
    ]);
  }
  return Object.fromEntries(entries) as unknown as HubOutputs;
}

/** A LOB's stack: its Studio in its own account, and its registration in the hub account. */
export async function lobStack(config: LobConfig) {
  const shared = new pulumi.StackReference(config.sharedStack);
  const hub = await readHub(shared, config.sharedStack);

  const accountId = hub.lobAccounts[config.lob];
  const problems: string[] = [];
  if (accountId === undefined) {
    problems.push(
      `${NAMESPACE}:lob is "${config.lob}": expected a LOB of the hub's lobAccounts ` +
        `(${Object.keys(hub.lobAccounts).join(", ")}); add it to the shared stack's config and update that stack first`,
    );
  }
  if (hub.region !== config.region) {
    problems.push(
      `aws:region is "${config.region}": expected the hub's region "${hub.region}" (PrivateLink endpoints are regional)`,
    );
  }
  const own = parseCidr(config.vpcCidr);
  const hubRange = parseCidr(hub.vpcCidr);
  if (own && hubRange && cidrsOverlap(own, hubRange)) {
    problems.push(
      `${NAMESPACE}:vpcCidr is "${config.vpcCidr}": expected a range outside the hub VPC ${hub.vpcCidr} (the transit gateway routes between them)`,
    );
  }
  if (problems.length > 0 || accountId === undefined) throw new ConfigError(problems);

  const tags = { tags: { ...stackTags(), "studio-access:lob": config.lob } };
  // Both providers refuse credentials of any account but the one they are for.
  const lobProvider = new aws.Provider(config.lob, {
    region: config.region,
    profile: config.profile,
    allowedAccountIds: [accountId],
    defaultTags: tags,
  });
  const hubProvider = new aws.Provider("hub", {
    region: config.region,
    allowedAccountIds: [hub.hubAccountId],
    defaultTags: tags,
    ...("roleArn" in config.hubAccess
      ? {
          assumeRoles: [
            { roleArn: config.hubAccess.roleArn, sessionName: `studio-access-${config.lob}` },
          ],
        }
      : { profile: config.hubAccess.profile }),
  });

  const spoke = new StudioSpoke(
    config.lob,
    {
      lob: config.lob,
      accountId,
      vpcCidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
      members: config.members,
      homeEfsRetention: config.homeEfsRetention,
      hub,
      hubProvider,
    },
    { providers: [lobProvider] },
  );

  return {
    lob: config.lob,
    accountId,
    vpcId: spoke.vpcId,
    domainId: spoke.domainId,
    accessRoleArn: spoke.accessRoleArn,
    executionRoleArn: spoke.executionRoleArn,
    userProfileNames: spoke.userProfileNames,
  };
}
