import { readFileSync } from "node:fs";
import * as path from "node:path";
import { plannedIdentities, urnProblems, type StackUrns } from "../../scripts/lib/urns";

// The URNs the stacks were deployed with, recorded by `npx tsx scripts/record-urns.ts`.
const recorded = JSON.parse(readFileSync(path.join(__dirname, "urns.json"), "utf8")) as StackUrns;

const HUB = "urn:pulumi:shared::studio-access::studio-access:access:AccessApp";

describe("URNs: every live resource updates in place", () => {
  it("plans every recorded URN, and no other, except through an alias to a recorded one", async () => {
    const planned = await plannedIdentities();
    expect(Object.keys(planned).sort()).toEqual(Object.keys(recorded).sort());
    expect(urnProblems(recorded, planned)).toEqual([]);
  }, 120_000);

  it("reports a resource renamed or moved without an alias, and accepts it with one", () => {
    const before = { shared: [`${HUB}$aws:iam/role:Role::access-presigner`] };
    const moved = `${HUB}$studio-access:access:Presigner$aws:iam/role:Role::access-presigner`;
    expect(urnProblems(before, { shared: [{ urn: moved, aliases: [] }] })).toEqual([
      `${HUB}$aws:iam/role:Role::access-presigner: recorded, but no resource has this URN or an alias to it`,
      `${moved}: not recorded, and none of its aliases is`,
    ]);
    expect(urnProblems(before, { shared: [{ urn: moved, aliases: before.shared }] })).toEqual([]);
  });
});
