import { requireEnv } from "../shared/log";
import { createHandler } from "./handler";

/**
 * The home-directory function's Lambda handler (a LOB with `homeDirectories: remove`): the domain's
 * EFS is mounted at `HOME_ROOT` through an access point at its root.
 */
export const handler = createHandler({ homeRoot: requireEnv(process.env, "HOME_ROOT") });
