/**
 * Records the URN of every resource of every stack in tests/stacks/urns.json, which
 * tests/stacks/urns.test.ts holds the program to. Run it after adding a resource on purpose; a
 * rename or a move to another parent needs an alias instead (Pulumi's `aliases` option), or the
 * live resource would be replaced. The file's diff shows a reviewer every URN that comes or goes.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../functions/build";
import { plannedIdentities, urnsOf } from "./lib/urns";

process.removeAllListeners("warning");

const URNS_FILE = path.join(REPO_ROOT, "tests", "stacks", "urns.json");

async function main(): Promise<void> {
  const urns = urnsOf(await plannedIdentities());
  writeFileSync(URNS_FILE, `${JSON.stringify(urns, null, 2)}\n`);
  const count = Object.values(urns).reduce((sum, list) => sum + list.length, 0);
  console.log(`${path.relative(REPO_ROOT, URNS_FILE)}: ${String(count)} URNs`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
