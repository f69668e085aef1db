import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessApp } from "../components/access-app";
import { HubNetwork } from "../components/hub-network";
import { CorporateLink } from "../components/corporate-link";
import { LobDeployerRole } from "../components/lob-deployer";
import { hubAvailabilityZones } from "./availability-zones";
import type { EndpointKey } from "../components/lib/endpoints";
import { studioGuardrailScp } from "../components/policies/scp";
import { functionBundles } from "./bundles";
import type { SharedConfig } from "./config";
import { GUARD_OUTPUT, guardReplacements, hubGuarded } from "./replacement-guard";

/** Tags every resource with the stack that owns it, for audit and for finding leftovers. */
export function stackTags(): Record<string, string> {
  return { "studio-access:stack": pulumi.getStack(), "studio-access:managed-by": "pulumi" };
}

/** The hub: network, endpoints, zones and the access application, all in the hub account. */
export async function sharedStack(config: SharedConfig) {
  const lobAccounts = Object.fromEntries(
    Object.entries(config.lobs).map(([lob, entry]) => [lob, entry.accountId]),
  );
  const provider = new aws.Provider("hub", {
    region: config.region,
    profile: config.profile,
    // The provider refuses to act with credentials of any other account.
    allowedAccountIds: [config.hubAccountId],
    defaultTags: { tags: stackTags() },
  });
  const opts = { providers: [provider] };
  // The config's own checks first (the region's zones), so an invalid change is refused for what it
  // is; then, before any resource is declared, the guard judges the valid config: a change that
  // would replace a table, the pool or the key stops here.
  const availabilityZoneIds = await hubAvailabilityZones(config, provider);
  const fingerprints = await guardReplacements(hubGuarded(config), config.allowReplacement);

  const network = new HubNetwork(
    "hub",
    {
      region: config.region,
      vpcCidr: config.hubVpcCidr,
      availabilityZoneIds,
      hubAccountId: config.hubAccountId,
      organizationId: config.organizationId,
      lobs: config.lobs,
      accessRoleName: config.accessRoleName,
      spokesSupernet: config.spokesSupernet,
      extraEndpoints: config.extraEndpoints,
      clientCidrs: config.clientCidrs,
      resolverInboundEndpoint: config.resolverInboundEndpoint,
      dnsSharing: config.dnsSharing,
    },
    opts,
  );
  const app = new AccessApp(
    "access",
    {
      region: config.region,
      vpcId: network.vpcId,
      vpcCidr: network.vpcCidr,
      subnetIds: network.subnetIds,
      dynamodbPrefixListId: network.dynamodbPrefixListId,
      executeApiEndpointId: network.endpoints["execute-api"].id,
      ...(config.apiDomain
        ? {
            apiDomain: config.apiDomain,
            executeApiEndpointDns: network.endpoints["execute-api"].target,
          }
        : {}),
      hubAccountId: config.hubAccountId,
      lobAccounts,
      accessRoleName: config.accessRoleName,
      users: config.users,
      urlExpiresSeconds: config.presignedUrl.expiresInSeconds,
      sessionExpiresSeconds: config.presignedUrl.sessionExpirationSeconds,
      stageName: config.apiStageName,
      throttling: config.apiThrottling,
      logRetentionDays: config.logRetentionDays,
      mfa: config.mfa,
      deletionProtection: config.deletionProtection,
      threatProtection: config.threatProtection,
      auditTrail: config.auditTrail,
      customerManagedKey: config.customerManagedKey,
      functionDirs: functionBundles(),
      admins: config.admins,
      ...(config.saml ? { saml: config.saml } : {}),
      ...(config.alarms ? { alarms: config.alarms } : {}),
      // The standard SDK setting for where Cognito is; unset, Cognito's public endpoint.
      ...(process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER
        ? { cognitoEndpoint: process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER }
        : {}),
    },
    opts,
  );

  const corporate = config.corporate
    ? new CorporateLink(
        "corporate",
        {
          connection: config.corporate,
          clientCidrs: config.clientCidrs,
          transitGatewayId: network.transitGatewayId,
          hubAttachmentId: network.hubAttachmentId,
          hubTgwRouteTableId: network.hubTgwRouteTableId,
          hubRouteTableId: network.routeTableId,
        },
        opts,
      )
    : undefined;

  const spokeZones = Object.values(network.endpoints)
    .filter((e) => e.forSpokes)
    .map((e) => e.zoneId);
  const deployers = Object.entries(config.lobs).map(
    ([lob, entry]) =>
      [
        lob,
        new LobDeployerRole(
          lob,
          {
            region: config.region,
            hubAccountId: config.hubAccountId,
            lob,
            deployer: entry.deployer,
            spokesRouteTableId: network.spokesTgwRouteTableId,
            hubRouteTableId: network.hubTgwRouteTableId,
            zoneIds: spokeZones,
            usersTableArn: app.usersTableArn,
            lobsTableArn: app.lobsTableArn,
            dnsSharing: config.dnsSharing,
          },
          opts,
        ),
      ] as const,
  );

  const byEndpoint = <T>(pick: (key: EndpointKey) => pulumi.Output<T>, spokesOnly = false) =>
    pulumi.all(
      Object.fromEntries(
        Object.entries(network.endpoints)
          .filter(([, endpoint]) => !spokesOnly || endpoint.forSpokes)
          .map(([key]) => [key, pick(key as EndpointKey)]),
      ),
    );

  return {
    // What the next update compares its own with (stacks/replacement-guard.ts).
    [GUARD_OUTPUT]: fingerprints,
    // What the LOB stacks read through their StackReference (see HubOutputs).
    region: config.region,
    hubAccountId: config.hubAccountId,
    organizationId: config.organizationId,
    lobs: Object.fromEntries(
      Object.entries(config.lobs).map(([lob, { accountId, vpcCidr }]) => [
        lob,
        { accountId, vpcCidr },
      ]),
    ),
    accessRoleName: config.accessRoleName,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    availabilityZoneIds: network.availabilityZoneIds,
    transitGatewayId: network.transitGatewayId,
    hubTgwRouteTableId: network.hubTgwRouteTableId,
    spokesTgwRouteTableId: network.spokesTgwRouteTableId,
    endpointIds: byEndpoint((key) => network.endpoints[key].id),
    zoneIds: byEndpoint((key) => network.endpoints[key].zoneId, true),
    // With dnsSharing: profile, the Route 53 Profile each LOB associates its VPC with instead of
    // the zones (a LOB stack reads it; absent, the LOB associates with every zone).
    ...(network.dnsProfile
      ? { dnsSharing: config.dnsSharing, dnsProfileId: network.dnsProfile.profileId }
      : {}),
    usersTableName: app.usersTableName,
    lobsTableName: app.lobsTableName,
    presignerRoleArn: app.presignerRoleArn,
    // Each LOB's lifecycle role trusts this role (offboarding).
    lifecycleRoleArn: app.lifecycleRoleArn,
    deployerRoleArns: pulumi.all(
      Object.fromEntries(deployers.map(([lob, deployer]) => [lob, deployer.roleArn])),
    ),
    // Where an operator looks first (#21): the dashboard, the queue of the lifecycle's failed
    // records the runbook says to read, and the topic the alarms notify when there is one.
    dashboardName: app.dashboardName,
    failedRecordsQueueUrl: app.failedRecordsQueueUrl,
    ...(app.alarmTopicArn ? { alarmTopicArn: app.alarmTopicArn } : {}),
    // Every LOB's default idle shutdown, unless the LOB's config sets its own (issue #21).
    idleShutdown: config.idleShutdown,
    // What people use. The SCP is attached to the LOB accounts from the management account.
    lobAccountScp: pulumi
      .all([network.endpoints["sagemaker-api"].id, network.endpoints.studio.id])
      .apply(([sageMakerApiEndpointId, studioEndpointId]) =>
        JSON.stringify(
          studioGuardrailScp({
            sageMakerApiEndpointId,
            studioEndpointId,
            accessRoleName: config.accessRoleName,
          }),
          null,
          2,
        ),
      ),
    apiUrl: app.apiUrl,
    userPoolId: app.userPoolId,
    userPoolClientId: app.userPoolClientId,
    // The users this stack manages ([] when the pool's users are managed elsewhere): a LOB stack
    // refuses a member who is not among them.
    usernames: config.users.map((u) => u.username),
    // The SAML entry: what the IdP's application needs, and the role LOB access roles trust.
    ...(app.saml
      ? {
          saml: {
            acsUrl: app.saml.acsUrl,
            spEntityId: app.saml.spEntityId,
            spMetadataXml: app.saml.spMetadataXml,
          },
          samlRoleArn: app.saml.roleArn,
        }
      : {}),
    // The line a platform engineer pastes to set up `studio-access admin`, when admins are set.
    ...(app.adminRoleArn
      ? {
          adminRoleArn: app.adminRoleArn,
          adminConfigure: pulumi.interpolate`studio-access admin configure --role-arn ${app.adminRoleArn} --entitlements-table ${app.usersTableName} --lobs-table ${app.lobsTableName} --user-pool-id ${app.userPoolId} --region ${config.region}`,
        }
      : {}),
    // The line a data scientist pastes to set up the studio-access CLI.
    cliConfigure: pulumi.interpolate`studio-access configure --api-url ${app.apiUrl} --user-pool-id ${app.userPoolId} --client-id ${app.userPoolClientId} --region ${config.region}`,
    ...(network.resolverInboundIps ? { resolverInboundIps: network.resolverInboundIps } : {}),
    // What the network team needs: the attachment to route, and the zones to forward to the hub.
    ...(corporate
      ? {
          corporate: {
            transitGatewayAttachmentId: corporate.attachmentId,
            vpnConnectionId: corporate.vpnConnectionId,
            clientCidrs: config.clientCidrs,
            // The API's custom domain name too (its zone holds exactly that name).
            zonesToForward: [
              ...Object.values(network.endpoints)
                .filter((e) => e.forClients)
                .map((e) => e.zoneName),
              ...(config.apiDomain ? [config.apiDomain.name] : []),
            ],
            resolverInboundIps: network.resolverInboundIps,
          },
        }
      : {}),
  };
}
