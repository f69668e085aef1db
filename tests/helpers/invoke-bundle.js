// Loads a function bundle in a fresh Node process, as Lambda does, and invokes its handler with
// each event in turn. Usage: node invoke-bundle.js <bundle.js> '<{"jwks"?, "events": [...]}>'.
// Prints one JSON object: the results (or error messages) and the log lines the handler wrote.
const [bundle, input] = process.argv.slice(2);
const { events, jwks } = JSON.parse(input);
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
const context = { awsRequestId: "bundle-test", getRemainingTimeInMillis: () => 28000 };

(async () => {
  const mod = require(bundle);
  if (jwks) mod.verifier.cacheJwks(jwks);
  const results = [];
  for (const event of events) {
    results.push(await mod.handler(event, context).catch((error) => ({ error: error.message })));
  }
  write(JSON.stringify({ results, logs }));
})();
