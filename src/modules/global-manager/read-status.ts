import type { Pool } from '#platform/db/pool.ts';
import { GLOBAL_MANAGER_LOCK_KEY } from './leader-lock.ts';

export type TaskRunStatus = {
  /** Order in the cycle. */
  position: number;
  task: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  outcome: 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped';
  counts: Record<string, number>;
  error: string | null;
};

export type CycleStatus = {
  cycle_id: string;
  runner: string;
  started_at: string;
  finished_at: string | null;
  /** `running`, else `succeeded` when every task did, else `failed`. */
  outcome: 'running' | 'succeeded' | 'failed';
  tasks: TaskRunStatus[];
};

export type GlobalManagerStatus = {
  /** Who holds the lock now (its connection's application_name: host and pid), from pg_locks; null: nobody leads. */
  leader: string | null;
  last_success_at: string | null;
  /** Seconds from the end of the last cycle in which every task succeeded until now; null: none yet. */
  lag_seconds: number | null;
  cycles: CycleStatus[];
};

type RunRow = {
  cycle_id: string; task: string; position: number; runner: string; started_at: Date; finished_at: Date | null;
  outcome: TaskRunStatus['outcome']; counts: Record<string, number>; error: string | null;
};

/** The status page's data: the leader, the last `cycles` cycles with their task runs, and the lag. */
export async function readGlobalManagerStatus(pool: Pool, now: Date, options: { cycles: number }): Promise<GlobalManagerStatus> {
  const [leader, runs, lastSuccess] = await Promise.all([
    pool.query<{ runner: string }>(
      `SELECT a.application_name AS runner FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`,
      [GLOBAL_MANAGER_LOCK_KEY],
    ),
    pool.query<RunRow>(
      `SELECT cycle_id, task, position, runner, started_at, finished_at, outcome, counts, error FROM global_manager_runs
        WHERE cycle_id IN (SELECT cycle_id FROM global_manager_runs GROUP BY cycle_id ORDER BY min(started_at) DESC, cycle_id DESC LIMIT $1)
        ORDER BY started_at DESC, cycle_id DESC, position`,
      [options.cycles],
    ),
    pool.query<{ finished_at: Date }>(
      `SELECT max(finished_at) AS finished_at FROM global_manager_runs WHERE cycle_id IN (
         SELECT cycle_id FROM global_manager_runs GROUP BY cycle_id HAVING bool_and(outcome = 'succeeded'))`,
    ),
  ]);
  const cycles = new Map<string, CycleStatus>();
  for (const row of runs.rows) {
    let cycle = cycles.get(row.cycle_id);
    if (!cycle) {
      cycle = { cycle_id: row.cycle_id, runner: row.runner, started_at: row.started_at.toISOString(), finished_at: null, outcome: 'succeeded', tasks: [] };
      cycles.set(row.cycle_id, cycle);
    }
    cycle.tasks.push({
      position: row.position,
      task: row.task,
      started_at: row.started_at.toISOString(),
      finished_at: row.finished_at?.toISOString() ?? null,
      duration_ms: row.finished_at ? row.finished_at.getTime() - row.started_at.getTime() : null,
      outcome: row.outcome,
      counts: row.counts,
      error: row.error,
    });
  }
  for (const cycle of cycles.values()) {
    cycle.tasks.sort((a, b) => a.position - b.position);
    cycle.started_at = cycle.tasks[0]!.started_at;
    const running = cycle.tasks.some((task) => task.outcome === 'running');
    cycle.outcome = running ? 'running' : cycle.tasks.every((task) => task.outcome === 'succeeded') ? 'succeeded' : 'failed';
    cycle.finished_at = running ? null : cycle.tasks.map((task) => task.finished_at!).sort().at(-1)!;
  }
  const lastSuccessAt = lastSuccess.rows[0]?.finished_at ?? null;
  return {
    leader: leader.rows[0]?.runner ?? null,
    last_success_at: lastSuccessAt?.toISOString() ?? null,
    lag_seconds: lastSuccessAt ? Math.max(0, Math.round((now.getTime() - lastSuccessAt.getTime()) / 1000)) : null,
    cycles: [...cycles.values()],
  };
}
