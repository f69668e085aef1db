/**
 * Deep links: where in Studio a presigned URL lands. `GET /studios/{lob}?app=…&space=…` takes these
 * values only; they map to CreatePresignedDomainUrl's `LandingUri` and `SpaceName`
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePresignedDomainUrl.html).
 * Shared by the presigner and the `studio-access` CLI, so both accept exactly the same list.
 */
export const LANDING_APPS = {
  /** Studio's home page. */
  studio: "studio::",
  /** The JupyterLab application. */
  jupyterlab: "app:JupyterLab:",
  /** Code Editor, based on Code-OSS. */
  codeeditor: "app:CodeEditor:",
} as const;

export type LandingApp = keyof typeof LANDING_APPS;

/** Apps that run in a space, so `space` may name one. */
const SPACE_APPS: readonly LandingApp[] = ["jupyterlab", "codeeditor"];

/** SageMaker's pattern for a space name. */
const SPACE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export interface Landing {
  readonly app?: LandingApp;
  readonly landingUri?: string;
  readonly spaceName?: string;
}

/** A deep link that is not on the list; the message names the parameter, never echoes its value. */
export class InvalidLanding extends Error {}

export function isLandingApp(value: string): value is LandingApp {
  return Object.prototype.hasOwnProperty.call(LANDING_APPS, value);
}

/**
 * The landing asked for by a query string, or InvalidLanding. Only `app` and `space` are known,
 * each at most once; `space` needs an app that runs in a space.
 */
export function landingFrom(
  query: Readonly<Record<string, string | undefined>> | null | undefined,
  multi?: Readonly<Record<string, readonly string[] | undefined>> | null,
): Landing {
  const params = query ?? {};
  const unknown = Object.keys(params).filter((k) => k !== "app" && k !== "space");
  if (unknown.length > 0)
    throw new InvalidLanding(`unknown query parameter; only app and space are accepted`);
  for (const key of ["app", "space"]) {
    if ((multi?.[key]?.length ?? 0) > 1) throw new InvalidLanding(`${key} given more than once`);
  }
  const { app, space } = params;
  if (app !== undefined && !isLandingApp(app))
    throw new InvalidLanding(`app must be one of ${Object.keys(LANDING_APPS).join(", ")}`);
  if (space !== undefined) {
    if (!SPACE_NAME.test(space))
      throw new InvalidLanding("space must be a SageMaker space name (letters, digits, hyphens)");
    if (app === undefined || !SPACE_APPS.includes(app))
      throw new InvalidLanding(`space needs app=${SPACE_APPS.join(" or app=")}`);
  }
  return {
    ...(app !== undefined ? { app, landingUri: LANDING_APPS[app] } : {}),
    ...(space !== undefined ? { spaceName: space } : {}),
  };
}

/** The query string for a landing, as the CLI sends it ("" for Studio's default). */
export function landingQuery(landing: { app?: string; space?: string }): string {
  const params = new URLSearchParams();
  if (landing.app !== undefined) params.set("app", landing.app);
  if (landing.space !== undefined) params.set("space", landing.space);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
