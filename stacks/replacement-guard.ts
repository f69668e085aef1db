import * as pulumi from "@pulumi/pulumi";
import type { LobConfig, SharedConfig } from "./config";
import { HUB_LABELS, LOB_LABELS, lobDomainLabel } from "./config/replacement";

/**
 * Refuses, before any resource is declared, a config change that would replace a stateful
 * resource (the hub's tables, user pool and data key, a LOB's Studio domain and so its home EFS),
 * unless `studio-access:allowReplacement` names it.
 *
 * How: each stack records, as the stack output `replacementGuard`, a fingerprint per stateful
 * resource: the config values that flow into the inputs the AWS provider marks ForceNew (a change
 * of one replaces the resource). The next run reads its own stack's previous outputs through a
 * StackReference to itself, compares, and refuses a change. A Pulumi program may read its own
 * stack's outputs from the last update that way: "an example that accomplishes reading an output
 * of a stack back in to the same stack on future updates" (pulumi/pulumi#3722, a maintainer's
 * comment), and pulumi/pulumi#4341 shows a program referencing `<org>/<project>/<stack>` of its
 * own stack, previewed and updated. The reference is read before anything is declared, so what it
 * answers is the last completed update's outputs, during `pulumi preview` and `pulumi up` alike; a
 * stack never updated answers none, and there is nothing to compare.
 *
 * What feeds a ForceNew input, from hashicorp/terraform-provider-aws (the provider @pulumi/aws
 * bridges), each file's resource schema:
 * - internal/service/sagemaker/domain.go (ResourceDomain, as stored at 01923a6c): domain_name,
 *   auth_mode, app_network_access_type, vpc_id, subnet_ids, kms_key_id and retention_policy are
 *   ForceNew. Ours: domainName is `studio-access-<lob>` (`lob`); vpcId is the LOB VPC's, itself
 *   replaced when its cidr_block changes (internal/service/ec2/vpc_.go @00081ce4, cidr_block
 *   ForceNew, line 79), which is the hub's `lobs.<lob>.vpcCidr`; subnetIds are the LOB's subnets,
 *   one per zone, each replaced when its cidr_block, availability_zone_id or vpc_id changes
 *   (internal/service/ec2/vpc_subnet.go @00cda125, lines 82, 89, 191): `availabilityZones` (how
 *   many subnets, and so every subnet's CIDR, split from vpcCidr) and the hub's zones (their ids);
 *   retentionPolicy is `homeEfsRetention`. authMode and appNetworkAccessType are constants; no
 *   kmsKeyId is set.
 * - internal/service/dynamodb/table.go (ResourceTable): name, hash_key, range_key and
 *   local_secondary_index are ForceNew. Ours: the keys are constants and the name is Pulumi's
 *   auto-name, kept in the state across updates; server_side_encryption (the data key) is updated
 *   in place. No config key but the region.
 * - internal/service/cognitoidp/user_pool.go (resourceUserPool): name, alias_attributes (and
 *   username_attributes, username_configuration) are ForceNew; we set none but the auto-name, and
 *   mfa_configuration, deletion_protection and the tier are updated in place. No config key but
 *   the region.
 * - internal/service/kms/key.go (resourceKey @00a35305): custom_key_store_id,
 *   customer_master_key_spec, key_usage, multi_region, xks_key_id are ForceNew (lines 66, 72, 104,
 *   112, 127); we set none. `customerManagedKey: false` deletes the key, which is guarded too.
 * - Every resource lives in its stack's region (`aws:region`): another region is another resource.
 * tests/stacks/replacement-guard.test.ts checks, by changing each config key under the mock
 * runtime, that every change to one of these inputs is caught, and nothing else.
 */

/** The stack output each stack records its fingerprints in. */
export const GUARD_OUTPUT = "replacementGuard";

/** A stateful resource's fingerprint: the config values, by key, its ForceNew inputs come from. */
export type Fingerprint = Readonly<Record<string, unknown>>;
export type Fingerprints = Readonly<Record<string, Fingerprint>>;

export interface Guarded {
  /** Its label, as `allowReplacement` names it. */
  readonly label: string;
  readonly fingerprint: Fingerprint;
}

const REGION = "aws:region";
const key = (name: string) => `studio-access:${name}`;

