import { ConfigError, parseStackConfig } from "../../stacks/config";

const AWS = { region: "us-east-1", profile: "hub" };
const shared: Record<string, string> = {
  kind: "shared",
  hubAccountId: "111111111111",
  hubVpcCidr: "10.0.0.0/16",
  lobAccounts: JSON.stringify({ "lob-a": "222222222222", "lob-b": "333333333333" }),
};
const lob: Record<string, string> = {
  kind: "lob",
  lob: "lob-a",
  sharedStack: "example-org/studio-access/shared",
  hubProfile: "hub",
  vpcCidr: "10.1.0.0/16",
};

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
      hubVpcCidr: "10.0.0.0/16",
      availabilityZones: 2,
      lobAccounts: { "lob-a": "222222222222", "lob-b": "333333333333" },
      clientCidrs: [],
      users: [],
      presignedUrl: { expiresInSeconds: 20, sessionExpirationSeconds: 28800 },
      accessRoleName: "StudioAccessRole",
      resolverInboundEndpoint: false,
      apiStageName: "v1",
      apiThrottling: { rateLimit: 20, burstLimit: 40 },
      logRetentionDays: 365,
    });
  });

  it("reads every setting", () => {
    const config = parseStackConfig(
      {
        ...shared,
        availabilityZones: "3",
        clientCidrs: JSON.stringify(["10.200.0.0/16", "192.168.1.10/32"]),
        users: JSON.stringify([{ username: "user-lob-a", email: "a@example.com" }]),
        presignedUrl: JSON.stringify({ expiresInSeconds: 60, sessionExpirationSeconds: 1800 }),
        accessRoleName: "LobStudioAccess",
        resolverInboundEndpoint: "true",
        apiStageName: "prod",
        apiThrottling: JSON.stringify({ rateLimit: 5, burstLimit: 10 }),
        logRetentionDays: "90",
      },
      AWS,
    );
    expect(config).toMatchObject({
      availabilityZones: 3,
      clientCidrs: ["10.200.0.0/16", "192.168.1.10/32"],
      users: [{ username: "user-lob-a", email: "a@example.com" }],
      presignedUrl: { expiresInSeconds: 60, sessionExpirationSeconds: 1800 },
      accessRoleName: "LobStudioAccess",
      resolverInboundEndpoint: true,
      apiStageName: "prod",
      apiThrottling: { rateLimit: 5, burstLimit: 10 },
      logRetentionDays: 90,
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
      'studio-access:hubVpcCidr is "10.0.0.1/16": expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16',
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
      "no lobAccounts",
      { lobAccounts: undefined },
      'studio-access:lobAccounts is not set: expected a map of LOB name to 12-digit account id, such as {lob-a: "222222222222"}',
    ],
    [
      "empty lobAccounts",
      { lobAccounts: "{}" },
      "studio-access:lobAccounts is {}: expected a non-empty map of LOB name to 12-digit account id",
    ],
    [
      "lobAccounts as a list",
      { lobAccounts: '["222222222222"]' },
      'studio-access:lobAccounts is ["222222222222"]: expected a non-empty map of LOB name to 12-digit account id',
    ],
    [
      "a bad LOB name",
      { lobAccounts: '{"LOB_A":"222222222222"}' },
      'studio-access:lobAccounts.LOB_A is "LOB_A": expected a LOB name of lower-case letters, digits and dashes (at most 63)',
    ],
    [
      "a bad LOB account",
      { lobAccounts: '{"lob-a":"2222"}' },
      'studio-access:lobAccounts.lob-a is "2222": expected a 12-digit AWS account id, quoted',
    ],
    [
      "a LOB in the hub account",
      { lobAccounts: '{"lob-a":"111111111111"}' },
      'studio-access:lobAccounts.lob-a is "111111111111": expected an account other than the hub\'s',
    ],
    [
      "two LOBs in one account",
      { lobAccounts: '{"lob-a":"222222222222","lob-b":"222222222222"}' },
      'studio-access:lobAccounts.lob-b is "222222222222": expected an account of its own (lob-a uses it already)',
    ],
    [
      "lobAccounts that is not JSON",
      { lobAccounts: "lob-a=2222" },
      'studio-access:lobAccounts is "lob-a=2222": expected a map of LOB name to 12-digit account id',
    ],
    [
      "a bad client CIDR",
      { clientCidrs: '["10.200.0.0/16","corp"]' },
      'studio-access:clientCidrs[1] is "corp": expected an IPv4 CIDR from /8 to /32, such as 10.0.0.0/8',
    ],
    [
      "clientCidrs not a list",
      { clientCidrs: '"10.200.0.0/16"' },
      'studio-access:clientCidrs is "10.200.0.0/16": expected a list of IPv4 CIDRs',
    ],
    [
      "a client range inside the hub VPC",
      { clientCidrs: '["10.0.128.0/24"]' },
      'studio-access:clientCidrs[0] is "10.0.128.0/24": expected a corporate range outside the hub VPC 10.0.0.0/16',
    ],
    [
      "a bad username",
      { users: '[{"username":"ann smith","email":"a@example.com"}]' },
      'studio-access:users[0].username is "ann smith": expected letters, digits and single dashes, at most 63 (a SageMaker profile name)',
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
      'studio-access:accessRoleName is "Studio Access": expected an IAM role name',
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
      { vpcCidr: "10.1.0.0/16" },
      "studio-access:vpcCidr is not a setting of this stack kind (known: kind, hubAccountId, hubVpcCidr, availabilityZones, lobAccounts, clientCidrs, users, presignedUrl, accessRoleName, resolverInboundEndpoint, apiStageName, apiThrottling, logRetentionDays)",
    ],
    [
      "a misspelt key",
      { hubVPCCidr: "10.0.0.0/16" },
      "studio-access:hubVPCCidr is not a setting of this stack kind (known: kind, hubAccountId, hubVpcCidr, availabilityZones, lobAccounts, clientCidrs, users, presignedUrl, accessRoleName, resolverInboundEndpoint, apiStageName, apiThrottling, logRetentionDays)",
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
      hubAccess: { profile: "hub" },
      vpcCidr: "10.1.0.0/16",
      availabilityZones: 2,
      members: [],
      homeEfsRetention: "Retain",
    });
  });

  it("reaches the hub through a role when hubRoleArn is set", () => {
    const { hubProfile: _byRole, ...rest } = lob;
    const config = parseStackConfig(
      { ...rest, hubRoleArn: "arn:aws:iam::111111111111:role/deployer" },
      AWS,
    );
    expect(config).toMatchObject({
      hubAccess: { roleArn: "arn:aws:iam::111111111111:role/deployer" },
    });
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    [
      "no LOB",
      { lob: undefined },
      "studio-access:lob is not set: expected a LOB name of lower-case letters, digits and dashes, as in the hub's lobAccounts",
    ],
    [
      "a bad LOB",
      { lob: "Lob A" },
      'studio-access:lob is "Lob A": expected a LOB name of lower-case letters, digits and dashes, as in the hub\'s lobAccounts',
    ],
    [
      "a short stack name",
      { sharedStack: "shared" },
      'studio-access:sharedStack is "shared": expected the hub stack\'s full name, <organization>/studio-access/<stack>',
    ],
    [
      "neither hub access",
      { hubProfile: undefined },
      "exactly one of studio-access:hubProfile and studio-access:hubRoleArn must be set (how this stack reaches the hub account), got neither",
    ],
    [
      "both hub accesses",
      { hubRoleArn: "arn:aws:iam::111111111111:role/x" },
      "exactly one of studio-access:hubProfile and studio-access:hubRoleArn must be set (how this stack reaches the hub account), got both",
    ],
    [
      "a bad hub role",
      { hubProfile: undefined, hubRoleArn: "deployer" },
      'studio-access:hubRoleArn is "deployer": expected an IAM role ARN in the hub account',
    ],
    [
      "an empty hub profile",
      { hubProfile: " " },
      'studio-access:hubProfile is " ": expected the name of an AWS CLI profile for the hub account',
    ],
    [
      "no VPC CIDR",
      { vpcCidr: undefined },
      "studio-access:vpcCidr is not set: expected an IPv4 CIDR from /16 to /24, such as 10.0.0.0/16",
    ],
    [
      "a bad member",
      { members: '["ok","no_way"]' },
      'studio-access:members[1] is "no_way": expected a username: letters, digits and single dashes, at most 63',
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
      { lobAccounts: "{}" },
      "studio-access:lobAccounts is not a setting of this stack kind (known: kind, lob, sharedStack, hubProfile, hubRoleArn, vpcCidr, availabilityZones, members, homeEfsRetention)",
    ],
  ])("refuses %s", (_, override, message) => {
    expect(problems({ ...lob, ...override })).toEqual([message]);
  });
});
