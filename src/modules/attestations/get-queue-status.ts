import type { Pool } from '#platform/db/pool.ts';
import { pgBossQueueDepth } from '#platform/queue/queue-metrics.ts';
import { VerifyAttestationTaskJob } from './jobs.ts';
import { TASK_STATUSES, type TaskStatus } from './schema.ts';

export type QueueStatus = {
  queue: string;
  paused: boolean;
  changedAt: string;
  changedBy: string | null;
  tasks: Record<TaskStatus, number>;
  oldestPendingSeconds: number;
  jobs: { ready: number; deferred: number; active: number; failed: number } | null;
};

/** GET /api/v1/queue/status: the paused flag, tasks per status (all partners) and the pg-boss jobs behind them. */
export async function getQueueStatus(deps: { pool: Pool }): Promise<QueueStatus> {
  const [control, counts, depths] = await Promise.all([
    deps.pool.query<{ paused: boolean; changed_at: Date; changed_by: string | null }>(
      'SELECT paused, changed_at, changed_by FROM queue_controls WHERE queue = $1',
      [VerifyAttestationTaskJob.name],
    ),
    deps.pool.query<{ status: TaskStatus; count: number; oldest: number | null }>(
      `SELECT status, count(*)::int AS count,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8 AS oldest
         FROM attestation_tasks GROUP BY status`,
    ),
    pgBossQueueDepth(deps.pool)(),
  ]);
  const tasks = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const row of counts.rows) tasks[row.status] = row.count;
  const row = control.rows[0];
  const depth = depths.find((d) => d.queue === VerifyAttestationTaskJob.name);
  return {
    queue: VerifyAttestationTaskJob.name,
    paused: row?.paused ?? false,
    changedAt: (row?.changed_at ?? new Date(0)).toISOString(),
    changedBy: row?.changed_by ?? null,
    tasks,
    oldestPendingSeconds: Math.max(0, counts.rows.find((r) => r.status === 'pending')?.oldest ?? 0),
    jobs: depth ? { ready: depth.ready, deferred: depth.deferred, active: depth.active ?? 0, failed: depth.failed } : null,
  };
}
