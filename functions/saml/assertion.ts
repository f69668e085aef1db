import { SAML, ValidateInResponseTo, type Profile } from "@node-saml/node-saml";
import { SamlRefused } from "./refused";
import { checkShape } from "./shape";

/** What the SP is and whom it trusts: the function's SAML_* environment. */
export interface SamlSettings {
  /** The IdP's signing certificates (PEM); more than one while the IdP rotates its key. */
  readonly idpCertificates: readonly string[];
  readonly idpEntityId: string;
  /** Our entity id: the audience every assertion must name. */
  readonly spEntityId: string;
  /** Our ACS URL: the Recipient (and the Destination, when the response has one) must be it. */
  readonly acsUrl: string;
  /** The attribute holding the username; the NameID when unset. */
  readonly userAttribute?: string;
  /** The attribute listing the user's groups, mapped to LOBs by `groupLobs`. */
  readonly groupsAttribute?: string;
}

/** A validated sign-in: who, their groups, and the assertion's id and end (for the replay store). */
export interface SamlSignIn {
  readonly username: string;
  readonly groups: readonly string[];
  readonly assertionId: string;
  /** Until when the assertion could be presented, ms since the epoch. */
  readonly notOnOrAfter: number;
}

export { SamlRefused };

/** The largest SAMLResponse accepted, base64 (Identity Center's are a few KB). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** The most clock skew tolerated on NotBefore and NotOnOrAfter. */
export const CLOCK_SKEW_MS = 60_000;

/** The longest assertion ID kept: IdPs send 30 to 45 characters, the replay table's key holds 2 KB. */
export const MAX_ASSERTION_ID = 256;
/** An assertion ID: an XML NCName (xs:ID), ASCII as every IdP writes them. */
const ASSERTION_ID = new RegExp(`^[A-Za-z_][\\w.-]{0,${String(MAX_ASSERTION_ID - 1)}}$`);

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/;

type Node = Record<string, unknown> & { $?: Record<string, string>; _?: string };
const first = (value: unknown): Node | undefined =>
  Array.isArray(value) ? (value[0] as Node | undefined) : undefined;

/**
 * Validates a POSTed SAMLResponse with @node-saml/node-saml (XML signature on the response or the
 * assertion against the configured certificates, signature wrapping, audience, NotBefore and
 * NotOnOrAfter within 60 s), then checks what node-saml leaves to the SP: the assertion's issuer, a
 * bearer subject confirmation whose Recipient is our ACS URL, the response's Destination, the
 * assertion's id. IdP-initiated responses (no InResponseTo) are accepted. Size, DTDs, entities,
 * comments and shapes no IdP sends (see shape.ts; a status other than Success among them) are
 * refused before any XML parser sees the text.
 */
export class SamlValidator {
  private readonly saml: SAML;

  constructor(
    private readonly settings: SamlSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.saml = new SAML({
      callbackUrl: settings.acsUrl,
      issuer: settings.spEntityId,
      audience: settings.spEntityId,
      idpCert: [...settings.idpCertificates],
      idpIssuer: settings.idpEntityId,
      // A signature on the response or on the assertion; node-saml requires one of them.
      wantAuthnResponseSigned: false,
      wantAssertionsSigned: false,
      acceptedClockSkewMs: CLOCK_SKEW_MS,
      validateInResponseTo: ValidateInResponseTo.never,
    });
  }