/** How each fingerprint key reaches a ForceNew input, for the message. */
function via(fingerprintKey: string): string {
  if (fingerprintKey === REGION) return "every resource lives in one region";
  if (fingerprintKey === key("lob")) return "the domain's name, studio-access-<lob>: ForceNew";
  if (fingerprintKey === key("availabilityZones"))
    return "how many subnets the domain has, and every subnet's CIDR: the subnets and the domain's subnet_ids are ForceNew";
  if (fingerprintKey === "hub availabilityZoneIds")
    return "the zones of the domain's subnets (the hub's zones): availability_zone_id and the domain's subnet_ids are ForceNew";
  if (fingerprintKey === key("homeEfsRetention")) return "the domain's retention_policy: ForceNew";
  if (fingerprintKey === key("customerManagedKey")) return "false deletes the key";
  if (fingerprintKey.endsWith(".vpcCidr"))
    return "the LOB VPC's cidr_block (ForceNew), and so its subnets and the domain's vpc_id and subnet_ids (ForceNew)";
  return "a ForceNew input";
}

const HOMES_LOST =
  "every user profile, space and app in it, and the users' home directories: the new domain starts with an empty home EFS, while the old one is deleted (homeEfsRetention: Delete) or left detached in the account (Retain)";

/** What a label stands for, and what replacing (or deleting) it loses. */
export function describeLabel(label: string): { what: string; loses: string } {
  switch (label) {
    case "entitlements-table":
      return {
        what: "the entitlements table",
        loses:
          "every entitlement row: admin grants are gone (each LOB stack seeds its members again on its next update), and the lifecycle function's stream starts over",
      };
    case "lobs-table":
      return {
        what: "the LOBs table",
        loses:
          "every LOB's registration row: no one can open a LOB's Studio until its stack is updated again",
      };
    case "user-pool":
      return {
        what: "the Cognito user pool",
        loses:
          "every user with their password and authenticator (MFA): each is created anew, signs in for the first time again, and the CLI and LOB stacks must be configured with the new pool",
      };
    case "data-key":
      // A log group's events written under the key stay encrypted with it ("All previously
      // ingested data remains encrypted, and CloudWatch Logs requires permissions for the KMS key
      // whenever the encrypted data is requested": DisassociateKmsKey, Amazon CloudWatch Logs API
      // Reference, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DisassociateKmsKey.html).
      return {
        what: "the hub's data key (KMS)",
        loses:
          "the key itself, scheduled for deletion in 30 days: log events and table backups encrypted with it cannot be read once it is gone",
      };
    case "domain":
      return { what: "this LOB's Studio domain", loses: HOMES_LOST };
    default: {
      const lob = label.replace(/\.domain$/, "");
      return {
        what: `${lob}'s Studio domain, on that LOB stack's next update`,
        loses: HOMES_LOST,
      };
    }
  }
}

/** The hub's stateful resources and what, in its config, their ForceNew inputs come from. */
export function hubGuarded(config: SharedConfig): Guarded[] {
  const region = { [REGION]: config.region };
  return [
    { label: "entitlements-table", fingerprint: region },
    { label: "lobs-table", fingerprint: region },
    { label: "user-pool", fingerprint: region },
    ...(config.customerManagedKey
      ? [{ label: "data-key", fingerprint: { ...region, [key("customerManagedKey")]: true } }]
      : []),
    // A LOB's range is its VPC's: changed, the LOB's next update replaces its domain.
    ...Object.entries(config.lobs).map(([lob, entry]) => ({
      label: lobDomainLabel(lob),
      fingerprint: { [key(`lobs.${lob}.vpcCidr`)]: entry.vpcCidr },
    })),
  ];
}

/**
 * A LOB's Studio domain, from its config and what it reads from the hub: its range and the zones
 * its subnets are in (the hub's first `availabilityZones`).
 */
export function lobGuarded(
  config: LobConfig,
  hub: { readonly vpcCidr: string; readonly availabilityZoneIds: readonly string[] },
): Guarded[] {
  return [
    {
      label: "domain",
      fingerprint: {
        [REGION]: config.region,
        [key("lob")]: config.lob,
        [key(`lobs.${config.lob}.vpcCidr`)]: hub.vpcCidr,
        [key("availabilityZones")]: config.availabilityZones,
        "hub availabilityZoneIds": hub.availabilityZoneIds.slice(0, config.availabilityZones),
        [key("homeEfsRetention")]: config.homeEfsRetention,
      },
    },
  ];
}

