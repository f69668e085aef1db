// One Lambda execution environment: loads a function bundle once with the environment it was given,
// then runs invocations sent over IPC. The bundle's log lines go to stdout, as in Lambda. The host
// starts it on the Lambda runtime's Node.js major (scripts/lib/node24.ts) and checks the version it
// reports; a bundle the runtime would refuse (a callback-style handler) fails the start, as in Lambda.
const { loadHandler } = require("./lambda-handler");

const bundle = process.argv[2];
const { handler } = loadHandler(bundle);
let sequence = 0;

process.on("message", async ({ id, event, timeoutMs }) => {
  const deadline = Date.now() + timeoutMs;
  sequence += 1;
  const context = {
    awsRequestId: `sandbox-${process.pid}-${sequence}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    process.send({ id, result: await handler(event, context) });
  } catch (error) {
    process.send({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
// The execution environment ends with the host that started it.
process.on("disconnect", () => process.exit(0));
process.send({ ready: true, node: process.versions.node });
