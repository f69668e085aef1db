#!/usr/bin/env node
// `npx studio-access` in this repository: runs the CLI's bundle, which `npm ci` builds (prepare).
const path = require("node:path");
const bundle = path.join(__dirname, "..", "dist", "cli", "studio-access.cjs");
try {
  require.resolve(bundle);
} catch {
  console.error("studio-access: the CLI is not built yet: run npm run build:cli");
  process.exit(2);
}
require(bundle);
