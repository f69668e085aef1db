/**
 * The central interface endpoints and the private hosted zone that makes each one resolvable
 * (DESIGN §4). Private DNS is off on every endpoint: these zones do its job, and they can be
 * associated with spoke VPCs in other accounts, which private DNS cannot.
 */
export interface EndpointService {
  /** Stable key: child resource names and stack outputs use it, never a list index. */
  readonly key: string;
  /** The VPC endpoint service name. */
  readonly serviceName: string;
  /** The private hosted zone that overrides the service's public name. */
  readonly zoneName: string;
  /** `apex`: the zone name itself resolves to the endpoint; `wildcard`: every name under it does. */
  readonly record: "apex" | "wildcard";
  /** Who resolves the zone: the hub and every spoke, or the hub alone. */
  readonly audience: "hub-and-spokes" | "hub";
  /** Whether corporate client ranges reach this endpoint (the API and Studio only). */
  readonly clients: boolean;
}

export type CoreEndpointKey =
  | "sagemaker-api"
  | "sagemaker-runtime"
  | "studio"
  | "execute-api"
  | "sts"
  | "logs"
  | "cognito-idp"
  | "lambda";

/**
 * Endpoints a LOB's Studio may need beyond the core ones, added with the hub's `extraEndpoints`
 * (by the name after `com.amazonaws.<region>.`): container images, Service Catalog.
 */
export const EXTRA_ENDPOINTS = ["ecr.api", "ecr.dkr", "servicecatalog"] as const;
export type ExtraEndpoint = (typeof EXTRA_ENDPOINTS)[number];

export type EndpointKey = CoreEndpointKey | "ecr-api" | "ecr-dkr" | "servicecatalog";

function extraEndpoint(
  region: string,
  name: ExtraEndpoint,
): EndpointService & { key: EndpointKey } {
  const common = { audience: "hub-and-spokes", clients: false } as const;
  switch (name) {
    case "ecr.api":
      return {
        key: "ecr-api",
        serviceName: `com.amazonaws.${region}.ecr.api`,
        zoneName: `api.ecr.${region}.amazonaws.com`,
        record: "apex",
        ...common,
      };
    case "ecr.dkr":
      // Registries are <account>.dkr.ecr.<region>.amazonaws.com: every name under the zone.
      return {
        key: "ecr-dkr",
        serviceName: `com.amazonaws.${region}.ecr.dkr`,
        zoneName: `dkr.ecr.${region}.amazonaws.com`,
        record: "wildcard",
        ...common,
      };
    case "servicecatalog":
      return {
        key: "servicecatalog",
        serviceName: `com.amazonaws.${region}.servicecatalog`,
        zoneName: `servicecatalog.${region}.amazonaws.com`,
        record: "apex",
        ...common,
      };
  }
}

/** The core endpoints, then the extra ones asked for, in the order given. */
export function endpointServices(
  region: string,
  extras: readonly ExtraEndpoint[] = [],
): readonly (EndpointService & { key: EndpointKey })[] {
  return [...coreEndpoints(region), ...extras.map((name) => extraEndpoint(region, name))];
}

function coreEndpoints(region: string): readonly (EndpointService & { key: EndpointKey })[] {
  return [
    {
      key: "sagemaker-api",
      serviceName: `com.amazonaws.${region}.sagemaker.api`,
      zoneName: `api.sagemaker.${region}.amazonaws.com`,
      record: "apex",
      audience: "hub-and-spokes",
      clients: false,
    },
    {
      key: "sagemaker-runtime",
      serviceName: `com.amazonaws.${region}.sagemaker.runtime`,
      zoneName: `runtime.sagemaker.${region}.amazonaws.com`,
      record: "apex",
      audience: "hub-and-spokes",
      clients: false,
    },
    {
      key: "studio",
      serviceName: `aws.sagemaker.${region}.studio`,
      zoneName: `studio.${region}.sagemaker.aws`,
      record: "wildcard",
      audience: "hub-and-spokes",
      clients: true,
    },
    {
      key: "execute-api",
      serviceName: `com.amazonaws.${region}.execute-api`,
      zoneName: `execute-api.${region}.amazonaws.com`,
      record: "wildcard",
      audience: "hub-and-spokes",
      clients: true,
    },
    {
      key: "sts",
      serviceName: `com.amazonaws.${region}.sts`,
      zoneName: `sts.${region}.amazonaws.com`,
      record: "apex",
      audience: "hub-and-spokes",
      clients: false,
    },
    {
      key: "logs",
      serviceName: `com.amazonaws.${region}.logs`,
      zoneName: `logs.${region}.amazonaws.com`,
      record: "apex",
      audience: "hub-and-spokes",
      clients: false,
    },
    {
      // The presigner fetches the pool's signing keys (JWKS) from the isolated hub VPC.
      key: "cognito-idp",
      serviceName: `com.amazonaws.${region}.cognito-idp`,
      zoneName: `cognito-idp.${region}.amazonaws.com`,
      record: "apex",
      audience: "hub",
      clients: false,
    },
    {
      // The lifecycle function invokes a LOB's home-directory function (homeDirectories: remove).
      key: "lambda",
      serviceName: `com.amazonaws.${region}.lambda`,
      zoneName: `lambda.${region}.amazonaws.com`,
      record: "apex",
      audience: "hub",
      clients: false,
    },
  ];
}

