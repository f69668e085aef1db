/** IPv4 CIDR helpers for VPC and subnet planning. Pure, so they are table-tested. */

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; undefined when it is not a canonical IPv4 CIDR (host bits must be zero). */
export function parseCidr(text: string): Cidr | undefined {
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { base, prefix };
}

export function formatCidr({ base, prefix }: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/** Whether `outer` holds all of `inner`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.base >= outer.base &&
    inner.base + 2 ** (32 - inner.prefix) <= outer.base + 2 ** (32 - outer.prefix)
  );
}

/**
 * Splits a VPC range into `count` equal subnets, the smallest power of two that holds them,
 * in order: 10.0.0.0/16 into 3 gives 10.0.0.0/18, 10.0.64.0/18, 10.0.128.0/18.
 */
export function splitCidr(vpc: string, count: number): string[] {
  const parsed = parseCidr(vpc);
  if (!parsed) throw new Error(`"${vpc}" is not an IPv4 CIDR`);
  const bits = Math.ceil(Math.log2(Math.max(count, 1)));
  const prefix = parsed.prefix + bits;
  if (prefix > 28) throw new Error(`${vpc} is too small for ${count} subnets of at least /28`);
  const size = 2 ** (32 - prefix);
  return Array.from({ length: count }, (_, i) =>
    formatCidr({ base: parsed.base + i * size, prefix }),
  );
}
