import {
  accessRolePolicy,
  accessRoleTrustPolicy,
  homesFunctionPolicy,
  lifecycleLobPolicy,
  provisionerPolicy,
  usageReaderPolicy,
  usageReaderTrustPolicy,
} from "../../../components/policies/lob-roles";

const lob = {
  region: "eu-west-1",
  accountId: "222222222222",
  domainId: "d-abc",
  lob: "lob-a",
  sageMakerApiEndpointId: "vpce-api",
};
const sids = (doc: { Statement: readonly { Sid?: string }[] }) => doc.Statement.map((s) => s.Sid);
const PROFILES = "arn:aws:sagemaker:eu-west-1:222222222222:user-profile/d-abc";

describe("the roles a LOB account holds for the hub", () => {
  it.each([
    ["without a SAML entry", undefined, "arn:presigner"],
    ["with a SAML entry", "arn:saml", ["arn:presigner", "arn:saml"]],
  ])("the access role trusts the presigner %s, through the hub's STS endpoint", (_, saml, who) => {
    const trust = accessRoleTrustPolicy({
      presignerRoleArn: "arn:presigner",
      ...(saml ? { samlRoleArn: saml } : {}),
      stsEndpointId: "vpce-sts",
    });
    expect(trust.Statement[0]?.Principal).toEqual({ AWS: who });
    expect(trust.Statement[0]?.Condition).toEqual({
      StringEquals: { "aws:SourceVpce": "vpce-sts" },
    });
  });

  it("the access role presigns only its LOB's profiles, through the hub's endpoints", () => {
    const [statement] = accessRolePolicy({ ...lob, studioEndpointId: "vpce-studio" }).Statement;
    expect(statement?.Resource).toBe(`${PROFILES}/*`);
    expect(statement?.Condition).toEqual({
      StringEquals: {
        "aws:SourceVpce": ["vpce-api", "vpce-studio"],
        "aws:ResourceTag/studio-access:lob": "lob-a",
      },
    });
  });

  it.each([
    [["default"], ["CreateProfilesOfTeamDefault"], `${PROFILES}/*`, "default"],
    [
      ["analytics"],
      ["CreateProfilesOfOwnTeam"],
      `${PROFILES}/\${aws:RequestTag/studio-access:team}--*`,
      "analytics",
    ],
    [
      ["analytics", "risk"],
      ["CreateProfilesOfOwnTeam"],
      `${PROFILES}/\${aws:RequestTag/studio-access:team}--*`,
      ["analytics", "risk"],
    ],
  ])(
    "the provisioning role of teams %p creates profiles by %p",
    (teams, creates, resource, tag) => {
      const doc = provisionerPolicy({ ...lob, teams });
      expect(sids(doc)).toEqual([...creates, "WatchProfilesStart", "PassTeamRolesToSageMaker"]);
      expect(doc.Statement[0]?.Resource).toBe(resource);
      expect(
        doc.Statement[0]?.Condition?.StringEquals?.["aws:RequestTag/studio-access:team"],
      ).toEqual(tag);
      expect(doc.Statement.at(-1)?.Resource).toHaveLength(teams.length);
    },
  );

  it.each([
    ["keeps home directories", undefined, false],
    ["removes home directories", { lambdaEndpointId: "vpce-lambda" }, true],
  ])("the lifecycle role of a LOB that %s", (_, removeHomes, invokes) => {
    const doc = lifecycleLobPolicy({ ...lob, ...(removeHomes ? { removeHomes } : {}) });
    expect(sids(doc).includes("RemoveHomeDirectories")).toBe(invokes);
    expect(sids(doc).slice(0, 5)).toEqual([
      "ListStudioResources",
      "DeleteAppsOfLob",
      "DeleteSpacesOfDomainProfiles",
      "WatchProfiles",
      "DeleteOwnProfiles",
    ]);
  });

  it("the home-directory function mounts through its own access point, in the LOB VPC", () => {
    const doc = homesFunctionPolicy({
      fileSystemArn: "arn:fs",
      accessPointArn: "arn:ap",
      logGroupArn: "arn:logs",
    });
    expect(sids(doc)).toEqual([
      "MountHomesThroughOwnAccessPoint",
      "WriteOwnLogs",
      "AttachToLobVpc",
    ]);
    expect(doc.Statement[0]?.Condition).toEqual({
      StringEquals: { "elasticfilesystem:AccessPointArn": "arn:ap" },
    });
  });

  it("the usage reader is trusted by the hub's admin role alone and may only list and describe (#21)", () => {
    expect(usageReaderTrustPolicy({ adminRoleArn: "arn:admin" }).Statement).toEqual([
      {
        Sid: "HubAdminRoleOnly",
        Effect: "Allow",
        Principal: { AWS: "arn:admin" },
        Action: "sts:AssumeRole",
      },
    ]);
    const policy = usageReaderPolicy(lob);
    expect(sids(policy)).toEqual([
      "ListStudioApps",
      "DescribeDomainApps",
      "DescribeDomainSpaces",
      "ReadDomainProfileTags",
    ]);
    const actions = policy.Statement.flatMap((s) => [s.Action].flat());
    expect(actions.every((a) => /^sagemaker:(List|Describe)/.test(a))).toBe(true);
    expect(policy.Statement[3]?.Resource).toBe(`${PROFILES}/*`);
  });
});
