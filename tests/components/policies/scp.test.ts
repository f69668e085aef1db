import { studioGuardrailScp } from "../../../components/policies/scp";

describe("the guardrail SCP of the LOB accounts", () => {
  const scp = studioGuardrailScp({
    sageMakerApiEndpointId: "vpce-api",
    studioEndpointId: "vpce-studio",
    accessRoleName: "StudioAccessRole",
  });

  it.each([
    [
      "StudioUrlsOnlyForTheAccessRole",
      { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/StudioAccessRole" } },
    ],
    [
      "StudioUrlsOnlyThroughHubEndpoints",
      { StringNotEquals: { "aws:SourceVpce": ["vpce-api", "vpce-studio"] } },
    ],
  ])("%s denies creating a Studio URL otherwise", (sid, condition) => {
    expect(scp.Statement.find((s) => s.Sid === sid)).toEqual({
      Sid: sid,
      Effect: "Deny",
      Action: "sagemaker:CreatePresignedDomainUrl",
      Resource: "*",
      Condition: condition,
    });
  });
});