/** Labels whose absence from the new fingerprints means the resource is deleted. */
export const REMOVABLE: readonly string[] = [...HUB_LABELS, ...LOB_LABELS];

export interface Verdict {
  /** A sentence per resource the update would replace without `allowReplacement`. */
  readonly refusals: readonly string[];
  /** Replacements let through, and labels named for nothing. */
  readonly warnings: readonly string[];
  /** The labels the update replaces (allowed or not). */
  readonly replaced: readonly string[];
}

const text = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
const FLAG = "studio-access:allowReplacement";
const SAFELY = 'docs/deploying.md, "Changes that replace data"';

/** Whether a previous output is fingerprints: a map of label to a map of values. */
function isFingerprints(value: unknown): value is Fingerprints {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((f) => typeof f === "object" && f !== null && !Array.isArray(f))
  );
}

/**
 * Compares the previous update's fingerprints with this one's. A key only one side has (a program
 * that fingerprints a new key) is not a change; a removable label gone is a deletion.
 */
export function judgeReplacements(
  previous: unknown,
  current: readonly Guarded[],
  allow: readonly string[],
): Verdict {
  const refusals: string[] = [];
  const warnings: string[] = [];
  const replaced: string[] = [];
  const before = isFingerprints(previous) ? previous : {};
  for (const [label, old] of Object.entries(before)) {
    const now = current.find((g) => g.label === label);
    let change: string;
    if (now) {
      // In the program's order (the previous output's may have been sorted on the way).
      const changed = Object.keys(now.fingerprint).filter(
        (k) => Object.hasOwn(old, k) && text(old[k]) !== text(now.fingerprint[k]),
      );
      if (changed.length === 0) continue;
      change = changed
        .map((k) => `${k} changed ${text(old[k])} → ${text(now.fingerprint[k])} (${via(k)})`)
        .join("; ");
    } else if (REMOVABLE.includes(label)) {
      change = Object.hasOwn(old, key("customerManagedKey"))
        ? `${key("customerManagedKey")} changed true → false (${via(key("customerManagedKey"))})`
        : "it is no longer declared";
    } else continue;
    replaced.push(label);
    const { what, loses } = describeLabel(label);
    if (allow.includes(label))
      warnings.push(
        `${FLAG} lets this update replace ${what} (${label}): ${change}. It loses ${loses}. Remove ${label} from ${FLAG} once this update is done, so that a later change is refused again`,
      );
    else
      refusals.push(
        `this update would replace ${what} (${label}): ${change}. Replacing it loses ${loses}. Refused: change the config back, or, to replace it on purpose, follow ${SAFELY} and set ${FLAG}: [${label}] for this one update`,
      );
  }
  for (const label of allow)
    if (!replaced.includes(label))
      warnings.push(
        `${FLAG} names ${label}, but this update replaces nothing of it: remove it from the stack config, so that a later change that would replace it is refused`,
      );
  return { refusals, warnings, replaced };
}

/** The refusal: a RunError, so `pulumi up` prints the message alone, without a stack trace. */
export class ReplacementRefused extends pulumi.RunError {
  constructor(readonly refusals: readonly string[]) {
    super(
      `refused: this update of stack ${pulumi.getStack()} would replace stateful resources:\n  - ${refusals.join("\n  - ")}`,
    );
    this.name = "ReplacementRefused";
  }
}

/** The full name of the running stack, `<organization>/<project>/<stack>`, to reference itself. */
export const selfStackName = () =>
  `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;

/**
 * Reads this stack's fingerprints from its last update, judges this update's, warns and refuses
 * as `judgeReplacements` says. Call it before declaring any resource.
 * @returns this update's fingerprints, for the stack output `replacementGuard`
 */
export async function guardReplacements(
  current: readonly Guarded[],
  allow: readonly string[],
): Promise<Record<string, Fingerprint>> {
  const self = new pulumi.StackReference("replacement-guard", { name: selfStackName() });
  const previous = (await self.getOutputDetails(GUARD_OUTPUT)).value as unknown;
  const verdict = judgeReplacements(previous, current, allow);
  for (const warning of verdict.warnings) await pulumi.log.warn(warning);
  if (verdict.refusals.length > 0) throw new ReplacementRefused(verdict.refusals);
  return Object.fromEntries(current.map((g) => [g.label, g.fingerprint]));
}
