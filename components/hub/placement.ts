import type * as pulumi from "@pulumi/pulumi";

/**
 * Where a part of the hub network puts its resources: each names them `<name>-<key>` and parents
 * them to the HubNetwork itself, as when it was one constructor. The parts are code, not
 * components, so no live resource's URN changes (tests/stacks/urns.test.ts).
 */
export interface HubPlacement {
  /** The HubNetwork's name, every resource name's prefix ("hub" → "hub-tgw"). */
  readonly name: string;
  readonly parent: pulumi.Resource;
}

/** A CIDR as it appears in a resource name: "10.0.0.0/8" → "10-0-0-0-8". */
export const cidrNameKey = (cidr: string) => cidr.replace(/[./]/g, "-");