/** The record name for a service's zone: the apex, or a wildcard under it. */
export function recordName(service: EndpointService): string {
  return service.record === "apex" ? service.zoneName : `*.${service.zoneName}`;
}

export interface DnsEntry {
  readonly dnsName?: string;
  readonly hostedZoneId?: string;
}

// Regional: vpce-0123abcd-wxyz.sts.us-east-1.vpce.amazonaws.com (some services prefix "*.").
// Zonal:    vpce-0123abcd-wxyz-us-east-1a.sts.us-east-1.vpce.amazonaws.com
// AWS PrivateLink guide, "Access an AWS service using an interface VPC endpoint", DNS hostnames:
// https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-dns-hostnames
// A service may list its regional name both bare and under a wildcard (S3's interface endpoints
// do: "*.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com", Amazon S3 guide, "AWS PrivateLink
// for Amazon S3"); both stand for the same regional name.
const REGIONAL_ENTRY = /^(?:\*\.)?(vpce-[0-9a-f]+-[0-9a-z]+\..+)$/;

/**
 * Picks the endpoint's regional DNS entry by its shape (the zonal entries carry an AZ in the
 * first label). The references took `DnsEntries[0]`, whose order AWS does not promise. The bare
 * form and the `*.` form of the same regional name are one entry: the alias targets the bare
 * name. Two different regional names are refused rather than guessed between.
 */
export function regionalDnsEntry(entries: readonly DnsEntry[]): {
  dnsName: string;
  hostedZoneId: string;
} {
  const regional = new Map<string, { dnsName: string; hostedZoneId: string }>();
  for (const entry of entries) {
    const match = REGIONAL_ENTRY.exec(entry.dnsName ?? "");
    if (!match?.[1] || !entry.hostedZoneId) continue;
    const found = { dnsName: match[1], hostedZoneId: entry.hostedZoneId };
    regional.set(`${found.dnsName} ${found.hostedZoneId}`, found);
  }
  const [only] = regional.values();
  if (regional.size !== 1 || !only) {
    const names = entries.map((e) => e.dnsName ?? "?").join(", ");
    throw new Error(
      `expected exactly one regional DNS entry among [${names}], found ${String(regional.size)}`,
    );
  }
  return only;
}

/**
 * The AZ ids a hub can use: those of the region's zones that need no opt-in (no Local Zones) and
 * in which every interface endpoint service is offered, in id order. Fewer than `count` is an
 * error naming each left-out zone and the services it lacks: an endpoint subnet in such a zone
 * would fail with "does not support the availability zone of the subnet".
 */
export function eligibleAvailabilityZones(args: {
  region: string;
  count: number;
  /** Zones needing no opt-in, as getAvailabilityZones lists them: names and ids in step. */
  zones: { readonly names: readonly string[]; readonly zoneIds: readonly string[] };
  /** Each interface service's zones (names), as getVpcEndpointService lists them. */
  services: readonly { readonly serviceName: string; readonly zoneNames: readonly string[] }[];
}): string[] {
  const missing = new Map<string, string[]>();
  const eligible: string[] = [];
  args.zones.names.forEach((zoneName, i) => {
    const id = args.zones.zoneIds[i];
    if (id === undefined) return;
    const lacking = args.services
      .filter((s) => !s.zoneNames.includes(zoneName))
      .map((s) => s.serviceName);
    if (lacking.length === 0) eligible.push(id);
    else missing.set(id, lacking);
  });
  eligible.sort();
  if (eligible.length < args.count) {
    const left = [...missing].map(([id, services]) => `${id} lacks ${services.join(", ")}`);
    throw new Error(
      `${args.region} has ${String(eligible.length)} AZs without opt-in that offer every endpoint service ` +
        `(${eligible.join(", ") || "none"}); availabilityZones asks for ${String(args.count)}` +
        (left.length > 0 ? `. Left out: ${left.join("; ")}` : ""),
    );
  }
  return eligible.slice(0, args.count);
}
