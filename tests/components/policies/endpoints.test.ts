import {
  executeApiEndpointPolicy,
  lambdaEndpointPolicy,
  organizationEndpointPolicy,
  sageMakerApiEndpointPolicy,
} from "../../../components/policies/endpoints";

const organizationId = "o-abc";
const ORG_ONLY = { StringEquals: { "aws:PrincipalOrgID": organizationId } };

describe("the hub's interface endpoint policies", () => {
  it.each([
    ["STS, Logs, Studio", organizationEndpointPolicy({ organizationId }), "*"],
    [
      "Lambda",
      lambdaEndpointPolicy({ region: "us-east-1", organizationId }),
      "arn:aws:lambda:us-east-1:*:function:studio-access-homes",
    ],
  ])("%s serve the organization only", (_, doc, resource) => {
    expect(doc.Statement[0]?.Condition).toEqual(ORG_ONLY);
    expect(doc.Statement[0]?.Resource).toBe(resource);
  });

  it("the SageMaker API endpoint adds that only the access roles, sorted, create Studio URLs", () => {
    const doc = sageMakerApiEndpointPolicy({ organizationId, accessRoleArns: ["arn:b", "arn:a"] });
    expect(doc.Statement[0]).toEqual(organizationEndpointPolicy({ organizationId }).Statement[0]);
    expect(doc.Statement[1]?.Condition).toEqual({
      ArnNotEquals: { "aws:PrincipalArn": ["arn:a", "arn:b"] },
    });
  });

  it("the execute-api endpoint serves the hub account's APIs only", () => {
    expect(
      executeApiEndpointPolicy({ region: "us-east-1", hubAccountId: "111111111111" }).Statement[0]
        ?.Resource,
    ).toBe("arn:aws:execute-api:us-east-1:111111111111:*");
  });
});
