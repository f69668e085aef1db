import { ConfigError, parseStackConfig } from "../../stacks/config";
import { Problems } from "../../stacks/config/common";
import { hubQuotaProblems } from "../../stacks/config/hub-quotas";
import { deployerPolicy } from "../../components/policies/hub-deployer-roles";
import { scaledHubConfig, unprefixed } from "../../scripts/lib/scale";
import {
  LOB_A_ACCOUNT,
  LOB_B_ACCOUNT,
  ofType,
  one,
  planRepositoryStacks,
  policyOf,
  type Planned,
} from "../helpers/stacks";

/** Issue #22: the hub's endpoint zones shared through one Route 53 Profile (dnsSharing: profile). */
const PROFILE = { shared: { "studio-access:dnsSharing": "profile" } };
const PROFILE_TYPE = "aws:route53/profilesProfile:ProfilesProfile";
const HOLDS = "aws:route53/profilesResourceAssociation:ProfilesResourceAssociation";
const ASSOCIATION = "aws:route53/profilesAssociation:ProfilesAssociation";
const PRINCIPAL = "aws:ram/principalAssociation:PrincipalAssociation";

let zones: Planned;
let profile: Planned;
beforeAll(async () => {
  zones = await planRepositoryStacks();
  profile = await planRepositoryStacks(PROFILE);
}, 240_000);

/** The hub's zones the spokes resolve (the hub-only Cognito zone left out), by resource name. */
const spokeZones = (run: Planned) => {
  const ids = Object.values(run.shared.outputs.zoneIds as Record<string, string>);
  return ofType(run.shared, "aws:route53/zone:Zone").filter((z) => ids.includes(z.id));
};

