import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { serviceTrustPolicy } from "../../components/policies/document";
import {
  assumeRolesPolicies,
  lifecyclePolicy,
  presignerPolicy,
} from "../../components/policies/hub-roles";
import {
  accessRolePolicy,
  accessRoleTrustPolicy,
  lifecycleLobPolicy,
  provisionerPolicy,
  usageReaderPolicy,
} from "../../components/policies/lob-roles";
import { instanceTypesPolicy } from "../../components/policies/instance-types";
import { studioGuardrailScp } from "../../components/policies/scp";
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  TransactWriteItemsCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { AwsEmulator, type Listener } from "../../scripts/sandbox/aws-emulator";
import { attributeNames } from "../../scripts/sandbox/aws/dynamodb/access-control";
import { matchesFilter } from "../../scripts/sandbox/aws/lambda";

const REGION = "us-east-1";
const PRESIGNER = "arn:aws:iam::111111111111:role/presigner";
const ACCESS = "arn:aws:iam::222222222222:role/StudioAccessRole";
const ASSUME_POLICY = "arn:aws:iam::111111111111:policy/studio-access/assume-access-0";
const STS_VPCE = "vpce-0123456789abcdef0";
const API_VPCE = "vpce-0123456789abcdef1";
const STUDIO_VPCE = "vpce-0123456789abcdef2";

let emulator: AwsEmulator;
let sts: Listener;
let sagemaker: Listener;
let studio: Listener;
let domainId: string;
let presignerKey: string;

beforeEach(async () => {
  emulator = new AwsEmulator(REGION);
  await emulator.start();
  sts = await emulator.createEndpoint(STS_VPCE, `com.amazonaws.${REGION}.sts`);
  sagemaker = await emulator.createEndpoint(API_VPCE, `com.amazonaws.${REGION}.sagemaker.api`);
  studio = await emulator.createEndpoint(STUDIO_VPCE, `aws.sagemaker.${REGION}.studio`);
  emulator.createRole(PRESIGNER, serviceTrustPolicy("lambda.amazonaws.com"));
  emulator.putRolePolicy(
    PRESIGNER,
    "p",
    presignerPolicy({
      usersTableArn: "arn:aws:dynamodb:us-east-1:111111111111:table/u",
      lobsTableArn: "arn:aws:dynamodb:us-east-1:111111111111:table/l",
      logGroupArn: "arn:aws:logs:us-east-1:111111111111:log-group:g",
    }),
  );
  // Assuming the access role is granted by a customer managed policy, as the program does.
  const [assume] = assumeRolesPolicies(
    "AssumeLobAccessRoles",
    ["StudioAccessRole", "StudioAccessRole-provisioner"],
    ["222222222222"],
  );
  emulator.createPolicy(ASSUME_POLICY, assume!);
  emulator.attachRolePolicy(PRESIGNER, ASSUME_POLICY);
  emulator.createRole(
    ACCESS,
    accessRoleTrustPolicy({ presignerRoleArn: PRESIGNER, stsEndpointId: STS_VPCE }),
  );
  // Tagged as the spoke tags its domain, and the profile as the provisioner tags it.
  domainId = emulator.createDomain("222222222222", REGION, "studio-access-lob-a", undefined, {
    "studio-access:lob": "lob-a",
  });
  emulator.createUserProfile(domainId, "user-lob-a", { tags: { "studio-access:lob": "lob-a" } });
  emulator.putRolePolicy(
    ACCESS,
    "a",
    accessRolePolicy({
      region: REGION,
      accountId: "222222222222",
      domainId,
      lob: "lob-a",
      sageMakerApiEndpointId: API_VPCE,
      studioEndpointId: STUDIO_VPCE,
    }),
  );
  presignerKey = emulator.issueCredentials(PRESIGNER).accessKeyId;
});

afterEach(async () => {
  await emulator.stop();
});

const auth = (key: string) => ({
  Authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261121/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
});

async function assumeRole(listener: Listener, key = presignerKey, roleArn = ACCESS) {
  const response = await fetch(listener.url, {
    method: "POST",
    headers: { ...auth(key), "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      Action: "AssumeRole",
      RoleArn: roleArn,
      RoleSessionName: "s",
      DurationSeconds: "3600",
    }).toString(),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    key: /<AccessKeyId>(\w+)<\/AccessKeyId>/.exec(text)?.[1],
  };
}