  async validate(samlResponse: string): Promise<SamlSignIn> {
    if (samlResponse.length > MAX_RESPONSE_BYTES)
      throw new SamlRefused(`oversized: ${String(samlResponse.length)} bytes`);
    if (!BASE64.test(samlResponse)) throw new SamlRefused("malformed: not base64");
    const xml = Buffer.from(samlResponse, "base64").toString("utf8");
    // No DTD, no entity, no comment: none belongs in a SAML response, and each has served attacks
    // (entity expansion, XXE, comments that truncate a signed NameID).
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SamlRefused("dtd or entity declaration");
    if (xml.includes("<!--")) throw new SamlRefused("xml comment");
    checkShape(xml);
    let profile: Profile | null;
    try {
      ({ profile } = await this.saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (error) {
      throw new SamlRefused(error instanceof Error ? error.message : "invalid response");
    }
    if (!profile) throw new SamlRefused("no assertion");
    return this.signIn(profile, xml);
  }

  /** What node-saml leaves to the SP, read from the assertion it verified. */
  private signIn(profile: Profile, xml: string): SamlSignIn {
    // The assertion node-saml verified, as xml2js parsed it: { Assertion: { $, Subject: [...] } }.
    const assertion = (profile.getAssertion?.() as { Assertion?: Node } | undefined)?.Assertion;
    const assertionId = assertion?.$?.ID;
    if (!assertion || !assertionId) throw new SamlRefused("assertion has no ID");
    // Checked before the replay table sees it: an over-long key is DynamoDB's ValidationException.
    if (!ASSERTION_ID.test(assertionId))
      throw new SamlRefused(
        `assertion ID is not an NCName of at most ${String(MAX_ASSERTION_ID)} chars`,
      );
    // node-saml 5 checks idpIssuer on logout messages only: the signed assertion's Issuer is ours
    // to check.
    if (profile.issuer !== this.settings.idpEntityId)
      throw new SamlRefused(`issuer ${profile.issuer} is not ${this.settings.idpEntityId}`);

    const subject = first(assertion.Subject);
    const confirmations = Array.isArray(subject?.SubjectConfirmation)
      ? (subject.SubjectConfirmation as Node[])
      : [];
    const now = this.now();
    const bearer = confirmations.find((c) => {
      const data = first(c.SubjectConfirmationData)?.$;
      const until = Date.parse(data?.NotOnOrAfter ?? "");
      return (
        c.$?.Method === BEARER &&
        data?.Recipient === this.settings.acsUrl &&
        Number.isFinite(until) &&
        now - CLOCK_SKEW_MS < until
      );
    });
    if (!bearer) {
      const recipients = confirmations.map((c) => first(c.SubjectConfirmationData)?.$?.Recipient);
      throw new SamlRefused(
        `no bearer subject confirmation for ${this.settings.acsUrl} (recipients: ${recipients.map(String).join(", ") || "none"})`,
      );
    }
    // The response's Destination, when present, must be us too (the response may be unsigned, so
    // the signed Recipient above is the check that counts).
    const destination = /^<(?:\w+:)?Response\b[^>]*\sDestination="([^"]*)"/.exec(
      xml.replace(/^<\?xml[^>]*\?>\s*/, ""),
    )?.[1];
    if (destination !== undefined && destination !== this.settings.acsUrl)
      throw new SamlRefused(`destination ${destination} is not ${this.settings.acsUrl}`);

    const username = this.username(profile);
    const groups = this.settings.groupsAttribute
      ? values(profile[this.settings.groupsAttribute])
      : [];
    const notOnOrAfter = Date.parse(first(bearer.SubjectConfirmationData)?.$?.NotOnOrAfter ?? "");
    return { username, groups, assertionId, notOnOrAfter };
  }

  private username(profile: Profile): string {
    const attribute = this.settings.userAttribute;
    const raw = attribute ? values(profile[attribute])[0] : profile.nameID;
    const username = normalizeUsername(raw ?? "");
    if (!username)
      throw new SamlRefused(attribute ? `no usable ${attribute} attribute` : "no usable NameID");
    return username;
  }
}

/** An attribute's values as strings (node-saml gives one value as a string, several as a list). */
function values(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === "string" && v !== "");
}

/**
 * A SAML username as a Cognito username would be: NFC, no surrounding white space, none inside, at
 * most 128 characters (Cognito's rule); anything else is no username at all.
 */
export function normalizeUsername(raw: string): string | undefined {
  const username = raw.normalize("NFC").trim();
  return /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(username) ? username : undefined;
}
