import { mockClient as sdkMockClient } from "aws-sdk-client-mock";
import type { SinonSpyCall, SinonStub } from "sinon";
import type { AwsCommand } from "../../functions/shared/aws/call";

/**
 * aws-sdk-client-mock for the sign-in path's own clients (functions/shared/aws): they keep the
 * SDK's `client.send(new XCommand(input))` shape, so the library stubs their `send` and matches
 * commands by class and input exactly as it does the SDK's; only its types name the SDK's classes,
 * hence this typed face over it.
 */
type CommandClass<I, O> = new (input: I) => AwsCommand<I, O>;

type Fake<I> = (input: I, getClient: () => unknown) => unknown;

export interface Behavior<I, O> {
  resolves(output: Partial<O> & { $metadata?: object }): LeanStub;
  resolvesOnce(output: Partial<O> & { $metadata?: object }): Behavior<I, O>;
  rejects(error?: unknown): LeanStub;
  rejectsOnce(error?: unknown): Behavior<I, O>;
  callsFake(fake: Fake<I>): LeanStub;
  callsFakeOnce(fake: Fake<I>): Behavior<I, O>;
}

export interface LeanStub {
  on<I, O>(command: CommandClass<I, O>, input?: Partial<I>, strict?: boolean): Behavior<I, O>;
  onAnyCommand(input?: object): Behavior<object, object>;
  reset(): LeanStub;
  restore(): void;
  calls(): SinonSpyCall<[AwsCommand<unknown, unknown>], Promise<unknown>>[];
  commandCalls<I, O>(
    command: CommandClass<I, O>,
    input?: Partial<I>,
  ): SinonSpyCall<[AwsCommand<I, O>], Promise<O>>[];
  send: SinonStub;
}

/** Stubs `send` of every instance of `client` (a class) or of one instance. */
export function mockClient(client: object): LeanStub {
  return sdkMockClient(client as never) as unknown as LeanStub;
}
