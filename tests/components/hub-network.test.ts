import { endpointServices } from "../../components/lib/endpoints";
import { ORG_ONLY_STATEMENT } from "../helpers/fixtures";
import { loadStackConfig, runStackUnderMocks } from "../../scripts/lib/mock-stack";
import { HUB_ACCOUNT, ofType, one, planRepositoryStacks, type Planned } from "../helpers/stacks";

let planned: Planned;
beforeAll(async () => {
  planned = await planRepositoryStacks();
}, 60_000);

const endpoint = (key: string) =>
  one(planned.shared, "aws:ec2/vpcEndpoint:VpcEndpoint", `hub-${key}`);

describe("HubNetwork: central endpoints and zones", () => {
  it.each(endpointServices("us-east-1").map((s) => [s.key, s] as const))(
    "%s: interface endpoint with private DNS off, in every hub subnet, behind the endpoint SG (and the client SG for the API and Studio only)",
    (key, service) => {
      const vpc = one(planned.shared, "aws:ec2/vpc:Vpc", "hub-vpc");
      const subnets = ofType(planned.shared, "aws:ec2/subnet:Subnet").map((s) => s.id);
      const sg = one(planned.shared, "aws:ec2/securityGroup:SecurityGroup", "hub-endpoints");
      const clients = one(
        planned.shared,
        "aws:ec2/securityGroup:SecurityGroup",
        "hub-client-endpoints",
      );
      expect(endpoint(key).inputs).toMatchObject({
        vpcId: vpc.id,
        serviceName: service.serviceName,
        vpcEndpointType: "Interface",
        privateDnsEnabled: false,
        subnetIds: subnets,
        securityGroupIds: key === "execute-api" || key === "studio" ? [sg.id, clients.id] : [sg.id],
      });
    },
  );

  const policy = (key: string) => JSON.parse(String(endpoint(key).inputs.policy)) as unknown;
  const ORG_ONLY = ORG_ONLY_STATEMENT;

  it.each(["sts", "logs", "sagemaker-runtime", "studio"])(
    "%s: an endpoint policy admitting the organization's principals only",
    (key) => {
      expect(policy(key)).toEqual({ Version: "2012-10-17", Statement: [ORG_ONLY] });
    },
  );

  it("sagemaker-api: organization only, and Studio URLs only for the LOBs' access roles", () => {
    expect(policy("sagemaker-api")).toEqual({
      Version: "2012-10-17",
      Statement: [
        ORG_ONLY,
        {
          Sid: "PresignOnlyAsAccessRoles",
          Effect: "Deny",
          Principal: "*",
          Action: "sagemaker:CreatePresignedDomainUrl",
          Resource: "*",
          Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/StudioAccessRole" } },
        },
        {
          Sid: "PresignOnlyInLobAccounts",
          Effect: "Deny",
          Principal: "*",
          Action: "sagemaker:CreatePresignedDomainUrl",
          Resource: "*",
          Condition: {
            StringNotEquals: { "aws:PrincipalAccount": ["222222222222", "333333333333"] },
          },
        },
      ],
    });
  });

  it("execute-api: the hub account's APIs only", () => {
    expect(policy("execute-api")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "HubApisOnly",
          Effect: "Allow",
          Principal: "*",
          Action: "execute-api:Invoke",
          Resource: "arn:aws:execute-api:us-east-1:111111111111:*",
        },
      ],
    });
  });

  it("cognito-idp: the hub account's user pools only", () => {
    expect(policy("cognito-idp")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "HubUserPoolsOnly",
          Effect: "Allow",
          Principal: "*",
          Action: "cognito-idp:*",
          Resource: "arn:aws:cognito-idp:us-east-1:111111111111:userpool/*",
        },
      ],
    });
  });

  it.each(endpointServices("us-east-1").map((s) => [s.key, s] as const))(
    "%s: a private zone on the hub VPC with an alias to the endpoint's regional name",
    (key, service) => {
      const zone = one(planned.shared, "aws:route53/zone:Zone", `hub-${key}`);
      const record = one(planned.shared, "aws:route53/record:Record", `hub-${key}`);
      const vpc = one(planned.shared, "aws:ec2/vpc:Vpc", "hub-vpc");
      expect(zone.inputs).toMatchObject({
        name: service.zoneName,
        vpcs: [{ vpcId: vpc.id, vpcRegion: "us-east-1" }],
      });
      const entries = endpoint(key).state.dnsEntries as { dnsName: string; hostedZoneId: string }[];
      const regional = entries.find((e) => !/-us-east-1[a-z]\./.test(e.dnsName))!;
      expect(record.inputs).toEqual({
        zoneId: zone.id,
        name: service.record === "apex" ? service.zoneName : `*.${service.zoneName}`,
        type: "A",
        aliases: [
          { name: regional.dnsName, zoneId: regional.hostedZoneId, evaluateTargetHealth: true },
        ],
      });
    },
  );

  it("creates exactly the seven interface endpoints and the DynamoDB gateway endpoint", () => {
    expect(
      ofType(planned.shared, "aws:ec2/vpcEndpoint:VpcEndpoint")
        .map((e) => e.inputs.serviceName)
        .sort(),
    ).toEqual(
      [
        ...endpointServices("us-east-1").map((s) => s.serviceName),
        "com.amazonaws.us-east-1.dynamodb",
      ].sort(),
    );
    const routeTable = one(planned.shared, "aws:ec2/routeTable:RouteTable", "hub-isolated");
    expect(endpoint("dynamodb").inputs).toMatchObject({
      vpcEndpointType: "Gateway",
      routeTableIds: [routeTable.id],
    });
  });

  it("lets only HTTPS from the hub and each spoke reach the endpoints, and corporate ranges only the API and Studio", () => {
    const sg = one(planned.shared, "aws:ec2/securityGroup:SecurityGroup", "hub-endpoints");
    const clients = one(
      planned.shared,
      "aws:ec2/securityGroup:SecurityGroup",
      "hub-client-endpoints",
    );
    const ingress = ofType(
      planned.shared,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    );
    const https = (securityGroupId: string, cidrIpv4: string, description: string) => ({
      securityGroupId,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4,
      description,
    });
    expect(ingress.filter((r) => r.inputs.securityGroupId === sg.id).map((r) => r.inputs)).toEqual([
      https(sg.id, "10.0.0.0/16", "hub VPC"),
      https(sg.id, "10.1.0.0/16", "spoke lob-a"),
      https(sg.id, "10.2.0.0/16", "spoke lob-b"),
    ]);
    expect(
      ingress.filter((r) => r.inputs.securityGroupId === clients.id).map((r) => r.inputs),
    ).toEqual([https(clients.id, "10.200.0.0/16", "corporate network")]);
    for (const group of [sg, clients]) {
      expect(group.inputs.ingress).toBeUndefined();
      expect(group.inputs.egress).toBeUndefined();
    }
    const egress = ofType(
      planned.shared,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    );
    expect(
      egress.filter((r) => [sg.id, clients.id].includes(String(r.inputs.securityGroupId))),
    ).toEqual([]);
  });

  it("never opens anything to 0.0.0.0/0", () => {
    const all = [planned.shared, planned.lobA, planned.lobB].flatMap((run) => run.resources);
    const rules = all.filter((r) => r.type.startsWith("aws:vpc/securityGroup"));
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0")).toEqual([]);
  });
});

