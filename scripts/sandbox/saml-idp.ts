import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import { SignedXml } from "xml-crypto";
import { keepIdleConnections } from "./aws/http";

/**
 * A SAML 2.0 identity provider for the sandbox and the tests: a key and certificate made at run time, and
 * IdP-initiated responses as IAM Identity Center posts them to an application's ACS URL, signed on
 * the assertion, the response or both. Every field can be bent, so tests can build the responses
 * an attacker would.
 */
export interface AssertionFields {
  readonly id: string;
  readonly issuer: string;
  readonly audience: string;
  readonly recipient: string;
  readonly destination?: string;
  readonly nameId: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly notBefore: Date;
  readonly notOnOrAfter: Date;
  readonly issueInstant: Date;
  readonly method: string;
}

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";

const esc = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export class TestIdp {
  private constructor(
    readonly privateKey: string,
    /** The IdP's signing certificate, PEM: what the SP is configured with. */
    readonly certificate: string,
    readonly entityId: string,
  ) {}

  /** An IdP with a fresh RSA key and a self-signed certificate valid for 30 days. */
  static async create(
    entityId = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/sandbox",
  ): Promise<TestIdp> {
    const pems = await generate([{ name: "commonName", value: "studio-access sandbox IdP" }], {
      keySize: 2048,
      algorithm: "sha256",
      notAfterDate: new Date(Date.now() + 30 * 24 * 3600_000),
    });
    return new TestIdp(pems.private, pems.cert, entityId);
  }

  /** The fields of a valid assertion for `nameId`, for the SP at `acsUrl` / `spEntityId`. */
  fields(
    sp: { acsUrl: string; spEntityId: string },
    nameId: string,
    now = new Date(),
  ): AssertionFields {
    return {
      id: `_${randomBytes(16).toString("hex")}`,
      issuer: this.entityId,
      audience: sp.spEntityId,
      recipient: sp.acsUrl,
      destination: sp.acsUrl,
      nameId,
      attributes: {},
      notBefore: new Date(now.getTime() - 5_000),
      notOnOrAfter: new Date(now.getTime() + 5 * 60_000),
      issueInstant: now,
      method: BEARER,
    };
  }

  /** The assertion XML, unsigned. */
  assertion(f: AssertionFields): string {
    const time = (d: Date) => d.toISOString();
    const attributes = Object.entries(f.attributes)
      .map(
        ([name, values]) =>
          `<saml:Attribute Name="${esc(name)}">${values
            .map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`)
            .join("")}</saml:Attribute>`,
      )
      .join("");
    return (
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${f.id}" Version="2.0" IssueInstant="${time(f.issueInstant)}">` +
      `<saml:Issuer>${esc(f.issuer)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${esc(f.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="${esc(f.method)}"><saml:SubjectConfirmationData NotOnOrAfter="${time(f.notOnOrAfter)}" Recipient="${esc(f.recipient)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${time(f.notBefore)}" NotOnOrAfter="${time(f.notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(f.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${time(f.issueInstant)}" SessionIndex="${f.id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : "") +
      `</saml:Assertion>`
    );
  }

  /** A Response around `assertionXml` (already signed or not), unsigned. */
  response(assertionXml: string, f: Pick<AssertionFields, "issuer" | "destination">): string {
    const id = `_${randomBytes(16).toString("hex")}`;
    return (
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${new Date().toISOString()}"${f.destination ? ` Destination="${esc(f.destination)}"` : ""}>` +
      `<saml:Issuer>${esc(f.issuer)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      assertionXml +
      `</samlp:Response>`
    );
  }

  /** Signs the element `localName` (Assertion or Response) of `xml` with `privateKey`. */
  sign(xml: string, localName: "Assertion" | "Response", privateKey = this.privateKey): string {
    const signer = new SignedXml({
      privateKey,
      canonicalizationAlgorithm: EXC_C14N,
      signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    });
    const element = `//*[local-name(.)='${localName}']`;
    signer.addReference({
      xpath: element,
      digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
      transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", EXC_C14N],
    });
    signer.computeSignature(xml, {
      location: { reference: `${element}/*[local-name(.)='Issuer']`, action: "after" },
    });
    return signer.getSignedXml();
  }

  /** A complete, valid response as Identity Center posts it: assertion signed, base64. */
  signedResponse(f: AssertionFields): string {
    const xml = this.response(this.sign(this.assertion(f), "Assertion"), f);
    return Buffer.from(xml, "utf8").toString("base64");
  }
}

/**
 * The IdP's sign-in page, as the AWS access portal's application tile is: `GET /sso?user=NAME`
 * (and `&relay=LOB`) answers a page that posts a fresh signed response for NAME to the ACS, by
 * itself. No password: the sandbox's users are already signed in to their portal.
 */
export async function serveIdp(
  idp: TestIdp,
  sp: { acsUrl: string; spEntityId: string },
  /** Where the browser posts: the ACS as the sandbox serves it (the execute-api endpoint). */
  postTo: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://idp");
    const user = url.searchParams.get("user");
    if (url.pathname !== "/sso" || !user) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("GET /sso?user=NAME[&relay=LOB]");
      return;
    }
    const relay = url.searchParams.get("relay");
    const response = idp.signedResponse(idp.fields(sp, user));
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    res.end(
      `<!doctype html><html><head><title>Signing in</title></head><body onload="document.forms[0].submit()">` +
        `<form method="post" action="${esc(postTo)}"><input type="hidden" name="SAMLResponse" value="${response}">` +
        (relay ? `<input type="hidden" name="RelayState" value="${esc(relay)}">` : "") +
        `<noscript><button type="submit">Continue</button></noscript></form></body></html>`,
    );
  });
  keepIdleConnections(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
