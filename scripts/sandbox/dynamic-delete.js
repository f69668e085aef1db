// Runs a Pulumi dynamic provider's delete as Pulumi's dynamic-provider host does: the serialized
// provider module is loaded from its text and its handler() gives the provider. Input on stdin:
// {"provider": "<serialized module>", "id": "...", "props": {...}}. Exits 0 when delete resolved.
const Module = require("node:module");
const path = require("node:path");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  try {
    const { provider, id, props } = JSON.parse(input);
    const filename = path.join(process.cwd(), "__dynamic-provider.js");
    const mod = new Module(filename, module);
    mod.filename = filename;
    mod.paths = Module._nodeModulePaths(process.cwd());
    mod._compile(provider, filename);
    await mod.exports.handler().delete(id, props);
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${error && error.message ? error.message : String(error)}\n`);
    process.exit(1);
  }
});
