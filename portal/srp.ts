/**
 * Cognito's USER_SRP_AUTH, client side, with the browser's own BigInt and WebCrypto: the password
 * never leaves the page, only a proof of it. The protocol is Cognito's (RFC 5054 SRP-6a with
 * SHA-256 and the 3072-bit group of RFC 3526, the "Caldera Derived Key" HKDF, and an HMAC over the
 * pool, the user id, the secret block and the timestamp), as amazon-cognito-identity-js and
 * cognito-srp-helper (the CLI's) implement it; written here because those bundle crypto-js, jsbn
 * and a Buffer polyfill (about 128 KB minified), this is a few KB.
 * "Authentication flows" (USER_SRP_AUTH, PASSWORD_VERIFIER):
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html
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

/** Even-length hex, with a leading 00 when the top bit is set (a positive two's-complement). */
export function padHex(n: bigint): string {
  let h = n.toString(16);
  if (h.length % 2 === 1) h = `0${h}`;
  else if ("89abcdef".includes(h.charAt(0))) h = `00${h}`;
  return h;
}

const fromHex = (hex: string): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
};
const toHex = (bytes: ArrayBuffer | Uint8Array): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const toBase64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

const sha256 = async (data: Uint8Array<ArrayBuffer>) =>
  toHex(await crypto.subtle.digest("SHA-256", data));
const hmac = async (key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>) => {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return crypto.subtle.sign("HMAC", k, data);
};

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** Cognito's timestamp: "Tue Sep 8 07:05:09 UTC 2026" (day not padded, 24-hour clock). */
export function srpTimestamp(now: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const two = (n: number) => String(n).padStart(2, "0");
  return `${days[now.getUTCDay()] ?? ""} ${months[now.getUTCMonth()] ?? ""} ${String(now.getUTCDate())} ${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())} UTC ${String(now.getUTCFullYear())}`;
}

/** One SRP exchange: SRP_A for InitiateAuth, then the PASSWORD_VERIFIER answer. */
export interface SrpSession {
  /** InitiateAuth's SRP_A (hex). */
  readonly srpA: string;
  /** The ChallengeResponses proving the password for Cognito's PASSWORD_VERIFIER challenge. */
  answer(
    challenge: Readonly<Record<string, string | undefined>>,
    password: string,
    now?: Date,
  ): Promise<Record<string, string>>;
}

export async function startSrp(userPoolId: string): Promise<SrpSession> {
  const poolName = userPoolId.split("_")[1] ?? "";
  const k = BigInt(`0x${await sha256(fromHex(padHex(N) + padHex(g)))}`);
  let a = 0n;
  let A = 0n;
  while (A === 0n) {
    a = BigInt(`0x${toHex(crypto.getRandomValues(new Uint8Array(128)))}`) % N;
    A = modPow(g, a, N);
  }
  const srpA = A.toString(16);
  return {
    srpA,
    async answer(challenge, password, now = new Date()) {
      const { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP } = challenge;
      if (!SRP_B || !SALT || !SECRET_BLOCK || !USER_ID_FOR_SRP)
        throw new Error("Cognito's password challenge is incomplete");
      const B = BigInt(`0x${SRP_B}`);
      if (B % N === 0n) throw new Error("Cognito's password challenge is invalid");
      const u = BigInt(`0x${await sha256(fromHex(padHex(A) + padHex(B)))}`);
      if (u === 0n) throw new Error("Cognito's password challenge is invalid");
      const inner = await sha256(utf8(`${poolName}${USER_ID_FOR_SRP}:${password}`));
      const x = BigInt(`0x${await sha256(fromHex(padHex(BigInt(`0x${SALT}`)) + inner))}`);
      const S = modPow(B - k * modPow(g, x, N), a + u * x, N);
      const prk = await hmac(fromHex(padHex(u)), fromHex(padHex(S)));
      const key = new Uint8Array(
        await hmac(new Uint8Array(prk), concat(utf8("Caldera Derived Key"), new Uint8Array([1]))),
      ).slice(0, 16);
      const timestamp = srpTimestamp(now);
      const signature = await hmac(
        key,
        concat(utf8(poolName), utf8(USER_ID_FOR_SRP), fromBase64(SECRET_BLOCK), utf8(timestamp)),
      );
      return {
        USERNAME: USER_ID_FOR_SRP,
        PASSWORD_CLAIM_SECRET_BLOCK: SECRET_BLOCK,
        PASSWORD_CLAIM_SIGNATURE: toBase64(signature),
        TIMESTAMP: timestamp,
      };
    },
  };
}
