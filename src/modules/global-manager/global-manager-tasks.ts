import { pruneRuns } from './record-runs.ts';
import type { GlobalManagerTask } from './task.ts';

/** The global manager's own cleanup: runs older than `keepDays` (GLOBAL_MANAGER_RUNS_KEEP_DAYS). */
export function runsCleanupTask(keepDays: number): GlobalManagerTask {
  return { name: 'cleanup-global-manager-runs', run: async (deps, { now }) => ({ deleted: await pruneRuns(deps.pool, now, keepDays) }) };
}