describe("HubNetwork: availability zones", () => {
  const planWith = (zones: Record<string, readonly string[]>, count = "2") =>
    runStackUnderMocks({
      stack: "shared",
      config: { ...loadStackConfig("shared"), "studio-access:availabilityZones": count },
      endpointServiceZones: zones,
    });

  it("never picks a zone that needs opt-in (the region's Local Zone is listed too)", async () => {
    const run = await planWith({}, "3");
    expect(ofType(run, "aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZoneId)).toEqual([
      "use1-az1",
      "use1-az2",
      "use1-az3",
    ]);
  });

  it("skips a zone in which an endpoint service is not offered, in id order", async () => {
    const run = await planWith({
      "com.amazonaws.us-east-1.sagemaker.api": ["us-east-1b", "us-east-1c"],
    });
    expect(run.outputs.availabilityZoneIds).toEqual(["use1-az2", "use1-az3"]);
    expect(ofType(run, "aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZoneId)).toEqual([
      "use1-az2",
      "use1-az3",
    ]);
  });

  it("fails, naming the zones and the services they lack, when too few zones offer every service", async () => {
    await expect(
      planWith({
        "com.amazonaws.us-east-1.sagemaker.api": ["us-east-1b", "us-east-1c"],
        "aws.sagemaker.us-east-1.studio": ["us-east-1a", "us-east-1b"],
      }),
    ).rejects.toThrow(
      "studio-access:availabilityZones is 2: us-east-1 has 1 AZs without opt-in that offer every endpoint service (use1-az2); availabilityZones asks for 2. Left out: use1-az1 lacks com.amazonaws.us-east-1.sagemaker.api; use1-az3 lacks aws.sagemaker.us-east-1.studio",
    );
  });
});

