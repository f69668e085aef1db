/**
 * #22: the verifier remembers the tokens it verified (functions/shared/access-token.ts
 * `rememberingVerified`) and never what it refused, nor past a token's exp, nor across new keys.
 */
import { SimpleFetcher } from "aws-jwt-verify/https";
import { FetchError } from "aws-jwt-verify/error";
import {
  createVerifier,
  JWKS_VARIABLE,
  rememberingVerified,
  Unauthorized,
  verifyBearer,
  VERIFIED_TOKENS_KEPT,
  type AccessTokenVerifier,
} from "../../functions/shared/access-token";
import { makeSigningKey, signedAccessToken } from "../helpers/jwt";

/** A verifier that accepts tokens "ok-<n>" (exp from `exps`) and refuses any other, counting calls. */
function counting(exps: Record<string, number> = {}) {
  const verified: string[] = [];
  const inner: AccessTokenVerifier = {
    verify(token) {
      verified.push(token);
      if (!token.startsWith("ok-")) return Promise.reject(new Error("bad signature"));
      return Promise.resolve({ sub: `sub-${token}`, username: token, exp: exps[token] ?? 2_000 });
    },
    cacheJwks() {
      verified.push("cacheJwks");
    },
  };
  return { inner, verified };
}

describe("rememberingVerified", () => {
  it("verifies a token once, then answers it from memory until its exp, then verifies it again", async () => {
    let clock = 1_000_000; // ms; the token's exp is 2,000 s
    const { inner, verified } = counting();
    const v = rememberingVerified(inner, () => clock);
    const first = await v.verify("ok-1");
    expect(await v.verify("ok-1")).toBe(first);
    expect(verified).toEqual(["ok-1"]);
    clock = 1_999_999;
    await v.verify("ok-1");
    expect(verified).toEqual(["ok-1"]);
    clock = 2_000_000; // at exp: asked of the library again (which refuses after exp)
    await v.verify("ok-1");
    expect(verified).toEqual(["ok-1", "ok-1"]);
  });

  it("never remembers a refusal: a bad token is checked, and refused, every time", async () => {
    const { inner, verified } = counting();
    const v = rememberingVerified(inner, () => 0);
    await expect(v.verify("forged")).rejects.toThrow("bad signature");
    await expect(v.verify("forged")).rejects.toThrow("bad signature");
    expect(verified).toEqual(["forged", "forged"]);
  });

  it("keeps tokens apart by their exact text, and its answers cannot be changed by a caller", async () => {
    const { inner, verified } = counting();
    const v = rememberingVerified(inner, () => 0);
    const one = await v.verify("ok-1");
    await v.verify("ok-1 ");
    expect(verified).toEqual(["ok-1", "ok-1 "]);
    expect(Object.isFrozen(one)).toBe(true);
  });

  it("forgets every token when given new keys", async () => {
    const { inner, verified } = counting();
    const v = rememberingVerified(inner, () => 0);
    await v.verify("ok-1");
    v.cacheJwks({ keys: [] });
    await v.verify("ok-1");
    expect(verified).toEqual(["ok-1", "cacheJwks", "ok-1"]);
  });

  it(`keeps at most ${String(VERIFIED_TOKENS_KEPT)}, forgetting the oldest first`, async () => {
    const { inner, verified } = counting();
    const v = rememberingVerified(inner, () => 0);
    for (let i = 0; i <= VERIFIED_TOKENS_KEPT; i++) await v.verify(`ok-${String(i)}`);
    verified.length = 0;
    await v.verify(`ok-${String(VERIFIED_TOKENS_KEPT)}`); // the newest: remembered
    await v.verify("ok-1"); // remembered
    await v.verify("ok-0"); // the oldest: forgotten
    expect(verified).toEqual(["ok-0"]);
  });

  it("does not remember a payload without a numeric exp", async () => {
    const { inner, verified } = counting({ "ok-x": Number.NaN });
    const v = rememberingVerified(inner, () => 0);
    await v.verify("ok-x");
    await v.verify("ok-x");
    expect(verified).toEqual(["ok-x", "ok-x"]);
  });
});

describe("the functions' verifier (createVerifier) remembers real tokens", () => {
  const key = makeSigningKey("pool-key-1");
  const other = makeSigningKey("pool-key-1"); // same kid, not the pool's key
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it("verifies a real token once; a token signed by another key is still refused after it", async () => {
    jest
      .spyOn(SimpleFetcher.prototype, "fetch")
      .mockRejectedValue(new FetchError("https://jwks", "no fetch in this test"));
    const v = createVerifier({
      ...process.env,
      [JWKS_VARIABLE]: JSON.stringify({ keys: [key.jwk] }),
    });
    const token = signedAccessToken(key, "user-lob-a");
    await expect(verifyBearer(v, `Bearer ${token}`)).resolves.toMatchObject({
      username: "user-lob-a",
    });
    await expect(verifyBearer(v, `Bearer ${token}`)).resolves.toMatchObject({
      username: "user-lob-a",
    });
    const forged = signedAccessToken(other, "user-lob-a");
    const refusal = await verifyBearer(v, `Bearer ${forged}`).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(Unauthorized);
    expect((refusal as Unauthorized).reason).toBe("bad signature");
  });

  it("refuses a remembered token once it has expired", async () => {
    jest.useFakeTimers({ now: new Date("2026-12-05T01:00:00Z") });
    const v = createVerifier({
      ...process.env,
      [JWKS_VARIABLE]: JSON.stringify({ keys: [key.jwk] }),
    });
    const token = signedAccessToken(key, "user-lob-a"); // exp: an hour from now
    await expect(verifyBearer(v, `Bearer ${token}`)).resolves.toMatchObject({
      username: "user-lob-a",
    });
    jest.setSystemTime(new Date("2026-12-05T02:00:01Z"));
    const refusal = await verifyBearer(v, `Bearer ${token}`).catch((e: unknown) => e);
    expect((refusal as Unauthorized).reason).toBe("expired");
  });
});

