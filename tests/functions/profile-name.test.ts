import { createHash } from "node:crypto";
import {
  PROFILE_NAME,
  PROFILE_SUFFIX_LENGTH,
  profileNameFor,
} from "../../functions/shared/profile-name";
import { teamProfileName } from "../../functions/shared/teams";

const SUFFIX = new RegExp(`-[a-z2-7]{${PROFILE_SUFFIX_LENGTH}}$`);

describe("profileNameFor: the one Studio profile a username opens", () => {
  it("gives every username a hash suffix, even one that is already a valid profile name", () => {
    expect(profileNameFor("user-lob-a")).toMatch(/^user-lob-a-[a-z2-7]{16}$/);
    expect(profileNameFor("A1")).toMatch(/^A1-[a-z2-7]{16}$/);
    expect(profileNameFor("jane.doe")).toBe("jane-doe-2sdsf7bol2unf5fv");
  });

  it.each([
    ["jane_doe", /^jane-doe-[a-z2-7]{16}$/],
    ["j@example.com", /^j-example-com-[a-z2-7]{16}$/],
    [".hidden", /^hidden-[a-z2-7]{16}$/],
    ["-lead", /^lead-[a-z2-7]{16}$/],
  ])("maps %s to a valid name with a hash suffix", (username, expected) => {
    const name = profileNameFor(username);
    expect(name).toMatch(expected);
    expect(name).toMatch(PROFILE_NAME);
  });

  it("encodes 80 bits of the username's SHA-256 in the suffix (RFC 4648 base32)", () => {
    const digest = createHash("sha256").update("jane.doe", "utf8").digest();
    const bits = [...digest.subarray(0, 10)].map((b) => b.toString(2).padStart(8, "0")).join("");
    const expected = (bits.match(/.{5}/g) ?? [])
      .map((chunk) => "abcdefghijklmnopqrstuvwxyz234567"[parseInt(chunk, 2)])
      .join("");
    expect(profileNameFor("jane.doe")).toBe(`jane-doe-${expected}`);
  });

  it("refuses to let a username be another user's profile name (the look-alike gets its own)", () => {
    const dana = profileNameFor("dana.scientist");
    expect(dana).toBeDefined();
    const lookAlike = profileNameFor(dana!);
    expect(lookAlike).not.toBe(dana);
    expect(lookAlike?.startsWith(`${dana!}-`)).toBe(true);
    // The same in a team: the look-alike of dana's analytics profile name.
    const inTeam = teamProfileName("dana.scientist", "analytics");
    expect(teamProfileName(inTeam!, "analytics")).not.toBe(inTeam);
    expect(teamProfileName(dana!, "analytics")).not.toBe(inTeam);
  });

  it("keeps realistic and adversarial usernames apart: no two map to one profile", () => {
    const usernames = new Set<string>();
    const bases = ["jane.doe", "dana.scientist", "user-lob-a", "ops-admin", "Ops-Admin", "a"];
    for (const base of bases) {
      usernames.add(base);
      for (const sep of ["", ".", "_", "-", "--", "..", "+", "@", "!", "é", "ß"]) {
        usernames.add(`${base}${sep}`);
        usernames.add(`${sep}${base}`);
        usernames.add(base.replace(/[.-]/g, sep || "x"));
      }
      usernames.add(base.toUpperCase());
      usernames.add(base.normalize("NFD"));
      usernames.add(`${base}${"x".repeat(120)}`.slice(0, 128));
      usernames.add(`${base}${"y".repeat(120)}`.slice(0, 128));
    }
    // Each username's own profile name and the team form of each, as usernames in turn.
    for (const u of [...usernames]) {
      const own = profileNameFor(u);
      if (own) usernames.add(own);
      const team = teamProfileName(u, "analytics");
      if (team) usernames.add(team);
    }
    for (let i = 0; i < 5_000; i++) usernames.add(`user${String(i)}`);
    for (const team of ["default", "analytics", "a"]) {
      const owners = new Map<string, string>();
      for (const u of usernames) {
        const name = teamProfileName(u, team);
        if (name === undefined) continue;
        if (!PROFILE_NAME.test(name) || !SUFFIX.test(name)) throw new Error(`bad name ${name}`);
        const other = owners.get(name);
        if (other !== undefined) throw new Error(`${u} and ${other} share ${name}`);
        owners.set(name, u);
      }
      expect(owners.size).toBeGreaterThan(5_000);
    }
  });

  it("stays within 63 characters for the longest usernames and the longest team", () => {
    const name = profileNameFor("a.".repeat(64));
    expect(name?.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(PROFILE_NAME);
    const team = teamProfileName("a".repeat(128), "t".repeat(20));
    expect(team?.length).toBe(63);
    expect(team).toMatch(PROFILE_NAME);
    // The readable part keeps at least 24 characters beside the longest team.
    expect(team).toMatch(new RegExp(`^t{20}--a{24}-[a-z2-7]{16}$`));
  });

  it.each([["..."], ["has space"], [""], ["x".repeat(129)]])(
    "has no profile for %j (not a usable Cognito username)",
    (username) => {
      expect(profileNameFor(username)).toBeUndefined();
    },
  );
});
