import { cidrContains, cidrsOverlap, parseCidr } from "../../components/lib/cidr";
import type { RecordedResource, StackRun } from "./mock-stack";

/**
 * Offline reachability, computed only from the resources the program declares: "from X, does the
 * name N resolve to endpoint E, and can X reach it on port 443?". It follows what AWS would: the
 * private hosted zones associated with X's VPC (or forwarded by the corporate network) and their
 * alias records; X's VPC route table, the transit gateway route table X's attachment is associated
 * with, its propagations and static routes, and the same for the way back; the security groups on
 * both ends. It is an analysis of declared state, not a packet simulation: NACLs (none are
 * declared) and AWS-side faults are out of its scope.
 */

/** Where traffic starts: a corporate range, a spoke's Studio apps, or a hub function. */
export interface Source {
  readonly name: string;
  readonly cidr: string;
  readonly vpcId?: string;
  /** The source's security group (none for the corporate network). */
  readonly securityGroupId?: string;
  /** For the corporate network: its transit gateway attachment and the zones it forwards. */
  readonly attachmentId?: string;
  readonly forwardedZones?: readonly string[];
}

/** Where traffic goes: a hub endpoint reached by name, or a network range. */
export type Target =
  | { readonly kind: "endpoint"; readonly key: string; readonly hostname: string }
  | { readonly kind: "range"; readonly name: string; readonly cidr: string }
  | { readonly kind: "s3" };

export interface Verdict {
  readonly ok: boolean;
  /** Why not, in a few words (empty when reachable). */
  readonly why: string;
}

/** A string input, or "" for anything else (inputs are untyped in the recorded plan). */
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(str) : typeof value === "string" ? [value] : [];

export class Network {
  private readonly all: readonly RecordedResource[];

  constructor(resources: readonly RecordedResource[]) {
    this.all = resources.filter((r) => r.custom);
  }

  private of(type: string): RecordedResource[] {
    return this.all.filter((r) => r.type === type);
  }

  private vpc(id: string | undefined): RecordedResource | undefined {
    return this.of("aws:ec2/vpc:Vpc").find((v) => v.id === id);
  }

  /** The route table of a VPC's subnets (each VPC here has one shared by its subnets). */
  private routeTableOf(vpcId: string): string | undefined {
    return this.of("aws:ec2/routeTable:RouteTable").find((t) => t.inputs.vpcId === vpcId)?.id;
  }

  /** Whether a VPC route table sends `cidr` to the transit gateway (or it is the VPC's own). */
  private vpcRoutes(vpcId: string, cidr: string): "local" | "tgw" | undefined {
    const own = parseCidr(str(this.vpc(vpcId)?.inputs.cidrBlock));
    const dest = parseCidr(cidr);
    if (!own || !dest) return undefined;
    if (cidrContains(own, dest)) return "local";
    const table = this.routeTableOf(vpcId);
    const routed = this.of("aws:ec2/route:Route").some((r) => {
      const block = parseCidr(str(r.inputs.destinationCidrBlock));
      return (
        r.inputs.routeTableId === table &&
        r.inputs.transitGatewayId !== undefined &&
        block !== undefined &&
        cidrContains(block, dest)
      );
    });
    return routed ? "tgw" : undefined;
  }

  private attachmentOfVpc(vpcId: string): string | undefined {
    return this.of("aws:ec2transitgateway/vpcAttachment:VpcAttachment").find(
      (a) => a.inputs.vpcId === vpcId,
    )?.id;
  }

  private cidrOfAttachment(attachmentId: string): string | undefined {
    const attachment = this.of("aws:ec2transitgateway/vpcAttachment:VpcAttachment").find(
      (a) => a.id === attachmentId,
    );
    return attachment
      ? String(this.vpc(String(attachment.inputs.vpcId))?.inputs.cidrBlock)
      : undefined;
  }

