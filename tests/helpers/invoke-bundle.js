// Loads a function bundle in a fresh Node process, as Lambda does, and invokes its handler with
// each event in turn. Usage:
//   <node 24> invoke-bundle.js <bundle.js> '<{"jwks"?, "remainingMs"?, "events": [...]}>'
// Prints one JSON object: the Node.js version it ran on, the results (or error messages), each
// invocation's time in ms, and the log lines the handler wrote. `remainingMs` is the Lambda time
// each invocation has (28 s unless given). A bundle Lambda's Node.js 24 runtime would refuse fails
// to load, as there (scripts/sandbox/lambda-handler.js).
const { loadHandler } = require("../../scripts/sandbox/lambda-handler");

const [bundle, input] = process.argv.slice(2);
const { events, jwks, remainingMs = 28000 } = JSON.parse(input);
const write = process.stdout.write.bind(process.stdout);
const logs = [];
process.stdout.write = (chunk) => {
  logs.push(
    ...String(chunk)
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  );
  return true;
};
const context = { awsRequestId: "bundle-test", getRemainingTimeInMillis: () => remainingMs };

(async () => {
  const { mod, handler } = loadHandler(bundle);
  if (jwks) mod.verifier.cacheJwks(jwks);
  const results = [];
  const elapsedMs = [];
  for (const event of events) {
    const started = Date.now();
    results.push(await handler(event, context).catch((error) => ({ error: error.message })));
    elapsedMs.push(Date.now() - started);
  }
  write(JSON.stringify({ node: process.versions.node, results, elapsedMs, logs }));
})();
