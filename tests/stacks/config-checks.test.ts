import {
  ConfigError,
  parseProgramConfig,
  parseStackConfig,
  unknownNamespaceProblems,
} from "../../stacks/config";
import { TestIdp } from "../../scripts/sandbox/saml-idp";

/** The per-stack checks #19 added: case-only usernames, dropped zeros, namespaces, empty teams. */
const AWS = { region: "us-east-1" };
const LOB_A = {
  accountId: "222222222222",
  vpcCidr: "10.1.0.0/16",
  deployer: "arn:aws:iam::222222222222:role/deployer",
};
const shared: Record<string, string> = {
  kind: "shared",
  hubAccountId: "111111111111",
  organizationId: "o-exampleorg1",
  hubVpcCidr: "10.0.0.0/16",
  lobs: JSON.stringify({ "lob-a": LOB_A }),
};
const lob: Record<string, string> = {
  kind: "lob",
  lob: "lob-a",
  sharedStack: "example-org/studio-access/shared",
  members: JSON.stringify(["ann"]),
};

function refusal(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

const prefixed = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`studio-access:${k}`, v]));

describe("usernames that differ only by letter case", () => {
  it("are refused among the hub's users, naming the first spelling", () => {
    const users = [
      { username: "ann", email: "a@example.com" },
      { username: "Ann", email: "b@example.com" },
    ];
    expect(
      refusal(() => parseStackConfig({ ...shared, users: JSON.stringify(users) }, AWS)),
    ).toEqual([
      'studio-access:users[1].username is "Ann": expected a username that differs from users[0].username ("ann") by more than letter case: people and identity providers take them for one person; keep one spelling',
    ]);
  });

  it("are refused among a team's members", () => {
    const teams = JSON.stringify({ analytics: { members: ["Dana.Scientist", "dana.scientist"] } });
    const { members: _, ...withoutMembers } = lob;
    expect(refusal(() => parseStackConfig({ ...withoutMembers, teams }, AWS))).toEqual([
      'studio-access:teams.analytics.members[1] is "dana.scientist": expected a username that differs from teams.analytics.members[0] ("Dana.Scientist") by more than letter case: people and identity providers take them for one person; keep one spelling',
    ]);
  });
});

describe("an account id YAML read as a number", () => {
  it("names the quoted id to write when the leading zero was dropped", () => {
    // `accountId: 012345678901`, unquoted, reaches the program as the number 12345678901.
    const lobs = `{"lob-a":{"accountId":12345678901,"vpcCidr":"10.1.0.0/16","deployer":"arn:aws:iam::012345678901:role/d"}}`;
    expect(refusal(() => parseStackConfig({ ...shared, lobs }, AWS))).toEqual([
      'studio-access:lobs.lob-a.accountId is 12345678901: expected a 12-digit AWS account id, quoted: YAML read an unquoted 0… as a number and dropped the leading zero; write "012345678901"',
    ]);
  });

  it("accepts a 12-digit number, which lost nothing", () => {
    const lobs = JSON.stringify({ "lob-a": { ...LOB_A, accountId: 222222222222 } });
    const config = parseStackConfig({ ...shared, lobs }, AWS);
    expect(config.kind === "shared" && config.lobs["lob-a"]?.accountId).toBe("222222222222");
  });
});

describe("a key in a namespace the program does not read", () => {
  it.each([
    [
      "studioaccess:mfa",
      'studioaccess:mfa is not read by this program: "studioaccess" is not one of its config namespaces (studio-access, aws, pulumi); did you mean studio-access:mfa?',
    ],
    [
      "studio_access:users",
      'studio_access:users is not read by this program: "studio_access" is not one of its config namespaces (studio-access, aws, pulumi); did you mean studio-access:users?',
    ],
  ])("refuses %s, naming the nearest namespace", (key, message) => {
    expect(
      unknownNamespaceProblems([key, "aws:region", "pulumi:disable-default-providers"]),
    ).toEqual([message]);
  });

  it("is refused with the stack's other problems, the error naming the file", () => {
    const all = { ...prefixed(shared), "aws:region": "us-east-1", "studioaccess:mfa": "off" };
    expect(() => parseProgramConfig(all, "Pulumi.shared.yaml")).toThrow(
      "invalid stack configuration in Pulumi.shared.yaml:\n  - studioaccess:mfa is not read",
    );
    expect(refusal(() => parseProgramConfig(all))).toEqual([
      'studioaccess:mfa is not read by this program: "studioaccess" is not one of its config namespaces (studio-access, aws, pulumi); did you mean studio-access:mfa?',
    ]);
    const { "studioaccess:mfa": _, ...valid } = all;
    expect(parseProgramConfig(valid).config.kind).toBe("shared");
  });
});