async function presign(
  listener: Listener,
  key: string,
  profile = "user-lob-a",
  landing: { LandingUri?: string; SpaceName?: string } = {},
) {
  const response = await fetch(listener.url, {
    method: "POST",
    headers: {
      ...auth(key),
      "X-Amz-Target": "SageMaker.CreatePresignedDomainUrl",
      "Content-Type": "application/x-amz-json-1.1",
    },
    body: JSON.stringify({
      DomainId: domainId,
      UserProfileName: profile,
      ExpiresInSeconds: 20,
      ...landing,
    }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { AuthorizedUrl?: string; __type?: string },
  };
}

async function open(url: string, listener: Listener) {
  const u = new URL(url);
  const response = await fetch(`${listener.url}${u.pathname}${u.search}`);
  return { status: response.status, text: await response.text() };
}

describe("AwsEmulator", () => {
  it("lets the presigner assume the access role through the hub STS endpoint only", async () => {
    expect((await assumeRole(sts)).status).toBe(200);
    const outside = await assumeRole(emulator.publicListener);
    expect([outside.status, /<Code>(\w+)</.exec(outside.text)?.[1]]).toEqual([403, "AccessDenied"]);
    expect((await assumeRole(emulator.foreignListener)).status).toBe(403);
    expect(emulator.calls.get("STS.AssumeRole:Allowed")).toBe(1);
  });

  it("reads a role's attached managed policies as its identity policies: detached, the assume is refused", async () => {
    emulator.detachRolePolicy(PRESIGNER, ASSUME_POLICY);
    const refused = await assumeRole(sts);
    expect([refused.status, /<Code>(\w+)</.exec(refused.text)?.[1]]).toEqual([403, "AccessDenied"]);
    emulator.attachRolePolicy(PRESIGNER, ASSUME_POLICY);
    expect((await assumeRole(sts)).status).toBe(200);
    expect(() => {
      emulator.attachRolePolicy(PRESIGNER, "arn:aws:iam::111111111111:policy/none");
    }).toThrow("NoSuchEntity: policy arn:aws:iam::111111111111:policy/none");
  });

  it("refuses unknown credentials, and throttles as told", async () => {
    expect((await assumeRole(sts, "ASIAUNKNOWN")).text).toContain(
      "<Code>InvalidClientTokenId</Code>",
    );
    emulator.throttleRate = 1;
    const throttled = await assumeRole(sts);
    expect([throttled.status, /<Code>(\w+)</.exec(throttled.text)?.[1]]).toEqual([
      400,
      "Throttling",
    ]);
    const key = emulator.issueCredentials(ACCESS).accessKeyId;
    expect((await presign(sagemaker, key)).body.__type).toBe("ThrottlingException");
  });

  it("presigns with the assumed access role through the hub SageMaker API endpoint, not from outside", async () => {
    const { key } = await assumeRole(sts);
    const ok = await presign(sagemaker, key!);
    expect(ok.status).toBe(200);
    expect(ok.body.AuthorizedUrl).toMatch(
      new RegExp(`^https://${domainId}\\.studio\\.us-east-1\\.sagemaker\\.aws/auth\\?token=`),
    );
    expect((await presign(emulator.publicListener, key!)).body.__type).toBe(
      "AccessDeniedException",
    );
    // A profile that does not exist carries no LOB tag: the tag-conditioned role is refused first.
    expect((await presign(sagemaker, key!, "nobody")).body.__type).toBe("AccessDeniedException");
    emulator.createUserProfile(domainId, "ops-admin");
    expect((await presign(sagemaker, key!, "ops-admin")).body.__type).toBe("AccessDeniedException");
    expect((await presign(sagemaker, presignerKey)).body.__type).toBe("AccessDeniedException");
  });

  it("opens a presigned URL once, only through the hub Studio endpoint", async () => {
    const { key } = await assumeRole(sts);
    const first = (await presign(sagemaker, key!)).body.AuthorizedUrl!;
    expect(await open(first, studio)).toMatchObject({ status: 200 });
    expect(await open(first, studio)).toEqual({
      status: 403,
      text: "Invalid or expired auth token",
    });
    const second = (await presign(sagemaker, key!)).body.AuthorizedUrl!;
    expect(await open(second, emulator.foreignListener)).toEqual({
      status: 403,
      text: "Auth token containing insufficient permissions",
    });
  });

  it("lands where LandingUri and SpaceName say, in the caller's own space only", async () => {
    const { key } = await assumeRole(sts);
    emulator.createUserProfile(domainId, "user-other");
    emulator.createSpace(domainId, "mine", "user-lob-a");
    emulator.createSpace(domainId, "theirs", "user-other");
    const jupyter = await presign(sagemaker, key!, "user-lob-a", {
      LandingUri: "app:JupyterLab:",
      SpaceName: "mine",
    });
    const page = await open(jupyter.body.AuthorizedUrl!, studio);
    expect(page.status).toBe(200);
    expect(page.text).toContain("<title>JupyterLab - SageMaker Studio</title>");
    expect(page.text).toContain("user-lob-a in " + domainId + ", space mine");
    const home = await presign(sagemaker, key!, "user-lob-a", { LandingUri: "studio::" });
    expect((await open(home.body.AuthorizedUrl!, studio)).text).toContain(
      "<title>SageMaker Studio</title>",
    );
    for (const SpaceName of ["theirs", "absent"])
      expect((await presign(sagemaker, key!, "user-lob-a", { SpaceName })).body.__type).toBe(
        "ResourceNotFound",
      );
    expect(
      (await presign(sagemaker, key!, "user-lob-a", { LandingUri: "https://evil.example/" })).body
        .__type,
    ).toBe("ValidationException");
  });

  it("refuses to delete a profile or a domain while a space remains, as SageMaker does", () => {
    emulator.createSpace(domainId, "mine", "user-lob-a");
    expect(() => {
      emulator.deleteUserProfile(domainId, "user-lob-a");
    }).toThrow("ResourceInUse: user profile user-lob-a in " + domainId + " still has spaces");
    expect(emulator.inventory().spaces).toBe(1);
  });

  it("refuses to delete a role with policies, an attached policy or a domain with profiles, and inventories what is left", async () => {
    expect(() => {
      emulator.deleteRole(ACCESS);
    }).toThrow("DeleteConflict");
    expect(() => {
      emulator.deleteDomain(domainId);
    }).toThrow("ResourceInUse");
    emulator.deleteRolePolicy(ACCESS, "a");
    emulator.deleteRolePolicy(PRESIGNER, "p");
    emulator.deleteRole(ACCESS);
    expect(() => {
      emulator.deleteRole(PRESIGNER);
    }).toThrow(`DeleteConflict: role ${PRESIGNER} still has managed policies attached`);
    expect(() => {
      emulator.deletePolicy(ASSUME_POLICY);
    }).toThrow(`DeleteConflict: policy ${ASSUME_POLICY} is still attached to ${PRESIGNER}`);
    emulator.detachRolePolicy(PRESIGNER, ASSUME_POLICY);
    emulator.deletePolicy(ASSUME_POLICY);
    emulator.deleteRole(PRESIGNER);
    emulator.deleteUserProfile(domainId, "user-lob-a");
    emulator.deleteDomain(domainId);
    for (const id of [STS_VPCE, API_VPCE, STUDIO_VPCE]) await emulator.deleteEndpoint(id);
    expect(emulator.inventory()).toEqual({
      roles: 0,
      managedPolicies: 0,
      domains: 0,
      userProfiles: 0,
      apps: 0,
      spaces: 0,
      securityGroups: 0,
      vpcs: 0,
      mountTargets: 0,
      endpoints: 0,
    });
  });

  it("decides DynamoDB calls by the caller's policies and dynamodb:LeadingKeys before forwarding them", async () => {
    const upstream: Server = createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ echoed: req.headers["x-amz-target"] }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const WRITER = "arn:aws:iam::111111111111:role/lob-a-writer";
    emulator.createRole(WRITER, serviceTrustPolicy("lambda.amazonaws.com"));
    emulator.putRolePolicy(WRITER, "w", {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "dynamodb:PutItem",
          Resource: "arn:aws:dynamodb:us-east-1:111111111111:table/u",
          Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["lob-a"] } },
        },
      ],
    });
    emulator.tables.set("u", {
      arn: "arn:aws:dynamodb:us-east-1:111111111111:table/u",
      partitionKey: "lob",
      keys: ["lob", "userTeam"],
    });
    const writer = emulator.issueCredentials(WRITER).accessKeyId;
    try {
      const gateway = await emulator.dynamoGateway(
        `http://127.0.0.1:${String((upstream.address() as AddressInfo).port)}`,
      );
      const call = async (target: string, body: object, key?: string) => {
        const response = await fetch(gateway, {
          method: "POST",
          headers: { "X-Amz-Target": `DynamoDB_20120810.${target}`, ...(key ? auth(key) : {}) },
          body: JSON.stringify(body),
        });
        return (await response.json()) as { echoed?: string; __type?: string };
      };
      const item = (lob: string) => ({
        TableName: "u",
        Item: { lob: { S: lob }, username: { S: "x" } },
      });
      expect(await call("PutItem", item("lob-a"), writer)).toEqual({
        echoed: "DynamoDB_20120810.PutItem",
      });
      expect((await call("PutItem", item("lob-b"), writer)).__type).toBe(
        "com.amazon.coral.service#AccessDeniedException",
      );
      expect((await call("PutItem", item("lob-a"))).__type).toBe(
        "com.amazon.coral.service#UnrecognizedClientException",
      );
      expect((await call("BatchGetItem", { RequestItems: {} }, presignerKey)).echoed).toBe(
        "DynamoDB_20120810.BatchGetItem",
      );
      expect(emulator.calls.get("DynamoDB.PutItem")).toBe(3);
      expect(emulator.calls.get("DynamoDB.PutItem:Denied")).toBe(2);
    } finally {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });

  it("fills dynamodb:Attributes from a write's item, key and expressions (placeholders resolved)", () => {
    expect(
      attributeNames("UpdateItem", {
        Key: { lob: { S: "lob-a" }, userTeam: { S: "dana#analytics" } },
        UpdateExpression: "SET #state = :state, #at = :at REMOVE #detail, notes[0], meta.owner",
        ConditionExpression: "attribute_exists(#state) AND #state IN (:a, :b)",
        ExpressionAttributeNames: { "#state": "state", "#at": "stateAt", "#detail": "detail" },
      }),
    ).toEqual(["lob", "userTeam", "state", "stateAt", "detail", "notes", "meta"]);
    expect(
      attributeNames("PutItem", {
        Item: { lob: { S: "lob-a" }, userTeam: { S: "x#y" }, username: { S: "x" } },
      }),
    ).toEqual(["lob", "userTeam", "username"]);
    expect(attributeNames("GetItem", { Key: {} })).toBeUndefined();
  });

  it("decides UpdateItem by its attributes and ReturnValues, Query and BatchWriteItem by their leading keys", async () => {
    const upstream: Server = createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ echoed: req.headers["x-amz-target"] }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const LIFECYCLE_FN = "arn:aws:iam::111111111111:role/lifecycle";
    const TABLE = "arn:aws:dynamodb:us-east-1:111111111111:table/u";
    emulator.createRole(LIFECYCLE_FN, serviceTrustPolicy("lambda.amazonaws.com"));
    emulator.putRolePolicy(
      LIFECYCLE_FN,
      "l",
      lifecyclePolicy({
        usersTableArn: TABLE,
        streamArn: `${TABLE}/stream/x`,
        lobsTableArn: "arn:aws:dynamodb:us-east-1:111111111111:table/l",
        logGroupArn: "arn:aws:logs:us-east-1:111111111111:log-group:g",
      }),
    );
    const READER = "arn:aws:iam::111111111111:role/lob-a-reader";
    emulator.createRole(READER, serviceTrustPolicy("lambda.amazonaws.com"));
    emulator.putRolePolicy(READER, "r", {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["dynamodb:Query", "dynamodb:BatchWriteItem"],
          Resource: TABLE,
          Condition: {
            "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["lob-a"] },
            Null: { "dynamodb:LeadingKeys": "false" },
          },
        },
      ],
    });
    emulator.tables.set("u", { arn: TABLE, partitionKey: "lob", keys: ["lob", "userTeam"] });
    const lifecycle = emulator.issueCredentials(LIFECYCLE_FN).accessKeyId;
    const reader = emulator.issueCredentials(READER).accessKeyId;
    try {
      const gateway = await emulator.dynamoGateway(
        `http://127.0.0.1:${String((upstream.address() as AddressInfo).port)}`,
      );
      const call = async (target: string, body: object, key: string) => {
        const response = await fetch(gateway, {
          method: "POST",
          headers: { "X-Amz-Target": `DynamoDB_20120810.${target}`, ...auth(key) },
          body: JSON.stringify(body),
        });
        return ((await response.json()) as { echoed?: string; __type?: string }).__type ?? "ok";
      };
      const update = (set: string, extra: object = {}) => ({
        TableName: "u",
        Key: { lob: { S: "lob-a" }, userTeam: { S: "dana#analytics" } },
        UpdateExpression: set,
        ConditionExpression: "#state IN (:revoked)",
        ExpressionAttributeNames: { "#state": "state", "#at": "stateAt", "#u": "username" },
        ...extra,
      });
      const denied = "com.amazon.coral.service#AccessDeniedException";
      expect(await call("UpdateItem", update("SET #state = :s, #at = :t"), lifecycle)).toBe("ok");
      expect(await call("UpdateItem", update("SET #state = :s, #u = :u"), lifecycle)).toBe(denied);
      expect(
        await call("UpdateItem", update("SET #state = :s", { ReturnValues: "ALL_OLD" }), lifecycle),
      ).toBe(denied);
      const query = (lob: string) => ({
        TableName: "u",
        KeyConditionExpression: "#lob = :lob",
        ExpressionAttributeNames: { "#lob": "lob" },
        ExpressionAttributeValues: { ":lob": { S: lob } },
      });
      expect(await call("Query", query("lob-a"), reader)).toBe("ok");
      expect(await call("Query", query("lob-b"), reader)).toBe(denied);
      const batch = (lob: string) => ({
        RequestItems: {
          u: [
            { PutRequest: { Item: { lob: { S: "lob-a" }, userTeam: { S: "a#b" } } } },
            { DeleteRequest: { Key: { lob: { S: lob }, userTeam: { S: "c#d" } } } },
          ],
        },
      });
      expect(await call("BatchWriteItem", batch("lob-a"), reader)).toBe("ok");
      expect(await call("BatchWriteItem", batch("lob-b"), reader)).toBe(denied);
    } finally {
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });

  it("evaluates the endpoint's policy and the caller's organization with every call through it", async () => {
    await emulator.deleteEndpoint(STS_VPCE);
    const orgOnly = {
      Version: "2012-10-17" as const,
      Statement: [
        {
          Effect: "Allow" as const,
          Principal: "*" as const,
          Action: "*",
          Resource: "*",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" } },
        },
      ],
    };
    const guarded = await emulator.createEndpoint(STS_VPCE, `com.amazonaws.${REGION}.sts`, orgOnly);
    expect((await assumeRole(guarded)).status).toBe(403);
    emulator.organization = { id: "o-exampleorg1", accounts: new Set(["111111111111"]) };
    expect((await assumeRole(guarded)).status).toBe(200);
  });

  describe("what SageMaker and EC2 do on delete", () => {
    const VPC = "vpc-0123456789abcdef0";
    const SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"];
    let domain: string;

    beforeEach(() => {
      emulator.createVpc(VPC, "222222222222");
      for (const subnet of SUBNETS) emulator.createSubnet(VPC, subnet);
      domain = emulator.createDomain("222222222222", REGION, "with-network", {
        vpcId: VPC,
        subnetIds: SUBNETS,
      });
      emulator.createUserProfile(domain, "user-lob-a");
    });

    it("leaves two NFS security groups referencing each other and a home EFS with a mount target per subnet", () => {
      const groups = [...emulator.securityGroups.values()].filter((g) => g.vpcId === VPC);
      expect(groups.map((g) => g.name).sort()).toEqual([
        `security-group-for-inbound-nfs-${domain}`,
        `security-group-for-outbound-nfs-${domain}`,
      ]);
      expect(groups.every((g) => g.references.size === 1)).toBe(true);
      const [fs] = [...emulator.fileSystems.values()];
      expect([...(fs?.mountTargets.values() ?? [])].map((t) => t.subnetId)).toEqual(SUBNETS);
    });

    it("refuses to delete a profile, or the domain, while an app runs; opening Studio starts one", async () => {
      const { key } = await assumeRole(sts);
      const url = (await presign(sagemaker, key!)).body.AuthorizedUrl!;
      expect((await open(url, studio)).status).toBe(200);
      expect(emulator.inventory().apps).toBe(1);
      expect(() => {
        emulator.deleteUserProfile(domainId, "user-lob-a");
      }).toThrow("ResourceInUse: user profile user-lob-a");
      emulator.apps[0]!.status = "Deleted";
      expect(() => {
        emulator.deleteUserProfile(domainId, "user-lob-a");
      }).not.toThrow();
    });

    it("refuses to delete a subnet holding a mount target, a group another references, or a VPC with groups", () => {
      emulator.deleteUserProfile(domain, "user-lob-a");
      emulator.deleteDomain(domain);
      expect(() => {
        emulator.deleteSubnet(VPC, SUBNETS[0]!);
      }).toThrow("DependencyViolation: the subnet");
      const [inbound] = [...emulator.securityGroups.values()].filter((g) => g.vpcId === VPC);
      expect(() => {
        emulator.deleteSecurityGroup(inbound!.id);
      }).toThrow("DependencyViolation: resource");
      expect(() => {
        emulator.deleteVpc(VPC);
      }).toThrow("DependencyViolation: the vpc");
    });
  });
});

