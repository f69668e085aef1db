import { loadConfig as loadStudioConfig, type PresignerConfig } from "../presigner/config";
import { LOB_NAME } from "../shared/tables";
import { TEAM_NAME } from "../shared/teams";
import { requireEnv } from "../shared/log";
import type { SamlSettings } from "./assertion";

/** The SAML entry's environment: the presigner's (tables, expiries, registry) and the SAML_* ones. */
export interface SamlConfig extends PresignerConfig {
  readonly saml: SamlSettings;
  /** The replay table: partition key `id`, TTL attribute `expiresAt`. */
  readonly replayTable: string;
  /** LOBs (or one team of a LOB, `lob/team`) granted by IdP group: group name → grants. */
  readonly groupLobs: ReadonlyMap<string, readonly string[]>;
}

const PEM =
  /-----BEGIN (?:CERTIFICATE|PUBLIC KEY)-----[\s\S]+?-----END (?:CERTIFICATE|PUBLIC KEY)-----/g;

/** Every certificate (or public key) in a PEM text, in order. */
export function pemBlocks(text: string): string[] {
  return text.match(PEM) ?? [];
}

function groupLobsOf(raw: string | undefined, lobs: ReadonlyMap<string, unknown>) {
  const map = new Map<string, readonly string[]>();
  if (raw === undefined || raw.trim() === "") return map;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error("environment variable SAML_GROUP_LOBS is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error("environment variable SAML_GROUP_LOBS: expected {group: [lob, …]}");
  for (const [group, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (
      !Array.isArray(value) ||
      !value.every((l): l is string => {
        if (typeof l !== "string") return false;
        const [lob = "", team, ...rest] = l.split("/");
        return (
          LOB_NAME.test(lob) &&
          lobs.has(lob) &&
          rest.length === 0 &&
          (team === undefined || TEAM_NAME.test(team))
        );
      })
    )
      throw new Error(
        `environment variable SAML_GROUP_LOBS: group "${group}" must list LOBs of the registry (lob, or lob/team)`,
      );
    map.set(group, value);
  }
  return map;
}

/** Reads and checks the SAML entry's environment; a bad value fails the cold start with its name. */
export function loadSamlConfig(env: NodeJS.ProcessEnv): SamlConfig {
  const studio = loadStudioConfig(env);
  const idpCertificates = pemBlocks(requireEnv(env, "SAML_IDP_CERTIFICATES"));
  if (idpCertificates.length === 0)
    throw new Error(
      "environment variable SAML_IDP_CERTIFICATES holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
    );
  const acsUrl = requireEnv(env, "SAML_ACS_URL");
  if (!/^https:\/\//.test(acsUrl))
    throw new Error(`environment variable SAML_ACS_URL is "${acsUrl}": expected an https:// URL`);
  const optional = (name: string) => (env[name]?.trim() ? env[name].trim() : undefined);
  return {
    ...studio,
    replayTable: requireEnv(env, "REPLAY_TABLE"),
    groupLobs: groupLobsOf(env.SAML_GROUP_LOBS, studio.lobs),
    saml: {
      idpCertificates,
      idpEntityId: requireEnv(env, "SAML_IDP_ENTITY_ID"),
      spEntityId: requireEnv(env, "SAML_SP_ENTITY_ID"),
      acsUrl,
      userAttribute: optional("SAML_USER_ATTRIBUTE"),
      groupsAttribute: optional("SAML_GROUPS_ATTRIBUTE"),
    },
  };
}
