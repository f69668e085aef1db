import { endpointServices } from "../../components/lib/endpoints";
import { loadStackConfig, runStackUnderMocks } from "../../scripts/lib/mock-stack";
import { HUB_ACCOUNT, ofType, one, planRepositoryStacks, type Planned } from "../helpers/stacks";

let planned: Planned;
beforeAll(async () => {
  planned = await planRepositoryStacks();
});

const endpoint = (key: string) =>
  one(planned.shared, "aws:ec2/vpcEndpoint:VpcEndpoint", `hub-${key}`);

describe("HubNetwork: central endpoints and zones", () => {
  it.each(endpointServices("us-east-1").map((s) => [s.key, s] as const))(
    "%s: interface endpoint with private DNS off, in every hub subnet, behind the endpoint SG",
    (key, service) => {
      const vpc = one(planned.shared, "aws:ec2/vpc:Vpc", "hub-vpc");
      const subnets = ofType(planned.shared, "aws:ec2/subnet:Subnet").map((s) => s.id);
      const sg = one(planned.shared, "aws:ec2/securityGroup:SecurityGroup", "hub-endpoints");
      expect(endpoint(key).inputs).toMatchObject({
        vpcId: vpc.id,
        serviceName: service.serviceName,
        vpcEndpointType: "Interface",
        privateDnsEnabled: false,
        subnetIds: subnets,
        securityGroupIds: [sg.id],
      });
    },
  );

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

  it("creates exactly the six interface endpoints and the DynamoDB gateway endpoint", () => {
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

  it("lets only HTTPS from the hub and the corporate networks reach the endpoints (spokes add their own rule)", () => {
    const sg = one(planned.shared, "aws:ec2/securityGroup:SecurityGroup", "hub-endpoints");
    const rules = ofType(
      planned.shared,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ).filter((r) => r.inputs.securityGroupId === sg.id);
    expect(rules.map((r) => r.inputs)).toEqual([
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "10.0.0.0/16",
        description: "hub VPC",
      },
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "10.200.0.0/16",
        description: "corporate network",
      },
    ]);
    expect(sg.inputs.ingress).toBeUndefined();
    expect(sg.inputs.egress).toBeUndefined();
    const egress = ofType(
      planned.shared,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    );
    expect(egress.filter((r) => r.inputs.securityGroupId === sg.id)).toEqual([]);
  });

  it("never opens anything to 0.0.0.0/0", () => {
    const all = [planned.shared, planned.lobA, planned.lobB].flatMap((run) => run.resources);
    const rules = all.filter((r) => r.type.startsWith("aws:vpc/securityGroup"));
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0")).toEqual([]);
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
    expect(ofType(planned.shared, "aws:ec2/route:Route")).toEqual([]);
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
      ofType(
        planned.shared,
        "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
      ).map((r) => r.inputs),
    ).toEqual([
      { transitGatewayAttachmentId: attachment.id, transitGatewayRouteTableId: hubRt.id },
    ]);
    expect(
      ofType(
        planned.shared,
        "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
      ).map((r) => r.inputs),
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
