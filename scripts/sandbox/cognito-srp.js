// Cognito's side of USER_SRP_AUTH for the sandbox's cognito-local, which has none: the
// PASSWORD_VERIFIER challenge for an SRP_A, and the check of the client's proof. The protocol is
// Cognito's (RFC 5054 SRP-6a with SHA-256 and RFC 3526's 3072-bit group, the "Caldera Derived Key"
// HKDF, an HMAC over the pool, the user id, the secret block and the timestamp), as
// tests/helpers/srp-server.ts writes it for the CLI's tests. cognito-local stores the password
// itself, so the verifier is computed from it per challenge; Cognito stores only the verifier.
// "User pool authentication flow" (USER_SRP_AUTH, PASSWORD_VERIFIER):
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html
const { createHash, createHmac, randomBytes, timingSafeEqual } = require("node:crypto");

const N = BigInt(
  "0x" +
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const g = 2n;
const hex = (n) => {
  let h = n.toString(16);
  if (h.length % 2 === 1) h = `0${h}`;
  else if ("89abcdef".includes(h[0])) h = `00${h}`;
  return h;
};
const hashHex = (hexText) => createHash("sha256").update(Buffer.from(hexText, "hex")).digest("hex");
const modPow = (base, exp, mod) => {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
};
const k = BigInt(`0x${hashHex(hex(N) + hex(g))}`);

/** Challenges issued and not yet answered, by secret block (each answered once, within 5 minutes). */
const pending = new Map();
const CHALLENGE_MS = 5 * 60_000;

/** The PASSWORD_VERIFIER challenge for `srpA`, for a user whose password is `password`. */
function challenge(poolId, username, password, srpA) {
  const A = BigInt(`0x${srpA}`);
  if (A % N === 0n) return undefined;
  const poolName = poolId.split("_")[1] ?? "";
  const salt = BigInt(`0x${randomBytes(16).toString("hex")}`);
  const inner = createHash("sha256").update(`${poolName}${username}:${password}`).digest("hex");
  const v = modPow(g, BigInt(`0x${hashHex(hex(salt) + inner)}`), N);
  const b = BigInt(`0x${randomBytes(32).toString("hex")}`);
  const B = (k * v + modPow(g, b, N)) % N;
  const secretBlock = randomBytes(64).toString("base64");
  const now = Date.now();
  for (const [key, entry] of pending) if (entry.expires < now) pending.delete(key);
  pending.set(secretBlock, { poolName, username, A, B, b, v, expires: now + CHALLENGE_MS });
  return {
    USER_ID_FOR_SRP: username,
    USERNAME: username,
    SRP_B: B.toString(16),
    SALT: salt.toString(16),
    SECRET_BLOCK: secretBlock,
  };
}

/** The user a PASSWORD_VERIFIER answer proves the password of, or undefined. */
function verify(responses) {
  const secretBlock = responses.PASSWORD_CLAIM_SECRET_BLOCK ?? "";
  const entry = pending.get(secretBlock);
  pending.delete(secretBlock);
  if (!entry || entry.expires < Date.now() || responses.USERNAME !== entry.username)
    return undefined;
  const { A, B, b, v, poolName } = entry;
  const u = BigInt(`0x${hashHex(hex(A) + hex(B))}`);
  const S = modPow((A * modPow(v, u, N)) % N, b, N);
  const prk = createHmac("sha256", Buffer.from(hex(u), "hex"))
    .update(Buffer.from(hex(S), "hex"))
    .digest();
  const key = createHmac("sha256", prk)
    .update(Buffer.concat([Buffer.from("Caldera Derived Key"), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
  const expected = createHmac("sha256", key)
    .update(
      Buffer.concat([
        Buffer.from(poolName),
        Buffer.from(entry.username),
        Buffer.from(secretBlock, "base64"),
        Buffer.from(responses.TIMESTAMP ?? ""),
      ]),
    )
    .digest();
  const given = Buffer.from(responses.PASSWORD_CLAIM_SIGNATURE ?? "", "base64");
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? entry.username
    : undefined;
}

module.exports = { challenge, verify };
