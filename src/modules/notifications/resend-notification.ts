import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';

export type ResendResult = { ok: true } | { ok: false; code: 'NOT_FOUND' | 'IN_PROGRESS' | 'NO_ADDRESS'; message: string };

/**
 * Queues one of the partner's notifications again, whatever its status: due now, with a fresh
 * round of attempts, to the address set now. It keeps its id (the Message-ID).
 */
export async function resendNotification(deps: { pool: Pool; clock: Clock }, clientId: string, notificationId: string): Promise<ResendResult> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{ email: string | null }>(
      `SELECT s.email FROM notifications_outbox o LEFT JOIN notification_settings s ON s.client_id = o.client_id
        WHERE o.id = $1 AND o.client_id = $2
          FOR UPDATE OF o SKIP LOCKED`,
      [notificationId, clientId],
    );
    const row = rows[0];
    if (!row) {
      const exists = await tx.query('SELECT 1 FROM notifications_outbox WHERE id = $1 AND client_id = $2', [notificationId, clientId]);
      return exists.rowCount === 0
        ? ({ ok: false, code: 'NOT_FOUND', message: `no notification ${notificationId}` } as const)
        : ({ ok: false, code: 'IN_PROGRESS', message: 'the notification is being sent right now; try again in a moment' } as const);
    }
    if (!row.email) return { ok: false, code: 'NO_ADDRESS', message: 'no notification address is set (PUT /api/v1/notifications/settings)' } as const;
    await tx.query("UPDATE notifications_outbox SET status = 'pending', attempt = 0, next_attempt_at = $2, dead_at = NULL WHERE id = $1", [notificationId, now]);
    return { ok: true } as const;
  });
}
