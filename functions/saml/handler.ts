import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import {
  HttpError,
  NotEntitled,
  ProfilePending,
  TeamRequired,
  UnknownLob,
  UpstreamFailure,
  UpstreamUnavailable,
} from "../presigner/errors";
import { ROLE_SESSION_NAMES } from "../presigner/credentials";
import { opens, studioAccess } from "../presigner/studio";
import { byTeam, type Entitlement } from "../presigner/tables";
import type { StudioClients } from "../shared/clients";
import { MAX_REQUEST_MS, withDeadline } from "../shared/deadline";
import { log, loggable } from "../shared/log";
import { LOB_NAME } from "../shared/tables";
import { DEFAULT_TEAM, TEAM_NAME, teamProfileName } from "../shared/teams";
import { CLOCK_SKEW_MS, SamlRefused, SamlValidator } from "./assertion";
import type { SamlConfig } from "./config";
import {
  CHOICE_COOKIE,
  choiceCookie,
  CLEARED_CHOICE_COOKIE,
  cookieOf,
  withCookies,
} from "./cookie";
import { chooserPage, failedPage, preparingPage, refusedPage } from "./pages";
import { ReplayStore, studioKey, type Studio } from "./replay";

export interface SamlDeps extends StudioClients {
  readonly config: SamlConfig;
}

/** What a request learned, for its one log line. */
interface RequestLog {
  username?: string;
  lob?: string;
  team?: string;
  step?: string;
}

/** How the chooser names a Studio: the LOB, and the team when the LOB has teams. */
const studioLabel = ({ lob, team }: Studio) => (team === DEFAULT_TEAM ? lob : `${lob} — ${team}`);

/** A form body as API Gateway passes it (base64 when the integration says so). */
function formOf(event: APIGatewayProxyEvent): URLSearchParams {
  const raw = event.body ?? "";
  return new URLSearchParams(event.isBase64Encoded ? Buffer.from(raw, "base64").toString() : raw);
}

/**
 * POST /saml: the ACS of a SAML application (IAM Identity Center's custom SAML 2.0 application, or
 * any IdP). The signed response is the credential: no authorizer. The user and their LOBs come from
 * the validated assertion, the entitlements table and the group mapping; RelayState picks a LOB
 * (`lob`) or one of its teams (`lob/team`), or a chooser page offers every LOB and team they may
 * open (a RelayState naming a LOB where they are in several teams: those teams). Success is a 302
 * to Studio; every refusal a page with a correlation id, the reason in the log.
 */
