// Loads a function bundle's `handler` as the Lambda Node.js 24 runtime does, refusing what it refuses.
// From Node.js 24, Lambda no longer supports callback-based handlers, `(event, context, callback)`:
// "Define Lambda function handler in Node.js",
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html. The runtime tells one by its
// declared parameter count (three or more) when it loads the function, and fails the init, unless
// the handler streams its response (src/function/callback-deprecation.ts of
// aws/aws-lambda-nodejs-runtime-interface-client). No function here streams, so that case is not
// modelled: a streaming handler would be refused here but run in Lambda.
const CALLBACK_REFUSED =
  "AWS Lambda has removed support for callback-based function handlers starting with Node.js 24";

/** The bundle's handler, or an Error naming the bundle and why Lambda would not start it. */
function loadHandler(bundle) {
  const mod = require(bundle);
  if (typeof mod.handler !== "function") {
    throw new Error(`${bundle} exports no handler function (Lambda's index.handler)`);
  }
  if (mod.handler.length >= 3) {
    throw new Error(
      `${CALLBACK_REFUSED}: ${bundle}'s handler declares ${mod.handler.length} parameters; ` +
        "make it an async function of (event, context)",
    );
  }
  return { mod, handler: mod.handler };
}

module.exports = { loadHandler, CALLBACK_REFUSED };
