import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import { TestIdp } from "../../scripts/sandbox/saml-idp";
import { SAML_ACS_OPERATION } from "../../policy/policies";
import { attachedDocuments, HUB_ACCOUNT, one, policyOf } from "../helpers/stacks";

/** The hub with `saml` set: the replay table, the SAML function, POST /saml and what LOBs trust. */
let idp: TestIdp;
let shared: StackRun;
let lobA: StackRun;

beforeAll(async () => {
  idp = await TestIdp.create();
  shared = await runStackUnderMocks({
    stack: "shared",
    config: {
      ...loadStackConfig("shared"),
      "studio-access:saml": JSON.stringify({
        idpCertificates: [idp.certificate],
        idpEntityId: idp.entityId,
        userAttribute: "email",
        groupsAttribute: "groups",
        groupLobs: { "lob-b-scientists": ["lob-b"] },
      }),
    },
  });
  lobA = await runStackUnderMocks({
    stack: "lob-a",
    config: loadStackConfig("lob-a"),
    stackOutputs: { [fullStackName("shared")]: shared.outputs },
  });
}, 120_000);

const api = () => one(shared, "aws:apigateway/restApi:RestApi", "access-api");
// The repository's hub config sets apiDomain (#20): the ACS is at the name's root.
const acsUrl = () => "https://studio.corp.example.com/saml";

