/**
 * A space's storage per team (issue #21): the size of the EBS volume a new private space gets
 * (`DefaultEbsVolumeSizeInGb`) and the most a user may give one (`MaximumEbsVolumeSizeInGb`), set
 * on the domain's default user settings and on each user profile (`UserSettings.SpaceStorageSettings
 * .DefaultEbsStorageSettings`). IAM has no condition key for a space's volume size (the Service
 * Authorization Reference lists none for CreateSpace or UpdateSpace), so SageMaker's own setting is
 * the limit: a CreateSpace or UpdateSpace asking more than the profile's maximum is refused.
 * - DefaultEbsStorageSettings (API reference; each value 5 to 16384):
 *   https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DefaultEbsStorageSettings.html
 * - CreateUserProfile / CreateDomain: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateUserProfile.html,
 *   https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html
 *
 * Shared by the program (the domain's defaults, the LOB's row in the hub's LOBs table) and the
 * presigner (the profiles it creates); free of any SDK import, as idle-shutdown.ts.
 */

/** DefaultEbsStorageSettings' documented range, in GB (5 to 16384, both values). */
export const SPACE_STORAGE_GB = { min: 5, max: 16_384 } as const;

/** A team's (or LOB's) space storage: a new space's size and the most a user may give one. */
export interface SpaceStorage {
  readonly defaultGb: number;
  readonly maxGb: number;
}

/**
 * A LOB without `spaceStorage`: 5 GB for a new space, at most 100 GB. Written explicitly rather
 * than left to SageMaker, so the plan shows a number, every profile carries its team's limit, and
 * a LOB's default is a choice the config can see (and the emulator can hold a space to).
 */
export const DEFAULT_SPACE_STORAGE: SpaceStorage = { defaultGb: 5, maxGb: 100 };

/** What is wrong with a setting, in the words the config and the row check use; undefined if valid. */
export function spaceStorageProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "{defaultGb, maxGb}";
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !["defaultGb", "maxGb"].includes(k));
  if (unknown.length > 0) return `no field ${unknown.join(", ")} (known: defaultGb, maxGb)`;
  const range = `${SPACE_STORAGE_GB.min} to ${SPACE_STORAGE_GB.max.toLocaleString("en-US")}`;
  for (const key of ["defaultGb", "maxGb"] as const) {
    const n = fields[key];
    if (
      typeof n !== "number" ||
      !Number.isInteger(n) ||
      n < SPACE_STORAGE_GB.min ||
      n > SPACE_STORAGE_GB.max
    )
      return `${key} a whole number of GB from ${range} (is ${JSON.stringify(n)})`;
  }
  const { defaultGb, maxGb } = fields as { defaultGb: number; maxGb: number };
  if (defaultGb > maxGb) return `defaultGb (${defaultGb}) at most maxGb (${maxGb})`;
  return undefined;
}

/** How a setting reads in the plan: "5 GB per space, at most 100 GB". */
export function describeSpaceStorage(storage: SpaceStorage): string {
  return `${String(storage.defaultGb)} GB per space, at most ${String(storage.maxGb)} GB`;
}

/** A profile's UserSettings fragment (the API's field names, as the SDK sends them). */
export function spaceStorageUserSettings(storage: SpaceStorage): {
  SpaceStorageSettings: {
    DefaultEbsStorageSettings: {
      DefaultEbsVolumeSizeInGb: number;
      MaximumEbsVolumeSizeInGb: number;
    };
  };
} {
  return {
    SpaceStorageSettings: {
      DefaultEbsStorageSettings: {
        DefaultEbsVolumeSizeInGb: storage.defaultGb,
        MaximumEbsVolumeSizeInGb: storage.maxGb,
      },
    },
  };
}

/**
 * A setting as the LOB's row in the hub's LOBs table holds it (DynamoDB JSON): a map of
 * `defaultGb` and `maxGb` as numbers. The presigner reads it back with `spaceStorageProblem`, and
 * refuses a row it does not pass.
 */
export function spaceStorageItem(storage: SpaceStorage): Record<string, unknown> {
  return {
    M: { defaultGb: { N: String(storage.defaultGb) }, maxGb: { N: String(storage.maxGb) } },
  };
}
