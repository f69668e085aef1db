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

  it("the SageMaker API endpoint adds that only the access roles, of the LOB accounts (sorted), create Studio URLs", () => {
    const doc = sageMakerApiEndpointPolicy({
      organizationId,
      accessRoleName: "StudioAccessRole",
      lobAccountIds: ["333333333333", "222222222222", "333333333333"],
    });
    const presign = {
      Effect: "Deny",
      Principal: "*",
      Action: "sagemaker:CreatePresignedDomainUrl",
      Resource: "*",
    };
    expect(doc).toEqual({
      Version: "2012-10-17",
      Statement: [
        organizationEndpointPolicy({ organizationId }).Statement[0],
        {
          Sid: "PresignOnlyAsAccessRoles",
          ...presign,
          Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/StudioAccessRole" } },
        },
        {
          Sid: "PresignOnlyInLobAccounts",
          ...presign,
          Condition: {
            StringNotEquals: { "aws:PrincipalAccount": ["222222222222", "333333333333"] },
          },
        },
      ],
    });
  });

  it("the execute-api endpoint serves the hub account's APIs only", () => {
    expect(
      executeApiEndpointPolicy({ region: "us-east-1", hubAccountId: "111111111111" }).Statement[0]
        ?.Resource,
    ).toBe("arn:aws:execute-api:us-east-1:111111111111:*");
  });
});
