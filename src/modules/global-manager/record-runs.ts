import type { Pool } from '#platform/db/pool.ts';
import { composeStatements, type Statement } from '#platform/db/statement.ts';
import { safeErrorMessage } from '#platform/serialize-error.ts';

export type RunOutcome = 'succeeded' | 'failed' | 'interrupted' | 'skipped';

export type TaskStart = { cycleId: string; task: string; position: number; runner: string; startedAt: Date };
export type TaskEnd = { cycleId: string; task: string; finishedAt: Date; outcome: RunOutcome; counts: Record<string, number>; error?: unknown };
export type TaskSkipped = { cycleId: string; task: string; position: number; runner: string; at: Date; reason: string };

/**
 * One step of a cycle, as one statement: the task that just finished, the next one starting (its
 * row is `running` before it runs: a leader killed mid-task leaves a trace), and the tasks skipped
 * after a halt. A cycle's rows are read as its state, so a task's end is never committed without
 * the next task's start: between them the cycle would read as finished with tasks missing.
 */
export async function recordCycleStep(pool: Pool, step: { ended?: TaskEnd; started?: TaskStart; skipped?: readonly TaskSkipped[] }): Promise<void> {
  const parts: Statement[] = [];
  if (step.ended) parts.push(taskEndStatement(step.ended));
  if (step.started) parts.push(taskStartStatement(step.started));
  if (step.skipped?.length) parts.push(tasksSkippedStatement(step.skipped));
  if (parts.length > 0) await pool.query(composeStatements(parts));
}

function taskStartStatement(run: TaskStart): Statement {
  return {
    text: `INSERT INTO global_manager_runs (cycle_id, task, position, runner, started_at, outcome) VALUES ($1, $2, $3, $4, $5, 'running')`,
    values: [run.cycleId, run.task, run.position, run.runner, run.startedAt],
  };
}

function taskEndStatement(run: TaskEnd): Statement {
  return {
    text: 'UPDATE global_manager_runs SET finished_at = $3, outcome = $4, counts = $5, error = $6 WHERE cycle_id = $1 AND task = $2',
    values: [run.cycleId, run.task, run.finishedAt, run.outcome, JSON.stringify(run.counts), run.error === undefined ? null : errorText(run.error)],
  };
}

/** Tasks not run in a cycle (after a stop, a lost lock): one row each, for the status page. */
function tasksSkippedStatement(runs: readonly TaskSkipped[]): Statement {
  return {
    text: `INSERT INTO global_manager_runs (cycle_id, task, position, runner, started_at, finished_at, outcome, error)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $5::timestamptz[], $6::text[], $7::text[])`,
    values: [
      runs.map((run) => run.cycleId), runs.map((run) => run.task), runs.map((run) => run.position), runs.map((run) => run.runner),
      runs.map((run) => run.at), runs.map(() => 'skipped'), runs.map((run) => run.reason),
    ],
  };
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
