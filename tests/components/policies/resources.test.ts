import { apiResourcePolicy, auditTrailBucketPolicy } from "../../../components/policies/resources";

describe("the hub's resource policies", () => {
  it.each([
    ["InvokeThroughHubEndpoint", "Allow", "StringEquals"],
    ["DenyEverywhereElse", "Deny", "StringNotEquals"],
  ])("the private API: %s (%s unless %s the hub's endpoint)", (sid, effect, operator) => {
    const statement = apiResourcePolicy({ executeApiEndpointId: "vpce-api" }).Statement.find(
      (s) => s.Sid === sid,
    );
    expect(statement?.Effect).toBe(effect);
    expect(statement?.Condition).toEqual({ [operator]: { "aws:SourceVpce": "vpce-api" } });
  });

  const trail = auditTrailBucketPolicy({ bucketArn: "arn:aws:s3:::audit", trailArn: "arn:trail" });
  it.each([
    ["TrailChecksAcl", "arn:aws:s3:::audit"],
    ["TrailWritesLogs", "arn:aws:s3:::audit/AWSLogs/*"],
  ])("the audit bucket: %s by CloudTrail for this trail only", (sid, resource) => {
    const statement = trail.Statement.find((s) => s.Sid === sid);
    expect(statement?.Principal).toEqual({ Service: "cloudtrail.amazonaws.com" });
    expect(statement?.Resource).toBe(resource);
    expect(statement?.Condition?.StringEquals?.["aws:SourceArn"]).toBe("arn:trail");
  });

  it("the audit bucket refuses any request without TLS", () => {
    expect(trail.Statement.at(-1)).toMatchObject({
      Sid: "TlsOnly",
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});
