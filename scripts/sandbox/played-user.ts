import type { Prompter } from "../../cli/cognito";
import { totpCode } from "./totp";

/**
 * A data scientist as the rehearsal plays them at `studio-access login`'s prompts: they choose
 * `newPassword` when asked, add the secret to their authenticator app when enrolling, and type the
 * code it shows. `asked` records which prompts came, in order.
 */
export function playedUser(opts: { newPassword?: string; totpSecret?: string } = {}): {
  prompter: Prompter;
  asked: string[];
  secret: () => string;
} {
  const asked: string[] = [];
  let secret = opts.totpSecret;
  const prompter: Prompter = {
    newPassword(username) {
      asked.push("newPassword");
      if (opts.newPassword === undefined)
        return Promise.reject(new Error(`${username}: asked for a new password`));
      return Promise.resolve(opts.newPassword);
    },
    enrolTotp(enrolled) {
      asked.push("enrolTotp");
      secret = enrolled;
      return Promise.resolve(totpCode(enrolled));
    },
    totpCode() {
      asked.push("totpCode");
      if (secret === undefined) return Promise.reject(new Error("asked for a code, and no app"));
      return Promise.resolve(totpCode(secret));
    },
  };
  return {
    prompter,
    asked,
    secret: () => {
      if (secret === undefined) throw new Error("no authenticator was enrolled");
      return secret;
    },
  };
}
