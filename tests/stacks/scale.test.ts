import { ConfigError } from "../../stacks/config";
import { DEFAULT_IAM_LIMITS } from "../../components/lib/quotas";
import { hubRolePlans, roleQuotaProblems } from "../../components/lib/role-quotas";
import { runStackUnderMocks, type StackRun } from "../../scripts/lib/mock-stack";
import { quotaUsage, scaledHubConfig, unprefixed } from "../../scripts/lib/scale";
import { parseStackConfig } from "../../stacks/config";
import { hubQuotaFigures } from "../../stacks/config/hub-quotas";
import { ofType } from "../helpers/stacks";

const LOBS = 200;
let hub: StackRun;
beforeAll(async () => {
  hub = await runStackUnderMocks({ stack: "shared", config: scaledHubConfig(LOBS) });
}, 120_000);

describe(`a hub with ${String(LOBS)} LOBs`, () => {
  it("stays within every AWS quota the design touches, with at least 20% headroom", () => {
    // The AssumeRole grants fill each managed policy by design: more LOBs add policies, which
    // managedPoliciesPerRole counts, so that quota carries the headroom instead.
    const over = quotaUsage(hub, LOBS, scaledHubConfig(LOBS)).filter(
      (q) => q.used > q.limit * (q.key === "managedPolicyCharacters" ? 1 : 0.8),
    );
    expect(over).toEqual([]);
  });

  it("grants the presigner exactly every LOB's access and provisioning roles, in 1 managed policy (#22: names by account)", () => {
    const presigner = ofType(hub, "aws:iam/role:Role").find((r) => r.name === "access-presigner");
    const attached = ofType(hub, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === presigner?.state.name)
      .map((a) => a.inputs.policyArn);
    const granted = ofType(hub, "aws:iam/policy:Policy")
      .filter((p) => attached.includes(p.state.arn))
      .flatMap((p) => {
        const doc = JSON.parse(String(p.inputs.policy)) as {
          Statement: {
            Sid: string;
            Action: string;
            Resource: string[];
            Condition: { StringEquals: Record<string, string[]> };
          }[];
        };
        expect(doc.Statement.map((st) => [st.Sid, st.Action, st.Resource])).toEqual([
          [
            "AssumeLobAccessRoles",
            "sts:AssumeRole",
            [
              "arn:aws:iam::*:role/StudioAccessRole",
              "arn:aws:iam::*:role/StudioAccessRole-provisioner",
            ],
          ],
        ]);
        return doc.Statement.flatMap((st) => st.Condition.StringEquals["aws:ResourceAccount"]);
      });
    expect(attached).toHaveLength(1);
    const accounts = Array.from({ length: LOBS }, (_, i) => String(400000000000 + i));
    expect(granted).toEqual(accounts.sort());
    // Nothing else in the hub assumes a role on an inline grant.
    const inlineAssumes = ofType(hub, "aws:iam/rolePolicy:RolePolicy").filter((r) =>
      String(r.inputs.policy).includes("sts:AssumeRole"),
    );
    expect(inlineAssumes).toEqual([]);
  });

  it("refuses more LOBs than the managed policies per role can grant the presigner, naming the quota", () => {
    // 3,911 LOBs need 11 policies of 391 accounts (#22): past the CIDR supernet a config can
    // hold, so the role plans are checked directly, as the config check runs them.
    const lobs = Object.fromEntries(
      Array.from({ length: 3911 }, (_, i) => [
        `lob-${String(i)}`,
        { accountId: String(400000000000 + i), deployer: "arn:aws:iam::111111111111:role/d" },
      ]),
    );
    const plans = hubRolePlans({
      region: "us-east-1",
      hubAccountId: "111111111111",
      lobs,
      accessRoleName: "StudioAccessRole",
      extraEndpoints: [],
      admins: [],
    });
    expect(roleQuotaProblems(plans, DEFAULT_IAM_LIMITS, "studio-access")).toEqual([
      "studio-access:lobs gives the hub's presigner function role 11 attached managed policies, over IAM's quota of 10 managed policies attached to one role: it is granted each of the 3911 LOBs' access and provisioning roles in managed policies of at most 6,144 characters, about 390 accounts each: fewer LOBs fit in fewer; or have the quota raised (Service Quotas, up to 20) and set studio-access:iamQuotas.managedPoliciesPerRole",
    ]);
  });

  it("is checked in the config with the plan's own figures (#22)", () => {
    const values = scaledHubConfig(LOBS);
    const config = parseStackConfig(unprefixed(values), { region: "us-east-1" });
    if (config.kind !== "shared") throw new Error("not a hub");
    const figures = hubQuotaFigures({
      ...config,
      corporate: config.corporate !== undefined,
      roles: hubRolePlans(config).length,
      pulumiConfig: values,
      lobsInline: true,
    });
    const used = Object.fromEntries(quotaUsage(hub, LOBS, values).map((q) => [q.key, q.used]));
    for (const key of [
      "rolesPerAccount",
      "endpointPolicyCharacters",
      "principalsPerResourceShare",
      "principalsPerRegion",
    ] as const)
      expect([key, figures[key]]).toEqual([key, used[key]]);
    // The corporate VPN attaches and routes too; the API's policy with the longest endpoint id.
    for (const key of [
      "attachmentsPerTransitGateway",
      "routesPerTransitGateway",
      "apiResourcePolicyCharacters",
    ] as const)
      expect(figures[key]).toBeGreaterThanOrEqual(used[key] ?? Infinity);
    expect(figures.rolesPerAccount).toBe(LOBS + 6);
  });

  it("uses one endpoint rule and one hub route for every spoke (the supernet), not one each", () => {
    const usage = Object.fromEntries(
      quotaUsage(hub, LOBS, scaledHubConfig(LOBS)).map((q) => [q.key, q.used]),
    );
    expect(usage).toMatchObject({
      securityGroupInboundRules: 2,
      // The supernet, and the corporate range.
      routesPerRouteTable: 2,
      vpcsPerPrivateHostedZone: 201,
      attachmentsPerTransitGateway: 201,
      // The authorizer, the presigner, the lifecycle function, the admin role, API Gateway's
      // logging role, and a deployer role per LOB.
      rolesPerAccount: 206,
      principalsPerResourceShare: 200,
      principalsPerRegion: 200,
      // Each AssumeRole grant is one policy of up to 391 LOB accounts (#22; it was 4 for the
      // presigner's, an ARN per role and LOB), and API Gateway's own on its logging role.
      managedPoliciesPerRole: 1,
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
      'studio-access:lobs is "200 LOBs": expected at most 49 LOBs without spokesSupernet: each needs a hub route (quota 50 per route table, 1 of them taken by clientCidrs) and an endpoint rule (quota 60 per security group); set spokesSupernet to a range holding every LOB\'s vpcCidr and no client range',
    ]);
  });

  it("counts the corporate ranges' routes in the hub VPC's route table, one step over (#22)", () => {
    // The example hub has one client range: 49 LOBs and it fill the 50 routes without a supernet.
    const refusals = (lobs: number, clients: number) => {
      const { "studio-access:spokesSupernet": _, ...config } = scaledHubConfig(lobs);
      const values = {
        ...unprefixed(config),
        ...(clients > 1
          ? {
              clientCidrs: JSON.stringify(
                Array.from({ length: clients }, (_c, i) => `10.200.${String(i)}.0/24`),
              ),
            }
          : {}),
      };
      try {
        parseStackConfig(values, { region: "us-east-1" });
        return [];
      } catch (error) {
        return (error as ConfigError).problems.filter((p) => p.includes("route table"));
      }
    };
    expect(refusals(49, 1)).toEqual([]);
    expect(refusals(50, 1)).toHaveLength(1);
    expect(refusals(45, 5)).toEqual([]);
    expect(refusals(46, 5)[0]).toContain("at most 45 LOBs without spokesSupernet");
    // With the supernet, each corporate range is still a route: 49 fit beside it.
    const withSupernet = (clients: number) => {
      try {
        parseStackConfig(
          {
            ...unprefixed(scaledHubConfig(2)),
            clientCidrs: JSON.stringify(
              Array.from({ length: clients }, (_c, i) => `10.200.${String(i)}.0/24`),
            ),
          },
          { region: "us-east-1" },
        );
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(withSupernet(49)).toEqual([]);
    expect(withSupernet(50)).toEqual([
      'studio-access:clientCidrs is "50 ranges": expected at most 49 ranges: each is a route in the hub VPC\'s route table (quota 50, one taken by spokesSupernet); summarize them into fewer ranges',
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
