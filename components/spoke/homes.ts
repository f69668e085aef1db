import type * as aws from "@pulumi/aws";
import type { HomeDirectories } from "../../functions/shared/homes";
import { HomeDirectoryRemover } from "../home-directories";
import type { SpokeNetwork } from "./network";
import type { SpokeScope } from "./scope";

export interface HomeDirectoriesArgs {
  /** What offboarding does with a revoked user's home directory. */
  readonly homeDirectories: HomeDirectories;
  /** The home-directory function's bundle folder: needed when `homeDirectories` is `remove`. */
  readonly homesBundleDir?: Promise<string>;
  /** Retention of the function's logs, in days. @default 365 */
  readonly logRetentionDays?: number;
  readonly network: SpokeNetwork;
  readonly domain: aws.sagemaker.Domain;
}

/**
 * When offboarding removes home directories: the function that removes a revoked user's home
 * directory from the domain's EFS. Otherwise there is none.
 */
export function homeDirectoryRemover(
  scope: SpokeScope,
  args: HomeDirectoriesArgs,
): HomeDirectoryRemover | undefined {
  if (args.homeDirectories !== "remove") return undefined;
  if (!args.homesBundleDir)
    throw new Error("homeDirectories is remove, but no bundle of the home-directory function");
  return new HomeDirectoryRemover(
    `${scope.name}-homes`,
    {
      lob: scope.lob,
      vpcId: args.network.vpc.id,
      subnetIds: args.network.subnetIds,
      domainId: args.domain.id,
      fileSystemId: args.domain.homeEfsFileSystemId,
      bundleDir: args.homesBundleDir,
      logRetentionDays: args.logRetentionDays ?? 365,
    },
    { parent: scope.parent },
  );
}
