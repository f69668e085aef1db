import { dataKeyPolicy } from "../../../components/policies/keys";

describe("the hub's data key policy", () => {
  const doc = dataKeyPolicy({ region: "us-east-1", accountId: "111111111111" });

  it.each([
    ["AccountAdministersThroughIam", { AWS: "arn:aws:iam::111111111111:root" }],
    ["ThroughDynamoDbForThisAccount", { AWS: "*" }],
    ["LogsForThisAccountsLogGroups", { Service: "logs.us-east-1.amazonaws.com" }],
  ])("%s: the key's user is %p", (sid, principal) => {
    expect(doc.Statement.find((s) => s.Sid === sid)?.Principal).toEqual(principal);
  });

  it("lets the account's principals use it only through DynamoDB in this region", () => {
    expect(doc.Statement[1]?.Condition).toEqual({
      StringEquals: {
        "kms:ViaService": "dynamodb.us-east-1.amazonaws.com",
        "kms:CallerAccount": "111111111111",
      },
    });
  });
});
