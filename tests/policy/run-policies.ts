import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import type { RecordedResource } from "../../scripts/lib/mock-stack";

export interface Violation {
  readonly policy: string;
  readonly resource: string;
  readonly message: string;
}

class NotApplicable extends Error {}

/** The arguments the Pulumi engine passes a resource validation, built from a mocked resource. */
function validationArgs(r: RecordedResource): ResourceValidationArgs {
  const isType = (resourceClass: { __pulumiType?: string }) =>
    resourceClass.__pulumiType === r.type;
  return {
    type: r.type,
    props: r.inputs,
    urn: `urn:pulumi:offline::studio-access::${r.type}::${r.name}`,
    name: r.name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      additionalSecretOutputs: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    },
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

/** Runs every policy's validations over the resources, as `pulumi preview --policy-pack` would. */
export async function runPolicies(
  policies: readonly ResourceValidationPolicy[],
  resources: readonly RecordedResource[],
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const r of resources.filter((res) => res.custom)) {
    for (const policy of policies) {
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
  return violations;
}
