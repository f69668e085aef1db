import { ConfigError, parseStackConfig, type SharedConfig } from "../../stacks/config";
import { TestIdp } from "../../scripts/sandbox/saml-idp";

/** The hub's optional `saml` setting: the IdP trusted by POST /saml. */
const AWS = { region: "us-east-1" };
const base: Record<string, string> = {
  kind: "shared",
  hubAccountId: "111111111111",
  organizationId: "o-exampleorg1",
  hubVpcCidr: "10.0.0.0/16",
  lobs: JSON.stringify({
    "lob-a": {
      accountId: "222222222222",
      vpcCidr: "10.1.0.0/16",
      deployer: "arn:aws:iam::222222222222:role/deployer",
    },
  }),
};
let idp: TestIdp;
beforeAll(async () => {
  idp = await TestIdp.create("https://portal.sso.us-east-1.amazonaws.com/saml/assertion/EXAMPLE");
});

const parse = (saml: unknown) =>
  parseStackConfig({ ...base, saml: JSON.stringify(saml) }, AWS) as SharedConfig;
const problems = (saml: unknown) => {
  try {
    parse(saml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("accepted");
};
/** IAM Identity Center's metadata file, in the shape it downloads. */
const metadata = (certificate: string, entityId = idp.entityId) =>
  `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}"><md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certificate.replace(/-----[A-Z ]+-----|\s/g, "")}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/EXAMPLE"/></md:IDPSSODescriptor></md:EntityDescriptor>`;

describe("saml config", () => {
  it("is absent by default: no SAML entry", () => {
    expect((parseStackConfig(base, AWS) as SharedConfig).saml).toBeUndefined();
  });

  it("takes certificates and an entity id, with attributes and a group mapping", () => {
    expect(
      parse({
        idpCertificates: [idp.certificate],
        idpEntityId: idp.entityId,
        userAttribute: "email",
        groupsAttribute: "groups",
        groupLobs: { "lob-a-scientists": ["lob-a"], "lob-a-analysts": ["lob-a/analytics"] },
      }).saml,
    ).toEqual({
      idpCertificates: [`${idp.certificate.replace(/\r\n/g, "\n").trim()}\n`],
      idpEntityId: idp.entityId,
      userAttribute: "email",
      groupsAttribute: "groups",
      groupLobs: { "lob-a-scientists": ["lob-a"], "lob-a-analysts": ["lob-a/analytics"] },
    });
  });

  it("reads the entity id and signing certificate from the IdP's metadata", () => {
    const saml = parse({ idpMetadataXml: metadata(idp.certificate) }).saml;
    expect(saml?.idpEntityId).toBe(idp.entityId);
    expect(saml?.idpCertificates).toHaveLength(1);
    expect(saml?.idpCertificates[0]?.replace(/\s/g, "")).toBe(idp.certificate.replace(/\s/g, ""));
  });

  it.each<[string, unknown, string]>([
    [
      "both certificates and metadata",
      { idpCertificates: ["x"], idpMetadataXml: "<x/>", idpEntityId: "e" },
      'studio-access:saml is ["idpCertificates","idpMetadataXml","idpEntityId"]: expected exactly one of idpCertificates and idpMetadataXml',
    ],
    [
      "a certificate that is not one",
      { idpCertificates: ["not a certificate"], idpEntityId: "e" },
      'studio-access:saml.idpCertificates[0] is "<certificate>": expected a valid IdP certificate; it is not an X.509 certificate in PEM',
    ],
    [
      "metadata with a DTD",
      { idpMetadataXml: '<!DOCTYPE x [<!ENTITY e "x">]><x/>' },
      'studio-access:saml.idpMetadataXml is "<metadata>": expected the IdP\'s SAML metadata XML; it holds a DTD or entity declaration',
    ],
    [
      "no entity id",
      { idpCertificates: ["CERT"] },
      "studio-access:saml.idpEntityId is not set: expected the IdP's entity id (its issuer)",
    ],
    [
      "a group mapped to a malformed team",
      {
        idpCertificates: ["CERT"],
        idpEntityId: "e",
        groupsAttribute: "groups",
        groupLobs: { g: ["lob-a/Data_Eng"] },
      },
      'studio-access:saml.groupLobs.g is ["lob-a/Data_Eng"]: expected a list of LOBs of lobs (lob-a), each alone or with a team (lob-a/analytics)',
    ],
    [
      "a group mapped to an unknown LOB",
      {
        idpCertificates: ["CERT"],
        idpEntityId: "e",
        groupsAttribute: "groups",
        groupLobs: { g: ["lob-z"] },
      },
      'studio-access:saml.groupLobs.g is ["lob-z"]: expected a list of LOBs of lobs (lob-a), each alone or with a team (lob-a/analytics)',
    ],
    [
      "a group mapping without the groups attribute",
      { idpCertificates: ["CERT"], idpEntityId: "e", groupLobs: { g: ["lob-a"] } },
      "studio-access:saml.groupsAttribute is not set: expected the attribute listing the user's groups, for groupLobs",
    ],
    [
      "a misspelt key",
      { idpCertificates: ["CERT"], idpEntityId: "e", groupAttribute: "groups" },
      "studio-access:saml.groupAttribute is not a setting (known: idpCertificates, idpMetadataXml, idpEntityId, userAttribute, groupsAttribute, groupLobs)",
    ],
    [
      "more certificate text than Lambda's environment holds",
      { idpCertificates: ["CERT", "CERT", "CERT"], idpEntityId: "e" },
      "studio-access:saml.idpCertificates is",
    ],
  ])("refuses %s", (_name, saml, message) => {
    const withCert = JSON.parse(
      JSON.stringify(saml).replace(/"CERT"/g, JSON.stringify(idp.certificate)),
    ) as unknown;
    expect(problems(withCert).find((p) => p.startsWith(message))).toBeDefined();
  });
});
