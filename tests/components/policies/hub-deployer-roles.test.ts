import { TAGS } from "../../../functions/shared/teams";
import {
  deployerPolicy,
  deployerTrustPolicy,
} from "../../../components/policies/hub-deployer-roles";

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
const statement = (sid: string) => deployerPolicy(args).Statement.find((s) => s.Sid === sid);

describe("each LOB's deployer role in the hub", () => {
  it("is assumed by the LOB's deployment principal only", () => {
    expect(
      deployerTrustPolicy({ deployer: "arn:aws:iam::222222222222:role/ci" }).Statement,
    ).toEqual([
      {
        Sid: "LobDeploymentPrincipalOnly",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:role/ci" },
        Action: "sts:AssumeRole",
      },
    ]);
  });

  it.each(["AuthorizeZoneAssociations", "ReadZoneAuthorizations"])(
    "%s names the hub zones, sorted",
    (sid) => {
      expect(statement(sid)?.Resource).toEqual([
        "arn:aws:route53:::hostedzone/ZA",
        "arn:aws:route53:::hostedzone/ZB",
      ]);
    },
  );

  it.each([
    ["TagAttachmentAsOwn", "StringEquals", `aws:RequestTag/${TAGS.lob}`],
    ["OwnAttachmentOnly", "StringEquals", `aws:ResourceTag/${TAGS.lob}`],
    ["UntagOwnAttachment", "StringEquals", `aws:ResourceTag/${TAGS.lob}`],
  ])("%s is confined to the LOB's own tag", (sid, operator, key) => {
    expect(statement(sid)?.Condition?.[operator]?.[key]).toBe("lob-a");
  });

  // Issue #22: with the hub's zones in a Route 53 Profile, a LOB creates no authorization; it may
  // only delete those it made before the hub switched (docs/deploying.md).
  it.each([
    [
      "zones",
      {
        Sid: "AuthorizeZoneAssociations",
        Effect: "Allow",
        Action: [
          "route53:CreateVPCAssociationAuthorization",
          "route53:DeleteVPCAssociationAuthorization",
        ],
        Resource: ["arn:aws:route53:::hostedzone/ZA", "arn:aws:route53:::hostedzone/ZB"],
        Condition: { StringLike: { "route53:VPCs": "VPCId=*,VPCRegion=us-east-1" } },
      },
    ],
    [
      "profile",
      {
        Sid: "RemoveZoneAuthorizations",
        Effect: "Allow",
        Action: "route53:DeleteVPCAssociationAuthorization",
        Resource: ["arn:aws:route53:::hostedzone/ZA", "arn:aws:route53:::hostedzone/ZB"],
        Condition: { StringLike: { "route53:VPCs": "VPCId=*,VPCRegion=us-east-1" } },
      },
    ],
  ] as const)("with dnsSharing: %s, its Route 53 statements are exactly", (mode, first) => {
    const route53 = deployerPolicy({ ...args, dnsSharing: mode }).Statement.filter((s) =>
      JSON.stringify(s.Action).includes("route53:"),
    );
    expect(route53).toEqual([
      first,
      {
        Sid: "ReadZoneAuthorizations",
        Effect: "Allow",
        Action: ["route53:ListVPCAssociationAuthorizations", "route53:GetHostedZone"],
        Resource: ["arn:aws:route53:::hostedzone/ZA", "arn:aws:route53:::hostedzone/ZB"],
      },
    ]);
  });

  it("writes only the LOB's own rows", () => {
    expect(statement("OwnTableRowsOnly")?.Condition).toEqual({
      "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["lob-a"] },
      Null: { "dynamodb:LeadingKeys": "false" },
    });
  });
});
