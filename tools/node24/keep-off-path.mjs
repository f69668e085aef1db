// The Node.js 24 package declares a `node` command, so npm links node_modules/.bin/node to it, and
// npm scripts put node_modules/.bin first on PATH: jest, the CLI tests and every tool would then run
// on Node 24 instead of the machine's Node.js. This removes that one link, and only when it points
// into a Node.js binary package; the binary stays where scripts/lib/node24.ts finds it.
import { lstatSync, readlinkSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

// npm gives install scripts the project's root as npm_config_local_prefix; two folders up otherwise.
const root =
  process.env.npm_config_local_prefix ||
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const link = path.join(root, "node_modules", ".bin", "node");
let target;
try {
  if (lstatSync(link).isSymbolicLink()) target = readlinkSync(link);
} catch {
  // No link: nothing to do.
}
if (target !== undefined && /(^|[/\\])node-(linux|darwin|win)-[a-z0-9]+[/\\]/.test(target)) {
  rmSync(link);
  console.log(`@studio-access/node24: removed node_modules/.bin/node (-> ${target})`);
}
