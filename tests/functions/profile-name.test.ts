import { profileNameFor } from "../../functions/shared/profile-name";

describe("profileNameFor: the one Studio profile a username opens", () => {
  it("keeps a username that is already a valid profile name", () => {
    expect(profileNameFor("user-lob-a")).toBe("user-lob-a");
    expect(profileNameFor("A1")).toBe("A1");
  });

  it.each([
    ["jane.doe", "jane-doe-d48722"],
    ["jane_doe", /^jane-doe-[0-9a-f]{6}$/],
    ["j@example.com", /^j-example-com-[0-9a-f]{6}$/],
    [".hidden", /^hidden-[0-9a-f]{6}$/],
    ["-lead", /^lead-[0-9a-f]{6}$/],
  ])("maps %s to a valid name with a hash suffix", (username, expected) => {
    const name = profileNameFor(username);
    if (typeof expected === "string") expect(name).toBe(expected);
    else expect(name).toMatch(expected);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
  });

  it("keeps different usernames apart, even those that differ only in punctuation", () => {
    const names = ["jane.doe", "jane_doe", "jane..doe", "jane-doe"].map(profileNameFor);
    expect(new Set(names).size).toBe(4);
  });

  it("stays within 63 characters for the longest Cognito usernames", () => {
    const name = profileNameFor("a.".repeat(64));
    expect(name?.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
  });

  it.each([["..."], ["has space"], [""], ["x".repeat(129)]])(
    "has no profile for %j (not a usable Cognito username)",
    (username) => {
      expect(profileNameFor(username)).toBeUndefined();
    },
  );
});
