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

/**
 * For each range in order, the index of the first earlier range it overlaps; undefined when it
 * overlaps none (or is not a CIDR). In O(n log n) rather than comparing every pair, so a hub's
 * thousand LOB ranges are checked at once.
 *
 * Two CIDR blocks are aligned powers of two, so they overlap only when one holds the other.
 * Sorted by start address, largest first at a start, each range lies inside every range still
 * open on a stack of nested ranges: the ones it overlaps and the ones they overlap are marked.
 * Only the marked ranges (none in a valid config) are then compared pairwise in their order.
 */
export function firstEarlierOverlaps(cidrs: readonly string[]): (number | undefined)[] {
  const parsed = cidrs.map((text, index) => {
    const cidr = parseCidr(text);
    return cidr && { index, base: cidr.base, end: cidr.base + 2 ** (32 - cidr.prefix), cidr };
  });
  const sorted = parsed
    .flatMap((r) => (r ? [r] : []))
    .sort((a, b) => a.base - b.base || b.end - a.end || a.index - b.index);
  const marked = new Set<number>();
  const open: typeof sorted = [];
  for (const range of sorted) {
    while (open.length > 0 && (open.at(-1)?.end ?? 0) <= range.base) open.pop();
    const container = open.at(-1);
    if (container) {
      marked.add(container.index);
      marked.add(range.index);
    }
    open.push(range);
  }
  const overlapping = parsed.filter((r): r is NonNullable<typeof r> => !!r && marked.has(r.index));
  const result: (number | undefined)[] = cidrs.map(() => undefined);
  overlapping.forEach((range, i) => {
    result[range.index] = overlapping
      .slice(0, i)
      .find((other) => cidrsOverlap(range.cidr, other.cidr))?.index;
  });
  return result;
}
