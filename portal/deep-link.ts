import { isLandingApp, LANDING_APPS } from "../functions/shared/landing";

/**
 * A deep link as the page accepts it from its address: `lob`, `team` and `app` only. `space` is
 * never taken from a URL (a link someone else sent must not pick where the person lands beyond
 * the app); any other parameter is ignored. Nothing here calls the API: the page asks the person
 * to confirm first.
 */
export interface DeepLink {
  readonly lob: string;
  readonly team?: string;
  /** One of the landing values the API accepts (functions/shared/landing.ts). */
  readonly app?: string;
  /** What was left out and why, for the person to read ("" when nothing was). */
  readonly notice: string;
}

/** The deep link in a query string (`location.search`), or undefined when it names no LOB. */
export function deepLinkOf(search: string): DeepLink | undefined {
  const query = new URLSearchParams(search);
  const lob = query.get("lob");
  if (!lob) return undefined;
  const team = query.get("team") || undefined;
  const app = query.get("app") || undefined;
  const known = app === undefined || isLandingApp(app);
  return {
    lob,
    ...(team !== undefined ? { team } : {}),
    ...(app !== undefined && known ? { app } : {}),
    notice: known
      ? ""
      : `The link asked for an app this page does not know; it opens Studio's default instead (apps: ${Object.keys(LANDING_APPS).join(", ")}).`,
  };
}
