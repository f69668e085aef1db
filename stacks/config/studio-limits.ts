import { z } from "zod";
import { INSTANCE_TYPE } from "../../components/policies/instance-types";
import {
  IDLE_MINUTES,
  idleShutdownProblem,
  type IdleShutdown,
} from "../../functions/shared/idle-shutdown";
import {
  SPACE_STORAGE_GB,
  spaceStorageProblem,
  type SpaceStorage,
} from "../../functions/shared/space-storage";
import { matching, noRepeats, refuse, writtenAs } from "./common";

/*
 * What a team's Studio may cost (issue #21): idle shutdown of its JupyterLab and Code Editor apps
 * (hub `idleShutdown`, the default of every LOB; LOB `idleShutdown`; `teams.<t>.idleShutdown`), and
 * the instance types its roles may start (LOB `instanceTypes`, `teams.<t>.instanceTypes`).
 */

const RANGE = `${IDLE_MINUTES.min} to ${IDLE_MINUTES.max.toLocaleString("en-US")}`;
const IDLE_EXPECTED = `off, or {minutes, min?, max?}: whole numbers of minutes from ${RANGE} (SageMaker's IdleSettings), min ≤ minutes ≤ max`;

/**
 * `idleShutdown: {minutes, min?, max?}` or `off`: `minutes` is how long an app may be idle before
 * SageMaker stops it; `min` and `max` the range a user may choose from in Studio (IdleSettings'
 * MinIdleTimeoutInMinutes / MaxIdleTimeoutInMinutes); each from 60 to 525,600.
 */
export const idleShutdown = z
  .union([z.literal("off"), z.record(z.string(), z.unknown())], { error: IDLE_EXPECTED })
  .superRefine((value, ctx) => {
    const problem = idleShutdownProblem(value);
    if (problem !== undefined) refuse(ctx, [], value, `${IDLE_EXPECTED} (${problem})`);
  })
  .transform((value) => value as IdleShutdown)
  .describe("off, or {minutes, min?, max?} (idle shutdown of JupyterLab and Code Editor apps)");
const minutes = z.int().min(IDLE_MINUTES.min).max(IDLE_MINUTES.max);
// Editors get the shape; the cross-field checks are the program's.
writtenAs.set(
  idleShutdown,
  z
    .union([
      z.literal("off"),
      z.strictObject({ minutes, min: minutes.optional(), max: minutes.optional() }),
    ])
    .describe(idleShutdown.description ?? ""),
);

const TYPE_EXPECTED =
  "a SageMaker instance type, ml.<family>.<size> (such as ml.m5.large), or system";
const TYPES_EXPECTED = "a non-empty list of SageMaker instance types (ml.<family>.<size>)";

/** `instanceTypes: [ml.t3.medium, ...]`: what a team's roles may start, every other type refused. */
export const instanceTypes = z
  .array(matching(INSTANCE_TYPE, TYPE_EXPECTED), { error: TYPES_EXPECTED })
  .min(1, { error: TYPES_EXPECTED })
  .superRefine(noRepeats("an instance type not already listed"))
  .describe(TYPES_EXPECTED);

const GB_RANGE = `${SPACE_STORAGE_GB.min} to ${SPACE_STORAGE_GB.max.toLocaleString("en-US")}`;
const STORAGE_EXPECTED = `{defaultGb, maxGb}: whole numbers of GB from ${GB_RANGE} (SageMaker's DefaultEbsStorageSettings), defaultGb ≤ maxGb`;

/**
 * `spaceStorage: {defaultGb, maxGb}`: the EBS volume a new private space gets, and the most a user
 * may give one (DefaultEbsStorageSettings, each 5 to 16,384 GB:
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DefaultEbsStorageSettings.html).
 */
export const spaceStorage = z
  .record(z.string(), z.unknown(), { error: STORAGE_EXPECTED })
  .superRefine((value, ctx) => {
    const problem = spaceStorageProblem(value);
    if (problem !== undefined) refuse(ctx, [], value, `${STORAGE_EXPECTED} (${problem})`);
  })
  .transform((value) => value as unknown as SpaceStorage)
  .describe("{defaultGb, maxGb} (the EBS volume of a Studio space, in GB)");
const gb = z.int().min(SPACE_STORAGE_GB.min).max(SPACE_STORAGE_GB.max);
// Editors get the shape; the cross-field check is the program's.
writtenAs.set(
  spaceStorage,
  z.strictObject({ defaultGb: gb, maxGb: gb }).describe(spaceStorage.description ?? ""),
);