describe("the SAML entry in the hub", () => {
  it("is among the functions whose invocations the audit trail records", () => {
    const trail = one(shared, "aws:cloudtrail/trail:Trail", "access-data-events");
    const selectors = trail.inputs.advancedEventSelectors as {
      name: string;
      fieldSelectors: { field: string; equals: string[] }[];
    }[];
    const arns = selectors
      .find((sel) => sel.name === "access function invocations")
      ?.fieldSelectors.find((f) => f.field === "resources.ARN")?.equals;
    expect(arns).toEqual(
      ["access-authorizer", "access-presigner", "access-lifecycle", "access-saml"].map(
        (name) => one(shared, "aws:lambda/function:Function", name).state.arn,
      ),
    );
  });

  it("keeps a replay table keyed by id, expiring by TTL, encrypted with the data key", () => {
    expect(one(shared, "aws:dynamodb/table:Table", "access-replay").inputs).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "id",
      attributes: [{ name: "id", type: "S" }],
      ttl: { attributeName: "expiresAt", enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: {
        enabled: true,
        kmsKeyArn: one(shared, "aws:kms/key:Key", "access-data").state.arn,
      },
    });
  });

  it("runs the SAML function in the hub VPC with exactly its environment", () => {
    const fn = one(shared, "aws:lambda/function:Function", "access-saml");
    const presigner = one(shared, "aws:lambda/function:Function", "access-presigner");
    expect(fn.inputs.vpcConfig).toEqual(presigner.inputs.vpcConfig);
    expect(fn.inputs.environment).toEqual({
      variables: {
        NODE_OPTIONS: "--enable-source-maps",
        USERS_TABLE: one(shared, "aws:dynamodb/table:Table", "access-entitlements").state.name,
        LOBS_TABLE: one(shared, "aws:dynamodb/table:Table", "access-lobs").state.name,
        REPLAY_TABLE: one(shared, "aws:dynamodb/table:Table", "access-replay").state.name,
        URL_EXPIRES_SECONDS: "20",
        SESSION_EXPIRES_SECONDS: "28800",
        LOB_REGISTRY: "lobs.json",
        SAML_IDP_CERTIFICATES: `${idp.certificate.replace(/\r\n/g, "\n").trim()}\n`,
        SAML_IDP_ENTITY_ID: idp.entityId,
        SAML_SP_ENTITY_ID: `urn:studio-access:us-east-1:${HUB_ACCOUNT}`,
        SAML_ACS_URL: acsUrl(),
        SAML_USER_ATTRIBUTE: "email",
        SAML_GROUPS_ATTRIBUTE: "groups",
        SAML_GROUP_LOBS: '{"lob-b-scientists":["lob-b"]}',
      },
    });
  });

  it("gives its role the presigner's rights and its own replay rows, nothing more", () => {
    const role = one(shared, "aws:iam/rolePolicy:RolePolicy", "access-saml");
    const tableArn = (name: string) =>
      String(one(shared, "aws:dynamodb/table:Table", name).state.arn);
    const statements = (policyOf(role) as { Statement: { Sid: string }[] }).Statement;
    expect(statements.map((s) => s.Sid)).toEqual([
      "ReadEntitlementsAndLobs",
      "WriteOwnLogs",
      "AttachToHubVpc",
      "RecordAssertionsAndChoices",
    ]);
    expect(statements.find((s) => s.Sid === "RecordAssertionsAndChoices")).toEqual({
      Sid: "RecordAssertionsAndChoices",
      Effect: "Allow",
      Action: ["dynamodb:PutItem", "dynamodb:DeleteItem"],
      Resource: tableArn("access-replay"),
      Condition: {
        "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["assertion#*", "choice#*"] },
        Null: { "dynamodb:LeadingKeys": "false" },
      },
    });
    // The presigner's AssumeRole grant, the same managed policy attached to both roles.
    expect(attachedDocuments(shared, "access-saml")).toEqual([
      {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AssumeLobAccessRoles",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: [
              "arn:aws:iam::*:role/StudioAccessRole",
              "arn:aws:iam::*:role/StudioAccessRole-provisioner",
            ],
            Condition: {
              StringEquals: { "aws:ResourceAccount": ["222222222222", "333333333333"] },
            },
          },
        ],
      },
    ]);
    expect(attachedDocuments(shared, "access-saml")).toEqual(
      attachedDocuments(shared, "access-presigner"),
    );
  });

  it("serves POST /saml with no authorizer, only to the SAML function", () => {
    const resource = one(shared, "aws:apigateway/resource:Resource", "access-saml");
    expect(resource.inputs).toMatchObject({
      pathPart: "saml",
      parentId: api().state.rootResourceId,
    });
    expect(one(shared, "aws:apigateway/method:Method", "access-saml").inputs).toMatchObject({
      resourceId: resource.id,
      httpMethod: "POST",
      authorization: "NONE",
      operationName: SAML_ACS_OPERATION,
    });
    expect(
      one(shared, "aws:apigateway/integration:Integration", "access-saml").inputs,
    ).toMatchObject({
      type: "AWS_PROXY",
      uri: one(shared, "aws:lambda/function:Function", "access-saml").state.invokeArn,
    });
    expect(
      one(shared, "aws:lambda/permission:Permission", "access-saml-invoke").inputs,
    ).toMatchObject({
      principal: "apigateway.amazonaws.com",
      sourceArn: `${String(api().state.executionArn)}/*/POST/saml`,
    });
  });

  it("outputs the ACS URL, the SP entity id and SP metadata naming both", () => {
    const saml = shared.outputs.saml as {
      acsUrl: string;
      spEntityId: string;
      spMetadataXml: string;
    };
    expect(saml.acsUrl).toBe(acsUrl());
    expect(saml.spEntityId).toBe(`urn:studio-access:us-east-1:${HUB_ACCOUNT}`);
    expect(saml.spMetadataXml).toContain(`entityID="urn:studio-access:us-east-1:${HUB_ACCOUNT}"`);
    expect(saml.spMetadataXml).toContain(
      `<AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${acsUrl()}"/>`,
    );
    expect(shared.outputs.samlRoleArn).toBe(
      one(shared, "aws:iam/role:Role", "access-saml").state.arn,
    );
  });
});

describe("a LOB of a hub with a SAML entry", () => {
  it("lets the presigner and the SAML entry, only they, assume its access role through the hub STS endpoint", () => {
    expect(policyOf(one(lobA, "aws:iam/role:Role", "lob-a-access"), "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "HubPresignerThroughHubEndpoint",
          Effect: "Allow",
          Principal: {
            AWS: [
              one(shared, "aws:iam/role:Role", "access-presigner").state.arn,
              one(shared, "aws:iam/role:Role", "access-saml").state.arn,
            ],
          },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: {
              "aws:SourceVpce": (shared.outputs.endpointIds as Record<string, string>).sts,
            },
          },
        },
      ],
    });
  });
});
