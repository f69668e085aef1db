import type {
  Policies,
  PolicyResource,
  ResourceValidationArgs,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { RecordedResource } from "../../scripts/lib/mock-stack";

export interface Violation {
  readonly policy: string;
  readonly resource: string;
  readonly message: string;
}

class NotApplicable extends Error {}

const urnOf = (r: RecordedResource) => `urn:pulumi:offline::studio-access::${r.type}::${r.name}`;
const isTypeOf = (r: RecordedResource) => (resourceClass: { __pulumiType?: string }) =>
  resourceClass.__pulumiType === r.type;
const OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

/** The arguments the Pulumi engine passes a resource validation, built from a mocked resource. */
function validationArgs(r: RecordedResource): ResourceValidationArgs {
  const isType = isTypeOf(r);
  return {
    type: r.type,
    props: r.inputs,
    urn: urnOf(r),
    name: r.name,
    opts: OPTIONS,
    stackTags: new Map(),
    isType: isType as ResourceValidationArgs["isType"],
    asType: ((resourceClass: { __pulumiType?: string }) =>
      isType(resourceClass) ? r.inputs : undefined) as ResourceValidationArgs["asType"],
    // The pack takes no configuration.
    getConfig: (() => ({})) as ResourceValidationArgs["getConfig"],
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/**
 * The resources as a stack validation sees them, each input's `propertyDependencies` the
 * resources it was made from. Mocks keep values, not the dependency graph the engine records, so
 * an input depends on the resources whose id or one of whose outputs (not inputs) is its value (ids
 * and ARNs: values of 8 characters or more).
 */
function stackResources(resources: readonly RecordedResource[]): PolicyResource[] {
  const custom = resources.filter((r) => r.custom);
  const makers = new Map<string, RecordedResource[]>();
  const made = (value: string, r: RecordedResource) => {
    if (value.length < 8) return;
    const list = makers.get(value) ?? [];
    if (!list.includes(r)) list.push(r);
    makers.set(value, list);
  };
  for (const r of custom) {
    made(r.id, r);
    // Its outputs: what the provider made, not the inputs it was given back.
    for (const [key, value] of Object.entries(r.state))
      if (typeof value === "string" && !(key in r.inputs)) made(value, r);
  }
  const policyResources = new Map<RecordedResource, PolicyResource>();
  for (const r of custom) {
    const isType = isTypeOf(r);
    policyResources.set(r, {
      type: r.type,
      props: r.inputs,
      urn: urnOf(r),
      name: r.name,
      opts: OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: isType as PolicyResource["isType"],
      asType: ((resourceClass: { __pulumiType?: string }) =>
        isType(resourceClass) ? r.inputs : undefined) as PolicyResource["asType"],
    });
  }
  for (const [r, pr] of policyResources) {
    for (const [key, value] of Object.entries(r.inputs)) {
      if (typeof value !== "string") continue;
      const from = (makers.get(value) ?? [])
        .filter((m) => m !== r)
        .map((m) => policyResources.get(m))
        .filter((m) => m !== undefined);
      if (from.length > 0) pr.propertyDependencies[key] = from;
    }
    pr.dependencies.push(...new Set(Object.values(pr.propertyDependencies).flat()));
  }
  return [...policyResources.values()];
}

/** Runs every policy's validations over the resources, as `pulumi preview --policy-pack` would. */
export async function runPolicies(
  policies: Policies,
  resources: readonly RecordedResource[],
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const r of resources.filter((res) => res.custom)) {
    for (const policy of policies) {
      if (!("validateResource" in policy)) continue;
      const validators = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
      for (const validate of validators) {
        if (!validate) continue;
        try {
          await validate(validationArgs(r), (message) =>
            violations.push({ policy: policy.name, resource: r.name, message }),
          );
        } catch (error) {
          if (!(error instanceof NotApplicable)) throw error;
        }
      }
    }
  }
  const stack = stackResources(resources);
  for (const policy of policies.filter((p): p is StackValidationPolicy => "validateStack" in p)) {
    await policy.validateStack(
      {
        resources: stack,
        stackTags: new Map(),
        getConfig: (() => ({})) as StackValidationArgs["getConfig"],
        notApplicable: (reason?: string): never => {
          throw new NotApplicable(reason);
        },
      },
      (message, urn) =>
        violations.push({ policy: policy.name, resource: urn?.split("::").at(-1) ?? "", message }),
    );
  }
  return violations;
}
