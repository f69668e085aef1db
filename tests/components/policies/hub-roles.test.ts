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

  it.each([0, 1, 41, 42, 43, 500])(
    "packs %i role ARNs, sorted and once each, into policies within IAM's managed-policy size",
    (count) => {
      const arns = Array.from({ length: count }, (_, i) => roleArn(count - i));
      const docs = assumeRolesPolicies("AssumeLobAccessRoles", [...arns, ...arns]);
      const packed = docs.flatMap((doc) => doc.Statement.flatMap((s) => s.Resource ?? []));
      expect(packed).toEqual([...arns].sort());
      for (const doc of docs)
        expect(JSON.stringify(doc).length).toBeLessThanOrEqual(
          QUOTAS.managedPolicyCharacters.limit,
        );
    },
  );

  it("refuses a role ARN that alone exceeds a managed policy", () => {
    const long = `arn:aws:iam::222222222222:role/${"x".repeat(QUOTAS.managedPolicyCharacters.limit)}`;
    expect(() => assumeRolesPolicies("AssumeLobAccessRoles", [long])).toThrow(
      /alone exceeds \d+ characters/,
    );
  });
});
