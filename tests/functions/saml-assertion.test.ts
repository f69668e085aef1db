import {
  CLOCK_SKEW_MS,
  MAX_RESPONSE_BYTES,
  normalizeUsername,
  SamlRefused,
  SamlValidator,
  type SamlSettings,
} from "../../functions/saml/assertion";
import { TestIdp, type AssertionFields } from "../../scripts/sandbox/saml-idp";

/**
 * The SAML entry's validation, against responses built the way an attacker would build them: each
 * is refused, with the reason the function logs.
 */
let idp: TestIdp;
let stranger: TestIdp;
const SP = {
  acsUrl: "https://abc123.execute-api.us-east-1.amazonaws.com/v1/saml",
  spEntityId: "urn:studio-access:sp",
};
let settings: SamlSettings;
let validator: SamlValidator;
beforeAll(async () => {
  [idp, stranger] = await Promise.all([TestIdp.create(), TestIdp.create()]);
  settings = {
    idpCertificates: [idp.certificate],
    idpEntityId: idp.entityId,
    spEntityId: SP.spEntityId,
    acsUrl: SP.acsUrl,
    groupsAttribute: "groups",
  };
  validator = new SamlValidator(settings);
});
const fields = (over: Partial<AssertionFields> = {}): AssertionFields => ({
  ...idp.fields(SP, "user-lob-a"),
  ...over,
});
const b64 = (xml: string) => Buffer.from(xml, "utf8").toString("base64");

async function reason(response: string): Promise<string> {
  try {
    await validator.validate(response);
  } catch (error) {
    if (error instanceof SamlRefused) return error.reason;
    throw error;
  }
  throw new Error("accepted");
}

describe("SAML responses that are accepted", () => {
  it("an IdP-initiated response with a signed assertion: the user, groups, assertion id and end", async () => {
    const f = fields({ attributes: { groups: ["data-science", "lob-b-users"] } });
    expect(await validator.validate(idp.signedResponse(f))).toEqual({
      username: "user-lob-a",
      groups: ["data-science", "lob-b-users"],
      assertionId: f.id,
      notOnOrAfter: f.notOnOrAfter.getTime(),
    });
  });

  it("a response signed as a whole (the assertion unsigned)", async () => {
    const f = fields();
    const xml = idp.sign(idp.response(idp.assertion(f), f), "Response");
    expect((await validator.validate(b64(xml))).username).toBe("user-lob-a");
  });

  it("a response signed by the IdP's next key while both are configured (rotation)", async () => {
    const rotating = new SamlValidator({
      ...settings,
      idpCertificates: [stranger.certificate, idp.certificate],
    });
    expect((await rotating.validate(idp.signedResponse(fields()))).username).toBe("user-lob-a");
  });

  it("the username from the configured attribute, normalised as a Cognito username", async () => {
    const byEmail = new SamlValidator({ ...settings, userAttribute: "email" });
    const f = fields({
      nameId: "S-1-5-21-1004",
      attributes: { email: [" jane.doe@example.com "] },
    });
    expect((await byEmail.validate(idp.signedResponse(f))).username).toBe("jane.doe@example.com");
  });

  it("an assertion within the allowed clock skew on either side", async () => {
    const now = Date.now();
    const early = fields({ notBefore: new Date(now + CLOCK_SKEW_MS - 5_000) });
    expect((await validator.validate(idp.signedResponse(early))).username).toBe("user-lob-a");
  });
});

