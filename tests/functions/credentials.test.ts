import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { CredentialCache, ROLE_SESSION_NAMES } from "../../functions/presigner/credentials";

const sts = mockClient(STSClient);

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIA",
      SecretAccessKey: "s",
      SessionToken: "t",
      Expiration: new Date(Date.now() + 3600_000),
    },
  });
});

describe("CredentialCache: each function's own role session name", () => {
  it.each<[string, string | undefined, string]>([
    ["the presigner (the default)", undefined, "studio-access-presigner"],
    ["the SAML entry", ROLE_SESSION_NAMES.saml, "studio-access-saml"],
    ["the lifecycle function", ROLE_SESSION_NAMES.lifecycle, "studio-access-lifecycle"],
  ])("%s", async (_who, name, expected) => {
    const cache = new CredentialCache(
      new STSClient({}),
      () => Date.now(),
      name ? { roleSessionName: name } : {},
    );
    await cache.get("arn:aws:iam::222222222222:role/StudioAccessRole");
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleSessionName).toBe(expected);
  });
});
