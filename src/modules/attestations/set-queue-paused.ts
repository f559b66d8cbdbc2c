import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { VerifyAttestationTaskJob } from './jobs.ts';

/**
 * POST /api/v1/queue/pause | resume. The flag lives in the database, so every worker process
 * honours it: a paused worker takes no new task (tasks in flight finish); tasks keep being
 * accepted and wait as `pending`.
 */
export async function setQueuePaused(deps: { pool: Pool; clock: Clock }, paused: boolean, actor: AuditActor): Promise<void> {
  const now = deps.clock.now();
  await inTransaction(deps.pool, async (tx) => {
    await tx.query(
      `INSERT INTO queue_controls (queue, paused, changed_at, changed_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (queue) DO UPDATE SET paused = EXCLUDED.paused, changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by`,
      [VerifyAttestationTaskJob.name, paused, now, actor.id],
    );
    await recordAudit(drizzle({ client: tx }), actor, {
      action: paused ? 'queue.paused' : 'queue.resumed',
      targetType: 'queue',
      targetId: VerifyAttestationTaskJob.name,
    }, now);
  });
}

/** What every worker reads before it takes work. */
export async function isQueuePaused(deps: { pool: Pool }): Promise<boolean> {
  const { rows } = await deps.pool.query<{ paused: boolean }>('SELECT paused FROM queue_controls WHERE queue = $1', [VerifyAttestationTaskJob.name]);
  return rows[0]?.paused ?? false;
}