describe("HubNetwork: extra endpoints", () => {
  it("adds the asked-for endpoints with their zones, serving the organization, and the spokes associate them", async () => {
    const run = await runStackUnderMocks({
      stack: "shared",
      config: {
        ...loadStackConfig("shared"),
        "studio-access:extraEndpoints": JSON.stringify(["ecr.api", "ecr.dkr", "servicecatalog"]),
      },
    });
    const extra = (key: string) => one(run, "aws:ec2/vpcEndpoint:VpcEndpoint", `hub-${key}`);
    expect(
      ["ecr-api", "ecr-dkr", "servicecatalog"].map((key) => [
        extra(key).inputs.serviceName,
        one(run, "aws:route53/zone:Zone", `hub-${key}`).inputs.name,
        one(run, "aws:route53/record:Record", `hub-${key}`).inputs.name,
        (JSON.parse(String(extra(key).inputs.policy)) as { Statement: { Sid: string }[] })
          .Statement[0]?.Sid,
      ]),
    ).toEqual([
      [
        "com.amazonaws.us-east-1.ecr.api",
        "api.ecr.us-east-1.amazonaws.com",
        "api.ecr.us-east-1.amazonaws.com",
        "OrganizationOnly",
      ],
      [
        "com.amazonaws.us-east-1.ecr.dkr",
        "dkr.ecr.us-east-1.amazonaws.com",
        "*.dkr.ecr.us-east-1.amazonaws.com",
        "OrganizationOnly",
      ],
      [
        "com.amazonaws.us-east-1.servicecatalog",
        "servicecatalog.us-east-1.amazonaws.com",
        "servicecatalog.us-east-1.amazonaws.com",
        "OrganizationOnly",
      ],
    ]);
    expect(Object.keys(run.outputs.zoneIds as object)).toEqual(
      expect.arrayContaining(["ecr-api", "ecr-dkr", "servicecatalog"]),
    );
  });
});

