import { z } from "zod";
import { noRepeats, type Problems } from "./common";

/**
 * `allowReplacement`: the stateful resources a stack's next update may replace (or, for the data
 * key, delete), by label. Without it, a config change that would replace one is refused at plan
 * time (stacks/replacement-guard.ts). Meant for one update: the plan warns while it is set and
 * nothing of it is replaced.
 */

/** The hub's stateful resources, by label. A LOB's domain is `<lob>.domain` (its vpcCidr). */
export const HUB_LABELS = ["entitlements-table", "lobs-table", "user-pool", "data-key"] as const;
/** A LOB's: its Studio domain, and with it the domain's home EFS. */
export const LOB_LABELS = ["domain"] as const;

/** The hub's label for a LOB's domain, replaced when the hub changes `lobs.<lob>.vpcCidr`. */
export const lobDomainLabel = (lob: string) => `${lob}.domain`;
const LOB_DOMAIN = /^(.+)\.domain$/;

const EXPECTED_HUB = `a list of labels: ${HUB_LABELS.join(", ")}, or <lob>.domain`;
const EXPECTED_LOB = `a list of labels: ${LOB_LABELS.join(", ")}`;

export const hubAllowReplacement = z
  .array(z.string({ error: EXPECTED_HUB }), { error: EXPECTED_HUB })
  .superRefine(noRepeats("a label not already listed"))
  .default([])
  .describe(
    "the stateful resources this update may replace, by label (entitlements-table, lobs-table, user-pool, data-key, <lob>.domain); for one update only",
  );

export const lobAllowReplacement = z
  .array(z.enum(LOB_LABELS, { error: `one of ${LOB_LABELS.join(", ")}` }), {
    error: EXPECTED_LOB,
  })
  .superRefine(noRepeats("a label not already listed"))
  .default([])
  .describe(
    "the stateful resources this update may replace, by label (domain: the Studio domain and its home EFS); for one update only",
  );

/** The hub's labels checked against its LOBs: `<lob>.domain` must name one of them. */
export function hubAllowReplacementProblems(
  labels: readonly string[],
  lobs: readonly string[],
  problems: Problems,
): void {
  labels.forEach((label, i) => {
    const lob = LOB_DOMAIN.exec(label)?.[1];
    const known = (HUB_LABELS as readonly string[]).includes(label);
    if (!known && (lob === undefined || !lobs.includes(lob)))
      problems.at(
        `allowReplacement[${String(i)}]`,
        label,
        `one of ${[...HUB_LABELS, ...lobs.map(lobDomainLabel)].join(", ")}`,
      );
  });
}
