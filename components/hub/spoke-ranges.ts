export interface SpokeRangesArgs {
  readonly lobs: Readonly<Record<string, { readonly vpcCidr: string }>>;
  readonly spokesSupernet?: string;
}

/** A spoke range and the key its route and endpoint rule are named by ("lob-a", or "spokes"). */
export type SpokeRange = readonly [key: string, cidr: string];

/**
 * The spokes' ranges as the hub sees them, each with the key its route and endpoint rule are named
 * by: the supernet alone ("spokes") when there is one, so one route and one rule serve every LOB;
 * otherwise each LOB's VPC range under the LOB's name.
 */
export function spokeRanges(args: SpokeRangesArgs): readonly SpokeRange[] {
  return args.spokesSupernet
    ? [["spokes", args.spokesSupernet]]
    : Object.entries(args.lobs).map(([lob, { vpcCidr }]) => [lob, vpcCidr]);
}
