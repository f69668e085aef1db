import { loadStackConfig, runStackUnderMocks, type StackRun } from "../../scripts/lib/mock-stack";
import { HUB_ACCOUNT, ofType, one, planHub } from "../helpers/stacks";

let shared: StackRun;
beforeAll(async () => {
  shared = await planHub();
}, 60_000);

const tgwTable = (run: StackRun, name: string) =>
  one(run, "aws:ec2transitgateway/routeTable:RouteTable", name);

describe("CorporateLink: a Site-to-Site VPN on the hub transit gateway", () => {
  it("creates the customer gateway and a BGP VPN attached to the hub transit gateway, in the hub account", () => {
    const gateway = one(shared, "aws:ec2/customerGateway:CustomerGateway", "corporate-gateway");
    const vpn = one(shared, "aws:ec2/vpnConnection:VpnConnection", "corporate-vpn");
    const tgw = one(shared, "aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw");
    expect(gateway.inputs).toMatchObject({
      bgpAsn: "65010",
      ipAddress: "203.0.113.10",
      type: "ipsec.1",
    });
    expect(vpn.inputs).toMatchObject({
      customerGatewayId: gateway.id,
      transitGatewayId: tgw.id,
      type: "ipsec.1",
      staticRoutesOnly: false,
    });
    expect([gateway.account, vpn.account]).toEqual([HUB_ACCOUNT, HUB_ACCOUNT]);
  });

  it("associates the corporate attachment with a corporate table into which only the hub VPC propagates", () => {
    const attachment = one(shared, "aws:ec2/vpnConnection:VpnConnection", "corporate-vpn").state
      .transitGatewayAttachmentId;
    expect(attachment).toMatch(/^tgw-attach-[0-9a-f]{17}$/);
    const table = tgwTable(shared, "corporate-tgw");
    const hubVpc = one(
      shared,
      "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
      "hub-tgw-hub-vpc",
    );
    expect(
      one(
        shared,
        "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
        "corporate-tgw",
      ).inputs,
    ).toEqual({ transitGatewayAttachmentId: attachment, transitGatewayRouteTableId: table.id });
    expect(
      ofType(shared, "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
        .filter((p) => p.inputs.transitGatewayRouteTableId === table.id)
        .map((p) => p.inputs.transitGatewayAttachmentId),
    ).toEqual([hubVpc.id]);
  });

  it("routes the client ranges from the hub VPC to the transit gateway, and from the hub table to the corporate attachment", () => {
    const attachment = one(shared, "aws:ec2/vpnConnection:VpnConnection", "corporate-vpn").state
      .transitGatewayAttachmentId;
    const tgw = one(shared, "aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw");
    expect(
      one(shared, "aws:ec2transitgateway/route:Route", "corporate-from-hub-10-200-0-0-16").inputs,
    ).toEqual({
      destinationCidrBlock: "10.200.0.0/16",
      transitGatewayAttachmentId: attachment,
      transitGatewayRouteTableId: tgwTable(shared, "hub-tgw-hub").id,
    });
    expect(one(shared, "aws:ec2/route:Route", "corporate-hub-vpc-10-200-0-0-16").inputs).toEqual({
      routeTableId: one(shared, "aws:ec2/routeTable:RouteTable", "hub-isolated").id,
      destinationCidrBlock: "10.200.0.0/16",
      transitGatewayId: tgw.id,
    });
  });

  it("publishes what the network team needs: the attachment, the VPN, the ranges and the zones to forward", () => {
    expect(shared.outputs.corporate).toEqual({
      transitGatewayAttachmentId: one(
        shared,
        "aws:ec2/vpnConnection:VpnConnection",
        "corporate-vpn",
      ).state.transitGatewayAttachmentId,
      vpnConnectionId: one(shared, "aws:ec2/vpnConnection:VpnConnection", "corporate-vpn").id,
      clientCidrs: ["10.200.0.0/16"],
      // The API's custom domain name too: the repository's hub config sets apiDomain (#20).
      zonesToForward: [
        "studio.us-east-1.sagemaker.aws",
        "execute-api.us-east-1.amazonaws.com",
        "studio.corp.example.com",
      ],
    });
  });
});

describe("CorporateLink: an existing Direct Connect gateway or VPN attachment", () => {
  it("uses the attachment as given and creates no VPN", async () => {
    const run = await runStackUnderMocks({
      stack: "shared",
      config: {
        ...loadStackConfig("shared"),
        "studio-access:corporate": JSON.stringify({
          transitGatewayAttachmentId: "tgw-attach-0123456789abcdef0",
        }),
      },
    });
    expect(ofType(run, "aws:ec2/vpnConnection:VpnConnection")).toEqual([]);
    expect(ofType(run, "aws:ec2/customerGateway:CustomerGateway")).toEqual([]);
    expect(
      one(run, "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation", "corporate-tgw")
        .inputs.transitGatewayAttachmentId,
    ).toBe("tgw-attach-0123456789abcdef0");
  });
});