describe("AwsEmulator: home directories and Lambda's Invoke", () => {
  const LIFECYCLE = "arn:aws:iam::222222222222:role/StudioAccessRole-lifecycle";
  const HOMES = "arn:aws:lambda:us-east-1:222222222222:function:studio-access-homes";
  const LAMBDA_VPCE = "vpce-0123456789abcdef3";

  async function invoke(listener: Listener, key: string, functionArn = HOMES) {
    const response = await fetch(
      `${listener.url}/2015-03-31/functions/${encodeURIComponent(functionArn)}/invocations`,
      { method: "POST", headers: auth(key), body: JSON.stringify({ uid: "200001" }) },
    );
    return {
      status: response.status,
      error: response.headers.get("x-amz-function-error"),
      type: response.headers.get("x-amzn-errortype"),
      body: (await response.json()) as unknown,
    };
  }

  it("gives a VPC domain a home EFS folder and each profile a home UID (no directory until an app opens); the folder goes when the emulator stops", async () => {
    const vpcDomain = emulator.createDomain("222222222222", REGION, "with-vpc", {
      vpcId: "vpc-1",
      subnetIds: ["subnet-1"],
    });
    emulator.createUserProfile(vpcDomain, "alice");
    const alice = emulator.allProfiles().find((p) => p.name === "alice");
    const home = emulator.homeDirectory(vpcDomain, alice?.homeUid ?? "");
    expect(alice?.homeUid).toMatch(/^2000\d\d$/);
    expect(home && existsSync(home)).toBe(false);
    // The domain without a VPC (the suite's) has no file system.
    expect(emulator.homeDirectory(domainId, "200001")).toBeUndefined();
    await emulator.stop();
    expect(existsSync(path.dirname(home ?? ""))).toBe(false);
    await emulator.start();
  });

  it("runs Invoke only as IAM allows, through the endpoint, and reports a handler's error as Lambda does", async () => {
    const lambdaListener = await emulator.createEndpoint(
      LAMBDA_VPCE,
      `com.amazonaws.${REGION}.lambda`,
    );
    emulator.createRole(LIFECYCLE, serviceTrustPolicy("lambda.amazonaws.com"));
    emulator.putRolePolicy(
      LIFECYCLE,
      "l",
      lifecycleLobPolicy({
        region: REGION,
        accountId: "222222222222",
        domainId,
        lob: "lob-a",
        sageMakerApiEndpointId: API_VPCE,
        removeHomes: { lambdaEndpointId: LAMBDA_VPCE },
      }),
    );
    const key = emulator.issueCredentials(LIFECYCLE).accessKeyId;
    emulator.functionTags.set(HOMES, { "studio-access:lob": "lob-a" });
    const answers: unknown[] = [];
    emulator.invokeFunction = (arn, payload) => {
      answers.push([arn, payload]);
      return Promise.resolve(
        answers.length === 1
          ? { payload: { outcome: "removed" } }
          : { payload: undefined, error: "EACCES" },
      );
    };
    expect(await invoke(lambdaListener, key)).toEqual({
      status: 200,
      error: null,
      type: null,
      body: { outcome: "removed" },
    });
    expect(await invoke(lambdaListener, key)).toEqual({
      status: 200,
      error: "Unhandled",
      type: null,
      body: { errorType: "Error", errorMessage: "EACCES" },
    });
    expect(answers).toEqual([
      [HOMES, { uid: "200001" }],
      [HOMES, { uid: "200001" }],
    ]);
    // Outside the hub Lambda endpoint, or another function: refused before anything runs.
    expect(await invoke(emulator.publicListener, key)).toMatchObject({
      status: 403,
      type: "AccessDeniedException",
    });
    expect(
      await invoke(lambdaListener, key, HOMES.replace("studio-access-homes", "other")),
    ).toMatchObject({
      status: 403,
      type: "AccessDeniedException",
    });
    expect(answers).toHaveLength(2);
    // Decided with the function's tags: tagged for another LOB, or untagged, it is refused.
    emulator.functionTags.set(HOMES, { "studio-access:lob": "lob-b" });
    expect((await invoke(lambdaListener, key)).type).toBe("AccessDeniedException");
    emulator.functionTags.delete(HOMES);
    expect((await invoke(lambdaListener, key)).type).toBe("AccessDeniedException");
    expect(answers).toHaveLength(2);
  });
});

