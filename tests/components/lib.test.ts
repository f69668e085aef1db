import {
  cidrsOverlap,
  firstEarlierOverlaps,
  formatCidr,
  parseCidr,
  splitCidr,
} from "../../components/lib/cidr";
import { endpointServices, recordName, regionalDnsEntry } from "../../components/lib/endpoints";

describe("CIDR helpers", () => {
  it.each([
    ["10.0.0.0/16", { base: 167772160, prefix: 16 }],
    ["192.168.10.0/24", { base: 3232238080, prefix: 24 }],
    ["0.0.0.0/0", { base: 0, prefix: 0 }],
  ])("parses %s", (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
    expect(formatCidr(expected)).toBe(text);
  });

  it.each([
    "10.0.0.1/16",
    "10.0.0.0/33",
    "256.0.0.0/8",
    "10.0.0.0",
    "10.0.0/16",
    " 10.0.0.0/16",
    "10.0.0.0/16 ",
  ])("refuses %p", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each([
    ["10.0.0.0/16", 2, ["10.0.0.0/17", "10.0.128.0/17"]],
    ["10.0.0.0/16", 3, ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]],
    ["10.1.0.0/24", 4, ["10.1.0.0/26", "10.1.0.64/26", "10.1.0.128/26", "10.1.0.192/26"]],
    [
      "10.2.0.0/16",
      6,
      [
        "10.2.0.0/19",
        "10.2.32.0/19",
        "10.2.64.0/19",
        "10.2.96.0/19",
        "10.2.128.0/19",
        "10.2.160.0/19",
      ],
    ],
  ])("splits %s into %i subnets", (vpc, count, expected) => {
    expect(splitCidr(vpc, count)).toEqual(expected);
  });

  it("refuses to split a range into subnets smaller than /28", () => {
    expect(() => splitCidr("10.0.0.0/27", 4)).toThrow(
      "10.0.0.0/27 is too small for 4 subnets of at least /28",
    );
  });

  it.each([
    ["10.0.0.0/16", "10.0.255.0/24", true],
    ["10.0.0.0/16", "10.1.0.0/16", false],
    ["10.0.0.0/8", "10.200.0.0/16", true],
    ["10.0.0.0/17", "10.0.128.0/17", false],
  ])("%s and %s overlap: %s", (a, b, expected) => {
    expect(cidrsOverlap(parseCidr(a)!, parseCidr(b)!)).toBe(expected);
  });

  // The config's overlap check before it was made O(n log n): every pair, in order.
  const everyPair = (cidrs: readonly string[]) =>
    cidrs.map((text, i) => {
      const parsed = parseCidr(text);
      const earlier = cidrs.slice(0, i).findIndex((other) => {
        const o = parseCidr(other);
        return parsed && o && cidrsOverlap(parsed, o);
      });
      return earlier === -1 ? undefined : earlier;
    });

  it("names, for each range, the first earlier one it overlaps", () => {
    const cidrs = ["10.0.0.0/16", "10.1.0.0/16", "10.0.8.0/24", "10.0.0.0/8", "bad", "10.1.0.0/16"];
    expect(firstEarlierOverlaps(cidrs)).toEqual([undefined, undefined, 0, 0, undefined, 1]);
    expect(firstEarlierOverlaps([])).toEqual([]);
  });

  it("agrees with comparing every pair, on 2,000 random lists of nested, equal and apart ranges", () => {
    // A seeded generator (mulberry32), so a failure can be replayed.
    let seed = 22;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const pick = (n: number) => Math.floor(random() * n);
    for (let list = 0; list < 2000; list++) {
      const cidrs = Array.from({ length: pick(40) }, () => {
        if (random() < 0.05) return ["not a range", "10.0.0.1/24", "10.0.0.0/33"][pick(3)]!;
        // Ranges inside 10.0.0.0/12, /12 to /24: nested and equal ones are common.
        const prefix = 12 + pick(13);
        const size = 2 ** (32 - prefix);
        const base = parseCidr("10.0.0.0/12")!.base + pick(2 ** 20 / size) * size;
        return formatCidr({ base, prefix });
      });
      expect([cidrs, firstEarlierOverlaps(cidrs)]).toEqual([cidrs, everyPair(cidrs)]);
    }
  });
});

