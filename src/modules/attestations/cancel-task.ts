import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import { getTask } from './get-task.ts';
import type { Task } from './schema.ts';

export type CancelTaskResult = { ok: true; task: Task } | { ok: false; code: 'NOT_FOUND' } | { ok: false; code: 'NOT_PENDING'; status: Task['status'] };

/**
 * DELETE /api/v1/tasks/{id}: a pending task becomes `cancelled` (its evidence is dropped). A task
 * a worker has started, or that has finished, is not cancelled. The queue job is left to the
 * worker, which completes it without work when it finds the task no longer pending.
 */
export async function cancelTask(deps: { pool: Pool; db: Db; clock: Clock }, clientId: string, id: string): Promise<CancelTaskResult> {
  const { rowCount } = await deps.pool.query(
    `UPDATE attestation_tasks SET status = 'cancelled', finished_at = $3, evidence = NULL
      WHERE id = $1 AND client_id = $2 AND status = 'pending'`,
    [id, clientId, deps.clock.now()],
  );
  const task = await getTask(deps, clientId, id);
  if (!task) return { ok: false, code: 'NOT_FOUND' };
  return rowCount === 1 ? { ok: true, task } : { ok: false, code: 'NOT_PENDING', status: task.status };
}
