import { teamProfileName } from "../../functions/shared/teams";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { DEFAULT_IAM_LIMITS } from "../../components/lib/quotas";

const AWS = { region: "us-east-1", profile: "hub" };
const LOB_A = {
  accountId: "222222222222",
  vpcCidr: "10.1.0.0/16",
  deployer: "arn:aws:iam::222222222222:role/deployer",
};
const LOB_B = {
  accountId: "333333333333",
  vpcCidr: "10.2.0.0/16",
  deployer: "arn:aws:iam::333333333333:role/deployer",
};
const lobs = (entries: Record<string, unknown>) => JSON.stringify(entries);
const shared: Record<string, string> = {
  kind: "shared",
  hubAccountId: "111111111111",
  organizationId: "o-exampleorg1",
  hubVpcCidr: "10.0.0.0/16",
  lobs: lobs({ "lob-a": LOB_A, "lob-b": LOB_B }),
};
const VPN = JSON.stringify({ vpn: { customerGatewayIp: "203.0.113.10", bgpAsn: 65010 } });
const lob: Record<string, string> = {
  kind: "lob",
  lob: "lob-a",
  sharedStack: "example-org/studio-access/shared",
};
const SHARED_KNOWN =
  "kind, hubAccountId, organizationId, hubVpcCidr, availabilityZones, lobs, lobsFile, spokesSupernet, extraEndpoints, corporate, clientCidrs, users, presignedUrl, accessRoleName, resolverInboundEndpoint, dnsSharing, apiStageName, apiThrottling, logRetentionDays, mfa, deletionProtection, threatProtection, auditTrail, customerManagedKey, saml, admins, iamQuotas, apiDomain, allowReplacement, idleShutdown, alarms";
const LOB_KNOWN =
  "kind, lob, sharedStack, hubRoleArn, availabilityZones, members, teams, homeEfsRetention, homeDirectories, iamQuotas, budget, allowReplacement, idleShutdown, instanceTypes, spaceStorage";