describe("central endpoint services and their zones", () => {
  it("names every service, zone and record exactly (DESIGN §4)", () => {
    expect(
      endpointServices("eu-west-1").map((s) => [s.key, s.serviceName, s.zoneName, recordName(s)]),
    ).toEqual([
      [
        "sagemaker-api",
        "com.amazonaws.eu-west-1.sagemaker.api",
        "api.sagemaker.eu-west-1.amazonaws.com",
        "api.sagemaker.eu-west-1.amazonaws.com",
      ],
      [
        "sagemaker-runtime",
        "com.amazonaws.eu-west-1.sagemaker.runtime",
        "runtime.sagemaker.eu-west-1.amazonaws.com",
        "runtime.sagemaker.eu-west-1.amazonaws.com",
      ],
      [
        "studio",
        "aws.sagemaker.eu-west-1.studio",
        "studio.eu-west-1.sagemaker.aws",
        "*.studio.eu-west-1.sagemaker.aws",
      ],
      [
        "execute-api",
        "com.amazonaws.eu-west-1.execute-api",
        "execute-api.eu-west-1.amazonaws.com",
        "*.execute-api.eu-west-1.amazonaws.com",
      ],
      [
        "sts",
        "com.amazonaws.eu-west-1.sts",
        "sts.eu-west-1.amazonaws.com",
        "sts.eu-west-1.amazonaws.com",
      ],
      [
        "logs",
        "com.amazonaws.eu-west-1.logs",
        "logs.eu-west-1.amazonaws.com",
        "logs.eu-west-1.amazonaws.com",
      ],
      [
        "cognito-idp",
        "com.amazonaws.eu-west-1.cognito-idp",
        "cognito-idp.eu-west-1.amazonaws.com",
        "cognito-idp.eu-west-1.amazonaws.com",
      ],
      [
        "lambda",
        "com.amazonaws.eu-west-1.lambda",
        "lambda.eu-west-1.amazonaws.com",
        "lambda.eu-west-1.amazonaws.com",
      ],
    ]);
  });
});

describe("regionalDnsEntry", () => {
  const zonalA = {
    dnsName: "vpce-0a1b2c3d4e5f60718-abcd1234-us-east-1a.sts.us-east-1.vpce.amazonaws.com",
    hostedZoneId: "Z7HUB22UULQXV",
  };
  const zonalB = {
    dnsName: "vpce-0a1b2c3d4e5f60718-abcd1234-us-east-1b.sts.us-east-1.vpce.amazonaws.com",
    hostedZoneId: "Z7HUB22UULQXV",
  };
  const regional = {
    dnsName: "vpce-0a1b2c3d4e5f60718-abcd1234.sts.us-east-1.vpce.amazonaws.com",
    hostedZoneId: "Z7HUB22UULQXV",
  };

  it.each([
    ["regional first", [regional, zonalA, zonalB]],
    ["regional last", [zonalA, zonalB, regional]],
    ["regional between", [zonalA, regional, zonalB]],
  ])("picks the regional entry by its shape (%s), never by position", (_, entries) => {
    expect(regionalDnsEntry(entries)).toEqual(regional);
  });

  it("accepts a wildcard-prefixed regional entry and strips the wildcard", () => {
    const entry = {
      dnsName: "*.vpce-0a1b2c3d4e5f60718-abcd1234.studio.us-east-1.vpce.amazonaws.com",
      hostedZoneId: "Z1",
    };
    expect(regionalDnsEntry([zonalA, entry])).toEqual({
      dnsName: "vpce-0a1b2c3d4e5f60718-abcd1234.studio.us-east-1.vpce.amazonaws.com",
      hostedZoneId: "Z1",
    });
  });

  it("refuses a list with no regional entry, naming the entries", () => {
    expect(() => regionalDnsEntry([zonalA, zonalB])).toThrow(
      `expected exactly one regional DNS entry among [${zonalA.dnsName}, ${zonalB.dnsName}], found 0`,
    );
  });

  it.each([
    ["bare first", (w: typeof regional) => [zonalA, regional, w, zonalB]],
    ["wildcard first", (w: typeof regional) => [w, zonalA, zonalB, regional]],
  ])("takes the bare and the wildcard form of one regional name as one entry (%s)", (_, list) => {
    const wildcard = { ...regional, dnsName: `*.${regional.dnsName}` };
    expect(regionalDnsEntry(list(wildcard))).toEqual(regional);
  });

  it("takes a repeated regional entry as one", () => {
    expect(regionalDnsEntry([regional, { ...regional }, zonalA])).toEqual(regional);
  });

  it("refuses two different regional names rather than guess", () => {
    const other = {
      dnsName: "vpce-0a1b2c3d4e5f60718-zzzz9999.sts.us-east-1.vpce.amazonaws.com",
      hostedZoneId: "Z7HUB22UULQXV",
    };
    expect(() => regionalDnsEntry([regional, other])).toThrow("found 2");
    expect(() =>
      regionalDnsEntry([{ ...regional, dnsName: `*.${regional.dnsName}` }, other]),
    ).toThrow("found 2");
  });

  it("refuses one regional name in two hosted zones rather than guess", () => {
    expect(() => regionalDnsEntry([regional, { ...regional, hostedZoneId: "Z2" }])).toThrow(
      "found 2",
    );
  });

  it("refuses an entry without a hosted zone id", () => {
    expect(() => regionalDnsEntry([{ dnsName: regional.dnsName }])).toThrow("found 0");
  });
});
