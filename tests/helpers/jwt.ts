import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Jwk } from "aws-jwt-verify/jwk";

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: Jwk;
}

/** A fresh RSA key pair with its public half as a JWK, as Cognito publishes them. */
export function makeSigningKey(kid: string): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { kty, n, e } = publicKey.export({ format: "jwk" });
  if (kty === undefined || n === undefined || e === undefined)
    throw new Error("RSA JWK export failed");
  return { kid, privateKey, jwk: { kty, n, e, kid, alg: "RS256", use: "sig" } };
}

const b64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

/** Signs header.payload with RS256; the header is taken as given, so tests can lie in it. */
export function signJwt(header: object, payload: object, privateKey: KeyObject): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = createSign("RSA-SHA256").update(signingInput).sign(privateKey);
  return `${signingInput}.${b64url(signature)}`;
}

/** An unsigned token (`alg: none`), the classic forgery. */
export function unsignedJwt(header: object, payload: object): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.`;
}

/** The claims of a Cognito access token for `username`, valid for an hour from now. */
export function accessTokenClaims(
  opts: { userPoolId: string; clientId: string; username: string; region?: string },
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: `sub-${opts.username}`,
    iss: `https://cognito-idp.${opts.region ?? "us-east-1"}.amazonaws.com/${opts.userPoolId}`,
    client_id: opts.clientId,
    origin_jti: "11111111-2222-3333-4444-555555555555",
    event_id: "66666666-7777-8888-9999-000000000000",
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    auth_time: now,
    iat: now,
    exp: now + 3600,
    jti: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    username: opts.username,
    ...overrides,
  };
}

/** A Cognito access token for `username` from the test pool and client (tests/setup-env.ts), signed with `key`. */
export function signedAccessToken(
  key: SigningKey,
  username: string,
  overrides: Record<string, unknown> = {},
): string {
  return signJwt(
    { alg: "RS256", kid: key.kid },
    accessTokenClaims(
      {
        userPoolId: process.env.USER_POOL_ID ?? "",
        clientId: process.env.USER_POOL_CLIENT_ID ?? "",
        username,
      },
      overrides,
    ),
    key.privateKey,
  );
}
