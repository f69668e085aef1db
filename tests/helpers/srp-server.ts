import { createHash, createHmac, randomBytes } from "node:crypto";

/**
 * Cognito's side of SRP (USER_SRP_AUTH), written from the protocol as Cognito uses it (RFC 5054 with
 * SHA-256, the 3072-bit group of RFC 3526, the "Caldera Derived Key" HKDF and an HMAC over the pool,
 * the user id, the secret block and the timestamp), so a test can check that the CLI's proof of a
 * password verifies, and that a proof of another password does not. Test code only.
 */
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

const hex = (n: bigint): string => {
  let h = n.toString(16);
  if (h.length % 2 === 1) h = `0${h}`;
  else if ("89abcdef".includes(h[0] ?? "")) h = `00${h}`;
  return h;
};
const hashHex = (hexText: string) =>
  createHash("sha256").update(Buffer.from(hexText, "hex")).digest("hex");
const modPow = (base: bigint, exp: bigint, mod: bigint): bigint => {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
};
const k = BigInt(`0x${hashHex(hex(N) + hex(g))}`);

/** A user pool that knows one user's SRP verifier, as Cognito stores it instead of the password. */
export class SrpServer {
  private readonly salt = BigInt(`0x${randomBytes(16).toString("hex")}`);
  private readonly b = BigInt(`0x${randomBytes(32).toString("hex")}`);
  private readonly v: bigint;
  readonly secretBlock = randomBytes(32).toString("base64");

  constructor(
    private readonly poolId: string,
    private readonly username: string,
    password: string,
  ) {
    const poolName = poolId.split("_")[1] ?? "";
    const inner = createHash("sha256").update(`${poolName}${username}:${password}`).digest("hex");
    this.v = modPow(g, BigInt(`0x${hashHex(hex(this.salt) + inner)}`), N);
  }

  private get B(): bigint {
    return (k * this.v + modPow(g, this.b, N)) % N;
  }

  /** The PASSWORD_VERIFIER challenge's parameters. */
  challenge(): Record<string, string> {
    return {
      USER_ID_FOR_SRP: this.username,
      USERNAME: this.username,
      SRP_B: this.B.toString(16),
      SALT: this.salt.toString(16),
      SECRET_BLOCK: this.secretBlock,
    };
  }

  /** Whether a PASSWORD_VERIFIER answer proves the password, for the SRP_A the client sent. */
  verifies(srpA: string, responses: Record<string, string | undefined>): boolean {
    const A = BigInt(`0x${srpA}`);
    const u = BigInt(`0x${hashHex(hex(A) + hex(this.B))}`);
    const S = modPow((A * modPow(this.v, u, N)) % N, this.b, N);
    const prk = createHmac("sha256", Buffer.from(hex(u), "hex"))
      .update(Buffer.from(hex(S), "hex"))
      .digest();
    const key = createHmac("sha256", prk)
      .update(Buffer.concat([Buffer.from("Caldera Derived Key"), Buffer.from([1])]))
      .digest()
      .subarray(0, 16);
    const poolName = this.poolId.split("_")[1] ?? "";
    const expected = createHmac("sha256", key)
      .update(
        Buffer.concat([
          Buffer.from(poolName),
          Buffer.from(responses.USERNAME ?? ""),
          Buffer.from(responses.PASSWORD_CLAIM_SECRET_BLOCK ?? "", "base64"),
          Buffer.from(responses.TIMESTAMP ?? ""),
        ]),
      )
      .digest("base64");
    return expected === responses.PASSWORD_CLAIM_SIGNATURE;
  }
}