  /** Whether the transit gateway forwards traffic arriving on `attachmentId` to `cidr`, and through which attachment. */
  private tgwRoutes(attachmentId: string, cidr: string): string | undefined {
    const dest = parseCidr(cidr);
    const table = this.of("aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation").find(
      (a) => a.inputs.transitGatewayAttachmentId === attachmentId,
    )?.inputs.transitGatewayRouteTableId;
    if (!dest || table === undefined) return undefined;
    const propagated = this.of("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
      .filter((p) => p.inputs.transitGatewayRouteTableId === table)
      .map((p) => String(p.inputs.transitGatewayAttachmentId))
      .find((a) => {
        const block = parseCidr(this.cidrOfAttachment(a) ?? "");
        return block !== undefined && cidrContains(block, dest);
      });
    if (propagated) return propagated;
    const route = this.of("aws:ec2transitgateway/route:Route").find((r) => {
      const block = parseCidr(str(r.inputs.destinationCidrBlock));
      return (
        r.inputs.transitGatewayRouteTableId === table &&
        block !== undefined &&
        cidrContains(block, dest)
      );
    });
    return route ? String(route.inputs.transitGatewayAttachmentId) : undefined;
  }

  /** A path from a source to a destination range in a VPC, both ways; the reason when there is none. */
  private routed(source: Source, destVpcId: string, destCidr: string): string {
    const destAttachment = this.attachmentOfVpc(destVpcId);
    // Out: from the source to the destination's VPC.
    let entry: string | undefined;
    if (source.vpcId) {
      const hop = this.vpcRoutes(source.vpcId, destCidr);
      if (hop === "local") return "";
      if (!hop) return `no route from ${source.name}'s VPC to ${destCidr}`;
      entry = this.attachmentOfVpc(source.vpcId);
    } else {
      entry = source.attachmentId;
    }
    if (!entry) return `${source.name} is not attached to the transit gateway`;
    if (this.tgwRoutes(entry, destCidr) !== destAttachment)
      return `the transit gateway has no route from ${source.name} to ${destCidr}`;
    // Back: from the destination's VPC to the source.
    if (this.vpcRoutes(destVpcId, source.cidr) !== "tgw")
      return `no route back from ${destCidr}'s VPC to ${source.cidr}`;
    if (!destAttachment || this.tgwRoutes(destAttachment, source.cidr) !== entry)
      return `the transit gateway has no route back to ${source.name}`;
    return "";
  }

  private ingressAllows(groupIds: readonly string[], cidr: string, port: number): boolean {
    const from = parseCidr(cidr);
    return this.of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").some((r) => {
      const block = parseCidr(str(r.inputs.cidrIpv4));
      const inRange =
        r.inputs.ipProtocol === "-1" ||
        (r.inputs.ipProtocol === "tcp" &&
          Number(r.inputs.fromPort) <= port &&
          port <= Number(r.inputs.toPort));
      return (
        groupIds.includes(String(r.inputs.securityGroupId)) &&
        inRange &&
        from !== undefined &&
        block !== undefined &&
        cidrContains(block, from)
      );
    });
  }

  private egressAllows(
    groupId: string | undefined,
    peer: { cidr?: string; prefixListId?: string },
    port: number,
  ): boolean {
    if (groupId === undefined) return true;
    const to = peer.cidr ? parseCidr(peer.cidr) : undefined;
    return this.of("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").some((r) => {
      const inRange =
        r.inputs.ipProtocol === "-1" ||
        (r.inputs.ipProtocol === "tcp" &&
          Number(r.inputs.fromPort) <= port &&
          port <= Number(r.inputs.toPort));
      if (r.inputs.securityGroupId !== groupId || !inRange) return false;
      if (peer.prefixListId !== undefined) return r.inputs.prefixListId === peer.prefixListId;
      const block = parseCidr(str(r.inputs.cidrIpv4));
      return (
        to !== undefined &&
        block !== undefined &&
        cidrsOverlap(block, to) &&
        cidrContains(block, to)
      );
    });
  }

  /**
   * Whether a VPC sees a zone through a Route 53 Profile: the VPC is associated with a Profile that
   * holds the zone ("What are Amazon Route 53 Profiles?": the Profile's private hosted zones apply
   * to every VPC associated with it,
   * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/profiles.html), and the Profile is
   * the VPC account's own or shared with that account through RAM ("Working with shared Route 53
   * Profiles", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/sharing-profiles.html).
   */
  private throughProfile(zone: RecordedResource, vpcId: string | undefined): boolean {
    if (vpcId === undefined) return false;
    const vpcAccount = this.of("aws:ec2/vpc:Vpc").find((v) => v.id === vpcId)?.account;
    return this.of("aws:route53/profilesAssociation:ProfilesAssociation")
      .filter((a) => a.inputs.resourceId === vpcId)
      .some((association) => {
        const profile = this.of("aws:route53/profilesProfile:ProfilesProfile").find(
          (p) => p.id === association.inputs.profileId,
        );
        if (!profile) return false;
        const holds = this.of(
          "aws:route53/profilesResourceAssociation:ProfilesResourceAssociation",
        ).some((r) => r.inputs.profileId === profile.id && r.inputs.resourceArn === zone.state.arn);
        const shares = this.of("aws:ram/resourceAssociation:ResourceAssociation")
          .filter((r) => r.inputs.resourceArn === profile.state.arn)
          .map((r) => r.inputs.resourceShareArn);
        const shared =
          profile.account === vpcAccount ||
          this.of("aws:ram/principalAssociation:PrincipalAssociation").some(
            (p) => shares.includes(p.inputs.resourceShareArn) && p.inputs.principal === vpcAccount,
          );
        return holds && shared;
      });
  }

  /** The endpoint a name resolves to from a source, through the zones it can see. */
  private resolve(source: Source, hostname: string): RecordedResource | undefined {
    const zones = this.of("aws:route53/zone:Zone").filter((z) => {
      const name = String(z.inputs.name);
      if (hostname !== name && !hostname.endsWith(`.${name}`)) return false;
      if (source.forwardedZones) return source.forwardedZones.includes(name);
      const inline = (z.inputs.vpcs as { vpcId: string }[] | undefined) ?? [];
      return (
        inline.some((v) => v.vpcId === source.vpcId) ||
        this.of("aws:route53/zoneAssociation:ZoneAssociation").some(
          (a) => a.inputs.zoneId === z.id && a.inputs.vpcId === source.vpcId,
        ) ||
        this.throughProfile(z, source.vpcId)
      );
    });
    for (const zone of zones) {
      const record = this.of("aws:route53/record:Record").find(
        (r) =>
          r.inputs.zoneId === zone.id &&
          (r.inputs.name === hostname ||
            (String(r.inputs.name).startsWith("*.") &&
              hostname.endsWith(String(r.inputs.name).slice(1)))),
      );
      const alias = (record?.inputs.aliases as { name: string }[] | undefined)?.[0]?.name;
      const endpoint = this.of("aws:ec2/vpcEndpoint:VpcEndpoint").find((e) =>
        ((e.state.dnsEntries as { dnsName: string }[] | undefined) ?? []).some(
          (d) => d.dnsName === alias,
        ),
      );
      if (endpoint) return endpoint;
    }
    return undefined;
  }

  /** Can `source` reach `target` on 443? */
  reach(source: Source, target: Target): Verdict {
    if (target.kind === "s3") {
      const gateway = this.of("aws:ec2/vpcEndpoint:VpcEndpoint").find(
        (e) =>
          e.inputs.vpcEndpointType === "Gateway" &&
          String(e.inputs.serviceName).endsWith(".s3") &&
          e.inputs.vpcId === source.vpcId,
      );
      if (!gateway || !source.vpcId) return { ok: false, why: "no S3 gateway endpoint in its VPC" };
      if (!list(gateway.inputs.routeTableIds).includes(this.routeTableOf(source.vpcId) ?? ""))
        return { ok: false, why: "the S3 gateway endpoint is not on its route table" };
      if (
        !this.egressAllows(
          source.securityGroupId,
          { prefixListId: String(gateway.state.prefixListId) },
          443,
        )
      )
        return { ok: false, why: "its security group does not allow HTTPS to S3" };
      return { ok: true, why: "" };
    }
    if (target.kind === "range") {
      const dest = this.of("aws:ec2/vpc:Vpc").find((v) => v.inputs.cidrBlock === target.cidr);
      if (!dest) {
        // A range outside every VPC (the corporate network): reachable only through a TGW route.
        const entry = source.vpcId ? this.attachmentOfVpc(source.vpcId) : source.attachmentId;
        const viaVpc = source.vpcId ? this.vpcRoutes(source.vpcId, target.cidr) : "tgw";
        if (viaVpc !== "tgw" || !entry || !this.tgwRoutes(entry, target.cidr))
          return { ok: false, why: `no route from ${source.name} to ${target.cidr}` };
        return { ok: true, why: "" };
      }
      const why = this.routed(source, dest.id, target.cidr);
      return { ok: why === "", why };
    }
    const endpoint = this.resolve(source, target.hostname);
    if (!endpoint)
      return { ok: false, why: `${target.hostname} does not resolve to a hub endpoint` };
    if (endpoint.name !== `hub-${target.key}`)
      return {
        ok: false,
        why: `${target.hostname} resolves to ${endpoint.name}, not hub-${target.key}`,
      };
    const vpcId = String(endpoint.inputs.vpcId);
    const cidr = str(this.vpc(vpcId)?.inputs.cidrBlock);
    const why = this.routed(source, vpcId, cidr);
    if (why) return { ok: false, why };
    if (!this.egressAllows(source.securityGroupId, { cidr }, 443))
      return { ok: false, why: `${source.name}'s security group does not allow HTTPS to ${cidr}` };
    if (!this.ingressAllows(list(endpoint.inputs.securityGroupIds), source.cidr, 443))
      return {
        ok: false,
        why: `the endpoint's security groups do not admit ${source.cidr} on 443`,
      };
    return { ok: true, why: "" };
  }
}