describe("AwsEmulator: the lifecycle role's SageMaker calls", () => {
  const LIFECYCLE = "arn:aws:iam::222222222222:role/StudioAccessRole-lifecycle";
  let lobDomain: string;
  let key: string;

  beforeEach(() => {
    emulator.createRole(LIFECYCLE, serviceTrustPolicy("lambda.amazonaws.com"));
    lobDomain = emulator.createDomain("222222222222", REGION, "tagged", undefined, {
      "studio-access:lob": "lob-a",
    });
    emulator.putRolePolicy(
      LIFECYCLE,
      "l",
      lifecycleLobPolicy({
        region: REGION,
        accountId: "222222222222",
        domainId: lobDomain,
        lob: "lob-a",
        sageMakerApiEndpointId: API_VPCE,
      }),
    );
    key = emulator.issueCredentials(LIFECYCLE).accessKeyId;
  });

  const call = async (operation: string, input: Record<string, unknown>) => {
    const response = await fetch(sagemaker.url, {
      method: "POST",
      headers: {
        ...auth(key),
        "X-Amz-Target": `SageMaker.${operation}`,
        "Content-Type": "application/x-amz-json-1.1",
      },
      body: JSON.stringify(input),
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const profileArn = (domain: string, name: string) =>
    `arn:aws:sagemaker:${REGION}:222222222222:user-profile/${domain}/${name}`;
  const app = (domain: string, tags: Record<string, string>) => {
    emulator.apps.push({
      domainId: domain,
      userProfileName: "dana",
      appType: "JupyterLab",
      appName: "default",
      status: "InService",
      tags,
    });
    return { DomainId: domain, UserProfileName: "dana", AppType: "JupyterLab", AppName: "default" };
  };

  it("answers ListTags with the profile's tags, decided by IAM on the profile's ARN", async () => {
    emulator.createUserProfile(lobDomain, "dana", { tags: { "studio-access:username": "dana" } });
    expect(await call("ListTags", { ResourceArn: profileArn(lobDomain, "dana") })).toEqual({
      Tags: [{ Key: "studio-access:username", Value: "dana" }],
    });
    // A profile of another domain: IAM refuses before anything is read.
    emulator.createUserProfile(domainId, "dana", { tags: { "studio-access:username": "dana" } });
    expect((await call("ListTags", { ResourceArn: profileArn(domainId, "dana") })).__type).toBe(
      "AccessDeniedException",
    );
  });

  it("decides DeleteApp with the app's tags, its domain's from its launch (API_CreateDomain)", async () => {
    expect((await call("DeleteApp", app(lobDomain, { "studio-access:lob": "lob-b" }))).__type).toBe(
      "AccessDeniedException",
    );
    emulator.apps.length = 0;
    expect((await call("DeleteApp", app(lobDomain, {}))).__type).toBe("AccessDeniedException");
    emulator.apps.length = 0;
    expect(await call("DeleteApp", app(lobDomain, { "studio-access:lob": "lob-a" }))).toEqual({});
    expect(emulator.apps[0]?.status).toBe("Deleting");
  });

  it("gives an app opened in Studio its domain's tags", async () => {
    const { key: accessKey } = await assumeRole(sts);
    const url = (await presign(sagemaker, accessKey!)).body.AuthorizedUrl!;
    expect((await open(url, studio)).status).toBe(200);
    expect(emulator.apps.map((a) => a.tags)).toEqual([{ "studio-access:lob": "lob-a" }]);
  });

  it("decides DeleteSpace with the owner's profile ARN (sagemaker:OwnerUserProfileArn)", async () => {
    emulator.createUserProfile(lobDomain, "dana");
    emulator.createSpace(lobDomain, "mine", "dana");
    expect(await call("DeleteSpace", { DomainId: lobDomain, SpaceName: "mine" })).toEqual({});
    // The same request against a space of another domain's profile is refused.
    emulator.createUserProfile(domainId, "dana");
    emulator.createSpace(domainId, "theirs", "dana");
    expect((await call("DeleteSpace", { DomainId: domainId, SpaceName: "theirs" })).__type).toBe(
      "AccessDeniedException",
    );
    expect(emulator.domains.get(domainId)?.spaces.has("theirs")).toBe(true);
  });
});

describe("AwsEmulator: first-sign-in profiles", () => {
  const PROVISIONER = "arn:aws:iam::222222222222:role/StudioAccessRole-provisioner";
  const TEAM_ROLE = "arn:aws:iam::222222222222:role/studio-access/studio-access-team-analytics";

  beforeEach(() => {
    emulator.createRole(
      PROVISIONER,
      accessRoleTrustPolicy({ presignerRoleArn: PRESIGNER, stsEndpointId: STS_VPCE }),
    );
    emulator.putRolePolicy(
      PROVISIONER,
      "p",
      provisionerPolicy({
        region: REGION,
        accountId: "222222222222",
        domainId,
        lob: "lob-a",
        teams: ["analytics"],
        sageMakerApiEndpointId: API_VPCE,
      }),
    );
    emulator.createRole(TEAM_ROLE, { Version: "2012-10-17", Statement: [] });
  });

  const call = async (key: string, operation: string, input: Record<string, unknown>) => {
    const response = await fetch(sagemaker.url, {
      method: "POST",
      headers: {
        ...auth(key),
        "X-Amz-Target": `SageMaker.${operation}`,
        "Content-Type": "application/x-amz-json-1.1",
      },
      body: JSON.stringify({ DomainId: domainId, ...input }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const tags = (team: string) => [
    { Key: "studio-access:lob", Value: "lob-a" },
    { Key: "studio-access:team", Value: team },
    { Key: "studio-access:username", Value: "dana" },
  ];

  it("creates a profile Pending, then InService; a second create is ResourceInUse", async () => {
    const { key } = await assumeRole(sts, presignerKey, PROVISIONER);
    // Long enough that a loaded machine still presigns while it is Pending.
    emulator.profileStartMs = 3_000;
    const created = await call(key!, "CreateUserProfile", {
      UserProfileName: "analytics--dana",
      UserSettings: { ExecutionRole: TEAM_ROLE },
      Tags: tags("analytics"),
    });
    expect(created.status).toBe(200);
    expect(
      (await call(key!, "DescribeUserProfile", { UserProfileName: "analytics--dana" })).body.Status,
    ).toBe("Pending");
    // Presigning a profile still starting is answered as not there yet.
    const { key: accessKey } = await assumeRole(sts);
    expect((await presign(sagemaker, accessKey!, "analytics--dana")).body.__type).toBe(
      "ResourceNotFound",
    );
    const describe = () =>
      call(key!, "DescribeUserProfile", { UserProfileName: "analytics--dana" });
    const deadline = Date.now() + 15_000;
    while ((await describe()).body.Status === "Pending" && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await describe()).body).toMatchObject({
      Status: "InService",
      UserSettings: { ExecutionRole: TEAM_ROLE },
    });
    const again = await call(key!, "CreateUserProfile", {
      UserProfileName: "analytics--dana",
      UserSettings: { ExecutionRole: TEAM_ROLE },
      Tags: tags("analytics"),
    });
    expect(again.body.__type).toBe("ResourceInUse");
  });

  it("keeps CreateUserProfile's SpaceStorageSettings as the profile's space limit (#21)", async () => {
    const { key } = await assumeRole(sts, presignerKey, PROVISIONER);
    const storage = { DefaultEbsVolumeSizeInGb: 20, MaximumEbsVolumeSizeInGb: 200 };
    const created = await call(key!, "CreateUserProfile", {
      UserProfileName: "analytics--dana",
      UserSettings: {
        ExecutionRole: TEAM_ROLE,
        SpaceStorageSettings: { DefaultEbsStorageSettings: storage },
      },
      Tags: tags("analytics"),
    });
    expect(created.status).toBe(200);
    expect(emulator.domains.get(domainId)?.profiles.get("analytics--dana")?.spaceStorage).toEqual(
      storage,
    );
    emulator.createSpace(domainId, "mine", "analytics--dana");
    expect(emulator.domains.get(domainId)?.spaces.get("mine")?.ebsVolumeSizeInGb).toBe(20);
    expect(() => {
      emulator.createSpace(domainId, "huge", "analytics--dana", 201);
    }).toThrow(
      "ValidationException: EbsVolumeSizeInGb 201 is above the maximum 200 GB of user profile analytics--dana",
    );
  });

  it("decides the tags (CreateUserProfile and AddTags) and the role passed by IAM", async () => {
    const { key } = await assumeRole(sts, presignerKey, PROVISIONER);
    const wrongTeam = await call(key!, "CreateUserProfile", {
      UserProfileName: "analytics--dana",
      UserSettings: { ExecutionRole: TEAM_ROLE },
      Tags: tags("forecasting"),
    });
    expect(wrongTeam.body.__type).toBe("AccessDeniedException");
    const wrongRole = await call(key!, "CreateUserProfile", {
      UserProfileName: "analytics--dana",
      UserSettings: { ExecutionRole: ACCESS },
      Tags: tags("analytics"),
    });
    expect(String(wrongRole.body.message)).toContain("iam:PassRole");
    expect(emulator.allProfiles().map((p) => p.name)).toEqual(["user-lob-a"]);
    expect(emulator.calls.get("SageMaker.CreateUserProfile:sagemaker:AddTags:Allowed")).toBe(1);
  });
});

describe("AwsEmulator: Lambda's event filtering", () => {
  it("matches lists as any-of and objects field by field", () => {
    const revoked = { eventName: "MODIFY", dynamodb: { NewImage: { state: { S: "revoked" } } } };
    const pattern = {
      eventName: ["MODIFY"],
      dynamodb: { NewImage: { state: { S: ["revoked"] } } },
    };
    expect(matchesFilter(pattern, revoked)).toBe(true);
    expect(
      matchesFilter(pattern, {
        eventName: "MODIFY",
        dynamodb: { NewImage: { state: { S: "draining" } } },
      }),
    ).toBe(false);
    expect(matchesFilter(pattern, { eventName: "REMOVE", dynamodb: {} })).toBe(false);
    expect(matchesFilter({ eventName: ["REMOVE"] }, { eventName: "REMOVE", dynamodb: {} })).toBe(
      true,
    );
  });
});

describe("AwsEmulator: what AWS refuses that a kinder emulator would allow", () => {
  const LOB_A = "222222222222";
  const PIPELINE = `arn:aws:iam::${LOB_A}:role/lob-a-pipeline`;
  const ADMINISTRATOR = {
    Version: "2012-10-17" as const,
    Statement: [{ Effect: "Allow" as const, Action: "*", Resource: "*" }],
  };
  const callAs = async (
    listener: Listener,
    key: string,
    operation: string,
    input: Record<string, unknown>,
  ) => {
    const response = await fetch(listener.url, {
      method: "POST",
      headers: {
        ...auth(key),
        "X-Amz-Target": `SageMaker.${operation}`,
        "Content-Type": "application/x-amz-json-1.1",
      },
      body: JSON.stringify(input),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeEach(() => {
    emulator.organization = { id: "o-exampleorg1", accounts: new Set(["111111111111", LOB_A]) };
    emulator.createRole(PIPELINE, { Version: "2012-10-17", Statement: [] });
    emulator.putRolePolicy(PIPELINE, "administrator", ADMINISTRATOR);
  });

  it("applies the program's SCP to the LOB account: its administrator presigns nowhere, the access role only through the hub", async () => {
    const pipeline = emulator.issueCredentials(PIPELINE).accessKeyId;
    // Without the SCP, the pipeline's own rights (administrator) let it presign from anywhere.
    expect((await presign(emulator.foreignListener, pipeline)).status).toBe(200);
    emulator.attachServiceControlPolicy(
      [LOB_A],
      studioGuardrailScp({
        sageMakerApiEndpointId: API_VPCE,
        studioEndpointId: STUDIO_VPCE,
        accessRoleName: "StudioAccessRole",
      }),
    );
    const denied = await presign(emulator.foreignListener, pipeline);
    expect([denied.status, denied.body.__type]).toEqual([400, "AccessDeniedException"]);
    expect((await presign(emulator.publicListener, pipeline)).body.__type).toBe(
      "AccessDeniedException",
    );
    // The SCP denies: an explicit deny, not a missing allow.
    expect(emulator.calls.get("SageMaker.CreatePresignedDomainUrl:ExplicitlyDenied")).toBe(2);
    // Other calls of the pipeline are not the SCP's business.
    expect(
      (
        await callAs(emulator.foreignListener, pipeline, "ListUserProfiles", {
          DomainIdEquals: domainId,
        })
      ).status,
    ).toBe(200);
    // The hub's path still works: the access role, through the hub's SageMaker API and Studio
    // endpoints.
    const { key } = await assumeRole(sts);
    const url = (await presign(sagemaker, key!)).body.AuthorizedUrl!;
    expect((await open(url, studio)).status).toBe(200);
    expect(emulator.calls.get("SageMaker.CreatePresignedDomainUrl:Allowed")).toBe(2);
  });

  it("keeps SCPs off the management account and off service-linked roles", async () => {
    const scp = studioGuardrailScp({
      sageMakerApiEndpointId: API_VPCE,
      studioEndpointId: STUDIO_VPCE,
      accessRoleName: "StudioAccessRole",
    });
    emulator.attachServiceControlPolicy([LOB_A], scp);
    const linked = `arn:aws:iam::${LOB_A}:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMaker`;
    emulator.createRole(linked, { Version: "2012-10-17", Statement: [] });
    emulator.putRolePolicy(linked, "administrator", ADMINISTRATOR);
    expect(
      (await presign(emulator.foreignListener, emulator.issueCredentials(linked).accessKeyId))
        .status,
    ).toBe(200);
    const pipeline = emulator.issueCredentials(PIPELINE).accessKeyId;
    expect((await presign(emulator.foreignListener, pipeline)).status).toBe(400);
    emulator.organization = { ...emulator.organization!, managementAccount: LOB_A };
    expect((await presign(emulator.foreignListener, pipeline)).status).toBe(200);
    expect(() => {
      emulator.attachServiceControlPolicy([LOB_A], scp);
    }).toThrow(`ConstraintViolationException: account ${LOB_A} is the management account`);
    expect(() => {
      emulator.attachServiceControlPolicy(["999999999999"], scp);
    }).toThrow("TargetNotFoundException: account 999999999999 is not in the organization");
  });

  it("refuses SageMaker calls from a session whose role it does not know (implicit deny)", async () => {
    emulator.createUserProfile(domainId, "dana");
    const stranger = emulator.issueCredentials(
      `arn:aws:iam::${LOB_A}:role/deleted-role`,
    ).accessKeyId;
    for (const [operation, input] of [
      ["DeleteUserProfile", { DomainId: domainId, UserProfileName: "dana" }],
      ["ListUserProfiles", { DomainIdEquals: domainId }],
      ["ListApps", { DomainIdEquals: domainId }],
    ] as const) {
      const answer = await callAs(sagemaker, stranger, operation, input);
      expect([operation, answer.status, answer.body.__type]).toEqual([
        operation,
        400,
        "AccessDeniedException",
      ]);
    }
    expect(emulator.calls.get("SageMaker.DeleteUserProfile:ImplicitlyDenied")).toBe(1);
    expect(emulator.domains.get(domainId)?.profiles.has("dana")).toBe(true);
  });

  it("refuses DeleteUserProfile on a Pending profile (ResourceInUse), then deletes it once InService", async () => {
    const pipeline = emulator.issueCredentials(PIPELINE).accessKeyId;
    emulator.createUserProfile(domainId, "fresh", { startMs: 60_000 });
    const refused = await callAs(sagemaker, pipeline, "DeleteUserProfile", {
      DomainId: domainId,
      UserProfileName: "fresh",
    });
    expect([refused.status, refused.body.__type, refused.body.message]).toEqual([
      400,
      "ResourceInUse",
      `ResourceInUse: user profile fresh in ${domainId} is Pending, not InService`,
    ]);
    expect(() => {
      emulator.deleteUserProfile(domainId, "fresh");
    }).toThrow("is Pending, not InService");
    // SageMaker finishes starting it.
    const profiles = emulator.domains.get(domainId)!.profiles;
    profiles.set("fresh", { ...profiles.get("fresh")!, readyAt: Date.now() });
    expect(
      (
        await callAs(sagemaker, pipeline, "DeleteUserProfile", {
          DomainId: domainId,
          UserProfileName: "fresh",
        })
      ).status,
    ).toBe(200);
    expect(emulator.domains.get(domainId)?.profiles.has("fresh")).toBe(false);
  });

  describe("DynamoDB: leading keys per item, transactions, stream records", () => {
    const TABLE = "arn:aws:dynamodb:us-east-1:111111111111:table/entitlements";
    const WRITER = "arn:aws:iam::111111111111:role/lob-a-writer";
    let dynalite: Server;
    let gateway: string;
    let client: DynamoDBClient | undefined;
    const records: { functionArn: string; record: Record<string, unknown> }[] = [];

    beforeEach(async () => {
      dynalite = (require("dynalite") as (opts: object) => Server)({ createTableMs: 0 });
      await new Promise<void>((resolve) => dynalite.listen(0, "127.0.0.1", resolve));
      const endpoint = `http://127.0.0.1:${String((dynalite.address() as AddressInfo).port)}`;
      await new DynamoDBClient({
        region: REGION,
        endpoint,
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      }).send(
        new CreateTableCommand({
          TableName: "entitlements",
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: [
            { AttributeName: "lob", KeyType: "HASH" },
            { AttributeName: "userTeam", KeyType: "RANGE" },
          ],
          AttributeDefinitions: [
            { AttributeName: "lob", AttributeType: "S" },
            { AttributeName: "userTeam", AttributeType: "S" },
          ],
        }),
      );
      emulator.tables.set("entitlements", {
        arn: TABLE,
        partitionKey: "lob",
        keys: ["lob", "userTeam"],
        ttlAttribute: "expiresAt",
      });
      gateway = await emulator.dynamoGateway(endpoint);
      records.length = 0;
      emulator.streamSubscriptions.push({
        table: "entitlements",
        functionArn: "fn",
        filters: [{}],
      });
      emulator.deliver = (functionArn, delivered) => {
        for (const record of delivered)
          records.push({ functionArn, record: record as Record<string, unknown> });
        return Promise.resolve();
      };
      emulator.createRole(WRITER, serviceTrustPolicy("lambda.amazonaws.com"));
      emulator.putRolePolicy(WRITER, "w", {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: [
              "dynamodb:BatchWriteItem",
              "dynamodb:PutItem",
              "dynamodb:UpdateItem",
              "dynamodb:DeleteItem",
              "dynamodb:ConditionCheckItem",
            ],
            Resource: TABLE,
            // The program's form: every leading key is lob-a, and there is one.
            Condition: {
              "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["lob-a"] },
              Null: { "dynamodb:LeadingKeys": "false" },
            },
          },
        ],
      });
      const credentials = emulator.issueCredentials(WRITER);
      client = new DynamoDBClient({
        region: REGION,
        endpoint: gateway,
        credentials: { ...credentials },
        maxAttempts: 1,
      });
    });

    afterEach(async () => {
      client?.destroy();
      dynalite.closeAllConnections();
      await new Promise((resolve) => dynalite.close(resolve));
    });

    const item = (lob: string, userTeam: string, extra: Record<string, AttributeValue> = {}) => ({
      lob: { S: lob },
      userTeam: { S: userTeam },
      ...extra,
    });
    const errorOf = (promise: Promise<unknown>) =>
      promise.then(
        () => "ok",
        (error: unknown) => (error as Error).name,
      );
    /** Stream delivery follows the write's answer: wait for it, as a poller's consumer would. */
    const recordsAfter = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (records.length < count && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      return records.map(({ record }) => record);
    };

    it("decides BatchWriteItem item by item: one item of another LOB refuses the whole request", async () => {
      const batch = (lobs: string[]) =>
        new BatchWriteItemCommand({
          RequestItems: {
            entitlements: lobs.map((lob, i) => ({
              PutRequest: { Item: item(lob, `user${String(i)}#t`) },
            })),
          },
        });
      expect(await errorOf(client!.send(batch(["lob-a", "lob-a"])))).toBe("ok");
      expect(await errorOf(client!.send(batch(["lob-a", "lob-b"])))).toBe("AccessDeniedException");
      expect(emulator.calls.get("DynamoDB.BatchWriteItem:Denied")).toBe(1);
    });

    it("decides TransactWriteItems by each item's own action and leading key", async () => {
      const transaction = (lob: string, kind: "Put" | "ConditionCheck" | "Delete") =>
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: "entitlements", Item: item("lob-a", "x#t") } },
            kind === "Put"
              ? { Put: { TableName: "entitlements", Item: item(lob, "y#t") } }
              : kind === "Delete"
                ? { Delete: { TableName: "entitlements", Key: item(lob, "y#t") } }
                : {
                    ConditionCheck: {
                      TableName: "entitlements",
                      Key: item(lob, "y#t"),
                      ConditionExpression: "attribute_not_exists(lob)",
                    },
                  },
          ],
        });
      // Allowed by IAM, then forwarded: dynalite has no transactions, so it answers
      // UnknownOperationException; a denial never reaches it.
      expect(await errorOf(client!.send(transaction("lob-a", "ConditionCheck")))).toBe(
        "UnknownOperationException",
      );
      expect(await errorOf(client!.send(transaction("lob-b", "Put")))).toBe(
        "AccessDeniedException",
      );
      expect(await errorOf(client!.send(transaction("lob-b", "Delete")))).toBe(
        "AccessDeniedException",
      );
      // Without dynamodb:ConditionCheckItem, a ConditionCheck item is refused.
      emulator.putRolePolicy(WRITER, "w", {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "dynamodb:PutItem", Resource: TABLE }],
      });
      expect(await errorOf(client!.send(transaction("lob-a", "ConditionCheck")))).toBe(
        "AccessDeniedException",
      );
      expect(await errorOf(client!.send(transaction("lob-a", "Put")))).toBe(
        "UnknownOperationException",
      );
      expect(emulator.calls.get("DynamoDB.TransactWriteItems:Denied")).toBe(3);
    });

    it("streams each item a batch writes and deletes, and TTL's deletions as the service's", async () => {
      const now = Math.floor(Date.now() / 1000);
      await client!.send(
        new BatchWriteItemCommand({
          RequestItems: {
            entitlements: [
              { PutRequest: { Item: item("lob-a", "a#t") } },
              {
                PutRequest: { Item: item("lob-a", "b#t", { expiresAt: { N: String(now - 60) } }) },
              },
              {
                PutRequest: { Item: item("lob-a", "c#t", { expiresAt: { N: String(now + 600) } }) },
              },
            ],
          },
        }),
      );
      expect((await recordsAfter(3)).map((r) => r.eventName)).toEqual([
        "INSERT",
        "INSERT",
        "INSERT",
      ]);
      await client!.send(
        new BatchWriteItemCommand({
          RequestItems: { entitlements: [{ DeleteRequest: { Key: item("lob-a", "a#t") } }] },
        }),
      );
      const [removed] = (await recordsAfter(4)).slice(3);
      expect(removed).toMatchObject({
        eventName: "REMOVE",
        dynamodb: { Keys: item("lob-a", "a#t"), OldImage: item("lob-a", "a#t") },
      });
      expect(removed).not.toHaveProperty("userIdentity");
      // TTL: only the expired item goes, and its record names the service.
      expect(await emulator.expireItems("entitlements", now)).toBe(1);
      const [expired] = (await recordsAfter(5)).slice(4);
      expect(expired).toMatchObject({
        eventName: "REMOVE",
        userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
        dynamodb: { Keys: item("lob-a", "b#t") },
      });
      expect(records).toHaveLength(5);
      expect(records.every((r) => r.functionArn === "fn")).toBe(true);
    });
  });
});

