import {
  CLOCK_SKEW_MS,
  MAX_ASSERTION_ID,
  MAX_RESPONSE_BYTES,
  normalizeUsername,
  SamlRefused,
  SamlValidator,
  type SamlSettings,
} from "../../functions/saml/assertion";
import { MAX_CHILDREN } from "../../functions/saml/shape";
import { HOSTILE_BODIES } from "../../scripts/lib/saml-hostile";
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
      /^more than 1 Assertion$/,
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
      /^more than 1 Assertion$/,
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

describe("a response's status (SAML core §3.2.2.2)", () => {
  /** A valid response, its assertion signed, with `status` in place of the Success one. */
  const withStatus = (status: string) => {
    const f = fields();
    const xml = idp
      .response(idp.sign(idp.assertion(f), "Assertion"), f)
      .replace(/<samlp:Status>.*?<\/samlp:Status>/, status);
    return b64(xml);
  };
  const code = (value: string) => `<samlp:StatusCode Value="${value}"/>`;
  const RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder";
  const SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";

  it("refuses a signed assertion whose response says Responder, naming the status", async () => {
    const status = `<samlp:Status>${code(RESPONDER)}<samlp:StatusMessage>${"x".repeat(15_000)}</samlp:StatusMessage></samlp:Status>`;
    expect(await reason(withStatus(status))).toBe(`status ${RESPONDER}`);
  });

  it("refuses a Requester status with a nested Success (only the top-level code counts)", async () => {
    const requester = "urn:oasis:names:tc:SAML:2.0:status:Requester";
    const status = `<samlp:Status><samlp:StatusCode Value="${requester}">${code(SUCCESS)}</samlp:StatusCode></samlp:Status>`;
    expect(await reason(withStatus(status))).toBe(`status ${requester}`);
  });

  it("reads only the Status's first child: a Success after a Requester is not the status", async () => {
    const requester = "urn:oasis:names:tc:SAML:2.0:status:Requester";
    const status = `<samlp:Status>${code(requester)}${code(SUCCESS)}</samlp:Status>`;
    expect(await reason(withStatus(status))).toBe(`status ${requester}`);
  });

  it("refuses a response without a status, or with two", async () => {
    expect(await reason(withStatus(""))).toBe("no Status/StatusCode");
    const success = `<samlp:Status>${code(SUCCESS)}</samlp:Status>`;
    expect(await reason(withStatus(success + success))).toBe("more than one Status");
  });

  it("refuses a Success response that carries no assertion", async () => {
    const f = fields();
    expect(await reason(b64(idp.response("", f)))).toBe("no assertion");
  });

  it("refuses a Success status in another namespace than the protocol's", async () => {
    const status = `<x:Status xmlns:x="urn:evil"><x:StatusCode Value="${SUCCESS}"/></x:Status>`;
    expect(await reason(withStatus(status))).toBe("no Status/StatusCode");
  });

  it("accepts Success written with another prefix of the protocol namespace", async () => {
    const status = `<p:Status xmlns:p="urn:oasis:names:tc:SAML:2.0:protocol"><p:StatusCode Value="${SUCCESS}"/></p:Status>`;
    expect((await validator.validate(withStatus(status))).username).toBe("user-lob-a");
  });
});

describe("a response's shape, checked before any parser", () => {
  /** A response as Okta writes one: an XML declaration, two namespaces on each AttributeValue. */
  const oktaLike = (groups: number) => {
    const f = fields({
      attributes: {
        groups: Array.from({ length: groups }, (_, i) => `lob-b-group-${String(i)}`),
        email: ["jane.doe@example.com"],
        firstName: ["Jane"],
        lastName: ["Doe"],
      },
    });
    const assertion = idp
      .assertion(f)
      .replace(
        /<saml:AttributeValue>/g,
        '<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">',
      );
    const xml = `<?xml version="1.0" encoding="UTF-8"?>${idp.response(idp.sign(assertion, "Assertion"), f)}`;
    return b64(xml);
  };

  it("accepts a realistic response with 50 group values", async () => {
    expect((await validator.validate(oktaLike(50))).groups).toHaveLength(50);
  });

  it(`accepts ${String(MAX_CHILDREN)} group values, and refuses one more`, async () => {
    const groups = (count: number) =>
      idp.signedResponse(
        fields({
          attributes: { groups: Array.from({ length: count }, (_, i) => `g${String(i)}`) },
        }),
      );
    expect((await validator.validate(groups(MAX_CHILDREN))).groups).toHaveLength(MAX_CHILDREN);
    expect(await reason(groups(MAX_CHILDREN + 1))).toBe(
      `an element with more than ${String(MAX_CHILDREN)} children`,
    );
  });

  it.each(HOSTILE_BODIES.map((h) => [h.name, h] as const))(
    "refuses %s with its reason, in under 50 ms of CPU",
    async (_name, hostile) => {
      expect(hostile.body.length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
      expect(await reason(hostile.body)).toMatch(hostile.reason);
      const before = process.cpuUsage();
      await reason(hostile.body);
      const used = process.cpuUsage(before);
      expect((used.user + used.system) / 1000).toBeLessThan(50);
    },
  );
});

describe("an assertion ID, before the replay table sees it", () => {
  it(`refuses one over ${String(MAX_ASSERTION_ID)} characters, and accepts one of exactly that`, async () => {
    const longest = `_${"a".repeat(MAX_ASSERTION_ID - 1)}`;
    expect(
      (await validator.validate(idp.signedResponse(fields({ id: longest })))).assertionId,
    ).toBe(longest);
    expect(await reason(idp.signedResponse(fields({ id: `${longest}a` })))).toBe(
      `assertion ID is not an NCName of at most ${String(MAX_ASSERTION_ID)} chars`,
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
