import {
  loadStackConfig,
  resourceKey,
  runStackUnderMocks,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import { TestIdp } from "../../scripts/sandbox/saml-idp";
import { ofType, one, policyOf } from "../helpers/stacks";

/** The hub with `apiDomain` set (and the SAML entry), and without it. */
const DOMAIN = {
  name: "studio.corp.example.com",
  certificateArn:
    "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000",
};
const DOMAIN_TYPES = [
  "aws:apigateway/domainName:DomainName",
  "aws:apigateway/basePathMapping:BasePathMapping",
  "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation",
];
let withDomain: StackRun;
let without: StackRun;

/** The repository's hub config without its apiDomain (it has one, for the rehearsal). */
const hubConfig = () => {
  const { "studio-access:apiDomain": _, ...rest } = loadStackConfig("shared");
  return rest;
};

beforeAll(async () => {
  const idp = await TestIdp.create();
  const saml = JSON.stringify({ idpCertificates: [idp.certificate], idpEntityId: idp.entityId });
  withDomain = await runStackUnderMocks({
    stack: "shared",
    config: {
      ...hubConfig(),
      "studio-access:apiDomain": JSON.stringify(DOMAIN),
      "studio-access:saml": saml,
    },
  });
  without = await runStackUnderMocks({
    stack: "shared",
    config: { ...hubConfig(), "studio-access:saml": saml },
  });
}, 120_000);

const endpoint = () => one(withDomain, "aws:ec2/vpcEndpoint:VpcEndpoint", "hub-execute-api");
const domainName = () =>
  one(withDomain, "aws:apigateway/domainName:DomainName", "access-api-domain");

describe("apiDomain: the private custom domain name", () => {
  it("is PRIVATE, with the configured certificate, TLS 1.2, and a policy admitting only the hub execute-api endpoint", () => {
    const domain = domainName();
    expect(domain.inputs).toEqual({
      domainName: "studio.corp.example.com",
      certificateArn: DOMAIN.certificateArn,
      endpointConfiguration: { types: "PRIVATE" },
      securityPolicy: "TLS_1_2",
      policy: domain.inputs.policy,
    });
    expect(policyOf(domain)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "InvokeThroughHubEndpoint",
          Effect: "Allow",
          Principal: "*",
          Action: "execute-api:Invoke",
          Resource: "execute-api:/*",
          Condition: { StringEquals: { "aws:SourceVpce": endpoint().id } },
        },
        {
          Sid: "DenyEverywhereElse",
          Effect: "Deny",
          Principal: "*",
          Action: "execute-api:Invoke",
          Resource: "execute-api:/*",
          Condition: { StringNotEquals: { "aws:SourceVpce": endpoint().id } },
        },
      ],
    });
    expect(domain.account).toBe("111111111111");
  });

  it("maps the API's stage at the domain's root, after the stage exists", () => {
    const api = one(withDomain, "aws:apigateway/restApi:RestApi", "access-api");
    const stage = one(withDomain, "aws:apigateway/stage:Stage", "access-api");
    const mapping = one(
      withDomain,
      "aws:apigateway/basePathMapping:BasePathMapping",
      "access-api-domain",
    );
    expect(mapping.inputs).toEqual({
      domainName: "studio.corp.example.com",
      domainNameId: domainName().state.domainNameId,
      restApi: api.id,
      stageName: "v1",
    });
    // No basePath: the root. The stage is an input, so the engine creates the mapping after it.
    expect(mapping.dependencies).toEqual(
      expect.arrayContaining([resourceKey(stage), resourceKey(domainName()), resourceKey(api)]),
    );
  });

  it("is associated with the hub execute-api endpoint, and no other", () => {
    expect(
      ofType(
        withDomain,
        "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation",
      ).map((a) => a.inputs),
    ).toEqual([
      {
        domainNameArn: domainName().state.arn,
        accessAssociationSource: endpoint().id,
        accessAssociationSourceType: "VPCE",
      },
    ]);
  });

  it("resolves in the hub VPC through a private zone of exactly the name, an alias of the endpoint's regional name", () => {
    const zone = one(withDomain, "aws:route53/zone:Zone", "access-api-domain");
    const vpc = one(withDomain, "aws:ec2/vpc:Vpc", "hub-vpc");
    expect(zone.inputs).toEqual({
      name: "studio.corp.example.com",
      comment:
        "studio-access: the private API at studio.corp.example.com through the hub execute-api endpoint",
      vpcs: [{ vpcId: vpc.id, vpcRegion: "us-east-1" }],
    });
    const regional = (endpoint().state.dnsEntries as { dnsName: string; hostedZoneId: string }[])
      .filter((e) => !/-us-east-1[a-z]\./.test(e.dnsName))
      .at(0);
    expect(one(withDomain, "aws:route53/record:Record", "access-api-domain").inputs).toEqual({
      zoneId: zone.id,
      name: "studio.corp.example.com",
      type: "A",
      aliases: [
        {
          name: regional?.dnsName,
          zoneId: regional?.hostedZoneId,
          evaluateTargetHealth: true,
        },
      ],
    });
    // The zone is the hub's alone: no LOB VPC is associated with it.
    expect(
      ofType(withDomain, "aws:route53/zoneAssociation:ZoneAssociation").filter(
        (a) => a.inputs.zoneId === zone.id,
      ),
    ).toEqual([]);
  });

  it("is the address people use: the API URL, the CLI's configure line, the SAML ACS URL and SP metadata", () => {
    expect(withDomain.outputs.apiUrl).toBe("https://studio.corp.example.com/");
    expect(String(withDomain.outputs.cliConfigure)).toMatch(
      /^studio-access configure --api-url https:\/\/studio\.corp\.example\.com\/ --user-pool-id /,
    );
    const saml = withDomain.outputs.saml as { acsUrl: string; spMetadataXml: string };
    expect(saml.acsUrl).toBe("https://studio.corp.example.com/saml");
    expect(saml.spMetadataXml).toContain('Location="https://studio.corp.example.com/saml"/>');
    const fn = one(withDomain, "aws:lambda/function:Function", "access-saml");
    expect(
      (fn.inputs.environment as { variables: Record<string, string> }).variables.SAML_ACS_URL,
    ).toBe("https://studio.corp.example.com/saml");
  });
});

describe("apiDomain unset", () => {
  it("makes no domain resources and keeps the execute-api addresses", () => {
    for (const type of DOMAIN_TYPES) expect(ofType(without, type)).toEqual([]);
    expect(without.resources.filter((r) => r.name === "access-api-domain")).toEqual([]);
    const api = one(without, "aws:apigateway/restApi:RestApi", "access-api");
    expect(without.outputs.apiUrl).toBe(`https://${api.id}.execute-api.us-east-1.amazonaws.com/v1`);
    expect((without.outputs.saml as { acsUrl: string }).acsUrl).toBe(
      `https://${api.id}.execute-api.us-east-1.amazonaws.com/v1/saml`,
    );
  });

  it("leaves every other resource as it is with the domain set", () => {
    const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    const others = withDomain.resources.filter((r) => r.name !== "access-api-domain");
    expect(others.map(key).sort()).toEqual(without.resources.map(key).sort());
  });
});