describe("a team with no members", () => {
  const run = (values: Record<string, string>) =>
    parseProgramConfig({ ...prefixed(values), "aws:region": "us-east-1" });

  it("is a warning, not a refusal, naming the team and the fix", () => {
    const { members: _, ...withoutMembers } = lob;
    const teams = JSON.stringify({ analytics: { members: ["ann"] }, forecasting: {} });
    expect(run({ ...withoutMembers, teams }).warnings).toEqual([
      "studio-access:teams.forecasting has no members: its role and policies are made but nobody can use them; list usernames in teams.forecasting.members, or remove the team",
    ]);
  });

  it("warns of a LOB without teams or members", () => {
    const { members: _, ...withoutMembers } = lob;
    expect(run(withoutMembers).warnings).toEqual([
      "studio-access:members is empty: the LOB has no users yet; list their usernames in members (or under teams.<team>.members)",
    ]);
  });

  it("says nothing when every team has members", () => {
    expect(run(lob).warnings).toEqual([]);
  });
});

describe("keys JavaScript gives a meaning (the review of #19)", () => {
  it("refuses a __proto__ LOB, team or tag, which zod's records would drop without a word", () => {
    const lobs = `{"lob-a": ${JSON.stringify(LOB_A)}, "__proto__": ${JSON.stringify(LOB_A)}}`;
    expect(refusal(() => parseStackConfig({ ...shared, lobs }, AWS))).toEqual([
      'studio-access:lobs.__proto__ is "__proto__": expected a name other than __proto__, which JavaScript reserves',
    ]);
    const teams = '{"analytics": {"members": ["ann"], "tags": {"__proto__": "x"}}}';
    const { members: _, ...withoutMembers } = lob;
    expect(refusal(() => parseStackConfig({ ...withoutMembers, teams }, AWS))).toEqual([
      'studio-access:teams.analytics.tags.__proto__ is "__proto__": expected a name other than __proto__, which JavaScript reserves',
    ]);
  });

  it("names a key called like an Object method as not a setting, not as a retired one", () => {
    expect(refusal(() => parseStackConfig({ ...shared, constructor: "x" }, AWS))).toEqual([
      expect.stringMatching(
        /^studio-access:constructor is not a setting of this stack kind \(known: /,
      ),
    ]);
  });

  it("cuts a long value in a message, saying how long it was", () => {
    const [problem] = refusal(() => parseStackConfig({ ...shared, mfa: "x".repeat(5000) }, AWS));
    expect(problem).toBe(
      `studio-access:mfa is "${"x".repeat(299)}… (5002 characters): expected one of required, optional, off`,
    );
  });
});

describe("apiDomain (#20): a private custom domain name for the API", () => {
  const CERTIFICATE =
    "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000";
  const withDomain = (domain: unknown) => ({ ...shared, apiDomain: JSON.stringify(domain) });
  const refused = (domain: unknown) => refusal(() => parseStackConfig(withDomain(domain), AWS));

  it("is accepted with a DNS name and an ACM certificate of the hub's region and account", () => {
    const config = parseStackConfig(
      withDomain({ name: "studio.corp.example.com", certificateArn: CERTIFICATE }),
      AWS,
    );
    expect(config.kind === "shared" && config.apiDomain).toEqual({
      name: "studio.corp.example.com",
      certificateArn: CERTIFICATE,
    });
  });

  it("is absent when unset", () => {
    const config = parseStackConfig(shared, AWS);
    expect(config.kind === "shared" && "apiDomain" in config).toBe(false);
  });

  it.each([
    [
      "Studio.Corp.Example.com",
      'labels of lower-case letters, digits and inner dashes ("Studio" is not one)',
    ],
    [
      "studio",
      "at least three labels, such as studio.corp.example.com (the private zone made for the name answers for every name under it)",
    ],
    [
      "studio..example.com",
      'labels of lower-case letters, digits and inner dashes ("" is not one)',
    ],
    [
      "-studio.example.com",
      'labels of lower-case letters, digits and inner dashes ("-studio" is not one)',
    ],
    ["*.example.com", 'labels of lower-case letters, digits and inner dashes ("*" is not one)'],
    [
      `${"a".repeat(64)}.example.com`,
      `labels of at most 63 characters ("${"a".repeat(20)}…" has 64)`,
    ],
    [
      "studio.execute-api.us-east-1.amazonaws.com",
      "a name of your organization's, not under amazonaws.com (AWS's own names: the private zone made for the name answers for every name under it)",
    ],
    [
      "studio.sagemaker.aws",
      "a name of your organization's, not under aws (AWS's own names: the private zone made for the name answers for every name under it)",
    ],
    // The review's shadowing names (#20): a parent would hold every corporate name under it.
    [
      "example.com",
      "at least three labels, such as studio.corp.example.com (the private zone made for the name answers for every name under it)",
    ],
    [
      "co.uk",
      "at least three labels, such as studio.corp.example.com (the private zone made for the name answers for every name under it)",
    ],
    [
      "studio.amazonaws.com.cn",
      "a name of your organization's, not under amazonaws.com.cn (AWS's own names: the private zone made for the name answers for every name under it)",
    ],
    [
      "amazonaws.com.cn",
      "a name of your organization's, not under amazonaws.com.cn (AWS's own names: the private zone made for the name answers for every name under it)",
    ],
    ["sagemaker.aws.", 'labels of lower-case letters, digits and inner dashes ("" is not one)'],
    [
      "notebook.sagemaker.aws",
      "a name of your organization's, not under aws (AWS's own names: the private zone made for the name answers for every name under it)",
    ],
    [
      "studio.us-gov-west-1.c2s.ic.gov",
      "a name of your organization's, not under c2s.ic.gov (AWS's own names: the private zone made for the name answers for every name under it)",
    ],
    [
      "pvt.k12.ma.us",
      'a name below a public suffix ("pvt.k12.ma.us" is one: the private zone made for the name answers for every name under it)',
    ],
    [
      "example.co.uk",
      'a name below a registrable domain ("example.co.uk" is one, its organization\'s own: the private zone made for the name answers for every name under it)',
    ],
    [
      "studio.github.io",
      'a name below a registrable domain ("studio.github.io" is one, its organization\'s own: the private zone made for the name answers for every name under it)',
    ],
  ])("refuses the name %s, saying why", (name, why) => {
    expect(refused({ name, certificateArn: CERTIFICATE })).toEqual([
      `studio-access:apiDomain.name is "${name}": expected a DNS name of ${why}`,
    ]);
  });

  it("refuses a name longer than 253 characters", () => {
    const name = `${"abcdefghi.".repeat(26)}com`;
    expect(refused({ name, certificateArn: CERTIFICATE })).toEqual([
      `studio-access:apiDomain.name is "${name}": expected a DNS name of at most 253 characters (it has ${String(name.length)})`,
    ]);
  });

  it.each([
    [
      "arn:aws:iam::111111111111:server-certificate/studio",
      'an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid> (the service is "iam", not acm)',
    ],
    ["not-an-arn", "an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>"],
    [
      "arn:aws:acm:somewhere:111111111111:certificate/00000000-0000-0000-0000-000000000000",
      'an ACM certificate ARN whose region is a region ("somewhere")',
    ],
    [
      "arn:aws:acm:us-east-1:1111:certificate/00000000-0000-0000-0000-000000000000",
      'an ACM certificate ARN whose account is 12 digits ("1111")',
    ],
    [
      "arn:aws:acm:us-east-1:111111111111:certificate/studio",
      'an ACM certificate ARN ending certificate/<uuid> ("certificate/studio" is not)',
    ],
  ])("refuses the certificate %s, naming the part that is wrong", (certificateArn, why) => {
    expect(refused({ name: "studio.corp.example.com", certificateArn })).toEqual([
      `studio-access:apiDomain.certificateArn is "${certificateArn}": expected ${why}`,
    ]);
  });

  it("accepts three labels or more below a registrable domain (the public suffix list's)", () => {
    for (const name of [
      "studio.example.co.uk",
      "studio.corp.example.com",
      "api.studio.example.com",
    ])
      expect(
        parseStackConfig(withDomain({ name, certificateArn: CERTIFICATE }), AWS),
      ).toHaveProperty("apiDomain.name", name);
  });

  it("refuses a certificate of another partition than the hub's, naming it", () => {
    const china =
      "arn:aws-cn:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000";
    expect(refused({ name: "studio.corp.example.com", certificateArn: china })).toEqual([
      `studio-access:apiDomain.certificateArn is "${china}": expected a certificate in the hub's partition aws (this one's partition is aws-cn): API Gateway uses an ACM certificate of its own region`,
    ]);
    const inChina = (certificateArn: string) =>
      parseStackConfig(withDomain({ name: "studio.corp.example.cn", certificateArn }), {
        region: "cn-north-1",
      });
    expect(
      refusal(() =>
        inChina(
          "arn:aws:acm:cn-north-1:111111111111:certificate/00000000-0000-0000-0000-000000000000",
        ),
      ),
    ).toEqual([
      "studio-access:apiDomain.certificateArn is \"arn:aws:acm:cn-north-1:111111111111:certificate/00000000-0000-0000-0000-000000000000\": expected a certificate in the hub's partition aws-cn (this one's partition is aws): API Gateway uses an ACM certificate of its own region",
    ]);
    expect(
      inChina(
        "arn:aws-cn:acm:cn-north-1:111111111111:certificate/00000000-0000-0000-0000-000000000000",
      ),
    ).toHaveProperty("apiDomain.name", "studio.corp.example.cn");
  });

  describe("beside the SAML IdP", () => {
    let idp: TestIdp;
    beforeAll(async () => {
      idp = await TestIdp.create("https://idp.corp.example.com/saml/metadata");
    }, 30_000);
    const withSaml = (name: string) => ({
      ...withDomain({ name, certificateArn: CERTIFICATE }),
      saml: JSON.stringify({ idpCertificates: [idp.certificate], idpEntityId: idp.entityId }),
    });

    it.each(["idp.corp.example.com", "corp.example.com"])(
      "refuses %s, the IdP's host or a parent of it",
      (name) => {
        expect(refusal(() => parseStackConfig(withSaml(name), AWS))).toEqual([
          `studio-access:apiDomain.name is "${name}": expected a name other than the SAML IdP's host idp.corp.example.com or a parent of it (saml.idpEntityId): the private zone made for the name answers for every name under it, and the IdP's would no longer resolve`,
        ]);
      },
    );

    it("accepts a sibling of the IdP's host", () => {
      expect(parseStackConfig(withSaml("studio.corp.example.com"), AWS)).toHaveProperty(
        "apiDomain.name",
        "studio.corp.example.com",
      );
    });
  });

  it("refuses a certificate of another region or account than the hub's, naming each", () => {
    const elsewhere =
      "arn:aws:acm:eu-west-1:999999999999:certificate/00000000-0000-0000-0000-000000000000";
    expect(refused({ name: "studio.corp.example.com", certificateArn: elsewhere })).toEqual([
      `studio-access:apiDomain.certificateArn is "${elsewhere}": expected a certificate in the hub's region us-east-1 (this one's region is eu-west-1): API Gateway uses an ACM certificate of its own region`,
      `studio-access:apiDomain.certificateArn is "${elsewhere}": expected a certificate in the hub account 111111111111 (this one's account is 999999999999)`,
    ]);
  });

  it("refuses a missing field, an unknown one, and a value that is not a map", () => {
    expect(refused({ name: "studio.corp.example.com" })).toEqual([
      "studio-access:apiDomain.certificateArn is not set: expected an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>",
    ]);
    expect(
      refused({ name: "studio.corp.example.com", certificateArn: CERTIFICATE, port: 443 }),
    ).toEqual(["studio-access:apiDomain.port is not a setting (known: name, certificateArn)"]);
    expect(
      refusal(() => parseStackConfig({ ...shared, apiDomain: "studio.corp.example.com" }, AWS)),
    ).toEqual([
      'studio-access:apiDomain is "studio.corp.example.com": expected a private custom domain name for the API: {name, certificateArn} (the ACM certificate in the hub\'s region and account)',
    ]);
  });
});