describe("hub, dnsSharing: profile", () => {
  it("makes one Profile holding each spoke-facing zone once, and nothing else", () => {
    const [made, ...more] = ofType(profile.shared, PROFILE_TYPE);
    expect(more).toEqual([]);
    expect(made?.inputs).toEqual({
      name: "hub-studio-access",
      tags: { Name: "hub-dns-profile" },
    });
    const held = ofType(profile.shared, HOLDS);
    const expected = spokeZones(profile);
    expect(expected.length).toBeGreaterThan(5);
    expect(
      held.map((h) => h.inputs).sort((a, b) => String(a.name).localeCompare(String(b.name))),
    ).toEqual(
      expected
        .map((z) => ({
          name: z.name.replace(/^hub-/, "hub-"),
          profileId: made?.id,
          resourceArn: z.state.arn,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    // The hub-only Cognito zone is not the spokes'.
    expect(held.map((h) => h.name)).not.toContain("hub-dns-profile-cognito-idp");
  });

  it("shares it through a RAM share of its own with each LOB account, never the organization or outsiders", () => {
    const share = one(
      profile.shared,
      "aws:ram/resourceShare:ResourceShare",
      "hub-dns-profile-share",
    );
    expect(share.inputs).toEqual({
      allowExternalPrincipals: false,
      tags: { Name: "hub-dns-profile-share" },
    });
    expect(
      one(
        profile.shared,
        "aws:ram/resourceAssociation:ResourceAssociation",
        "hub-dns-profile-share",
      ).inputs,
    ).toEqual({
      resourceArn: one(profile.shared, PROFILE_TYPE, "hub-dns-profile").state.arn,
      resourceShareArn: share.state.arn,
    });
    expect(
      ofType(profile.shared, PRINCIPAL)
        .filter((p) => p.inputs.resourceShareArn === share.state.arn)
        .map((p) => [p.name, p.inputs.principal]),
    ).toEqual([
      ["hub-dns-profile-share-lob-a", LOB_A_ACCOUNT],
      ["hub-dns-profile-share-lob-b", LOB_B_ACCOUNT],
    ]);
  });

  it("publishes the mode and the Profile's id for the LOB stacks", () => {
    expect(profile.shared.outputs.dnsSharing).toBe("profile");
    expect(profile.shared.outputs.dnsProfileId).toBe(
      one(profile.shared, PROFILE_TYPE, "hub-dns-profile").id,
    );
  });

  it("gives each LOB's deployer role only the deletion of its old zone authorizations", () => {
    const policy = policyOf(
      one(profile.shared, "aws:iam/rolePolicy:RolePolicy", "lob-a-deployer"),
    ) as { Statement: { Sid: string; Action: unknown }[] };
    const route53 = policy.Statement.filter((s) => JSON.stringify(s.Action).includes("route53:"));
    expect(route53.map((s) => [s.Sid, s.Action])).toEqual([
      ["RemoveZoneAuthorizations", "route53:DeleteVPCAssociationAuthorization"],
      [
        "ReadZoneAuthorizations",
        ["route53:ListVPCAssociationAuthorizations", "route53:GetHostedZone"],
      ],
    ]);
  });
});

describe("hub, dnsSharing: zones (the default)", () => {
  it("makes no Profile, share or output for one", () => {
    for (const type of [PROFILE_TYPE, HOLDS, ASSOCIATION]) {
      expect(ofType(zones.shared, type)).toEqual([]);
      expect(ofType(zones.lobA, type)).toEqual([]);
    }
    expect(ofType(zones.shared, PRINCIPAL).map((p) => p.name)).toEqual([
      "hub-tgw-share-lob-a",
      "hub-tgw-share-lob-b",
    ]);
    expect(zones.shared.outputs).not.toHaveProperty("dnsProfileId");
    expect(zones.shared.outputs).not.toHaveProperty("dnsSharing");
  });
});

describe("LOB, with a hub in profile mode", () => {
  it.each(["lobA", "lobB"] as const)(
    "%s associates its VPC with the hub's Profile once, and with no zone",
    (key) => {
      const run = profile[key];
      const lob = key === "lobA" ? "lob-a" : "lob-b";
      const vpc = one(run, "aws:ec2/vpc:Vpc", `${lob}-vpc`);
      expect(ofType(run, ASSOCIATION).map((a) => [a.name, a.inputs, a.account])).toEqual([
        [
          `${lob}-dns-profile`,
          {
            name: `${lob}-studio-access`,
            profileId: profile.shared.outputs.dnsProfileId,
            resourceId: vpc.id,
          },
          vpc.account,
        ],
      ]);
      expect(ofType(run, "aws:route53/zoneAssociation:ZoneAssociation")).toEqual([]);
      expect(
        ofType(run, "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization"),
      ).toEqual([]);
    },
  );

  it("differs from the zones plan only in how the VPC resolves the hub zones", () => {
    // Sorted: the program registers some resources after awaits, in no fixed order.
    const names = (run: Planned["lobA"]) => run.resources.map((r) => `${r.type}::${r.name}`).sort();
    const dns = /zoneAssociation|vpcAssociationAuthorization|profilesAssociation/;
    expect(names(profile.lobA).filter((n) => !dns.test(n))).toEqual(
      names(zones.lobA).filter((n) => !dns.test(n)),
    );
    expect(names(zones.lobA).filter((n) => dns.test(n)).length).toBe(2 * spokeZones(zones).length);
  });
});

describe("the DNS sharing quotas, checked before anything is declared", () => {
  const problemsOf = (values: Record<string, string>): readonly string[] => {
    try {
      parseStackConfig(unprefixed(values), { region: "us-east-1" });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };
  const dns = (problems: readonly string[]) =>
    problems.filter((p) => /hosted zone|Route 53 Profile|RAM/.test(p));
  const withMode = (count: number, mode: string) => ({
    ...scaledHubConfig(count),
    "studio-access:dnsSharing": mode,
  });

  it("takes 299 LOBs with zone associations, and refuses 300 naming dnsSharing: profile", () => {
    expect(dns(problemsOf(withMode(299, "zones")))).toEqual([]);
    expect(dns(problemsOf(withMode(300, "zones")))).toEqual([
      "studio-access:lobs is \"300 LOBs\": expected at most 299 LOBs with dnsSharing: zones (the default): the hub VPC and every LOB's associate with each endpoint zone, 301 VPCs over Route 53's quota of 300 VPCs associated with one private hosted zone; set studio-access:dnsSharing: profile (one Route 53 Profile holds the zones, and each LOB's VPC associates with it once; billed hourly, see docs/configuration.md)",
    ]);
  });

  it("takes 1,000 LOBs with a Profile, and refuses 1,001", () => {
    expect(dns(problemsOf(withMode(1000, "profile")))).toEqual([]);
    expect(dns(problemsOf(withMode(1001, "profile")))).toEqual([
      "studio-access:lobs is \"1,001 LOBs\": expected at most 1,000 LOBs with dnsSharing: profile: each LOB's VPC associates with the hub's Route 53 Profile, 1,001 over Route 53's default quota of 1,000 VPCs associated with one Route 53 Profile; split the LOBs across hubs (the quota is adjustable through Service Quotas, which this check does not read)",
    ]);
  });

  // RAM's quotas need thousands of LOBs: checked with the other count-based quotas on the LOB map
  // alone (the full config's other checks, CIDR overlaps among them, would take long at that size).
  const ram = (count: number, dnsSharing: "zones" | "profile") => {
    const problems = new Problems();
    const lobs = Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `lob-${String(i)}`,
        { accountId: String(400000000000 + i) },
      ]),
    );
    hubQuotaProblems(
      {
        region: "us-east-1",
        hubAccountId: "111111111111",
        organizationId: "o-exampleorg1",
        lobs,
        accessRoleName: "StudioAccessRole",
        extraEndpoints: [],
        dnsSharing,
        corporate: false,
        roles: 0,
        rolesPerAccount: 1000,
        pulumiConfig: {},
        lobsInline: false,
      },
      problems,
    );
    return problems.list.filter((p) => p.includes("RAM"));
  };

  it("refuses a 5,001st LOB account on a RAM share, in either mode", () => {
    expect(ram(5000, "profile")).toEqual([]);
    expect(ram(5001, "zones")).toEqual([
      "studio-access:lobsFile gives the hub 5,001 principal associations per RAM resource share (5,001 LOBs), over the limit of 5,000 (AWS RAM quotas, service-quotas.html (default)): split the LOBs between hubs, or have the quota raised in Service Quotas (AWS RAM, principal associations per resource share)",
    ]);
  });

  it("counts both shares against RAM's 25,000 principals per region in profile mode", () => {
    const perRegion = (problems: string[]) => problems.filter((p) => p.includes("in a region"));
    expect(perRegion(ram(12500, "profile"))).toEqual([]);
    expect(perRegion(ram(12501, "profile"))).toEqual([
      "studio-access:lobsFile gives the hub 25,002 principal associations across all RAM resource shares in a region (12,501 LOBs), over the limit of 25,000 (AWS RAM quotas, service-quotas.html (default)): the transit gateway's and the Route 53 Profile's shares each name every LOB account: split the LOBs between hubs or regions, or have the quota raised in Service Quotas (AWS RAM)",
    ]);
    expect(perRegion(ram(12501, "zones"))).toEqual([]);
  });

  it("refuses an unknown mode", () => {
    expect(problemsOf({ ...scaledHubConfig(2), "studio-access:dnsSharing": "shared" })).toEqual([
      'studio-access:dnsSharing is "shared": expected one of zones, profile',
    ]);
  });
});

describe("the deployer policy in each mode", () => {
  const args = {
    region: "us-east-1",
    hubAccountId: "111111111111",
    lob: "lob-a",
    spokesRouteTableId: "tgw-rtb-spokes",
    hubRouteTableId: "tgw-rtb-hub",
    zoneIds: ["ZB", "ZA"],
    usersTableArn: "arn:aws:dynamodb:us-east-1:111111111111:table/entitlements",
    lobsTableArn: "arn:aws:dynamodb:us-east-1:111111111111:table/lobs",
  };
  it("is the zones policy with the authorization statement narrowed to deletion, nothing else", () => {
    const before = deployerPolicy(args);
    const after = deployerPolicy({ ...args, dnsSharing: "profile" });
    expect(deployerPolicy({ ...args, dnsSharing: "zones" })).toEqual(before);
    const index = before.Statement.findIndex((s) => s.Sid === "AuthorizeZoneAssociations");
    expect(after.Statement[index]).toEqual({
      Sid: "RemoveZoneAuthorizations",
      Effect: "Allow",
      Action: "route53:DeleteVPCAssociationAuthorization",
      Resource: ["arn:aws:route53:::hostedzone/ZA", "arn:aws:route53:::hostedzone/ZB"],
      Condition: { StringLike: { "route53:VPCs": "VPCId=*,VPCRegion=us-east-1" } },
    });
    expect(after.Statement.filter((_, i) => i !== index)).toEqual(
      before.Statement.filter((_, i) => i !== index),
    );
  });
});
