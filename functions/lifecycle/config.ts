import { loadRegistry, type RegisteredLob } from "../presigner/config";
import { requireEnv } from "../shared/log";

export interface LifecycleConfig {
  /** The entitlements table, whose stream invokes this function; rows are read, and their state updated. */
  readonly usersTable: string;
  /** The LOB records: each LOB's region and domain. */
  readonly lobsTable: string;
  /** The LOBs as the hub deployed them (the presigner's registry, with each lifecycle role). */
  readonly lobs: ReadonlyMap<string, RegisteredLob>;
  /** How long one invocation keeps draining before it leaves the rest to a retry. */
  readonly budgetMs: number;
  /** How long it waits between looks while SageMaker deletes. */
  readonly pollMs: number;
}

export function loadLifecycleConfig(env: NodeJS.ProcessEnv): LifecycleConfig {
  return {
    usersTable: requireEnv(env, "USERS_TABLE"),
    lobsTable: requireEnv(env, "LOBS_TABLE"),
    lobs: loadRegistry(env),
    // Under the function's 300 s timeout, leaving time to record the state.
    budgetMs: 240_000,
    pollMs: 5_000,
  };
}
