import { generateSync } from "otplib";

/**
 * The code an authenticator app shows for a TOTP secret now (RFC 6238: SHA-1, 6 digits, 30 s), as
 * Cognito's software-token MFA expects it. The rehearsal plays the user's authenticator app.
 */
export function totpCode(secret: string): string {
  return generateSync({ secret, algorithm: "sha1", digits: 6, period: 30 });
}