describe("idle shutdown and instance types (#21)", () => {
  const TEAM = "arn:aws:iam::222222222222:role/studio-access/studio-access-team-analytics";
  const idle = (minutes: number) => ({
    JupyterLab: { LifecycleManagement: "ENABLED" as const, IdleTimeoutInMinutes: minutes },
    CodeEditor: { LifecycleManagement: "ENABLED" as const, IdleTimeoutInMinutes: minutes },
  });
  beforeEach(() => {
    emulator.createRole(TEAM, serviceTrustPolicy("sagemaker.amazonaws.com"));
    emulator.putRolePolicy(TEAM, "studio", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sagemaker:CreateApp", Resource: "*" }],
    });
    emulator.putRolePolicy(TEAM, "instance-types", instanceTypesPolicy(["ml.t3.medium"]));
    emulator.createUserProfile(domainId, "analytics--ann", { idleSettings: idle(120) });
    emulator.createUserProfile(domainId, "analytics--off", {
      idleSettings: { JupyterLab: { LifecycleManagement: "DISABLED" } },
    });
  });
  const open = (profile: string, appType = "JupyterLab", instanceType = "ml.t3.medium") =>
    emulator.createAppAs(TEAM, {
      domainId,
      userProfileName: profile,
      appType,
      appName: `${appType}-${instanceType}`,
      instanceType,
    });

  it("stops an app idle past its profile's timeout on the advanced clock, not before, and keeps an active one", async () => {
    const lab = await open("analytics--ann");
    const editor = await open("analytics--ann", "CodeEditor");
    const never = await open("analytics--off");
    expect(emulator.advanceClock(119)).toEqual([]);
    emulator.recordActivity(editor);
    expect(emulator.advanceClock(2)).toEqual([lab]);
    expect([lab.status, editor.status, never.status]).toEqual([
      "Deleted",
      "InService",
      "InService",
    ]);
    expect(emulator.advanceClock(120)).toEqual([editor]);
    expect(never.status).toBe("InService");
  });

  it("decides CreateApp with ResourceSpec.InstanceType as sagemaker:InstanceTypes", async () => {
    await expect(open("analytics--ann", "JupyterLab", "ml.p4d.24xlarge")).rejects.toThrow(
      /^AccessDeniedException: User: arn:aws:sts::\d{12}:assumed-role\/[^/]+\/SageMaker is not authorized to perform: sagemaker:CreateApp on resource: arn:aws:sagemaker:\S+ with an explicit deny in an identity-based policy$/,
    );
    await expect(
      emulator.createAppAs(TEAM, {
        domainId,
        userProfileName: "analytics--ann",
        appType: "JupyterLab",
        appName: "none",
      }),
    ).rejects.toThrow(/ with an explicit deny in an identity-based policy$/);
    expect((await open("analytics--ann")).instanceType).toBe("ml.t3.medium");
  });
});

