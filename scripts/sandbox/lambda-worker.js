// One Lambda execution environment: loads a function bundle once with the environment it was given,
// then runs invocations sent over IPC. The bundle's log lines go to stdout, as in Lambda.
const bundle = process.argv[2];
const mod = require(bundle);
let sequence = 0;

process.on("message", async ({ id, event, timeoutMs }) => {
  const deadline = Date.now() + timeoutMs;
  sequence += 1;
  const context = {
    awsRequestId: `sandbox-${process.pid}-${sequence}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    process.send({ id, result: await mod.handler(event, context) });
  } catch (error) {
    process.send({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
// The execution environment ends with the host that started it.
process.on("disconnect", () => process.exit(0));
process.send({ ready: true });
