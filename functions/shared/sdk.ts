import { NodeHttpHandler } from "@smithy/node-http-handler";

/**
 * Every SDK call of the functions is bounded: 2 attempts of at most 1 s to connect and 3 s to
 * answer, so the three calls of a cold sign-in fit in the request deadline even when each needs
 * its retry.
 */
export const SDK_OPTIONS = {
  maxAttempts: 2,
  requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }),
} as const;
