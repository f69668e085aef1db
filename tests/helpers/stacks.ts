import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type RecordedResource,
  type StackRun,
} from "../../scripts/lib/mock-stack";

export const HUB_ACCOUNT = "111111111111";
export const LOB_A_ACCOUNT = "222222222222";
export const LOB_B_ACCOUNT = "333333333333";

export interface Planned {
  shared: StackRun;
  lobA: StackRun;
  lobB: StackRun;
}

/**
 * Runs the repository's hub stack alone (its real config file, with `overrides`): for a file that
 * reads only the hub's resources, a third of planRepositoryStacks' time.
 */
export const planHub = (overrides: Record<string, string> = {}): Promise<StackRun> =>
  runStackUnderMocks({ stack: "shared", config: { ...loadStackConfig("shared"), ...overrides } });

/** Runs the repository's three stacks (their real config files), the hub's outputs feeding the LOBs. */
export async function planRepositoryStacks(
  overrides: { shared?: Record<string, string>; lob?: Record<string, string> } = {},
): Promise<Planned> {
  const shared = await planHub(overrides.shared);
  const stackOutputs = { [fullStackName("shared")]: shared.outputs };
  const lobA = await runStackUnderMocks({
    stack: "lob-a",
    config: { ...loadStackConfig("lob-a"), ...overrides.lob },
    stackOutputs,
  });
  const lobB = await runStackUnderMocks({
    stack: "lob-b",
    config: { ...loadStackConfig("lob-b"), ...overrides.lob },
    stackOutputs,
  });
  return { shared, lobA, lobB };
}

export const ofType = (run: StackRun, type: string): RecordedResource[] =>
  run.resources.filter((r) => r.type === type);

/** The one resource of this type and name; fails the test when there is none or several. */
export function one(run: StackRun, type: string, name: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const names = ofType(run, type).map((r) => r.name);
    throw new Error(
      `expected one ${type} named ${name} in ${run.stack}, found ${found.length} (have: ${names.join(", ")})`,
    );
  }
  return found[0]!;
}

export const policyOf = (r: RecordedResource, key = "policy"): unknown =>
  JSON.parse(r.inputs[key] as string);

/** The documents of the customer managed policies attached to a hub role, in attachment order. */
export const attachedDocuments = (run: StackRun, roleName: string): unknown[] =>
  ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    .filter((a) => a.inputs.role === one(run, "aws:iam/role:Role", roleName).state.name)
    .map((a) => {
      const policy = ofType(run, "aws:iam/policy:Policy").find(
        (p) => p.state.arn === a.inputs.policyArn,
      );
      return policy ? policyOf(policy) : a.inputs.policyArn;
    });