describe("keys the library fetches for an unknown kid forget every remembered token", () => {
  const withdrawn = makeSigningKey("pool-key-a");
  const current = makeSigningKey("pool-key-b");
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("a token of a key the pool withdrew stops verifying, though it was remembered", async () => {
    // Embedded: the old key; the pool now serves only the new one.
    jest
      .spyOn(SimpleFetcher.prototype, "fetch")
      .mockResolvedValue(new TextEncoder().encode(JSON.stringify({ keys: [current.jwk] })).buffer);
    const v = createVerifier({
      ...process.env,
      [JWKS_VARIABLE]: JSON.stringify({ keys: [withdrawn.jwk] }),
    });
    const old = signedAccessToken(withdrawn, "user-lob-a");
    await expect(verifyBearer(v, `Bearer ${old}`)).resolves.toMatchObject({
      username: "user-lob-a",
    });
    // A token of the new key makes the library fetch the pool's keys, which replace the old ones.
    await expect(
      verifyBearer(v, `Bearer ${signedAccessToken(current, "user-lob-b")}`),
    ).resolves.toMatchObject({ username: "user-lob-b" });
    const refusal = await verifyBearer(v, `Bearer ${old}`).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(Unauthorized);
  });

  it("does not remember a token whose verification began before the keys changed", async () => {
    let release: () => void = () => undefined;
    const calls: string[] = [];
    const inner: AccessTokenVerifier = {
      async verify(token) {
        calls.push(token);
        if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return { sub: token, username: token, exp: 2_000 };
      },
      cacheJwks() {},
    };
    const v = rememberingVerified(inner, () => 0);
    const slow = v.verify("ok-slow");
    v.forget();
    release();
    await slow;
    await v.verify("ok-slow");
    expect(calls).toEqual(["ok-slow", "ok-slow"]);
  });

  it("keeps the remembered payload frozen through and through", async () => {
    const inner: AccessTokenVerifier = {
      verify: (token) =>
        Promise.resolve({ sub: token, username: token, exp: 2_000, "cognito:groups": ["a"] }),
      cacheJwks() {},
    };
    const v = rememberingVerified(inner, () => 0);
    const payload = (await v.verify("ok-1")) as unknown as { "cognito:groups": string[] };
    expect(() => payload["cognito:groups"].push("admins")).toThrow(TypeError);
    expect(
      ((await v.verify("ok-1")) as unknown as { "cognito:groups": string[] })["cognito:groups"],
    ).toEqual(["a"]);
  });
});

describe("a verification racing the library's key fetch is not remembered (attack review)", () => {
  const withdrawn = makeSigningKey("pool-key-a");
  const current = makeSigningKey("pool-key-b");
  afterEach(() => {
    jest.restoreAllMocks();
  });

  // A verification of the old key's token begun some microtasks after the fetch answers, while
  // the library has not yet stored the new keys, must not be remembered past their storing.
  it.each([0, 1, 2, 3, 4, 6, 8, 10])(
    "begun %i microtasks after the fetch answered: refused once the new keys are stored",
    async (hops) => {
      let answer: (body: ArrayBuffer) => void = () => undefined;
      const body = new Promise<ArrayBuffer>((resolve) => (answer = resolve));
      jest.spyOn(SimpleFetcher.prototype, "fetch").mockReturnValue(body);
      const v = createVerifier({
        ...process.env,
        [JWKS_VARIABLE]: JSON.stringify({ keys: [withdrawn.jwk] }),
      });
      const old = signedAccessToken(withdrawn, "user-lob-a");
      const fresh = verifyBearer(v, `Bearer ${signedAccessToken(current, "user-lob-b")}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      let during: Promise<unknown> = Promise.resolve();
      const hop = (n: number): Promise<void> =>
        n === 0 ? Promise.resolve() : Promise.resolve().then(() => hop(n - 1));
      void body.then(() =>
        hop(hops).then(() => {
          during = verifyBearer(v, `Bearer ${old}`).catch((e: unknown) => e);
        }),
      );
      answer(new TextEncoder().encode(JSON.stringify({ keys: [current.jwk] })).buffer);
      await fresh;
      await new Promise((resolve) => setTimeout(resolve, 10));
      await during;
      const after = await verifyBearer(v, `Bearer ${old}`).catch((e: unknown) => e);
      expect(after).toBeInstanceOf(Unauthorized);
    },
  );
});
