import { createSrpSession, signSrpSession, wrapAuthChallenge } from "cognito-srp-helper";
import { srpTimestamp, startSrp } from "../../portal/srp";
import { SrpServer } from "../helpers/srp-server";

/**
 * The portal's SRP (BigInt + WebCrypto, no library) proves a password to Cognito's side of the
 * protocol (tests/helpers/srp-server.ts, which the CLI's cognito-srp-helper is checked against),
 * and a proof of another password does not verify.
 */
const POOL = "us-east-1_AbCdEfGhI";

it("a proof of the right password verifies; of another password, it does not", async () => {
  const server = new SrpServer(POOL, "user-lob-a", "Correct-horse-1!");
  const session = await startSrp(POOL);
  const answer = await session.answer(server.challenge(), "Correct-horse-1!");
  expect(Object.keys(answer).sort()).toEqual([
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "PASSWORD_CLAIM_SIGNATURE",
    "TIMESTAMP",
    "USERNAME",
  ]);
  expect(server.verifies(session.srpA, answer)).toBe(true);
  const wrong = await startSrp(POOL);
  expect(
    server.verifies(wrong.srpA, await wrong.answer(server.challenge(), "Correct-horse-2!")),
  ).toBe(false);
});

it("its answer is the CLI's library's answer for the same secrets", async () => {
  // Same server, both clients: both verify (the CLI's library is the reference).
  const server = new SrpServer(POOL, "dana.scientist", "Pässword-9");
  const cli = createSrpSession("dana.scientist", "Pässword-9", POOL, false);
  const signed = signSrpSession(cli, { ChallengeParameters: server.challenge() });
  const responses = wrapAuthChallenge(signed, {
    ClientId: "client",
    ChallengeName: "PASSWORD_VERIFIER",
    ChallengeResponses: { USERNAME: "dana.scientist" },
  }).ChallengeResponses;
  expect(server.verifies(cli.largeA, responses)).toBe(true);
  const portal = await startSrp(POOL);
  expect(server.verifies(portal.srpA, await portal.answer(server.challenge(), "Pässword-9"))).toBe(
    true,
  );
});

it("the timestamp is Cognito's format (day unpadded, 24-hour clock, UTC)", () => {
  expect(srpTimestamp(new Date("2026-09-08T07:05:09Z"))).toBe("Tue Sep 8 07:05:09 UTC 2026");
  expect(srpTimestamp(new Date("2026-12-24T23:59:00Z"))).toBe("Thu Dec 24 23:59:00 UTC 2026");
});

it("the sandbox's cognito-local answers SRP as Cognito does: a proof verifies once, a wrong one never", async () => {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
  const sandbox: {
    challenge(pool: string, user: string, password: string, srpA: string): Record<string, string>;
    verify(responses: Record<string, string>): string | undefined;
  } = require("../../scripts/sandbox/cognito-srp.js");
  const portal = await startSrp(POOL);
  const challenge = sandbox.challenge(POOL, "new.scientist", "Temporary-1!", portal.srpA);
  const answer = await portal.answer(challenge, "Temporary-1!");
  expect(sandbox.verify(answer)).toBe("new.scientist");
  // Each challenge is answered once.
  expect(sandbox.verify(answer)).toBeUndefined();
  const other = await startSrp(POOL);
  const second = sandbox.challenge(POOL, "new.scientist", "Temporary-1!", other.srpA);
  expect(sandbox.verify(await other.answer(second, "Temporary-2!"))).toBeUndefined();
  // The CLI's library too.
  const cli = createSrpSession("new.scientist", "Temporary-1!", POOL, false);
  const third = sandbox.challenge(POOL, "new.scientist", "Temporary-1!", cli.largeA);
  const signed = signSrpSession(cli, { ChallengeParameters: third });
  const responses = wrapAuthChallenge(signed, {
    ClientId: "client",
    ChallengeName: "PASSWORD_VERIFIER",
    ChallengeResponses: { USERNAME: "new.scientist" },
  }).ChallengeResponses as Record<string, string>;
  expect(sandbox.verify(responses)).toBe("new.scientist");
});
