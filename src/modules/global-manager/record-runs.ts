import type { Pool } from '#platform/db/pool.ts';
import { safeErrorMessage } from '#platform/serialize-error.ts';

export type RunOutcome = 'succeeded' | 'failed' | 'interrupted' | 'skipped';

/** Written before the task runs (committed): a leader killed mid-task leaves a `running` row. */
export async function recordTaskStart(pool: Pool, run: { cycleId: string; task: string; position: number; runner: string; startedAt: Date }): Promise<void> {
  await pool.query(
    `INSERT INTO global_manager_runs (cycle_id, task, position, runner, started_at, outcome) VALUES ($1, $2, $3, $4, $5, 'running')`,
    [run.cycleId, run.task, run.position, run.runner, run.startedAt],
  );
}

export async function recordTaskEnd(pool: Pool, run: { cycleId: string; task: string; finishedAt: Date; outcome: RunOutcome; counts: Record<string, number>; error?: unknown }): Promise<void> {
  await pool.query(
    'UPDATE global_manager_runs SET finished_at = $3, outcome = $4, counts = $5, error = $6 WHERE cycle_id = $1 AND task = $2',
    [run.cycleId, run.task, run.finishedAt, run.outcome, JSON.stringify(run.counts), run.error === undefined ? null : errorText(run.error)],
  );
}

/** Tasks not run in a cycle (after a stop, a lost lock): one row each, for the status page. */
export async function recordTaskSkipped(pool: Pool, run: { cycleId: string; task: string; position: number; runner: string; at: Date; reason: string }): Promise<void> {
  await pool.query(
    `INSERT INTO global_manager_runs (cycle_id, task, position, runner, started_at, finished_at, outcome, error) VALUES ($1, $2, $3, $4, $5, $5, 'skipped', $6)`,
    [run.cycleId, run.task, run.position, run.runner, run.at, run.reason],
  );
}

/**
 * Runs left `running` by a leader that died: only the leader calls this, and it runs nothing yet,
 * so every such row is of a dead process.
 */
export async function markInterruptedRuns(pool: Pool, at: Date): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE global_manager_runs SET outcome = 'interrupted', finished_at = greatest($1, started_at), error = 'the leader stopped before the task finished' WHERE outcome = 'running'`,
    [at],
  );
  return rowCount ?? 0;
}

/** The global manager's own cleanup: runs older than `keepDays`. */
export async function pruneRuns(pool: Pool, now: Date, keepDays: number): Promise<number> {
  const { rowCount } = await pool.query(`DELETE FROM global_manager_runs WHERE started_at < $1::timestamptz - make_interval(days => $2) AND outcome <> 'running'`, [now, keepDays]);
  return rowCount ?? 0;
}

/** The safe message only (never drizzle's parameters): it is shown on the status page. */
function errorText(error: unknown): string {
  return ((error && typeof error === 'object' ? safeErrorMessage(error) : undefined) ?? String(error)).slice(0, 2000);
}
