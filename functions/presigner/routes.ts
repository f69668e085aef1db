import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { Unauthorized, verifyBearer, type AccessTokenVerifier } from "../shared/access-token";
import { InvalidLanding, landingFrom, type Landing } from "../shared/landing";
import { LOB_NAME } from "../shared/tables";
import { TEAM_NAME } from "../shared/teams";
import type { PresignerConfig } from "./config";
import { BadLanding, jsonResponse, RouteNotFound, Unauthenticated, UnknownLob } from "./errors";
import { byTeam, type AccessTables, type LobRecord } from "./tables";
import { opens, type StudioSigner } from "./studio";

/** How much of an invalid LOB name the log keeps: enough to recognise, too little to smuggle. */
const LOGGED_INVALID_LOB = 32;

/** What a request learned, for its one log line. */
export interface RequestLog {
  username?: string;
  lob?: string;
  team?: string;
  account?: string;
  profile?: string;
  landing?: string;
  /** This request created the user's profile: their first sign-in to the team (a metric filter counts these). */
  firstSignIn?: boolean;
}

/**
 * The deep link and team a request asks for, checked before any AWS call: `team` picks one of the
 * user's teams in the LOB, the rest is the landing (`app`, `space`).
 */
function selectionOf(event: APIGatewayProxyEvent): { team?: string; landing: Landing } {
  const { team, ...query } = event.queryStringParameters ?? {};
  const { team: teams, ...multi } = event.multiValueQueryStringParameters ?? {};
  if ((teams?.length ?? 0) > 1) throw new BadLanding("team given more than once");
  if (team !== undefined && !TEAM_NAME.test(team))
    throw new BadLanding("team must be a team name (lower-case letters, digits and dashes)");
  try {
    return { ...(team !== undefined ? { team } : {}), landing: landingFrom(query, multi) };
  } catch (error) {
    if (error instanceof InvalidLanding) throw new BadLanding(error.message);
    throw error;
  }
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function wantsJson(event: APIGatewayProxyEvent): boolean {
  return /\bapplication\/json\b/i.test(header(event, "accept") ?? "");
}

/**
 * The API's routes, for a caller whose bearer token is verified here (the authorizer's context is
 * not trusted, so invoking the function directly, past API Gateway, opens nothing):
 * `GET /studios` lists the caller's Studios, `GET /studios/{lob}` opens one.
 */
export function createRoutes(deps: {
  readonly config: PresignerConfig;
  readonly verifier: AccessTokenVerifier;
  readonly tables: AccessTables;
  readonly signer: StudioSigner;
  readonly now: () => number;
}) {
  const { config, tables, signer, now } = deps;

  async function openStudio(
    event: APIGatewayProxyEvent,
    username: string,
    lob: string,
    signal: AbortSignal,
    facts: RequestLog,
  ): Promise<APIGatewayProxyResult> {
    const { team, landing } = selectionOf(event);
    facts.landing = landing.app;
    const { entitlements, record } = await tables.entitlementsAndLob(username, lob, team, signal);
    facts.account = record?.accountId;
    const target = signer.target(username, lob, team, entitlements, record);
    facts.team = target.team;
    facts.profile = target.profileName;
    const url = await signer.open(target, signal, landing, () => {
      facts.firstSignIn = true;
    });
    const expiresAt = new Date(now() + config.urlExpiresSeconds * 1000).toISOString();
    if (wantsJson(event)) return jsonResponse(200, { url, expiresAt });
    return { statusCode: 302, headers: { Location: url, "Cache-Control": "no-store" }, body: "" };
  }

  async function listStudios(
    username: string,
    signal: AbortSignal,
  ): Promise<APIGatewayProxyResult> {
    const found = await tables.studiosOf(username, signal);
    const records = new Map<string, LobRecord>(found.map((s) => [s.record.lob, s.record]));
    // One Studio per LOB and team, whether a config seed, an admin grant or both let them in.
    const studios = byTeam(found.map((s) => s.entitlement))
      .flatMap((team) => {
        const record = records.get(team.lob);
        const row = team.rows.find((r) => (r.state ?? "active") === "active");
        return record && row && opens(team, record) ? [{ team, record, row }] : [];
      })
      .map(({ team, record, row }) => ({
        lob: team.lob,
        team: team.team,
        domainId: record.domainId,
        profileName: row.profileName,
        enabled: record.enabled,
      }))
      .sort((a, b) => a.lob.localeCompare(b.lob) || a.team.localeCompare(b.team));
    return jsonResponse(200, { studios });
  }

  return async function route(
    event: APIGatewayProxyEvent,
    signal: AbortSignal,
    facts: RequestLog,
  ): Promise<APIGatewayProxyResult> {
    let username: string;
    try {
      ({ username } = await verifyBearer(deps.verifier, header(event, "authorization")));
    } catch (error) {
      throw new Unauthenticated(
        error instanceof Unauthorized ? error.reason : "verification failed",
      );
    }
    facts.username = username;
    if (event.httpMethod !== "GET") throw new RouteNotFound();
    if (event.resource === "/studios") return listStudios(username, signal);
    const lob = event.pathParameters?.lob;
    if (event.resource === "/studios/{lob}" && lob !== undefined) {
      if (!LOB_NAME.test(lob)) {
        facts.lob = `invalid:${JSON.stringify(lob.slice(0, LOGGED_INVALID_LOB))}`;
        throw new UnknownLob();
      }
      facts.lob = lob;
      return openStudio(event, username, lob, signal, facts);
    }
    throw new RouteNotFound();
  };
}