export function createHandler(deps: SamlDeps) {
  const { config, now } = deps;
  const validator = new SamlValidator(config.saml, now);
  const replay = new ReplayStore(deps.dynamo, config.replayTable, now);
  const { tables, signer } = studioAccess(deps, config, {
    roleSessionName: ROLE_SESSION_NAMES.saml,
  });
  const acsPath = new URL(config.saml.acsUrl).pathname;

  /** What the user's IdP groups grant: a LOB's team (`lob/team`), or its default team (`lob`). */
  function grantsOf(groups: readonly string[]): { lob: string; team: string }[] {
    return groups
      .flatMap((g) => config.groupLobs.get(g) ?? [])
      .map((grant) => {
        const [lob = "", team = DEFAULT_TEAM] = grant.split("/");
        return { lob, team };
      });
  }

  /** The teams the user's IdP groups grant in a LOB; they add to the table's rows, a row wins. */
  function groupTeams(groups: readonly string[], lob: string): string[] {
    return [
      ...new Set(
        grantsOf(groups)
          .filter((g) => g.lob === lob)
          .map((g) => g.team),
      ),
    ];
  }

  /**
   * The Studios (LOB and team) a user may open: the teams their rows let them into (a config seed
   * or an active admin grant), and those their IdP groups map to, except a mapped team whose rows
   * outvote the group (an admin row revoked or offboarded, with no seed: the revocation wins) or
   * that the LOB's record (when read) does not have. In LOB, then team order. Read eventually
   * consistently: opening the one chosen reads its rows again, strongly consistently.
   */
  async function studiosOf(
    username: string,
    groups: readonly string[],
    signal: AbortSignal,
  ): Promise<Studio[]> {
    const rows = await tables.studiosOf(username, signal);
    const records = new Map(rows.map((s) => [s.record.lob, s.record]));
    const teams = byTeam(rows.map((s) => s.entitlement));
    const entitled = teams.flatMap((t) => {
      const record = records.get(t.lob);
      return record && opens(t, record) ? [{ lob: t.lob, team: t.team }] : [];
    });
    const outvoted = new Set(
      teams.filter((t) => t.entitled.outvotesGroups).map((t) => studioKey(t)),
    );
    const mapped = grantsOf(groups).filter(
      (g) => !outvoted.has(studioKey(g)) && records.get(g.lob)?.teams.includes(g.team) !== false,
    );
    const studios = new Map([...entitled, ...mapped].map((s) => [studioKey(s), s]));
    return [...studios.values()].sort(
      (a, b) => a.lob.localeCompare(b.lob) || a.team.localeCompare(b.team),
    );
  }

  /** The chooser page of `studios`, its one-time choice stored, and its cookie to set. */
  async function chooser(
    username: string,
    studios: readonly Studio[],
    groups: readonly string[],
    signal: AbortSignal,
    facts: RequestLog,
    cookies: string[],
  ): Promise<APIGatewayProxyResult> {
    facts.step = "chooser";
    const { token, nonce } = await replay.offerChoice({ username, studios, groups }, signal);
    cookies.push(choiceCookie(nonce));
    return chooserPage(
      acsPath,
      token,
      studios.map((s) => ({ ...s, label: studioLabel(s) })),
    );
  }

  async function open(
    username: string,
    lob: string,
    team: string | undefined,
    groups: readonly string[],
    signal: AbortSignal,
    facts: RequestLog,
  ): Promise<APIGatewayProxyResult> {
    facts.lob = lob;
    facts.step = "presign";
    const { entitlements, record } = await tables.entitlementsAndLob(username, lob, team, signal);
    // A team granted by group has no row: the entitlement is the user's own profile there. A row
    // of the same team (a seed, an admin grant, a revoked one) takes precedence: the rows decide.
    const byGroup = groupTeams(groups, lob)
      .filter((t) => (team === undefined || t === team) && !entitlements.some((e) => e.team === t))
      .flatMap((t): Entitlement[] => {
        const profileName = teamProfileName(username, t);
        // As an admin grant would be: the group stands for the user's admin, not for a config.
        return profileName
          ? [{ lob, username, team: t, profileName, source: "admin" as const }]
          : [];
      });
    const granted: Entitlement[] = [...entitlements, ...byGroup];
    const target = signer.target(username, lob, team, granted, record);
    facts.team = target.team;
    const url = await signer.open(target, signal);
    return { statusCode: 302, headers: { Location: url, "Cache-Control": "no-store" }, body: "" };
  }

  /** `cookies` collects what the response sets, whatever it turns out to be. */
  async function route(
    event: APIGatewayProxyEvent,
    signal: AbortSignal,
    facts: RequestLog,
    cookies: string[],
  ): Promise<APIGatewayProxyResult> {
    if (event.httpMethod !== "POST") throw new SamlRefused(`method ${event.httpMethod}`);
    const form = formOf(event);
    const choice = form.get("choice");
    if (choice !== null) {
      facts.step = "choice";
      // Used or refused, the browser's choice cookie has served.
      cookies.push(CLEARED_CHOICE_COOKIE);
      const picked = form.get("lob") ?? "";
      if (!LOB_NAME.test(picked)) throw new SamlRefused("malformed lob");
      const pickedTeam = form.get("team") ?? "";
      if (!TEAM_NAME.test(pickedTeam)) throw new SamlRefused("malformed team");
      const { username, studios, groups } = await replay.takeChoice(
        choice,
        cookieOf(event, CHOICE_COOKIE),
        signal,
      );
      facts.username = username;
      // Only what this user's chooser offered; opening it checks the rows again (they may have
      // been revoked since), strongly consistently.
      if (!studios.some((s) => s.lob === picked)) throw new SamlRefused("chose a LOB not offered");
      if (!studios.some((s) => s.lob === picked && s.team === pickedTeam))
        throw new SamlRefused("chose a team not offered");
      return open(username, picked, pickedTeam, groups, signal, facts);
    }
    facts.step = "validate";
    const signIn = await validator.validate(form.get("SAMLResponse") ?? "");
    facts.username = signIn.username;
    await replay.consumeAssertion(signIn.assertionId, signIn.notOnOrAfter, CLOCK_SKEW_MS, signal);
    const relay = form.get("RelayState");
    if (relay !== null && relay !== "") {
      // One LOB named (an application per LOB, or per team: "lob/team"): its strongly consistent
      // read decides, so the list of every LOB the user has is not read at all.
      const refused = new SamlRefused("RelayState names a LOB the user may not open");
      const [lob = "", team, ...rest] = relay.split("/");
      if (!LOB_NAME.test(lob) || rest.length > 0 || (team !== undefined && !TEAM_NAME.test(team)))
        throw refused;
      try {
        return await open(signIn.username, lob, team, signIn.groups, signal, facts);
      } catch (error) {
        if (error instanceof NotEntitled || error instanceof UnknownLob) throw refused;
        // A LOB where the user is in several teams: the chooser offers those teams (the ones
        // the strongly consistent read just found open to them), not a refusal.
        if (error instanceof TeamRequired)
          return chooser(
            signIn.username,
            error.teams.map((t) => ({ lob, team: t })),
            signIn.groups,
            signal,
            facts,
            cookies,
          );
        throw error;
      }
    }
    facts.step = "entitlements";
    const all = await studiosOf(signIn.username, signIn.groups, signal);
    if (all.length === 0) throw new SamlRefused("no entitlement");
    const [only] = all;
    if (all.length === 1 && only !== undefined)
      return open(signIn.username, only.lob, only.team, signIn.groups, signal, facts);
    return chooser(signIn.username, all, signIn.groups, signal, facts, cookies);
  }

  return async function handler(
    event: APIGatewayProxyEvent,
    context: Pick<Context, "awsRequestId" | "getRemainingTimeInMillis">,
  ): Promise<APIGatewayProxyResult> {
    const started = now();
    const facts: RequestLog = {};
    const budget = Math.max(0, Math.min(MAX_REQUEST_MS, context.getRemainingTimeInMillis() - 1000));
    let response: APIGatewayProxyResult;
    let outcome = "ok";
    let reason: string | undefined;
    const cookies: string[] = [];
    try {
      // Every AWS call is given the deadline's signal; at the deadline the page says 503.
      response = await withDeadline(
        budget,
        () => new UpstreamUnavailable(`request deadline of ${String(budget)} ms passed`),
        (signal) => route(event, signal, facts, cookies),
      );
    } catch (error) {
      if (error instanceof ProfilePending) {
        // A first sign-in whose profile is still starting: the assertion is spent, so the page
        // asks for a fresh sign-in from the portal shortly.
        outcome = error.outcome;
        reason = error.detail;
        response = preparingPage(context.awsRequestId);
      } else if (error instanceof SamlRefused) {
        outcome = "refused";
        reason = error.reason;
        response = refusedPage(context.awsRequestId);
      } else if (error instanceof HttpError && error.status < 500) {
        // Not entitled, unknown or disabled LOB: a refusal like any other, no detail shown.
        outcome = error.outcome;
        reason = error.detail ?? error.message;
        response = refusedPage(context.awsRequestId);
      } else {
        const failure =
          error instanceof HttpError
            ? error
            : new UpstreamFailure(
                error instanceof Error ? `unexpected ${error.name}` : "unexpected",
              );
        outcome = failure.outcome;
        reason = failure.detail;
        response = failedPage(failure.status, context.awsRequestId);
      }
    }
    response = withCookies(response, cookies);
    log(outcome === "ok" || outcome === "refused" ? "info" : "error", "saml", {
      requestId: context.awsRequestId,
      username: facts.username,
      lob: facts.lob,
      team: facts.team,
      step: facts.step,
      outcome,
      status: response.statusCode,
      // Reasons quote what the request carried (a Destination, a status): cut and escaped.
      reason: reason === undefined ? undefined : loggable(reason),
      latencyMs: now() - started,
    });
    return response;
  };
}
