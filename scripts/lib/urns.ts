import {
  fullStackName,
  loadStackConfig,
  projectStacks,
  runStackUnderMocks,
  type RecordedResource,
} from "./mock-stack";

/**
 * URNs are how the engine matches a program's resources to a live stack's: a resource whose URN
 * changes (a new name, type or parent) is deleted and created again, unless it declares an alias
 * naming the URN it had. These helpers hold the program to the URNs the stacks were deployed with.
 */

/** Stack name → the URN of every resource its program declares (components and providers too). */
export type StackUrns = Record<string, string[]>;

/** What the engine would see of each resource: its URN and those its aliases stand for. */
export interface PlannedIdentity {
  readonly urn: string;
  readonly aliases: readonly string[];
}

/** Runs every stack of the project under mocks, the hub first, and returns its resources' URNs. */
export async function plannedIdentities(): Promise<Record<string, PlannedIdentity[]>> {
  const stackOutputs: Record<string, Record<string, unknown>> = {};
  const planned: Record<string, PlannedIdentity[]> = {};
  for (const { stack } of projectStacks()) {
    const run = await runStackUnderMocks({
      stack,
      config: loadStackConfig(stack),
      stackOutputs,
    });
    stackOutputs[fullStackName(stack)] = run.outputs;
    planned[stack] = [...run.resources, ...run.providers].map(identityOf);
  }
  return planned;
}

function identityOf(resource: RecordedResource): PlannedIdentity {
  if (resource.urn === undefined)
    throw new Error(`${resource.type} ${resource.name} was recorded without its URN`);
  return { urn: resource.urn, aliases: resource.aliases ?? [] };
}

/** The URNs as recorded: sorted, per stack, for a file whose diff a reviewer reads. */
export const urnsOf = (planned: Record<string, readonly PlannedIdentity[]>): StackUrns =>
  Object.fromEntries(
    Object.entries(planned).map(([stack, identities]) => [
      stack,
      identities.map((i) => i.urn).sort((a, b) => a.localeCompare(b)),
    ]),
  );

/**
 * Every way the planned resources would not update the recorded ones in place, one line each:
 * a recorded URN no resource has or aliases (the engine would delete that resource), and a
 * planned URN neither recorded nor aliased to a recorded one (a resource the record lacks: new,
 * or renamed without an alias, which would replace it).
 */
export function urnProblems(
  recorded: StackUrns,
  planned: Record<string, readonly PlannedIdentity[]>,
): string[] {
  const problems: string[] = [];
  for (const stack of new Set([...Object.keys(recorded), ...Object.keys(planned)])) {
    const known = new Set(recorded[stack] ?? []);
    const identities = planned[stack] ?? [];
    const reached = new Set(identities.flatMap((i) => [i.urn, ...i.aliases]));
    for (const urn of known)
      if (!reached.has(urn))
        problems.push(`${urn}: recorded, but no resource has this URN or an alias to it`);
    for (const { urn, aliases } of identities)
      if (!known.has(urn) && !aliases.some((alias) => known.has(alias)))
        problems.push(`${urn}: not recorded, and none of its aliases is`);
  }
  return problems;
}