describe("AwsEmulator: what admin usage reads (ListApps, DescribeApp, DescribeSpace, #21)", () => {
  const READER = "arn:aws:iam::222222222222:role/studio-access/StudioAccessRole-usage";

  it("answers with ResourceSpec.InstanceType, CreationTime and LastUserActivityTimestamp (epoch seconds), as SageMaker does, decided by the reader's policy", async () => {
    emulator.createRole(READER, serviceTrustPolicy("lambda.amazonaws.com"));
    const domain = emulator.createDomain("222222222222", REGION, "usage", undefined, {
      "studio-access:lob": "lob-a",
    });
    emulator.putRolePolicy(
      READER,
      "r",
      usageReaderPolicy({
        region: REGION,
        accountId: "222222222222",
        domainId: domain,
        lob: "lob-a",
      }),
    );
    const key = emulator.issueCredentials(READER).accessKeyId;
    const call = async (operation: string, input: Record<string, unknown>) =>
      (await (
        await fetch(emulator.publicListener.url, {
          method: "POST",
          headers: {
            ...auth(key),
            "X-Amz-Target": `SageMaker.${operation}`,
            "Content-Type": "application/x-amz-json-1.1",
          },
          body: JSON.stringify(input),
        })
      ).json()) as Record<string, unknown>;
    emulator.createUserProfile(domain, "dana", { tags: { "studio-access:username": "dana" } });
    emulator.createSpace(domain, "churn", "dana");
    emulator.apps.push(
      {
        domainId: domain,
        userProfileName: "dana",
        appType: "JupyterLab",
        appName: "default",
        status: "InService",
        tags: {},
        instanceType: "ml.t3.medium",
        createdAt: 1_700_000_000_000,
        lastActivity: 1_700_000_600_000,
      },
      {
        domainId: domain,
        userProfileName: "",
        spaceName: "churn",
        appType: "CodeEditor",
        appName: "default",
        status: "InService",
        tags: {},
        instanceType: "ml.m5.large",
        createdAt: 1_700_000_000_000,
      },
    );
    try {
      expect(await call("ListApps", { DomainIdEquals: domain })).toEqual({
        Apps: [
          {
            DomainId: domain,
            UserProfileName: "dana",
            AppType: "JupyterLab",
            AppName: "default",
            Status: "InService",
            ResourceSpec: { InstanceType: "ml.t3.medium" },
            CreationTime: 1_700_000_000,
          },
          {
            DomainId: domain,
            SpaceName: "churn",
            AppType: "CodeEditor",
            AppName: "default",
            Status: "InService",
            ResourceSpec: { InstanceType: "ml.m5.large" },
            CreationTime: 1_700_000_000,
          },
        ],
      });
      expect(
        await call("DescribeApp", {
          DomainId: domain,
          UserProfileName: "dana",
          AppType: "JupyterLab",
          AppName: "default",
        }),
      ).toEqual({
        AppArn: `arn:aws:sagemaker:${REGION}:222222222222:app/${domain}/dana/jupyterlab/default`,
        DomainId: domain,
        UserProfileName: "dana",
        AppType: "JupyterLab",
        AppName: "default",
        Status: "InService",
        ResourceSpec: { InstanceType: "ml.t3.medium" },
        CreationTime: 1_700_000_000,
        LastUserActivityTimestamp: 1_700_000_600,
      });
      // A space's app: no last activity known, and the space names its owner.
      const spaceApp = await call("DescribeApp", {
        DomainId: domain,
        SpaceName: "churn",
        AppType: "CodeEditor",
        AppName: "default",
      });
      expect(spaceApp.SpaceName).toBe("churn");
      expect(spaceApp.LastUserActivityTimestamp).toBeUndefined();
      expect(await call("DescribeSpace", { DomainId: domain, SpaceName: "churn" })).toMatchObject({
        OwnershipSettings: { OwnerUserProfileName: "dana" },
      });
      // The reader may not delete.
      expect(
        (
          await call("DeleteApp", {
            DomainId: domain,
            UserProfileName: "dana",
            AppType: "JupyterLab",
            AppName: "default",
          })
        ).__type,
      ).toBe("AccessDeniedException");
    } finally {
      emulator.apps.length = 0;
    }
  });
});

