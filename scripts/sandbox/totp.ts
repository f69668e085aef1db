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
  // The portal shows the key in groups of four, and a person may paste it lower-case: both work.
  const secret = process.argv.slice(2).join("").replace(/[\s-]/g, "").toUpperCase();
  if (!/^[A-Z2-7]+=*$/.test(secret)) {
    console.error(
      "usage: npx tsx scripts/sandbox/totp.ts SECRET (a base32 TOTP secret; spaces are ignored)",
    );
    process.exit(2);
  }
  try {
    console.log(totpCode(secret));
  } catch (error) {
    console.error(`not a TOTP secret: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
