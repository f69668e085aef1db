/**
 * What the function bundles get in place of @smithy/core/event-streams (functions/build.ts
 * `withoutEventStreams`): no function calls an event-stream operation (the lifecycle's Lambda
 * client calls Invoke, never InvokeWithResponseStream), yet every client's protocol imports the
 * codec (about 15 KB of each bundle). Should an event-stream operation ever be called, it fails
 * at once, naming why.
 */
function refused(): never {
  throw new Error(
    "event streams are left out of the function bundles (functions/build.ts withoutEventStreams)",
  );
}

/** A client's config without an event-stream marshaller: made only when an operation needs one. */
export const resolveEventStreamSerdeConfig = <T>(input: T): T => input;

export const eventStreamSerdeProvider = (): never => refused();

/** Made by a protocol only to (de)serialise an event stream. */
export class EventStreamSerde {
  constructor() {
    refused();
  }

  serializeEventStream(): never {
    return refused();
  }

  deserializeEventStream(): never {
    return refused();
  }
}