describe("HubNetwork: VPC and transit gateway", () => {
  it("splits the hub VPC into isolated subnets in the first AZ ids, with no internet path", () => {
    const subnets = ofType(planned.shared, "aws:ec2/subnet:Subnet");
    expect(
      subnets.map((s) => [
        s.name,
        s.inputs.cidrBlock,
        s.inputs.availabilityZoneId,
        s.inputs.mapPublicIpOnLaunch,
      ]),
    ).toEqual([
      ["hub-isolated-a", "10.0.0.0/17", "use1-az1", false],
      ["hub-isolated-b", "10.0.128.0/17", "use1-az2", false],
    ]);
    expect(ofType(planned.shared, "aws:ec2/internetGateway:InternetGateway")).toEqual([]);
    expect(ofType(planned.shared, "aws:ec2/natGateway:NatGateway")).toEqual([]);
  });

  it("routes only the spokes' ranges from the hub VPC, each to the transit gateway", () => {
    const routeTable = one(planned.shared, "aws:ec2/routeTable:RouteTable", "hub-isolated");
    const tgw = one(
      planned.shared,
      "aws:ec2transitgateway/transitGateway:TransitGateway",
      "hub-tgw",
    );
    expect(
      ofType(planned.shared, "aws:ec2/route:Route")
        .filter((r) => r.name.startsWith("hub-"))
        .map((r) => [r.name, r.inputs]),
    ).toEqual([
      [
        "hub-to-lob-a",
        {
          routeTableId: routeTable.id,
          destinationCidrBlock: "10.1.0.0/16",
          transitGatewayId: tgw.id,
        },
      ],
      [
        "hub-to-lob-b",
        {
          routeTableId: routeTable.id,
          destinationCidrBlock: "10.2.0.0/16",
          transitGatewayId: tgw.id,
        },
      ],
    ]);
  });

  it("turns the transit gateway's default association, propagation and auto-accept off", () => {
    expect(
      one(planned.shared, "aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw").inputs,
    ).toMatchObject({
      defaultRouteTableAssociation: "disable",
      defaultRouteTablePropagation: "disable",
      autoAcceptSharedAttachments: "disable",
    });
  });

  it("associates the hub attachment with the hub table and propagates it into the spokes table only", () => {
    const attachment = one(
      planned.shared,
      "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
      "hub-tgw-hub-vpc",
    );
    const hubRt = one(planned.shared, "aws:ec2transitgateway/routeTable:RouteTable", "hub-tgw-hub");
    const spokesRt = one(
      planned.shared,
      "aws:ec2transitgateway/routeTable:RouteTable",
      "hub-tgw-spokes",
    );
    expect(attachment.inputs).toMatchObject({
      transitGatewayDefaultRouteTableAssociation: false,
      transitGatewayDefaultRouteTablePropagation: false,
    });
    expect(
      ofType(planned.shared, "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation")
        .filter((r) => r.name.startsWith("hub-"))
        .map((r) => r.inputs),
    ).toEqual([
      { transitGatewayAttachmentId: attachment.id, transitGatewayRouteTableId: hubRt.id },
    ]);
    expect(
      ofType(planned.shared, "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
        .filter((r) => r.name.startsWith("hub-"))
        .map((r) => r.inputs),
    ).toEqual([
      { transitGatewayAttachmentId: attachment.id, transitGatewayRouteTableId: spokesRt.id },
    ]);
  });

  it("shares the transit gateway through RAM with exactly the LOB accounts, inside the organization", () => {
    const share = one(planned.shared, "aws:ram/resourceShare:ResourceShare", "hub-tgw-share");
    expect(share.inputs.allowExternalPrincipals).toBe(false);
    const tgw = one(
      planned.shared,
      "aws:ec2transitgateway/transitGateway:TransitGateway",
      "hub-tgw",
    );
    expect(
      one(planned.shared, "aws:ram/resourceAssociation:ResourceAssociation", "hub-tgw-share")
        .inputs,
    ).toEqual({
      resourceArn: tgw.state.arn,
      resourceShareArn: share.state.arn,
    });
    expect(
      ofType(planned.shared, "aws:ram/principalAssociation:PrincipalAssociation").map((p) => [
        p.name,
        p.inputs.principal,
      ]),
    ).toEqual([
      ["hub-tgw-share-lob-a", "222222222222"],
      ["hub-tgw-share-lob-b", "333333333333"],
    ]);
  });

  it("creates no Resolver endpoint unless asked", () => {
    expect(ofType(planned.shared, "aws:route53/resolverEndpoint:ResolverEndpoint")).toEqual([]);
  });
});

describe("HubNetwork: optional Resolver inbound endpoint", () => {
  it("listens in every hub subnet and answers DNS only from the corporate networks", async () => {
    const run = await runStackUnderMocks({
      stack: "shared",
      config: {
        ...loadStackConfig("shared"),
        "studio-access:resolverInboundEndpoint": "true",
        "studio-access:availabilityZones": "3",
      },
    });
    const sg = one(run, "aws:ec2/securityGroup:SecurityGroup", "hub-resolver");
    const subnets = ofType(run, "aws:ec2/subnet:Subnet").map((s) => s.id);
    expect(subnets).toHaveLength(3);
    expect(
      one(run, "aws:route53/resolverEndpoint:ResolverEndpoint", "hub-inbound").inputs,
    ).toMatchObject({
      direction: "INBOUND",
      securityGroupIds: [sg.id],
      ipAddresses: subnets.map((subnetId) => ({ subnetId })),
    });
    const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
      (r) => r.inputs.securityGroupId === sg.id,
    );
    expect(
      rules.map((r) => [
        r.inputs.ipProtocol,
        r.inputs.fromPort,
        r.inputs.toPort,
        r.inputs.cidrIpv4,
      ]),
    ).toEqual([
      ["tcp", 53, 53, "10.200.0.0/16"],
      ["udp", 53, 53, "10.200.0.0/16"],
    ]);
    expect(run.outputs.resolverInboundIps).toEqual(["10.0.0.10", "10.0.64.10", "10.0.128.10"]);
    expect(run.resources.filter((r) => r.custom).every((r) => r.account === HUB_ACCOUNT)).toBe(
      true,
    );
  });
});