/** The problems a config is refused for (the test fails if it is accepted). */
function problems(
  values: Record<string, string | undefined>,
  aws: { region?: string; profile?: string } = AWS,
): readonly string[] {
  const clean = Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  try {
    parseStackConfig(clean, aws);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

describe("shared stack config", () => {
  it("fills every default", () => {
    expect(parseStackConfig(shared, AWS)).toEqual({
      kind: "shared",
      region: "us-east-1",
      profile: "hub",
      hubAccountId: "111111111111",
      organizationId: "o-exampleorg1",
      hubVpcCidr: "10.0.0.0/16",
      availabilityZones: 2,
      lobs: { "lob-a": LOB_A, "lob-b": LOB_B },
      extraEndpoints: [],
      clientCidrs: [],
      users: [],
      presignedUrl: { expiresInSeconds: 20, sessionExpirationSeconds: 28800 },
      accessRoleName: "StudioAccessRole",
      admins: [],
      resolverInboundEndpoint: false,
      dnsSharing: "zones",
      apiStageName: "v1",
      apiThrottling: { rateLimit: 20, burstLimit: 40 },
      logRetentionDays: 365,
      mfa: "required",
      deletionProtection: true,
      threatProtection: "off",
      auditTrail: true,
      customerManagedKey: true,
      iamLimits: DEFAULT_IAM_LIMITS,
      rolesPerAccount: 1000,
      allowReplacement: [],
      idleShutdown: { minutes: 120 },
    });
  });

  it("reads every setting", () => {
    const config = parseStackConfig(
      {
        ...shared,
        availabilityZones: "3",
        clientCidrs: JSON.stringify(["10.200.0.0/16", "192.168.1.10/32"]),
        corporate: JSON.stringify({ transitGatewayAttachmentId: "tgw-attach-0123456789abcdef0" }),
        users: JSON.stringify([{ username: "user-lob-a", email: "a@example.com" }]),
        presignedUrl: JSON.stringify({ expiresInSeconds: 60, sessionExpirationSeconds: 1800 }),
        accessRoleName: "LobStudioAccess",
        resolverInboundEndpoint: "true",
        apiStageName: "prod",
        apiThrottling: JSON.stringify({ rateLimit: 5, burstLimit: 10 }),
        logRetentionDays: "90",
        mfa: "optional",
        deletionProtection: "false",
        threatProtection: "enforced",
        auditTrail: "false",
        customerManagedKey: "false",
      },
      AWS,
    );
    expect(config).toMatchObject({
      availabilityZones: 3,
      clientCidrs: ["10.200.0.0/16", "192.168.1.10/32"],
      corporate: { transitGatewayAttachmentId: "tgw-attach-0123456789abcdef0" },
      users: [{ username: "user-lob-a", email: "a@example.com" }],
      presignedUrl: { expiresInSeconds: 60, sessionExpirationSeconds: 1800 },
      accessRoleName: "LobStudioAccess",
      resolverInboundEndpoint: true,
      apiStageName: "prod",
      apiThrottling: { rateLimit: 5, burstLimit: 10 },
      logRetentionDays: 90,
      mfa: "optional",
      deletionProtection: false,
      threatProtection: "enforced",
      auditTrail: false,
      customerManagedKey: false,
    });
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    [
      "no kind",
      { kind: undefined },
      "studio-access:kind is not set: expected shared (the hub stack) or lob (a LOB's stack)",
    ],
    [
      "an unknown kind",
      { kind: "hub" },
      'studio-access:kind is "hub": expected shared (the hub stack) or lob (a LOB\'s stack)',
    ],
    [
      "no hub account",
      { hubAccountId: undefined },
      "studio-access:hubAccountId is not set: expected a 12-digit AWS account id",
    ],
    [
      "a short hub account",
      { hubAccountId: "11111111111" },
      'studio-access:hubAccountId is "11111111111": expected a 12-digit AWS account id',
    ],
    [
      "no hub CIDR",
      { hubVpcCidr: undefined },
      "studio-access:hubVpcCidr is not set: expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16",
    ],
    [
      "a malformed hub CIDR",
      { hubVpcCidr: "10.0.0.0/33" },
      'studio-access:hubVpcCidr is "10.0.0.0/33": expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16',
    ],
    [
      "a hub CIDR with host bits",
      { hubVpcCidr: "10.0.0.1/16" },
      'studio-access:hubVpcCidr is "10.0.0.1/16": expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16: the range\'s first address, 10.0.0.0/16 (10.0.0.1/16 has host bits set)',
    ],
    [
      "a hub CIDR too large",
      { hubVpcCidr: "10.0.0.0/8" },
      'studio-access:hubVpcCidr is "10.0.0.0/8": expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16',
    ],
    [
      "one AZ",
      { availabilityZones: "1" },
      'studio-access:availabilityZones is "1": expected a whole number from 2 to 6',
    ],
    [
      "AZs as words",
      { availabilityZones: "two" },
      'studio-access:availabilityZones is "two": expected a whole number from 2 to 6',
    ],
    [
      "no organization",
      { organizationId: undefined },
      "studio-access:organizationId is not set: expected the AWS Organizations id of the hub and LOB accounts, such as o-abcd123456",
    ],
    [
      "no lobs",
      { lobs: undefined },
      'studio-access:lobs is not set: expected exactly one of lobs (a map of LOB name to {accountId, vpcCidr, deployer}, such as lob-a: {accountId: "222222222222", ...}) and lobsFile (a YAML file in the repository, its path relative to the project root (where Pulumi.yaml is), such as lobs.yaml, holding that map)',
    ],
    [
      "empty lobs",
      { lobs: "{}" },
      'studio-access:lobs is {}: expected a non-empty map of LOB name to {accountId: "<12 digits>", vpcCidr: "<CIDR>", deployer: "<role ARN in that account>"}',
    ],
    [
      "a bad LOB name",
      { lobs: lobs({ LOB_A: LOB_A }) },
      'studio-access:lobs.LOB_A is "LOB_A": expected a LOB name of lower-case letters, digits and dashes (at most 63)',
    ],
    [
      "a bad LOB account",
      { lobs: lobs({ "lob-a": { ...LOB_A, accountId: "2222" } }) },
      'studio-access:lobs.lob-a.accountId is "2222": expected a 12-digit AWS account id, quoted',
    ],
    [
      "a LOB in the hub account",
      {
        lobs: lobs({
          "lob-a": {
            ...LOB_A,
            accountId: "111111111111",
            deployer: "arn:aws:iam::111111111111:role/d",
          },
        }),
      },
      'studio-access:lobs.lob-a.accountId is "111111111111": expected an account other than the hub\'s',
    ],
    [
      "two LOBs in one account",
      {
        lobs: lobs({
          "lob-a": LOB_A,
          "lob-b": { ...LOB_B, accountId: "222222222222", deployer: LOB_A.deployer },
        }),
      },
      'studio-access:lobs.lob-b.accountId is "222222222222": expected an account of its own (lob-a uses it already)',
    ],
    [
      "a deployer in another account",
      { lobs: lobs({ "lob-a": { ...LOB_A, deployer: LOB_B.deployer } }) },
      'studio-access:lobs.lob-a.deployer is "arn:aws:iam::333333333333:role/deployer": expected the ARN of the role (or user) in 222222222222 that deploys this LOB\'s stack',
    ],
    [
      "a LOB without a range",
      { lobs: lobs({ "lob-a": { ...LOB_A, vpcCidr: undefined } }) },
      "studio-access:lobs.lob-a.vpcCidr is not set: expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16",
    ],
    [
      "a misspelt LOB setting",
      { lobs: lobs({ "lob-a": { ...LOB_A, vpcCIDR: "10.9.0.0/16" } }) },
      "studio-access:lobs.lob-a.vpcCIDR is not a setting (known: accountId, vpcCidr, deployer)",
    ],
    [
      "two LOBs with overlapping ranges",
      { lobs: lobs({ "lob-a": LOB_A, "lob-b": { ...LOB_B, vpcCidr: "10.1.128.0/17" } }) },
      'studio-access:lobs.lob-b.vpcCidr is "10.1.128.0/17": expected a range that does not overlap lobs.lob-a.vpcCidr (10.1.0.0/16)',
    ],
    [
      "a LOB range inside the hub VPC",
      { lobs: lobs({ "lob-a": { ...LOB_A, vpcCidr: "10.0.0.0/24" } }) },
      'studio-access:lobs.lob-a.vpcCidr is "10.0.0.0/24": expected a range that does not overlap hubVpcCidr (10.0.0.0/16)',
    ],
    [
      "the old lobAccounts key, naming its replacement",
      { lobAccounts: '{"lob-a":"222222222222"}' },
      'studio-access:lobAccounts is no longer a setting: name every LOB in lobs instead, with its range and deployer: lobs: {lob-a: {accountId: "222222222222", vpcCidr: "10.1.0.0/16", deployer: "arn:aws:iam::222222222222:role/..."}}',
    ],
    [
      "the old userPoolDeletionProtection key, naming the key that replaced it (#21)",
      { userPoolDeletionProtection: "false" },
      "studio-access:userPoolDeletionProtection is no longer a setting: deletionProtection covers the user pool and the entitlement and LOB tables: set studio-access:deletionProtection instead",
    ],
    [
      "lobs that is not JSON",
      { lobs: "lob-a=2222" },
      'studio-access:lobs is "lob-a=2222": expected a map of LOB name to {accountId, vpcCidr, deployer}',
    ],
    [
      "client ranges with no way to reach the hub",
      { clientCidrs: '["10.200.0.0/16"]' },
      "studio-access:corporate is not set: expected how the corporate network reaches the hub, for clientCidrs: {transitGatewayAttachmentId} or {vpn: {customerGatewayIp, bgpAsn}}",
    ],
    [
      "a corporate link with no client range",
      { corporate: VPN },
      'studio-access:corporate is {"vpn":{"customerGatewayIp":"203.0.113.10","bgpAsn":65010}}: expected no corporate link while clientCidrs is empty: it would route nothing',
    ],
    [
      "a corporate link naming both kinds",
      {
        clientCidrs: '["10.200.0.0/16"]',
        corporate: '{"transitGatewayAttachmentId":"tgw-attach-0123456789abcdef0","vpn":{}}',
      },
      'studio-access:corporate is {"transitGatewayAttachmentId":"tgw-attach-0123456789abcdef0","vpn":{}}: expected either {transitGatewayAttachmentId: "tgw-attach-…"} (an existing Direct Connect gateway or VPN attachment) or {vpn: {customerGatewayIp, bgpAsn}}',
    ],
    [
      "a VPN with a bad device address and ASN",
      {
        clientCidrs: '["10.200.0.0/16"]',
        corporate: '{"vpn":{"customerGatewayIp":"corp-vpn","bgpAsn":65010}}',
      },
      'studio-access:corporate.vpn.customerGatewayIp is "corp-vpn": expected the corporate VPN device\'s public IPv4 address',
    ],
    [
      "an existing attachment that is not one",
      { clientCidrs: '["10.200.0.0/16"]', corporate: '{"transitGatewayAttachmentId":"vpn-123"}' },
      'studio-access:corporate.transitGatewayAttachmentId is "vpn-123": expected a transit gateway attachment id, tgw-attach-…',
    ],
    [
      "an extra endpoint the program does not know",
      { extraEndpoints: '["ecr.api","s3"]' },
      'studio-access:extraEndpoints[1] is "s3": expected one of ecr.api, ecr.dkr, servicecatalog',
    ],
    [
      "an extra endpoint listed twice",
      { extraEndpoints: '["ecr.dkr","ecr.dkr"]' },
      'studio-access:extraEndpoints[1] is "ecr.dkr": expected an endpoint not already listed',
    ],
    [
      "an MFA mode that does not exist",
      { mfa: "sms" },
      'studio-access:mfa is "sms": expected one of required, optional, off',
    ],
    [
      "a threat protection mode that does not exist",
      { threatProtection: "on" },
      'studio-access:threatProtection is "on": expected one of off, audit, enforced',
    ],
    [
      "a bad client CIDR",
      { clientCidrs: '["10.200.0.0/16","corp"]', corporate: VPN },
      'studio-access:clientCidrs[1] is "corp": expected an IPv4 CIDR from /8 to /32, such as 10.0.0.0/8',
    ],
    [
      "clientCidrs not a list",
      { clientCidrs: '"10.200.0.0/16"', corporate: VPN },
      'studio-access:clientCidrs is "10.200.0.0/16": expected a list of IPv4 CIDRs',
    ],
    [
      "a client range inside the hub VPC",
      { clientCidrs: '["10.0.128.0/24"]', corporate: VPN },
      'studio-access:clientCidrs[0] is "10.0.128.0/24": expected a range that does not overlap hubVpcCidr (10.0.0.0/16)',
    ],
    [
      "a client range overlapping a LOB",
      { clientCidrs: '["10.2.0.0/24"]', corporate: VPN },
      'studio-access:clientCidrs[0] is "10.2.0.0/24": expected a range that does not overlap lobs.lob-b.vpcCidr (10.2.0.0/16)',
    ],
    [
      "a bad username",
      { users: '[{"username":"ann smith","email":"a@example.com"}]' },
      'studio-access:users[0].username is "ann smith": expected a Cognito username (no spaces, at most 128 characters) with a letter or digit',
    ],
    [
      "a username of punctuation only",
      { users: '[{"username":"...","email":"a@example.com"}]' },
      'studio-access:users[0].username is "...": expected a Cognito username (no spaces, at most 128 characters) with a letter or digit',
    ],
    [
      "an unknown key in a user",
      { users: '[{"username":"ann","email":"a@example.com","mail":"x"}]' },
      "studio-access:users[0].mail is not a setting (known: username, email)",
    ],
    [
      "a misspelt presignedUrl key (it does not fall back to the default)",
      { presignedUrl: '{"expireInSeconds": 60}' },
      "studio-access:presignedUrl.expireInSeconds is not a setting (known: expiresInSeconds, sessionExpirationSeconds)",
    ],
    [
      "a misspelt apiThrottling key",
      { apiThrottling: '{"rate": 5}' },
      "studio-access:apiThrottling.rate is not a setting (known: rateLimit, burstLimit)",
    ],
    [
      "apiThrottling not a map",
      { apiThrottling: "[5]" },
      "studio-access:apiThrottling is [5]: expected {rateLimit, burstLimit}",
    ],
    [
      "a repeated username",
      {
        users:
          '[{"username":"ann","email":"a@example.com"},{"username":"ann","email":"b@example.com"}]',
      },
      'studio-access:users[1].username is "ann": expected a username not already listed',
    ],
    [
      "a bad email",
      { users: '[{"username":"ann","email":"ann"}]' },
      'studio-access:users[0].email is "ann": expected an email address',
    ],
    [
      "a URL lifetime too short",
      { presignedUrl: '{"expiresInSeconds":4}' },
      "studio-access:presignedUrl.expiresInSeconds is 4: expected a whole number from 5 to 300",
    ],
    [
      "a URL lifetime too long",
      { presignedUrl: '{"expiresInSeconds":301}' },
      "studio-access:presignedUrl.expiresInSeconds is 301: expected a whole number from 5 to 300",
    ],
    [
      "a session too short",
      { presignedUrl: '{"sessionExpirationSeconds":1799}' },
      "studio-access:presignedUrl.sessionExpirationSeconds is 1799: expected a whole number from 1800 to 43200",
    ],
    [
      "a session too long",
      { presignedUrl: '{"sessionExpirationSeconds":43201}' },
      "studio-access:presignedUrl.sessionExpirationSeconds is 43201: expected a whole number from 1800 to 43200",
    ],
    [
      "presignedUrl not an object",
      { presignedUrl: "20" },
      "studio-access:presignedUrl is 20: expected {expiresInSeconds, sessionExpirationSeconds}",
    ],
    [
      "a bad role name",
      { accessRoleName: "Studio Access" },
      'studio-access:accessRoleName is "Studio Access": expected an IAM role name of at most 52 characters',
    ],
    [
      "an admin that is not a principal ARN",
      { admins: '["jane"]' },
      'studio-access:admins[0] is "jane": expected an IAM role or user ARN (arn:aws:iam::<account>:role/<name>) that may assume the hub\'s admin role',
    ],
    [
      "an admin listed twice",
      {
        admins:
          '["arn:aws:iam::111111111111:role/platform-engineer","arn:aws:iam::111111111111:role/platform-engineer"]',
      },
      'studio-access:admins[1] is "arn:aws:iam::111111111111:role/platform-engineer": expected a principal not already listed',
    ],
    [
      "a resolver with no client",
      { resolverInboundEndpoint: "true" },
      "studio-access:resolverInboundEndpoint is true: expected false while clientCidrs is empty: the endpoint would answer no one",
    ],
    [
      "a resolver flag that is not boolean",
      { resolverInboundEndpoint: "yes" },
      'studio-access:resolverInboundEndpoint is "yes": expected true or false',
    ],
    [
      "a bad stage name",
      { apiStageName: "v1-prod" },
      'studio-access:apiStageName is "v1-prod": expected letters, digits and underscores',
    ],
    [
      "a zero rate limit",
      { apiThrottling: '{"rateLimit":0}' },
      "studio-access:apiThrottling.rateLimit is 0: expected a whole number from 1 to 10000",
    ],
    [
      "a retention CloudWatch lacks",
      { logRetentionDays: "100" },
      "studio-access:logRetentionDays is 100: expected one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
    ],
    [
      "a key of the other kind",
      { members: '["ann"]' },
      `studio-access:members is not a setting of this stack kind (known: ${SHARED_KNOWN})`,
    ],
    [
      "a misspelt key",
      { hubVPCCidr: "10.0.0.0/16" },
      `studio-access:hubVPCCidr is not a setting of this stack kind (known: ${SHARED_KNOWN})`,
    ],
  ])("refuses %s", (_, override, message) => {
    expect(problems({ ...shared, ...override })).toEqual([message]);
  });

  it.each([
    [
      { region: undefined },
      "aws:region is not set: expected the AWS region of this stack, such as us-east-1",
    ],
    [{ region: "Virginia" }, 'aws:region is "Virginia": expected an AWS region such as us-east-1'],
  ])("refuses the region %p", (aws, message) => {
    expect(problems(shared, aws)).toEqual([message]);
  });

  it("reports every problem at once, and the message lists them", () => {
    const error = (() => {
      try {
        parseStackConfig({ ...shared, hubAccountId: "x", hubVpcCidr: "y" }, AWS);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("accepted");
    })();
    expect(error.problems).toHaveLength(2);
    expect(error.message).toBe(
      "invalid stack configuration:\n" +
        '  - studio-access:hubAccountId is "x": expected a 12-digit AWS account id\n' +
        '  - studio-access:hubVpcCidr is "y": expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16',
    );
  });
});

describe("LOB stack config", () => {
  it("fills every default", () => {
    expect(parseStackConfig(lob, AWS)).toEqual({
      kind: "lob",
      region: "us-east-1",
      profile: "hub",
      lob: "lob-a",
      sharedStack: "example-org/studio-access/shared",
      hubRoleArn: undefined,
      availabilityZones: 2,
      // No teams: the LOB is one team, "default", of `members`.
      teams: [
        { name: "default", members: [], managedPolicyArns: [], inlinePolicies: [], tags: {} },
      ],
      homeEfsRetention: "Retain",
      homeDirectories: "keep",
      iamLimits: DEFAULT_IAM_LIMITS,
      allowReplacement: [],
      instanceTypes: ["ml.t3.medium", "ml.t3.large", "ml.m5.large", "ml.m5.xlarge"],
      spaceStorage: { defaultGb: 5, maxGb: 100 },
    });
  });

  it("accepts a member named like another member's profile: each has a profile of their own", () => {
    const dana = teamProfileName("dana.scientist", "default")!;
    const config = parseStackConfig(
      { ...lob, members: JSON.stringify(["dana.scientist", dana]) },
      AWS,
    );
    expect(config.kind === "lob" && config.teams[0]?.members).toEqual(["dana.scientist", dana]);
    expect(teamProfileName(dana, "default")).not.toBe(dana);
  });

  it("reads teams: members, managed and inline policies, tags", () => {
    const inline = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/*" }],
    };
    const config = parseStackConfig(
      {
        ...lob,
        teams: JSON.stringify({
          analytics: {
            members: ["ann", "jane.doe"],
            policies: ["arn:aws:iam::aws:policy/AmazonSageMakerReadOnly", inline],
            tags: { "cost-center": "cc-1001" },
          },
          "risk-models": {},
        }),
      },
      AWS,
    );
    expect(config).toMatchObject({
      teams: [
        {
          name: "analytics",
          members: ["ann", "jane.doe"],
          managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"],
          inlinePolicies: [inline],
          tags: { "cost-center": "cc-1001" },
        },
        { name: "risk-models", members: [], managedPolicyArns: [], inlinePolicies: [], tags: {} },
      ],
    });
  });

  it("takes another hub role when hubRoleArn is set", () => {
    const config = parseStackConfig(
      { ...lob, hubRoleArn: "arn:aws:iam::111111111111:role/deployer" },
      AWS,
    );
    expect(config).toMatchObject({ hubRoleArn: "arn:aws:iam::111111111111:role/deployer" });
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    [
      "no LOB",
      { lob: undefined },
      "studio-access:lob is not set: expected a LOB name of lower-case letters, digits and dashes, as in the hub's lobs",
    ],
    [
      "a bad LOB",
      { lob: "Lob A" },
      'studio-access:lob is "Lob A": expected a LOB name of lower-case letters, digits and dashes, as in the hub\'s lobs',
    ],
    [
      "a short stack name",
      { sharedStack: "shared" },
      'studio-access:sharedStack is "shared": expected the hub stack\'s full name, <organization>/studio-access/<stack>',
    ],
    [
      "a bad hub role",
      { hubRoleArn: "deployer" },
      'studio-access:hubRoleArn is "deployer": expected an IAM role ARN in the hub account',
    ],
    [
      "the old hubProfile key, naming what replaced it",
      { hubProfile: "hub" },
      "studio-access:hubProfile is no longer a setting: the LOB stack reaches the hub through the deployer role the hub creates for it (or hubRoleArn)",
    ],
    [
      "the old vpcCidr key, naming where it moved",
      { vpcCidr: "10.1.0.0/16" },
      "studio-access:vpcCidr is no longer a setting: the hub names each LOB's range: set lobs.<lob>.vpcCidr in the shared stack",
    ],
    [
      "a bad member",
      { members: '["ok","no way"]' },
      'studio-access:members[1] is "no way": expected a Cognito username (no spaces, at most 128 characters) with a letter or digit',
    ],
    [
      "a repeated member",
      { members: '["ann","ann"]' },
      'studio-access:members[1] is "ann": expected a username not already listed',
    ],
    [
      "members not a list",
      { members: '"ann"' },
      'studio-access:members is "ann": expected a list of usernames',
    ],
    [
      "members beside teams, naming where they go",
      { members: '["ann"]', teams: '{"analytics":{}}' },
      'studio-access:members is ["ann"]: expected no top-level members when teams are set: list them under teams.<team>.members',
    ],
    [
      "no team",
      { teams: "{}" },
      "studio-access:teams is {}: expected an object of team name to {members, policies, tags, budget, idleShutdown, instanceTypes, spaceStorage}, with at least one team",
    ],
    [
      "a bad team name",
      { teams: '{"Data_Eng":{}}' },
      'studio-access:teams is "Data_Eng": expected team names of lower-case letters and digits in dash-separated words, at most 20 characters, other than "default"',
    ],
    [
      "the reserved team name default",
      { teams: '{"default":{}}' },
      'studio-access:teams is "default": expected team names of lower-case letters and digits in dash-separated words, at most 20 characters, other than "default"',
    ],
    [
      "a team name with a double dash",
      { teams: '{"a--b":{}}' },
      'studio-access:teams is "a--b": expected team names of lower-case letters and digits in dash-separated words, at most 20 characters, other than "default"',
    ],
    [
      "an unknown team key",
      { teams: '{"analytics":{"role":"x"}}' },
      'studio-access:teams.analytics.role is "x": expected no such setting (known: members, policies, tags, budget, idleShutdown, instanceTypes, spaceStorage)',
    ],
    [
      "a bad team member",
      { teams: '{"analytics":{"members":["no way"]}}' },
      'studio-access:teams.analytics.members[0] is "no way": expected a Cognito username (no spaces, at most 128 characters) with a letter or digit',
    ],
    [
      "a policy that is neither an ARN nor a document",
      { teams: '{"analytics":{"policies":["AmazonSageMakerFullAccess"]}}' },
      'studio-access:teams.analytics.policies[0] is "AmazonSageMakerFullAccess": expected a managed policy ARN (arn:aws:iam::aws:policy/... or arn:aws:iam::<account>:policy/...) or a policy document {Version: "2012-10-17", Statement: [...]}',
    ],
    [
      "a tag key of studio-access's own",
      { teams: '{"analytics":{"tags":{"studio-access:team":"x"}}}' },
      'studio-access:teams.analytics.tags is "studio-access:team": expected tag keys of IAM\'s characters, not starting with aws: or studio-access:',
    ],
    [
      "a tag value that is not a string",
      { teams: '{"analytics":{"tags":{"cost-center":7}}}' },
      "studio-access:teams.analytics.tags.cost-center is 7: expected a tag value of at most 256 of IAM's characters",
    ],
    [
      "a bad retention",
      { homeEfsRetention: "Keep" },
      'studio-access:homeEfsRetention is "Keep": expected Retain or Delete',
    ],
    [
      "seven AZs",
      { availabilityZones: "7" },
      'studio-access:availabilityZones is "7": expected a whole number from 2 to 6',
    ],
    [
      "a hub key",
      { clientCidrs: "[]" },
      `studio-access:clientCidrs is not a setting of this stack kind (known: ${LOB_KNOWN})`,
    ],
  ])("refuses %s", (_, override, message) => {
    expect(problems({ ...lob, ...override })).toEqual([message]);
  });
});