describe("AwsEmulator: a space's storage held to its owner profile's maximum (#21)", () => {
  const SCIENTIST = "arn:aws:iam::222222222222:role/studio-access/studio-access-team-forecasting";
  let key: string;
  beforeEach(() => {
    emulator.createRole(SCIENTIST, serviceTrustPolicy("sagemaker.amazonaws.com"));
    // IAM lets the role make and resize spaces: what stops a larger volume is SageMaker's own
    // setting, as IAM has no condition key for a space's size.
    emulator.putRolePolicy(SCIENTIST, "spaces", {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["sagemaker:CreateSpace", "sagemaker:UpdateSpace"],
          Resource: "*",
        },
      ],
    });
    key = emulator.issueCredentials(SCIENTIST).accessKeyId;
    emulator.createUserProfile(domainId, "dana", {
      spaceStorage: { DefaultEbsVolumeSizeInGb: 20, MaximumEbsVolumeSizeInGb: 200 },
    });
  });

  const call = async (operation: string, input: Record<string, unknown>) => {
    const response = await fetch(sagemaker.url, {
      method: "POST",
      headers: {
        ...auth(key),
        "X-Amz-Target": `SageMaker.${operation}`,
        "Content-Type": "application/x-amz-json-1.1",
      },
      body: JSON.stringify(input),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sized = (size: number) => ({
    SpaceSettings: { SpaceStorageSettings: { EbsStorageSettings: { EbsVolumeSizeInGb: size } } },
  });
  const space = (name: string) => emulator.domains.get(domainId)?.spaces.get(name);

  it("gives a new space the profile's default, and up to its maximum when asked", async () => {
    const owned = { DomainId: domainId, OwnershipSettings: { OwnerUserProfileName: "dana" } };
    expect((await call("CreateSpace", { ...owned, SpaceName: "small" })).status).toBe(200);
    expect(space("small")).toEqual({ owner: "dana", ebsVolumeSizeInGb: 20 });
    expect((await call("CreateSpace", { ...owned, SpaceName: "big", ...sized(200) })).status).toBe(
      200,
    );
    expect(space("big")?.ebsVolumeSizeInGb).toBe(200);
  });

  it("refuses CreateSpace and UpdateSpace above the profile's maximum: ValidationException, naming it", async () => {
    const owned = { DomainId: domainId, OwnershipSettings: { OwnerUserProfileName: "dana" } };
    expect(await call("CreateSpace", { ...owned, SpaceName: "huge", ...sized(201) })).toEqual({
      status: 400,
      body: {
        __type: "ValidationException",
        message: "EbsVolumeSizeInGb 201 is above the maximum 200 GB of user profile dana",
      },
    });
    expect(space("huge")).toBeUndefined();
    expect((await call("CreateSpace", { ...owned, SpaceName: "mine" })).status).toBe(200);
    const grow = { DomainId: domainId, SpaceName: "mine", ...sized(500) };
    expect((await call("UpdateSpace", grow)).body.__type).toBe("ValidationException");
    expect(space("mine")?.ebsVolumeSizeInGb).toBe(20);
    expect((await call("UpdateSpace", { ...grow, ...sized(150) })).status).toBe(200);
    expect(space("mine")?.ebsVolumeSizeInGb).toBe(150);
  });

  it("keeps the profile's storage settings, and finds no space it does not have", () => {
    expect(emulator.domains.get(domainId)?.profiles.get("dana")?.spaceStorage).toEqual({
      DefaultEbsVolumeSizeInGb: 20,
      MaximumEbsVolumeSizeInGb: 200,
    });
    expect(() => {
      emulator.updateSpace(domainId, "absent", 10);
    }).toThrow("ResourceNotFound: space absent");
  });
});
