import { ConfigError } from "../../stacks/config";
import { runStackUnderMocks, type StackRun } from "../../scripts/lib/mock-stack";
import { quotaUsage, scaledHubConfig } from "../../scripts/lib/scale";
import { ofType } from "../helpers/stacks";

const LOBS = 200;
let hub: StackRun;
beforeAll(async () => {
  hub = await runStackUnderMocks({ stack: "shared", config: scaledHubConfig(LOBS) });
}, 120_000);

describe(`a hub with ${String(LOBS)} LOBs`, () => {
  it("stays within every AWS quota the design touches, with at least 20% headroom", () => {
    const over = quotaUsage(hub, LOBS).filter((q) => q.used > q.limit * 0.8);
    expect(over).toEqual([]);
  });

  it("uses one endpoint rule and one hub route for every spoke (the supernet), not one each", () => {
    const usage = Object.fromEntries(quotaUsage(hub, LOBS).map((q) => [q.key, q.used]));
    expect(usage).toMatchObject({
      securityGroupInboundRules: 2,
      // The supernet, and the corporate range.
      routesPerRouteTable: 2,
      vpcsPerPrivateHostedZone: 201,
      attachmentsPerTransitGateway: 201,
      // The authorizer, the presigner, the lifecycle function, the admin role, API Gateway's
      // logging role, and a deployer role per LOB.
      rolesPerAccount: 205,
      principalsPerResourceShare: 200,
      principalsPerRegion: 200,
    });
    expect(
      ofType(hub, "aws:ec2/route:Route")
        .map((r) => String(r.inputs.destinationCidrBlock))
        .sort(),
    ).toEqual(["10.200.0.0/16", "10.64.0.0/10"]);
  });

  it("shares the transit gateway with, and makes a deployer role for, every LOB", () => {
    expect(ofType(hub, "aws:ram/principalAssociation:PrincipalAssociation")).toHaveLength(LOBS);
    expect(
      ofType(hub, "aws:iam/role:Role").filter((r) => r.name.endsWith("-deployer")),
    ).toHaveLength(LOBS);
  });

  it("refuses that many LOBs without a supernet, saying why and what to set", async () => {
    const refused = await runStackUnderMocks({
      stack: "shared",
      config: scaledHubConfig(LOBS, false),
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      'studio-access:lobs is "200 LOBs": expected at most 50 LOBs without spokesSupernet: each needs a hub route (quota 50 per route table) and an endpoint rule (quota 60 per security group); set spokesSupernet to a range holding every LOB\'s',
    ]);
  });

  it("refuses a LOB outside the supernet and a corporate range inside it", async () => {
    const config = scaledHubConfig(2);
    const lobs = JSON.parse(config["studio-access:lobs"]!) as Record<string, { vpcCidr: string }>;
    lobs["lob-001"]!.vpcCidr = "10.1.0.0/16";
    const refused = await runStackUnderMocks({
      stack: "shared",
      config: {
        ...config,
        "studio-access:lobs": JSON.stringify(lobs),
        "studio-access:clientCidrs": JSON.stringify(["10.65.0.0/16"]),
      },
    }).catch((error: unknown) => error);
    expect((refused as ConfigError).problems).toEqual([
      'studio-access:lobs.lob-001.vpcCidr is "10.1.0.0/16": expected a range inside spokesSupernet 10.64.0.0/10',
      'studio-access:clientCidrs[0] is "10.65.0.0/16": expected a range outside spokesSupernet 10.64.0.0/10 (corporate ranges reach only the API and Studio endpoints)',
    ]);
  });
});
