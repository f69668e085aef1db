import { z } from "zod";
import {
  certificateProblem,
  idpFromMetadata,
  toPem,
  type IdpTrust,
  type SamlEntryConfig,
} from "../../components/lib/saml";
import { TEAM_NAME } from "../../functions/shared/teams";
import { matching, strict, type Problems } from "./common";

const SAML_EXPECTED =
  "{idpCertificates: [PEM, …]} or {idpMetadataXml}, with idpEntityId (unless the metadata gives it), and optionally userAttribute, groupsAttribute, groupLobs";
const ATTRIBUTE_NAME = /^[\w.:/-]{1,256}$/;
/** They travel in the function's environment, which Lambda caps at 4 KB for all its variables. */
const SAML_CERTIFICATE_BYTES = 3000;
const LOBS_OF_GROUP = "a list of LOBs, each alone or with a team (lob-a/analytics)";

/** The optional `saml` map: the IdP's trust (certificates or metadata) and the group mapping. */
export const saml = strict(
  {
    idpCertificates: z
      .array(z.string(), { error: "a list of 1 to 4 PEM certificates" })
      .min(1, { error: "a list of 1 to 4 PEM certificates" })
      .max(4, { error: "a list of 1 to 4 PEM certificates" })
      .optional(),
    idpMetadataXml: z.string().optional(),
    idpEntityId: z.string({ error: "the IdP's entity id (its issuer)" }).optional(),
    userAttribute: matching(ATTRIBUTE_NAME, "a SAML attribute name").optional(),
    groupsAttribute: matching(ATTRIBUTE_NAME, "a SAML attribute name").optional(),
    groupLobs: z
      .record(z.string(), z.array(z.string(), { error: LOBS_OF_GROUP }), {
        error: "a map of group name to a list of LOBs",
      })
      .optional(),
  },
  SAML_EXPECTED,
)
  .optional()
  .describe(SAML_EXPECTED);

/**
 * The SAML entry the hub makes from `saml`: its IdP's trust read from the certificates or the
 * metadata, each certificate checked, each group's LOBs among the hub's `lobs`.
 */
export function samlEntry(
  raw: z.output<typeof saml>,
  lobs: readonly string[],
  problems: Problems,
): SamlEntryConfig | undefined {
  if (raw === undefined) return undefined;
  let trust: IdpTrust | undefined;
  if ((raw.idpCertificates === undefined) === (raw.idpMetadataXml === undefined)) {
    problems.at("saml", Object.keys(raw), "exactly one of idpCertificates and idpMetadataXml");
  } else if (raw.idpMetadataXml !== undefined) {
    try {
      trust = idpFromMetadata(raw.idpMetadataXml);
    } catch (error) {
      problems.at(
        "saml.idpMetadataXml",
        "<metadata>",
        `the IdP's SAML metadata XML; it ${(error as Error).message}`,
      );
    }
  } else if (raw.idpCertificates !== undefined) {
    trust = { entityId: "", certificates: raw.idpCertificates.map(toPem) };
  }
  const certificateBytes = (trust?.certificates ?? []).reduce((n, pem) => n + pem.length, 0);
  if (certificateBytes > SAML_CERTIFICATE_BYTES)
    problems.at(
      "saml.idpCertificates",
      `${String(certificateBytes)} characters of PEM`,
      `at most ${String(SAML_CERTIFICATE_BYTES)} (Lambda's environment holds 4 KB in all): list the current certificate and the next one only`,
    );
  trust?.certificates.forEach((pem, i) => {
    const problem = certificateProblem(pem);
    if (problem)
      problems.at(
        `saml.idpCertificates[${String(i)}]`,
        "<certificate>",
        `a valid IdP certificate; it is ${problem}`,
      );
  });
  const entityId = raw.idpEntityId ?? trust?.entityId;
  if (!entityId) problems.missing("saml.idpEntityId", "the IdP's entity id (its issuer)");
  else if (trust?.entityId && raw.idpEntityId !== undefined && raw.idpEntityId !== trust.entityId)
    problems.at("saml.idpEntityId", raw.idpEntityId, `the metadata's entityID (${trust.entityId})`);
  const groupLobs: Record<string, string[]> = {};
  for (const [group, value] of Object.entries(raw.groupLobs ?? {})) {
    const known = value.every((entry) => {
      const [lob = "", team, ...rest] = entry.split("/");
      return (
        lobs.includes(lob) && rest.length === 0 && (team === undefined || TEAM_NAME.test(team))
      );
    });
    if (value.length === 0 || !known)
      problems.at(
        `saml.groupLobs.${group}`,
        value,
        `a list of LOBs of lobs (${lobs.join(", ")}), each alone or with a team (lob-a/analytics)`,
      );
    else groupLobs[group] = value;
  }
  if (Object.keys(groupLobs).length > 0 && raw.groupsAttribute === undefined)
    problems.missing(
      "saml.groupsAttribute",
      "the attribute listing the user's groups, for groupLobs",
    );
  return {
    idpCertificates: trust?.certificates ?? [],
    idpEntityId: entityId ?? "",
    ...(raw.userAttribute ? { userAttribute: raw.userAttribute } : {}),
    ...(raw.groupsAttribute ? { groupsAttribute: raw.groupsAttribute } : {}),
    groupLobs,
  };
}
