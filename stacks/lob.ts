import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HubRegistration } from "../components/hub-registration";
import { functionBundles } from "./bundles";
import { StudioSpoke, type HubOutputs } from "../components/studio-spoke";
import { DEFAULT_TEAM, teamProfileName } from "../functions/shared/teams";
import {
  DEFAULT_IDLE_SHUTDOWN,
  describeIdleShutdown,
  idleShutdownProblem,
  type IdleShutdown,
} from "../functions/shared/idle-shutdown";
import { describeSpaceStorage } from "../functions/shared/space-storage";
import { ConfigError, NAMESPACE, type LobConfig } from "./config";
import { GUARD_OUTPUT, guardReplacements, lobGuarded } from "./replacement-guard";
import { stackTags } from "./shared";

const HUB_OUTPUTS: readonly (keyof HubOutputs)[] = [
  "region",
  "hubAccountId",
  "organizationId",
  "lobs",
  "accessRoleName",
  "vpcId",
  "vpcCidr",
  "availabilityZoneIds",
  "transitGatewayId",
  "hubTgwRouteTableId",
  "spokesTgwRouteTableId",
  "endpointIds",
  "zoneIds",
  "usersTableName",
  "lobsTableName",
  "presignerRoleArn",
  "lifecycleRoleArn",
  "deployerRoleArns",
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
  // Present only when the hub has a SAML entry (an older hub, or one without, publishes none).
  const samlRoleArn = (await shared.getOutputDetails("samlRoleArn")).value as string | undefined;
  // Present only when the hub has admins: the LOB's usage reader role trusts it (admin usage).
  const adminRoleArn = (await shared.getOutputDetails("adminRoleArn")).value as string | undefined;
  // Present only when the hub shares its zones through a Route 53 Profile (dnsSharing: profile):
  // the LOB's VPC then associates with the Profile, and its old zone associations go.
  const dnsProfileId = (await shared.getOutputDetails("dnsProfileId")).value as string | undefined;

  const entry = Object.hasOwn(hub.lobs, config.lob) ? hub.lobs[config.lob] : undefined;
  const accountId = entry?.accountId;
  const problems: string[] = [];
  if (entry === undefined) {
    problems.push(
      `${NAMESPACE}:lob is "${config.lob}": expected a LOB of the hub's lobs ` +
        `(${Object.keys(hub.lobs).join(", ")}); add it to the shared stack's config and update that stack first`,
    );
  }
  if (hub.region !== config.region) {
    problems.push(
      `aws:region is "${config.region}": expected the hub's region "${hub.region}" (PrivateLink endpoints are regional)`,
    );
  }
  // The hub-wide idle shutdown: a hub from before issue #21 publishes none (the default holds).
  const hubIdle = (await shared.getOutputDetails("idleShutdown")).value as unknown;
  if (hubIdle !== undefined && idleShutdownProblem(hubIdle) !== undefined)
    problems.push(
      `the hub stack ${config.sharedStack}'s output idleShutdown is ${JSON.stringify(hubIdle)}: expected ${String(idleShutdownProblem(hubIdle))}; update the hub (pulumi up -s shared)`,
    );
  const lobIdle: IdleShutdown =
    config.idleShutdown ?? (hubIdle as IdleShutdown | undefined) ?? DEFAULT_IDLE_SHUTDOWN;
  const teamIdle = (team: { idleShutdown?: IdleShutdown }) => team.idleShutdown ?? lobIdle;
  // When the hub manages the pool's users, a member must be one of them (an older hub, or one
  // whose users are managed elsewhere, publishes none).
  const usernames = (await shared.getOutputDetails("usernames")).value as string[] | undefined;
  if (usernames !== undefined && usernames.length > 0) {
    for (const team of config.teams) {
      const key = team.name === DEFAULT_TEAM ? "members" : `teams.${team.name}.members`;
      team.members.forEach((member, i) => {
        if (!usernames.includes(member))
          problems.push(
            `${NAMESPACE}:${key}[${String(i)}] is "${member}": expected one of the shared stack's users (${usernames.join(", ")}); add them there and update that stack first`,
          );
      });
    }
  }
  const hubRoleArn =
    config.hubRoleArn ??
    (Object.hasOwn(hub.deployerRoleArns, config.lob)
      ? hub.deployerRoleArns[config.lob]
      : undefined);
  if (entry !== undefined && hubRoleArn === undefined) {
    problems.push(
      `the hub stack ${config.sharedStack} has no deployer role for ${config.lob}: update the hub first (pulumi up -s shared)`,
    );
  }
  // A hub from before home-directory removal has no Lambda endpoint to invoke the function through.
  if (
    config.homeDirectories === "remove" &&
    !(hub.endpointIds as Partial<typeof hub.endpointIds>).lambda
  )
    problems.push(
      `studio-access:homeDirectories is "remove", but the hub stack ${config.sharedStack} has no Lambda endpoint: update the hub first (pulumi up -s shared)`,
    );
  // A spoke's subnets are in the hub's first zones: it cannot ask for more than the hub spans.
  if (config.availabilityZones > hub.availabilityZoneIds.length)
    problems.push(
      `${NAMESPACE}:availabilityZones is ${String(config.availabilityZones)}: expected at most the hub's ${String(hub.availabilityZoneIds.length)} ` +
        `(${hub.availabilityZoneIds.join(", ")}); a LOB uses the hub's first zones: raise the shared stack's availabilityZones and update that stack first`,
    );
  if (problems.length > 0 || entry === undefined || accountId === undefined || !hubRoleArn)
    throw new ConfigError(problems);
  // Only a valid config reaches the guard (every check above first, so an invalid change is
  // refused for what it is): a change that would replace the domain stops here, before anything
  // is declared.
  const fingerprints = await guardReplacements(
    lobGuarded(config, { vpcCidr: entry.vpcCidr, availabilityZoneIds: hub.availabilityZoneIds }),
    config.allowReplacement,
  );

  const tags = { tags: { ...stackTags(), "studio-access:lob": config.lob } };
  // Both providers refuse credentials of any account but the one they are for.
  const lobProvider = new aws.Provider(config.lob, {
    region: config.region,
    profile: config.profile,
    allowedAccountIds: [accountId],
    defaultTags: tags,
  });
  // The hub side goes through the deployer role the hub made for this LOB, assumed with the LOB
  // account's own credentials: nothing in the hub beyond this LOB's pieces is within reach.
  const hubProvider = new aws.Provider("hub", {
    region: config.region,
    profile: config.profile,
    allowedAccountIds: [hub.hubAccountId],
    defaultTags: tags,
    assumeRoles: [{ roleArn: hubRoleArn, sessionName: `studio-access-${config.lob}` }],
  });

  const spoke = new StudioSpoke(
    config.lob,
    {
      lob: config.lob,
      accountId,
      vpcCidr: entry.vpcCidr,
      availabilityZones: config.availabilityZones,
      teams: config.teams,
      homeEfsRetention: config.homeEfsRetention,
      homeDirectories: config.homeDirectories,
      ...(config.homeDirectories === "remove"
        ? { homesBundleDir: functionBundles().then((dirs) => dirs.homes) }
        : {}),
      awsProfile: config.profile,
      cleanupTimeoutSeconds: 900,
      cleanupPollMilliseconds: 10_000,
      ...(config.budget ? { budget: config.budget } : {}),
      idleShutdown: lobIdle,
      instanceTypes: config.instanceTypes,
      spaceStorage: config.spaceStorage,
      hub: {
        ...hub,
        ...(samlRoleArn ? { samlRoleArn } : {}),
        ...(adminRoleArn ? { adminRoleArn } : {}),
        ...(dnsProfileId ? { dnsProfileId } : {}),
      },
    },
    { providers: [lobProvider] },
  );
  const registration = new HubRegistration(
    config.lob,
    {
      lob: config.lob,
      accountId,
      hub: { ...hub, ...(dnsProfileId ? { dnsProfileId } : {}) },
      vpcId: spoke.vpcId,
      transitGatewayAttachmentId: spoke.transitGatewayAttachmentId,
      domainId: spoke.domainId,
      accessRoleArn: spoke.accessRoleArn,
      teams: config.teams.map((t) => ({
        ...t,
        idleShutdown: teamIdle(t),
        spaceStorage: t.spaceStorage ?? config.spaceStorage,
      })),
      homeDirectories: config.homeDirectories,
      recordDependsOn: [...spoke.ready, spoke.drain],
    },
    { providers: [hubProvider] },
  );
  spoke.joinHub(registration);

  return {
    // What the next update compares its own with (stacks/replacement-guard.ts).
    [GUARD_OUTPUT]: fingerprints,
    lob: config.lob,
    accountId,
    hubRoleArn,
    vpcId: spoke.vpcId,
    domainId: spoke.domainId,
    accessRoleArn: spoke.accessRoleArn,
    provisionerRoleArn: spoke.provisionerRoleArn,
    lifecycleRoleArn: spoke.lifecycleRoleArn,
    ...(spoke.usageReaderRoleArn ? { usageReaderRoleArn: spoke.usageReaderRoleArn } : {}),
    executionRoleArn: spoke.executionRoleArn,
    teamRoleArns: spoke.teamRoleArns,
    /** What each team's Studio may cost: its idle shutdown, instance types and space storage (#21). */
    studioLimits: Object.fromEntries(
      config.teams.map((t) => [
        t.name,
        {
          idleShutdown: describeIdleShutdown(teamIdle(t)),
          instanceTypes: t.instanceTypes ?? config.instanceTypes,
          spaceStorage: describeSpaceStorage(t.spaceStorage ?? config.spaceStorage),
        },
      ]),
    ),
    /** Each team's members and the profile each gets on first sign-in. */
    teams: Object.fromEntries(
      config.teams.map((t) => [
        t.name,
        Object.fromEntries(t.members.map((m) => [m, teamProfileName(m, t.name) ?? m])),
      ]),
    ),
  };
}
