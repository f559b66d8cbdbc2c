import type { Pool } from '#platform/db/pool.ts';
import { TASK_STATUSES, type TaskStatus } from './schema.ts';

export type TaskStats = {
  total: number;
  byStatus: Record<TaskStatus, number>;
  valid: number;
  invalid: number;
  averageDurationMs: number | null;
  lastCreatedAt: string | null;
};

/** GET /api/v1/tasks/stats/summary: the partner's tasks counted by status and verdict, optionally in a creation-time range. */
export async function summarizeTasks(deps: { pool: Pool }, clientId: string, range: { from?: Date | undefined; to?: Date | undefined }): Promise<TaskStats> {
  const { rows } = await deps.pool.query<{ status: TaskStatus; count: number; valid: number; invalid: number; duration_ms: number | null; last_created_at: Date }>(
    `SELECT status, count(*)::int AS count,
            count(*) FILTER (WHERE is_valid)::int AS valid,
            count(*) FILTER (WHERE NOT is_valid)::int AS invalid,
            sum(extract(epoch FROM finished_at - started_at) * 1000) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL)::float8 AS duration_ms,
            max(created_at) AS last_created_at
       FROM attestation_tasks
      WHERE client_id = $1 AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)
      GROUP BY status`,
    [clientId, range.from ?? null, range.to ?? null],
  );
  const byStatus = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  let durationMs = 0;
  let lastCreatedAt: Date | null = null;
  for (const row of rows) {
    byStatus[row.status] = row.count;
    durationMs += row.duration_ms ?? 0;
    if (!lastCreatedAt || row.last_created_at > lastCreatedAt) lastCreatedAt = row.last_created_at;
  }
  const finished = rows.filter((row) => row.duration_ms !== null).reduce((sum, row) => sum + row.count, 0);
  return {
    total: rows.reduce((sum, row) => sum + row.count, 0),
    byStatus,
    valid: rows.reduce((sum, row) => sum + row.valid, 0),
    invalid: rows.reduce((sum, row) => sum + row.invalid, 0),
    averageDurationMs: finished > 0 ? durationMs / finished : null,
    lastCreatedAt: lastCreatedAt?.toISOString() ?? null,
  };
}