export interface MatrixRow {
  readonly from: string;
  readonly to: string;
  readonly verdict: Verdict;
  /** What the design intends: true where the source must reach the target, false where it must not. */
  readonly expected: boolean;
}

/**
 * The questions that matter, asked of the planned stacks: the corporate network to the API and
 * Studio (and not to the AWS APIs), each spoke to the hub's AWS APIs, S3, other spokes and the
 * corporate network, and the presigner to what it calls.
 */
export function reachabilityMatrix(shared: StackRun, lobs: readonly StackRun[]): MatrixRow[] {
  const network = new Network([shared, ...lobs].flatMap((run) => run.resources));
  const region = String(shared.outputs.region);
  const byName = (run: StackRun, type: string, name: string) =>
    run.resources.find((r) => r.type === type && r.name === name);
  const hubVpc = byName(shared, "aws:ec2/vpc:Vpc", "hub-vpc");
  const apiId = byName(shared, "aws:apigateway/restApi:RestApi", "access-api")?.id ?? "api";
  const endpoint = (key: string, hostname: string): Target => ({ kind: "endpoint", key, hostname });
  // The API's private custom domain name (apiDomain), when the hub has one.
  const apiDomain = shared.resources.find((r) => r.type === "aws:apigateway/domainName:DomainName");
  const apiDomainTarget = apiDomain
    ? ([
        `${String(apiDomain.inputs.domainName)} (the API's custom domain)`,
        endpoint("execute-api", String(apiDomain.inputs.domainName)),
      ] as const)
    : undefined;
  const awsApis: [string, Target][] = [
    ["sagemaker.api", endpoint("sagemaker-api", `api.sagemaker.${region}.amazonaws.com`)],
    [
      "sagemaker.runtime",
      endpoint("sagemaker-runtime", `runtime.sagemaker.${region}.amazonaws.com`),
    ],
    ["sts", endpoint("sts", `sts.${region}.amazonaws.com`)],
    ["logs", endpoint("logs", `logs.${region}.amazonaws.com`)],
  ];
  const corporate = shared.outputs.corporate as
    | { transitGatewayAttachmentId: string; clientCidrs: string[]; zonesToForward: string[] }
    | undefined;
  const spokes = lobs.map((run) => {
    const lob = String(run.outputs.lob);
    const vpc = byName(run, "aws:ec2/vpc:Vpc", `${lob}-vpc`);
    return {
      lob,
      domainId: String(run.outputs.domainId),
      source: {
        name: `spoke ${lob}`,
        cidr: String(vpc?.inputs.cidrBlock),
        vpcId: vpc?.id,
        securityGroupId: byName(run, "aws:ec2/securityGroup:SecurityGroup", `${lob}-studio`)?.id,
      } satisfies Source,
    };
  });
  const rows: MatrixRow[] = [];
  // `expected`: the design's answer (corporate to the API and Studio only; spokes to the hub's AWS
  // APIs and S3 only; the presigner to what it calls), so a plan tells a refusal by design from a
  // broken path, and a path that should not be there.
  const ask = (source: Source, label: string, target: Target, expected: boolean) =>
    rows.push({ from: source.name, to: label, verdict: network.reach(source, target), expected });

  for (const cidr of corporate?.clientCidrs ?? []) {
    const source: Source = {
      name: `corporate ${cidr}`,
      cidr,
      attachmentId: corporate?.transitGatewayAttachmentId,
      forwardedZones: corporate?.zonesToForward,
    };
    ask(
      source,
      "execute-api (the API)",
      endpoint("execute-api", `${apiId}.execute-api.${region}.amazonaws.com`),
      true,
    );
    if (apiDomainTarget) ask(source, ...apiDomainTarget, true);
    const domain = spokes[0]?.domainId ?? "d-x";
    ask(source, "studio", endpoint("studio", `${domain}.studio.${region}.sagemaker.aws`), true);
    ask(source, "sts", endpoint("sts", `sts.${region}.amazonaws.com`), false);
    for (const spoke of spokes)
      ask(
        source,
        `spoke ${spoke.lob}`,
        { kind: "range", name: spoke.lob, cidr: spoke.source.cidr },
        false,
      );
  }
  for (const spoke of spokes) {
    for (const [label, target] of awsApis) ask(spoke.source, label, target, true);
    ask(spoke.source, "s3 (gateway)", { kind: "s3" }, true);
    // The name resolves in the hub VPC and for the corporate network only: not from a spoke.
    if (apiDomainTarget) ask(spoke.source, ...apiDomainTarget, false);
    for (const other of spokes.filter((o) => o !== spoke))
      ask(
        spoke.source,
        `spoke ${other.lob}`,
        { kind: "range", name: other.lob, cidr: other.source.cidr },
        false,
      );
    for (const cidr of corporate?.clientCidrs ?? [])
      ask(spoke.source, `corporate ${cidr}`, { kind: "range", name: "corporate", cidr }, false);
  }
  const presigner: Source = {
    name: "presigner",
    cidr: String(hubVpc?.inputs.cidrBlock),
    vpcId: hubVpc?.id,
    securityGroupId: byName(shared, "aws:ec2/securityGroup:SecurityGroup", "access-presigner")?.id,
  };
  ask(presigner, "sts", endpoint("sts", `sts.${region}.amazonaws.com`), true);
  ask(
    presigner,
    "sagemaker.api",
    endpoint("sagemaker-api", `api.sagemaker.${region}.amazonaws.com`),
    true,
  );
  ask(
    presigner,
    "cognito-idp",
    endpoint("cognito-idp", `cognito-idp.${region}.amazonaws.com`),
    true,
  );
  return rows;
}

