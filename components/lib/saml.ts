import { X509Certificate } from "node:crypto";
import { DOMParser } from "@xmldom/xmldom";
import { generateServiceProviderMetadata } from "@node-saml/node-saml";

/** What the SAML entry trusts of an IdP: its entity id and its signing certificates (PEM). */
export interface IdpTrust {
  readonly entityId: string;
  readonly certificates: readonly string[];
}

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS = "http://www.w3.org/2000/09/xmldsig#";

/** A certificate as PEM, from PEM or from the bare base64 DER that metadata holds. */
export function toPem(certificate: string): string {
  const body = certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  return `-----BEGIN CERTIFICATE-----\n${(body.match(/.{1,64}/g) ?? []).join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** Why a certificate cannot be trusted (not X.509, or expired at `now`), or undefined. */
export function certificateProblem(pem: string, now = new Date()): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return "not an X.509 certificate in PEM";
  }
  if (new Date(cert.validTo).getTime() < now.getTime()) return `expired on ${cert.validTo}`;
  return undefined;
}

/**
 * The entity id and signing certificates of an IdP's SAML metadata (IAM Identity Center offers it
 * as "IAM Identity Center SAML metadata file"). Deploy-time only: the function never parses it.
 */
export function idpFromMetadata(xml: string): IdpTrust {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error("holds a DTD or entity declaration");
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (m: string) => errors.push(m),
      fatalError: (m: string) => errors.push(m),
    },
  }).parseFromString(xml, "text/xml");
  if (errors.length > 0) throw new Error(`is not XML (${errors[0] ?? ""})`);
  const descriptor = doc.getElementsByTagNameNS(MD, "EntityDescriptor")[0];
  const entityId = descriptor?.getAttribute("entityID");
  if (!entityId) throw new Error("has no EntityDescriptor with an entityID");
  const idp = descriptor?.getElementsByTagNameNS(MD, "IDPSSODescriptor")[0];
  if (!idp) throw new Error("has no IDPSSODescriptor");
  const certificates: string[] = [];
  const keys = idp.getElementsByTagNameNS(MD, "KeyDescriptor");
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!key) continue;
    const use = key.getAttribute("use");
    if (use && use !== "signing") continue;
    const x509 = key.getElementsByTagNameNS(DS, "X509Certificate");
    for (let j = 0; j < x509.length; j++) {
      const text = x509[j]?.textContent.trim();
      if (text) certificates.push(toPem(text));
    }
  }
  if (certificates.length === 0) throw new Error("has no signing certificate");
  return { entityId, certificates };
}

/** The SP metadata an IdP imports: our entity id and ACS URL (HTTP-POST); assertions signed. */
export function spMetadataXml(spEntityId: string, acsUrl: string): string {
  return generateServiceProviderMetadata({
    issuer: spEntityId,
    callbackUrl: acsUrl,
    identifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    wantAssertionsSigned: true,
  });
}

/** The SAML entry (POST /saml): the IdP it trusts and how its assertions name users and LOBs. */
export interface SamlEntryConfig {
  /** The IdP's signing certificates, PEM (more than one while it rotates). */
  readonly idpCertificates: readonly string[];
  readonly idpEntityId: string;
  /** The attribute holding the username; the NameID when unset. */
  readonly userAttribute?: string;
  /** The attribute listing the user's groups. */
  readonly groupsAttribute?: string;
  /** IdP group → LOBs its members may open. */
  readonly groupLobs: Readonly<Record<string, readonly string[]>>;
}
