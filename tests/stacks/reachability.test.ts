import type { RecordedResource, StackRun } from "../../scripts/lib/mock-stack";
import {
  formatMatrix,
  MATRIX_LEGEND,
  Network,
  reachabilityMatrix,
  type Source,
} from "../../scripts/lib/reachability";
import { one, planRepositoryStacks, type Planned } from "../helpers/stacks";

let planned: Planned;
beforeAll(async () => {
  planned = await planRepositoryStacks();
}, 60_000);

const matrix = (runs: Planned = planned) =>
  Object.fromEntries(
    reachabilityMatrix(runs.shared, [runs.lobA, runs.lobB]).map((r) => [
      `${r.from} -> ${r.to}`,
      r.verdict.ok,
    ]),
  );

/** The planned stacks with the resources `drop` matches removed, as if the program forgot them. */
function without(drop: (r: RecordedResource) => boolean): Planned {
  const strip = (run: StackRun): StackRun => ({
    ...run,
    resources: run.resources.filter((r) => !drop(r)),
  });
  return { shared: strip(planned.shared), lobA: strip(planned.lobA), lobB: strip(planned.lobB) };
}

describe("reachability computed from the planned stacks", () => {
  it("answers exactly: corporate to the API and Studio only; spokes to the hub's AWS APIs and S3, never each other or the corporate network; the presigner to what it calls", () => {
    expect(matrix()).toEqual({
      "corporate 10.200.0.0/16 -> execute-api (the API)": true,
      "corporate 10.200.0.0/16 -> studio.corp.example.com (the API's custom domain)": true,
      "corporate 10.200.0.0/16 -> studio": true,
      "corporate 10.200.0.0/16 -> sts": false,
      "corporate 10.200.0.0/16 -> spoke lob-a": false,
      "corporate 10.200.0.0/16 -> spoke lob-b": false,
      "spoke lob-a -> sagemaker.api": true,
      "spoke lob-a -> sagemaker.runtime": true,
      "spoke lob-a -> sts": true,
      "spoke lob-a -> logs": true,
      "spoke lob-a -> s3 (gateway)": true,
      "spoke lob-a -> studio.corp.example.com (the API's custom domain)": false,
      "spoke lob-a -> spoke lob-b": false,
      "spoke lob-a -> corporate 10.200.0.0/16": false,
      "spoke lob-b -> sagemaker.api": true,
      "spoke lob-b -> sagemaker.runtime": true,
      "spoke lob-b -> sts": true,
      "spoke lob-b -> logs": true,
      "spoke lob-b -> s3 (gateway)": true,
      "spoke lob-b -> studio.corp.example.com (the API's custom domain)": false,
      "spoke lob-b -> spoke lob-a": false,
      "spoke lob-b -> corporate 10.200.0.0/16": false,
      "presigner -> sts": true,
      "presigner -> sagemaker.api": true,
      "presigner -> cognito-idp": true,
    });
  });

  it("keeps the corporate network off the AWS API endpoints even when its DNS resolves them (security groups)", () => {
    const network = new Network(
      [planned.shared, planned.lobA, planned.lobB].flatMap((run) => run.resources),
    );
    const corporate = planned.shared.outputs.corporate as { transitGatewayAttachmentId: string };
    const source: Source = {
      name: "corporate",
      cidr: "10.200.0.0/16",
      attachmentId: corporate.transitGatewayAttachmentId,
      forwardedZones: ["sts.us-east-1.amazonaws.com", "api.sagemaker.us-east-1.amazonaws.com"],
    };
    for (const [key, hostname] of [
      ["sts", "sts.us-east-1.amazonaws.com"],
      ["sagemaker-api", "api.sagemaker.us-east-1.amazonaws.com"],
    ] as const) {
      expect(network.reach(source, { kind: "endpoint", key, hostname })).toEqual({
        ok: false,
        why: "the endpoint's security groups do not admit 10.200.0.0/16 on 443",
      });
    }
  });

  it("loses a spoke's path to the hub APIs without its default route", () => {
    const broken = matrix(
      without((r) => r.type === "aws:ec2/route:Route" && r.name === "lob-a-default"),
    );
    expect(broken["spoke lob-a -> sts"]).toBe(false);
    expect(broken["spoke lob-b -> sts"]).toBe(true);
  });

  it("loses every spoke's way back without the hub's route to the spokes", () => {
    const broken = matrix(
      without((r) => r.type === "aws:ec2/route:Route" && r.name === "hub-to-lob-a"),
    );
    expect(broken["spoke lob-a -> sagemaker.api"]).toBe(false);
    expect(broken["spoke lob-b -> sagemaker.api"]).toBe(true);
  });

  it("loses the spokes' path without the hub attachment's propagation into the spokes table", () => {
    const broken = matrix(
      without(
        (r) =>
          r.type === "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation" &&
          r.name === "hub-tgw-hub-vpc-to-spokes",
      ),
    );
    expect(broken["spoke lob-a -> logs"]).toBe(false);
    expect(broken["spoke lob-b -> logs"]).toBe(false);
  });

  it("loses a spoke's HTTPS to the endpoints without its endpoint rule", () => {
    const broken = matrix(
      without(
        (r) =>
          r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
          r.name === "hub-endpoints-https-lob-b",
      ),
    );
    expect(broken["spoke lob-b -> sagemaker.runtime"]).toBe(false);
    expect(broken["spoke lob-a -> sagemaker.runtime"]).toBe(true);
  });

  it("loses the names in a spoke without its zone association", () => {
    const broken = matrix(
      without(
        (r) => r.type === "aws:route53/zoneAssociation:ZoneAssociation" && r.name === "lob-a-sts",
      ),
    );
    expect(broken["spoke lob-a -> sts"]).toBe(false);
    expect(broken["spoke lob-a -> logs"]).toBe(true);
  });

  // Issue #22: the hub's zones shared through one Route 53 Profile instead of per-VPC associations.
  describe("with dnsSharing: profile", () => {
    let profile: Planned;
    beforeAll(async () => {
      profile = await planRepositoryStacks({ shared: { "studio-access:dnsSharing": "profile" } });
    }, 120_000);
    const stripped = (drop: (r: RecordedResource) => boolean): Planned => {
      const strip = (run: StackRun): StackRun => ({
        ...run,
        resources: run.resources.filter((r) => !drop(r)),
      });
      return {
        shared: strip(profile.shared),
        lobA: strip(profile.lobA),
        lobB: strip(profile.lobB),
      };
    };

    it("answers the same matrix as with zone associations, with none made", () => {
      expect(
        [profile.lobA, profile.lobB].flatMap((run) =>
          run.resources.filter((r) => r.type === "aws:route53/zoneAssociation:ZoneAssociation"),
        ),
      ).toEqual([]);
      expect(matrix(profile)).toEqual(matrix());
    });

    it("loses every hub name in a spoke without its Profile association (the control)", () => {
      const broken = matrix(
        stripped(
          (r) =>
            r.type === "aws:route53/profilesAssociation:ProfilesAssociation" &&
            r.name === "lob-a-dns-profile",
        ),
      );
      for (const name of ["sagemaker.api", "sagemaker.runtime", "sts", "logs"]) {
        expect(broken[`spoke lob-a -> ${name}`]).toBe(false);
        expect(broken[`spoke lob-b -> ${name}`]).toBe(true);
      }
    });

    it("loses a name whose zone the Profile does not hold, and all of them unshared with the LOB's account", () => {
      const unheld = matrix(
        stripped(
          (r) =>
            r.type === "aws:route53/profilesResourceAssociation:ProfilesResourceAssociation" &&
            r.name === "hub-dns-profile-sts",
        ),
      );
      expect(unheld["spoke lob-a -> sts"]).toBe(false);
      expect(unheld["spoke lob-a -> logs"]).toBe(true);
      const unshared = matrix(
        stripped(
          (r) =>
            r.type === "aws:ram/principalAssociation:PrincipalAssociation" &&
            r.name === "hub-dns-profile-share-lob-b",
        ),
      );
      expect(unshared["spoke lob-b -> sts"]).toBe(false);
      expect(unshared["spoke lob-a -> sts"]).toBe(true);
    });
  });

  it("loses the API's custom domain for the corporate network without its zone or its record (#20)", () => {
    const domain = "corporate 10.200.0.0/16 -> studio.corp.example.com (the API's custom domain)";
    for (const type of ["aws:route53/zone:Zone", "aws:route53/record:Record"])
      expect(
        matrix(without((r) => r.type === type && r.name === "access-api-domain"))[domain],
      ).toBe(false);
    // Not forwarded by the corporate resolvers: the name does not resolve there.
    const corporate = planned.shared.outputs.corporate as { zonesToForward: string[] };
    expect(corporate.zonesToForward).toContain("studio.corp.example.com");
    const unforwarded = {
      ...planned,
      shared: {
        ...planned.shared,
        outputs: {
          ...planned.shared.outputs,
          corporate: {
            ...corporate,
            zonesToForward: corporate.zonesToForward.filter((z) => z !== "studio.corp.example.com"),
          },
        },
      },
    };
    expect(matrix(unforwarded)[domain]).toBe(false);
    expect(matrix(unforwarded)["corporate 10.200.0.0/16 -> execute-api (the API)"]).toBe(true);
  });

  it("loses the corporate network's way back without the hub table's route to it", () => {
    const broken = matrix(without((r) => r.type === "aws:ec2transitgateway/route:Route"));
    expect(broken["corporate 10.200.0.0/16 -> execute-api (the API)"]).toBe(false);
  });

  it("would let a spoke reach another if the spokes table also propagated the spokes (the analysis can say yes)", () => {
    const spokesTable = planned.shared.outputs.spokesTgwRouteTableId;
    const leak = (run: StackRun, lob: string): RecordedResource => ({
      type: "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
      name: `leak-${lob}`,
      custom: true,
      id: `leak-${lob}`,
      state: {},
      inputs: {
        transitGatewayAttachmentId: one(
          run,
          "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
          `${lob}-tgw`,
        ).id,
        transitGatewayRouteTableId: spokesTable,
      },
    });
    const leaky: Planned = {
      ...planned,
      shared: {
        ...planned.shared,
        resources: [
          ...planned.shared.resources,
          leak(planned.lobA, "lob-a"),
          leak(planned.lobB, "lob-b"),
        ],
      },
    };
    expect(matrix(leaky)["spoke lob-a -> spoke lob-b"]).toBe(true);
  });
});

