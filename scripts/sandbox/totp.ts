import { generateSync } from "otplib";

/**
 * The code an authenticator app shows for a TOTP secret now (RFC 6238: SHA-1, 6 digits, 30 s), as
 * Cognito's software-token MFA expects it. The rehearsal plays the user's authenticator app.
 */
export function totpCode(secret: string): string {
  return generateSync({ secret, algorithm: "sha1", digits: 6, period: 30 });
}

// npx tsx scripts/sandbox/totp.ts SECRET: the code an authenticator app shows now (sandbox users).
if (require.main === module) {
  const secret = process.argv[2];
  if (!secret || !/^[A-Z2-7]+=*$/.test(secret)) {
    console.error("usage: npx tsx scripts/sandbox/totp.ts SECRET (a base32 TOTP secret)");
    process.exit(2);
  }
  console.log(totpCode(secret));
}
