import {
  PASSED_TO_SAGEMAKER_ONLY,
  attachToVpc,
  policyDocument,
  sageMakerArn,
  serviceTrustPolicy,
  writeLogs,
} from "../../../components/policies/document";

describe("the shared pieces of every IAM document", () => {
  it("builds a document of the 2012-10-17 language with its statements in order", () => {
    const first = writeLogs("arn:aws:logs:us-east-1:111111111111:log-group:g");
    const second = attachToVpc("AttachToHubVpc");
    expect(policyDocument(first, second)).toEqual({
      Version: "2012-10-17",
      Statement: [first, second],
    });
  });

  it.each(["lambda.amazonaws.com", "sagemaker.amazonaws.com", "apigateway.amazonaws.com"])(
    "lets only %s assume a service role",
    (service) => {
      expect(serviceTrustPolicy(service).Statement).toEqual([
        { Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" },
      ]);
    },
  );

  it.each([
    ["domain/d-abc", "arn:aws:sagemaker:eu-west-1:222222222222:domain/d-abc"],
    ["user-profile/d-abc/*", "arn:aws:sagemaker:eu-west-1:222222222222:user-profile/d-abc/*"],
  ])("names the SageMaker resource %s of one account and region", (kind, arn) => {
    expect(sageMakerArn("eu-west-1", "222222222222", kind)).toBe(arn);
  });

  it.each(["AttachToHubVpc", "AttachToLobVpc"] as const)(
    "grants %s the same network-interface actions",
    (sid) => {
      const statement = attachToVpc(sid);
      expect(statement.Sid).toBe(sid);
      expect(statement.Action).toEqual(attachToVpc("AttachToHubVpc").Action);
      expect(statement.Resource).toBe("*");
    },
  );

  it("writes logs only to the function's own group's streams", () => {
    expect(writeLogs("arn:aws:logs:us-east-1:111111111111:log-group:g").Resource).toBe(
      "arn:aws:logs:us-east-1:111111111111:log-group:g:*",
    );
  });

  it("passes a role to SageMaker only", () => {
    expect(PASSED_TO_SAGEMAKER_ONLY).toEqual({
      StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" },
    });
  });
});