describe("the plan's matrix as printed (#20: a legend, and what marks an unexpected answer)", () => {
  const printed = (runs: Planned) =>
    formatMatrix(reachabilityMatrix(runs.shared, [runs.lobA, runs.lobB]));

  it("starts with the legend; every answer of the planned stacks is the designed one, so none is marked", () => {
    const lines = printed(planned);
    expect(lines.slice(0, 2)).toEqual(MATRIX_LEGEND);
    expect(MATRIX_LEGEND.join("\n")).toMatch(/✓ reaches, as designed .*✗ refused, as designed/);
    expect(MATRIX_LEGEND.join("\n")).toContain("! UNEXPECTED");
    expect(lines).toContain(
      "  ✗ corporate 10.200.0.0/16 -> sts  (sts.us-east-1.amazonaws.com does not resolve to a hub endpoint)",
    );
    expect(lines.filter((l) => l.startsWith("!"))).toEqual([]);
    expect(lines.at(-1)).toBe("  every answer is the designed one");
  });

  it("marks a needed path that is refused, and a refused path that reaches, as UNEXPECTED", () => {
    const spokesTable = planned.shared.outputs.spokesTgwRouteTableId;
    // The spokes table learns both spokes (they reach each other), and lob-b's endpoint rule is gone.
    const leak = (run: StackRun, lob: string): RecordedResource => ({
      type: "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
      name: `leak-${lob}`,
      custom: true,
      id: `leak-${lob}`,
      state: {},
      inputs: {
        transitGatewayAttachmentId: one(
          run,
          "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
          `${lob}-tgw`,
        ).id,
        transitGatewayRouteTableId: spokesTable,
      },
    });
    const broken: Planned = {
      ...planned,
      shared: {
        ...planned.shared,
        resources: [
          ...planned.shared.resources.filter(
            (r) =>
              !(
                r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
                r.name === "hub-endpoints-https-lob-b"
              ),
          ),
          leak(planned.lobA, "lob-a"),
          leak(planned.lobB, "lob-b"),
        ],
      },
    };
    const marked = printed(broken).filter((l) => l.startsWith("!"));
    expect(marked).toContainEqual(
      expect.stringMatching(/^! ✗ spoke lob-b +-> sts {2}\(.*\) {2}UNEXPECTED: should reach$/),
    );
    expect(marked).toContainEqual(
      expect.stringMatching(/^! ✓ spoke lob-b +-> spoke lob-a {2}UNEXPECTED: should be refused$/),
    );
    expect(printed(broken).at(-1)).toBe(`  ${String(marked.length)} UNEXPECTED answers (marked !)`);
  });
});
