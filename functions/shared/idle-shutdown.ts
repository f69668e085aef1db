/**
 * Idle shutdown of Studio's JupyterLab and Code Editor apps (issue #21): SageMaker stops an app
 * whose user has been idle for `IdleTimeoutInMinutes`, set on the domain's default user settings
 * and on each user profile (`JupyterLabAppSettings` / `CodeEditorAppSettings` →
 * `AppLifecycleManagement.IdleSettings`). `MinIdleTimeoutInMinutes` and `MaxIdleTimeoutInMinutes`
 * are the range a user may pick in Studio for their own apps; every value is 60 to 525,600 minutes.
 * It needs SageMaker Distribution images 2.0 and later.
 * - "Idle shutdown", Amazon SageMaker AI Developer Guide:
 *   https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-idle-shutdown.html
 * - IdleSettings (API reference): https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_IdleSettings.html
 * - CreateUserProfile / CreateDomain: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateUserProfile.html,
 *   https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html
 *
 * Shared by the program (the domain's defaults, the LOB's row in the hub's LOBs table) and the
 * presigner (the profiles it creates); kept free of any SDK import, so the presigner's bundle
 * stays small.
 */

/** IdleSettings' documented range, in minutes (API_IdleSettings: 60 to 525600). */
export const IDLE_MINUTES = { min: 60, max: 525_600 } as const;

/** A team's (or LOB's, or the hub's) idle shutdown: a timeout with the user's range, or off. */
export type IdleShutdown =
  { readonly minutes: number; readonly min?: number; readonly max?: number } | "off";

/** On by default: 120 minutes, with no range a user may choose from. */
export const DEFAULT_IDLE_SHUTDOWN: IdleShutdown = { minutes: 120 };

/** What is wrong with a setting, in the words the config and the row check use; undefined if valid. */
export function idleShutdownProblem(value: unknown): string | undefined {
  if (value === "off") return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return `"off" or {minutes, min?, max?}`;
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !["minutes", "min", "max"].includes(k));
  if (unknown.length > 0) return `no field ${unknown.join(", ")} (known: minutes, min, max)`;
  const range = `${IDLE_MINUTES.min} to ${IDLE_MINUTES.max.toLocaleString("en-US")}`;
  for (const key of ["minutes", "min", "max"] as const) {
    const n = fields[key];
    if (n === undefined && key !== "minutes") continue;
    if (
      typeof n !== "number" ||
      !Number.isInteger(n) ||
      n < IDLE_MINUTES.min ||
      n > IDLE_MINUTES.max
    )
      return `${key} a whole number of minutes from ${range} (is ${JSON.stringify(n)})`;
  }
  const { minutes, min, max } = fields as { minutes: number; min?: number; max?: number };
  if (min !== undefined && min > minutes) return `min (${min}) at most minutes (${minutes})`;
  if (max !== undefined && max < minutes) return `max (${max}) at least minutes (${minutes})`;
  return undefined;
}

/** How a setting reads in the plan and in messages: "120 minutes (users may pick 60–240)" or "off". */
export function describeIdleShutdown(idle: IdleShutdown): string {
  if (idle === "off") return "off";
  const range =
    idle.min !== undefined || idle.max !== undefined
      ? ` (users may pick ${String(idle.min ?? idle.minutes)}–${String(idle.max ?? idle.minutes)})`
      : "";
  return `${String(idle.minutes)} minutes${range}`;
}

/** SageMaker's IdleSettings for a setting (the API's field names, as the SDK sends them). */
export function idleSettings(idle: IdleShutdown): {
  LifecycleManagement: "ENABLED" | "DISABLED";
  IdleTimeoutInMinutes?: number;
  MinIdleTimeoutInMinutes?: number;
  MaxIdleTimeoutInMinutes?: number;
} {
  if (idle === "off") return { LifecycleManagement: "DISABLED" };
  return {
    LifecycleManagement: "ENABLED",
    IdleTimeoutInMinutes: idle.minutes,
    ...(idle.min !== undefined ? { MinIdleTimeoutInMinutes: idle.min } : {}),
    ...(idle.max !== undefined ? { MaxIdleTimeoutInMinutes: idle.max } : {}),
  };
}

/** The apps idle shutdown applies to, as UserSettings names their settings. */
export const IDLE_APP_SETTINGS = ["JupyterLabAppSettings", "CodeEditorAppSettings"] as const;

/** A profile's UserSettings fragment: the same idle settings on JupyterLab and Code Editor. */
export function idleUserSettings(
  idle: IdleShutdown,
): Record<
  (typeof IDLE_APP_SETTINGS)[number],
  { AppLifecycleManagement: { IdleSettings: ReturnType<typeof idleSettings> } }
> {
  const settings = { AppLifecycleManagement: { IdleSettings: idleSettings(idle) } };
  return { JupyterLabAppSettings: settings, CodeEditorAppSettings: settings };
}

/**
 * A setting as the LOB's row in the hub's LOBs table holds it (DynamoDB JSON): `{S: "off"}`, or a
 * map of `minutes`, `min` and `max` as numbers. The presigner reads it back with
 * `idleShutdownProblem`, and refuses a row it does not pass.
 */
export function idleShutdownItem(idle: IdleShutdown): Record<string, unknown> {
  if (idle === "off") return { S: "off" };
  return {
    M: Object.fromEntries(
      (["minutes", "min", "max"] as const)
        .filter((key) => idle[key] !== undefined)
        .map((key) => [key, { N: String(idle[key]) }]),
    ),
  };
}
