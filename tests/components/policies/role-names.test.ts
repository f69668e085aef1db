import {
  accessRoleArn,
  lifecycleRoleName,
  lobAccessRoleArns,
  provisionerRoleName,
  usageReaderRoleArn,
  usageReaderRoleName,
} from "../../../components/policies/role-names";

describe("the roles every LOB account holds for the hub", () => {
  it.each([
    ["StudioAccessRole", "StudioAccessRole-provisioner", "StudioAccessRole-lifecycle"],
    ["lob-access", "lob-access-provisioner", "lob-access-lifecycle"],
  ])("derives from the access role %s its provisioning and lifecycle roles", (access, p, l) => {
    expect(provisionerRoleName(access)).toBe(p);
    expect(lifecycleRoleName(access)).toBe(l);
  });

  it("names a role of an account by its ARN", () => {
    expect(accessRoleArn("222222222222", "StudioAccessRole")).toBe(
      "arn:aws:iam::222222222222:role/StudioAccessRole",
    );
  });

  it("lists, per LOB account in order, its access role then its provisioning role", () => {
    expect(lobAccessRoleArns(["222222222222", "333333333333"], "StudioAccessRole")).toEqual([
      "arn:aws:iam::222222222222:role/StudioAccessRole",
      "arn:aws:iam::222222222222:role/StudioAccessRole-provisioner",
      "arn:aws:iam::333333333333:role/StudioAccessRole",
      "arn:aws:iam::333333333333:role/StudioAccessRole-provisioner",
    ]);
  });

  it("names every LOB's usage reader role (admin usage, #21) from the access role, under /studio-access/", () => {
    expect(usageReaderRoleName("StudioAccessRole")).toBe("StudioAccessRole-usage");
    expect(usageReaderRoleArn("222222222222", "StudioAccessRole")).toBe(
      "arn:aws:iam::222222222222:role/studio-access/StudioAccessRole-usage",
    );
    // The longest access role name the hub config takes (52) leaves it within IAM's 64.
    expect(usageReaderRoleName("a".repeat(52)).length).toBeLessThanOrEqual(64);
  });
});