describe("SAML responses that are refused, with the reason logged", () => {
  const unsigned = () => {
    const f = fields();
    return b64(idp.response(idp.assertion(f), f));
  };

  it.each<[string, () => string, RegExp]>([
    ["unsigned", unsigned, /^Invalid signature/],
    ["signed by another key", () => stranger.signedResponse(fields()), /^Invalid signature/],
    [
      "wrapping: a second, unsigned assertion beside the signed one",
      () => {
        const good = fields();
        const evil = fields({ nameId: "admin" });
        const xml = idp.response(
          idp.sign(idp.assertion(good), "Assertion") + idp.assertion(evil),
          good,
        );
        return b64(xml);
      },
      /^Invalid signature/,
    ],
    [
      "wrapping: the signed assertion moved into an extension, an unsigned one with its ID in its place",
      () => {
        const good = fields();
        const signed = idp.sign(idp.assertion(good), "Assertion");
        const evil = idp.assertion({ ...good, nameId: "admin" });
        const xml = idp
          .response(evil, good)
          .replace(
            "<samlp:Status>",
            `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`,
          );
        return b64(xml);
      },
      /^Invalid signature/,
    ],
    [
      "wrapping: the signed response's assertion swapped for another",
      () => {
        const good = fields();
        const signed = idp.sign(idp.response(idp.assertion(good), good), "Response");
        return b64(
          signed.replace(
            /<saml:Assertion[\s\S]*<\/saml:Assertion>/,
            idp.assertion(fields({ nameId: "admin" })),
          ),
        );
      },
      /^Invalid (document )?signature/,
    ],
    [
      "a comment injected in the signed NameID",
      () => {
        const f = fields({ nameId: "user-lob-a.evil.example" });
        const xml = Buffer.from(idp.signedResponse(f), "base64")
          .toString("utf8")
          .replace("user-lob-a.evil.example", "user-lob-a<!---->.evil.example");
        return b64(xml);
      },
      /^xml comment$/,
    ],
    [
      "a wrong audience",
      () => idp.signedResponse(fields({ audience: "urn:another:sp" })),
      /^SAML assertion audience mismatch/,
    ],
    [
      "a wrong recipient",
      () => idp.signedResponse(fields({ recipient: "https://evil.example/saml" })),
      /^no bearer subject confirmation for https:\/\/abc123\.execute-api\.us-east-1\.amazonaws\.com\/v1\/saml \(recipients: https:\/\/evil\.example\/saml\)$/,
    ],
    [
      "a wrong destination",
      () => idp.signedResponse(fields({ destination: "https://evil.example/saml" })),
      /^destination https:\/\/evil\.example\/saml is not /,
    ],
    [
      "another issuer",
      () => idp.signedResponse(fields({ issuer: "https://evil.example/idp" })),
      /^issuer https:\/\/evil\.example\/idp is not https:\/\/portal\.sso\.us-east-1\.amazonaws\.com\/saml\/assertion\/sandbox$/,
    ],
    [
      "a subject confirmation that is not bearer",
      () => idp.signedResponse(fields({ method: "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key" })),
      /^no bearer subject confirmation/,
    ],
    [
      "expired (past NotOnOrAfter and the skew)",
      () =>
        idp.signedResponse(
          fields({
            notBefore: new Date(Date.now() - 10 * 60_000),
            notOnOrAfter: new Date(Date.now() - CLOCK_SKEW_MS - 1_000),
            issueInstant: new Date(Date.now() - 10 * 60_000),
          }),
        ),
      /^SAML assertion expired/,
    ],
    [
      "not yet valid (NotBefore beyond the skew)",
      () => idp.signedResponse(fields({ notBefore: new Date(Date.now() + CLOCK_SKEW_MS + 5_000) })),
      /^SAML assertion not yet valid/,
    ],
    ["oversized", () => "A".repeat(MAX_RESPONSE_BYTES + 4), /^oversized: \d+ bytes$/],
    [
      "a DTD with an entity (XXE, billion laughs)",
      () => {
        const xml = Buffer.from(idp.signedResponse(fields()), "base64").toString("utf8");
        return b64(
          `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xml}`,
        );
      },
      /^dtd or entity declaration$/,
    ],
    ["not base64", () => "<samlp:Response/>", /^malformed: not base64$/],
    ["empty", () => "", /^malformed: not base64$/],
  ])("%s", async (_name, build, expected) => {
    expect(await reason(build())).toMatch(expected);
  });

  it("a username that Cognito could not hold (white space inside)", async () => {
    expect(await reason(idp.signedResponse(fields({ nameId: "jane doe" })))).toBe(
      "no usable NameID",
    );
  });
});

describe("normalizeUsername", () => {
  it("keeps a Cognito username as it is, trims, composes, and refuses white space inside", () => {
    expect(normalizeUsername("user-lob-a")).toBe("user-lob-a");
    expect(normalizeUsername("  jane.doe@example.com\n")).toBe("jane.doe@example.com");
    expect(normalizeUsername("Rene\u0301")).toBe("Ren\u00e9");
    expect(normalizeUsername("jane doe")).toBeUndefined();
    expect(normalizeUsername("")).toBeUndefined();
    expect(normalizeUsername("x".repeat(129))).toBeUndefined();
  });
});
