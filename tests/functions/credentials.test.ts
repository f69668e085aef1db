import { AssumeRoleCommand, STSClient } from "../../functions/shared/aws/sts";
import {
  CreatePresignedDomainUrlCommand,
  SageMakerClient,
} from "../../functions/shared/aws/sagemaker";
import { DynamoDBClient } from "../../functions/shared/aws/dynamodb";
import { mockClient } from "../helpers/aws-mock";
import { CredentialCache, ROLE_SESSION_NAMES } from "../../functions/presigner/credentials";
import { studioAccess } from "../../functions/presigner/studio";
import { LOB_A_RECORD } from "../helpers/fixtures";

const sts = mockClient(STSClient);
const sm = mockClient(SageMakerClient);

beforeEach(() => {
  sts.reset();
  sm.reset();
  sm.on(CreatePresignedDomainUrlCommand).resolves({ AuthorizedUrl: "https://studio/auth" });
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
    await cache.get(
      "arn:aws:iam::222222222222:role/StudioAccessRole",
      new AbortController().signal,
    );
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleSessionName).toBe(expected);
  });
});

describe("studioAccess: the entry that opens Studio names its session", () => {
  const registered = {
    accountId: "222222222222",
    accessRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole",
    provisionerRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole-provisioner",
    lifecycleRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole-lifecycle",
  };
  const open = async (options?: { roleSessionName: string }) => {
    const { signer } = studioAccess(
      {
        dynamo: new DynamoDBClient({}),
        sts: new STSClient({}),
        sageMaker: (region, credentials) => new SageMakerClient({ region, credentials }),
        now: () => Date.now(),
      },
      {
        usersTable: "u",
        lobsTable: "l",
        urlExpiresSeconds: 20,
        sessionExpiresSeconds: 3600,
        lobs: new Map([["lob-a", registered]]),
      },
      options,
    );
    await signer.open(
      {
        username: "user-lob-a",
        team: "default",
        record: LOB_A_RECORD,
        registered,
        profileName: "user-lob-a",
      },
      new AbortController().signal,
    );
    return sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleSessionName);
  };

  it("the presigner's by default", async () => {
    expect(await open()).toEqual(["studio-access-presigner"]);
  });

  it("the one it is given (the SAML entry's)", async () => {
    expect(await open({ roleSessionName: ROLE_SESSION_NAMES.saml })).toEqual([
      "studio-access-saml",
    ]);
  });
});
