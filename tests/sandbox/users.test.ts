import type { DisabledMarker, EntitlementRow } from "../../cli/admin";
import { markDisabled, userLine, type PrintedUser } from "../../scripts/sandbox/users";
import { usersOf } from "../helpers/kept-sandbox";

const user = (username: string): PrintedUser => ({
  username,
  password: `Pw-${username}-X9`,
  totpSecret: "JBSWY3DPEHPK3PXP",
});
const entitlement = (username: string, lob: string, state: string): EntitlementRow => ({
  lob,
  team: "default",
  username,
  profileName: username.replace(/\W/g, "-"),
  state,
  source: "admin",
});
const marker = (username: string, state: string): DisabledMarker => ({
  username,
  state,
  stateAt: "2026-12-04T15:00:00.000Z",
});
/** As `studio-access admin list --json` prints it at the end of a rehearsal. */
const listing: { entitlements: EntitlementRow[]; disabled: DisabledMarker[] } = {
  entitlements: [
    entitlement("lee.leaving", "lob-b", "offboarded"),
    entitlement("user-lob-b", "lob-a", "offboarded"),
    entitlement("user-lob-b", "lob-b", "active"),
    entitlement("dana.scientist", "lob-a", "active"),
  ],
  disabled: [
    marker("lee.leaving", "disabled"),
    // Disabled, then enabled again: no longer marked.
    marker("user-lob-b", "enabled"),
    // Disabled under another spelling (the marker's key folds case): the same person.
    marker("Dana.Scientist", "disabled"),
  ],
};

describe("the kept sandbox's users", () => {
  const users = ["dana.scientist", "lee.leaving", "user-lob-a", "user-lob-b"].map(user);

  it("marks those admin list shows disabled, whatever the marker's spelling, and no one else", () => {
    expect(markDisabled(users, listing).map((u) => [u.username, u.disabled])).toEqual([
      ["dana.scientist", { lobs: ["lob-a"] }],
      ["lee.leaving", { lobs: ["lob-b"] }],
      ["user-lob-a", undefined],
      ["user-lob-b", undefined],
    ]);
  });

  it("prints a disabled user's mark before their password, which is for after --enable", () => {
    const [, lee, userA] = markDisabled(users, listing);
    expect(userLine(lee!)).toBe(
      "  user        lee.leaving  disabled by the rehearsal (offboarding): cannot sign in (after admin grant lee.leaving lob-b --enable: password Pw-lee.leaving-X9  TOTP secret JBSWY3DPEHPK3PXP, sandbox only)",
    );
    expect(userLine(userA!)).toBe(
      "  user        user-lob-a  password Pw-user-lob-a-X9  TOTP secret JBSWY3DPEHPK3PXP (sandbox only)",
    );
  });

  it("reads every user back from the banner, with the mark", () => {
    const banner = `The sandbox is running.\n\n${markDisabled(users, listing).map(userLine).join("\n")}\n  API         http://127.0.0.1:1/v1\n`;
    expect(usersOf(banner)).toEqual([
      {
        ...user("dana.scientist"),
        disabled: "disabled by the rehearsal (offboarding): cannot sign in",
      },
      {
        ...user("lee.leaving"),
        disabled: "disabled by the rehearsal (offboarding): cannot sign in",
      },
      user("user-lob-a"),
      user("user-lob-b"),
    ]);
  });
});
