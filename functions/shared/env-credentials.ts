/**
 * What the function bundles get in place of @aws-sdk/credential-provider-node (functions/build.ts
 * `envCredentialsOnly`): the SDK's default credential chain reduced to its first link, the
 * environment. Lambda gives a function its execution role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN ("Defined runtime environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and the default chain tries the environment first ("Set credentials in Node.js",
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html),
 * so on Lambda the answer is the same, without the SSO, INI, process, web-identity, HTTP and IMDS
 * providers and the STS, SSO and OIDC clients nested in them (about 95 KB of each bundle).
 *
 * Every client of functions/ names its credentials anyway (functions/shared/sdk.ts
 * `ENV_CREDENTIALS`, or a role's assumed credentials); this only keeps the chain's code out.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
