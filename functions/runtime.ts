/**
 * The Lambda runtime every function runs on, and the Node.js major its bundles are built for and
 * tested on (tests/functions/bundles.test.ts and the rehearsal's function processes run them on a
 * Node.js of this major, from the npm registry: scripts/lib/node24.ts).
 *
 * nodejs24.x is the newest Node.js runtime that Lambda and the AWS provider name; AWS deprecates it
 * on Apr 30, 2028 (nodejs22.x: Apr 30, 2027), per "Building Lambda functions with Node.js",
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html. From Node.js 24, Lambda refuses
 * callback-based handlers, `(event, context, callback)` ("Define Lambda function handler in
 * Node.js", https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html): every handler here is
 * an async function of (event, context), and the rehearsal refuses one that declares a callback.
 */
export const NODE_MAJOR = 24;
export const LAMBDA_RUNTIME = `nodejs${String(NODE_MAJOR)}.x` as const;