/** What the matrix's marks mean, printed above it. */
export const MATRIX_LEGEND = [
  "  ✓ reaches, as designed   ✗ refused, as designed (the reason follows)",
  "  ! UNEXPECTED: a path the design refuses reaches, or one it needs is refused (fix before deploying)",
];

/**
 * The matrix as `npm run plan` prints it: the legend, then one line per question, ✓ or ✗ and why
 * not, marked `!` and UNEXPECTED where the answer is not the design's.
 */
export function formatMatrix(rows: readonly MatrixRow[]): string[] {
  const width = Math.max(...rows.map((r) => r.from.length));
  const unexpected = rows.filter((r) => r.verdict.ok !== r.expected).length;
  return [
    ...MATRIX_LEGEND,
    ...rows.map((r) => {
      const surprise = r.verdict.ok !== r.expected;
      const line = `${surprise ? "!" : " "} ${r.verdict.ok ? "✓" : "✗"} ${r.from.padEnd(width)} -> ${r.to}${r.verdict.ok ? "" : `  (${r.verdict.why})`}`;
      return surprise ? `${line}  UNEXPECTED: should ${r.expected ? "reach" : "be refused"}` : line;
    }),
    unexpected === 0
      ? "  every answer is the designed one"
      : `  ${String(unexpected)} UNEXPECTED ${unexpected === 1 ? "answer" : "answers"} (marked !)`,
  ];
}
