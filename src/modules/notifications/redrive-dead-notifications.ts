import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import type { NotificationRedriveRequest } from './schema.ts';

/** Operator: queues dead notifications again (a fresh round of attempts each), selected by id, partner or event type. */
export async function redriveDeadNotifications(deps: { pool: Pool; clock: Clock }, request: NotificationRedriveRequest, actor: AuditActor): Promise<{ redriven: number }> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const { rowCount } = await tx.query(
      `UPDATE notifications_outbox SET status = 'pending', attempt = 0, next_attempt_at = $1, dead_at = NULL
        WHERE status = 'dead'
          AND ($2::text[] IS NULL OR id = ANY($2::text[]))
          AND ($3::text IS NULL OR client_id = $3)
          AND ($4::text IS NULL OR event_type = $4)`,
      [now, request.notification_ids ?? null, request.client_id ?? null, request.event_type ?? null],
    );
    const redriven = rowCount ?? 0;
    await recordAudit(drizzle({ client: tx }), actor, {
      action: 'notifications.redriven',
      targetType: 'notifications',
      targetId: request.client_id ?? 'all',
      details: { ...request, redriven },
    }, now);
    return { redriven };
  });
}
