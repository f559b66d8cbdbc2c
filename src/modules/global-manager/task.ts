import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';

/** What every global manager task is given: the database, object storage, the platform keys. */
export type GlobalManagerDeps = { pool: Pool; db: Db; storage: ObjectStorage; platformKeys: PlatformKeys; log: Logger };

/**
 * `now`: the cycle's time (one for every task of a cycle). `signal`: aborted when the leader lost
 * its lock (its connection died): a long task stops at a safe point; a stop (SIGTERM) does not
 * abort it, the task finishes and the cycle ends after it.
 */
export type TaskContext = { now: Date; signal: AbortSignal };

/**
 * A task of the global manager's cycle: a module declares it once (its `global-manager-tasks.ts`)
 * and src/global-manager-tasks.ts lists it. `run` must be idempotent and crash-safe: its writes
 * in transactions, a rerun after a kill at any point giving the same result. It returns what it
 * did as counts (recorded with the run, shown on the status page).
 */
export type GlobalManagerTask = {
  name: string;
  run(deps: GlobalManagerDeps, context: TaskContext): Promise<Record<string, number>>;
};
