import {
  LIFECYCLE_ROW_ATTRIBUTES,
  adminTrustPolicy,
  assumeRolesPolicies,
  authorizerPolicy,
  lifecyclePolicy,
  portalPolicy,
  presignerPolicy,
  samlEntryPolicy,
} from "../../../components/policies/hub-roles";
import { QUOTAS } from "../../../components/lib/quotas";

const HUB = "arn:aws:dynamodb:us-east-1:111111111111:table";
const tables = { usersTableArn: `${HUB}/entitlements`, lobsTableArn: `${HUB}/lobs` };
const logGroupArn = "arn:aws:logs:us-east-1:111111111111:log-group:fn";
const roleArn = (n: number) => `arn:aws:iam::${String(n).padStart(12, "0")}:role/StudioAccessRole`;
const sids = (doc: { Statement: readonly { Sid?: string }[] }) => doc.Statement.map((s) => s.Sid);

describe("the hub's function and admin roles", () => {
  it.each([
    ["the authorizer", authorizerPolicy({ logGroupArn }), ["WriteOwnLogs"]],
    ["the portal", portalPolicy({ logGroupArn }), ["WriteOwnLogs"]],
    [
      "the presigner",
      presignerPolicy({ ...tables, logGroupArn }),
      ["ReadEntitlementsAndLobs", "WriteOwnLogs", "AttachToHubVpc"],
    ],
    [
      "the SAML entry",
      samlEntryPolicy({ ...tables, replayTableArn: `${HUB}/replay`, logGroupArn }),
      ["ReadEntitlementsAndLobs", "WriteOwnLogs", "AttachToHubVpc", "RecordAssertionsAndChoices"],
    ],
    [
      "the lifecycle function",
      lifecyclePolicy({ ...tables, streamArn: `${HUB}/entitlements/stream/x`, logGroupArn }),
      [
        "ReadEntitlementChanges",
        "ReadEntitlementsAndLobs",
        "RecordOffboarding",
        "WriteOwnLogs",
        "AttachToHubVpc",
      ],
    ],
  ])("%s holds exactly its statements", (_, doc, expected) => {
    expect(sids(doc)).toEqual(expected);
  });

  it("lets the lifecycle function write only a row's key and offboarding state", () => {
    const update = lifecyclePolicy({ ...tables, streamArn: "s", logGroupArn }).Statement.find(
      (s) => s.Sid === "RecordOffboarding",
    );
    expect(update?.Condition?.["ForAllValues:StringEquals"]).toEqual({
      "dynamodb:Attributes": [...LIFECYCLE_ROW_ATTRIBUTES],
    });
  });

  it("trusts the configured admins, sorted, and nobody else", () => {
    expect(adminTrustPolicy({ admins: ["arn:b", "arn:a"] }).Statement[0]?.Principal).toEqual({
      AWS: ["arn:a", "arn:b"],
    });
  });

  it("grants AssumeRole on the role names in any account, narrowed to the listed accounts (#22)", () => {
    expect(
      assumeRolesPolicies(
        "AssumeLobAccessRoles",
        ["StudioAccessRole-provisioner", "StudioAccessRole", "StudioAccessRole"],
        ["333333333333", "222222222222", "333333333333"],
      ),
    ).toEqual([
      {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AssumeLobAccessRoles",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: [
              "arn:aws:iam::*:role/StudioAccessRole",
              "arn:aws:iam::*:role/StudioAccessRole-provisioner",
            ],
            Condition: {
              StringEquals: { "aws:ResourceAccount": ["222222222222", "333333333333"] },
            },
          },
        ],
      },
    ]);
  });

  it.each([
    [0, 0],
    [1, 1],
    [391, 1],
    [392, 2],
    [1000, 3],
    [3910, 10],
    [3911, 11],
  ])(
    "packs %i accounts, sorted and once each, into %i policies within IAM's managed-policy size",
    (count, policies) => {
      const accounts = Array.from({ length: count }, (_, i) => roleArn(count - i).split(":")[4]!);
      const docs = assumeRolesPolicies(
        "AssumeLobAccessRoles",
        ["StudioAccessRole", "StudioAccessRole-provisioner"],
        [...accounts, ...accounts],
      );
      expect(docs).toHaveLength(policies);
      const packed = docs.flatMap((doc) =>
        doc.Statement.flatMap(
          (s) => (s.Condition?.StringEquals as Record<string, string[]>)["aws:ResourceAccount"]!,
        ),
      );
      expect(packed).toEqual([...accounts].sort());
      for (const doc of docs)
        expect(JSON.stringify(doc).length).toBeLessThanOrEqual(
          QUOTAS.managedPolicyCharacters.limit,
        );
    },
  );

  it.each([
    [
      "a role name with a wildcard",
      ["StudioAccessRole*"],
      ["222222222222"],
      /not an IAM role path and name/,
    ],
    [
      "a path with a leading slash",
      ["/studio-access/x"],
      ["222222222222"],
      /not an IAM role path and name/,
    ],
    ["an account that is not 12 digits", ["StudioAccessRole"], ["2222*"], /not an AWS account id/],
    [
      "role names that alone exceed a managed policy",
      ["x".repeat(QUOTAS.managedPolicyCharacters.limit)],
      ["222222222222"],
      /exceed \d+ characters/,
    ],
  ])("refuses %s", (_, names, accounts, message) => {
    expect(() => assumeRolesPolicies("AssumeLobAccessRoles", names, accounts)).toThrow(message);
  });
});
