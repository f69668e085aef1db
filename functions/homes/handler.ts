import { lstat, readdir, rm } from "node:fs/promises";
import * as path from "node:path";
import { log } from "../shared/log";

/**
 * What the lifecycle function asks: remove the home directory of the user profile it is about to
 * delete. SageMaker keeps each profile's files on the domain's EFS under `/<HomeEfsFileSystemUid>`
 * (DescribeUserProfile), owned by that UID; DeleteUserProfile leaves them there.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeUserProfile.html
 */
export interface HomeRemoval {
  readonly uid: string | number;
  /** For the log line only: the profile and domain the directory belonged to. */
  readonly profile?: string;
  readonly domainId?: string;
}

export interface HomeRemovalResult {
  readonly uid: string;
  /** `removed`, or `absent` (the user never opened an app, or an earlier attempt removed it). */
  readonly outcome: "removed" | "absent";
  /** Entries (files and folders) the directory held at its top level. */
  readonly entries: number;
}

/**
 * SageMaker's home UIDs are plain decimal numbers (such as 200001). Anything else, or a number
 * below 10000 (system and root UIDs), names no profile's directory and is refused: `0`, `..`, `/`,
 * `200001/../x` and the like never reach `rm`.
 */
const UID = /^[1-9][0-9]{4,9}$/;

export function createHandler(deps: { readonly homeRoot: string }) {
  return async function handler(event: HomeRemoval): Promise<HomeRemovalResult> {
    const given: unknown = event.uid;
    const uid = typeof given === "number" || typeof given === "string" ? String(given) : "";
    if (!UID.test(uid))
      throw new Error(`refused: "${uid.slice(0, 32)}" is not a home directory's UID`);
    const dir = path.join(deps.homeRoot, uid);
    const entries = await entriesOf(dir, uid);
    if (entries !== undefined) await rm(dir, { recursive: true, force: true });
    const result: HomeRemovalResult = {
      uid,
      outcome: entries === undefined ? "absent" : "removed",
      entries: entries ?? 0,
    };
    log("info", "home", { ...result, profile: event.profile, domainId: event.domainId });
    return result;
  };
}

/** How many entries the directory holds at its top level; undefined when there is none. */
async function entriesOf(dir: string, uid: string): Promise<number | undefined> {
  try {
    // Only a real directory; a link is never followed out of the file system's root.
    if (!(await lstat(dir)).isDirectory()) throw new Error(`refused: /${uid} is not a directory`);
    return (await readdir(dir)).length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
