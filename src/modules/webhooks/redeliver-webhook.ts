import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';

export type RedeliverResult =
  | { ok: true }
  | { ok: false; code: 'NOT_FOUND' | 'IN_PROGRESS' | 'NO_ENDPOINT' | 'ENDPOINT_DISABLED'; message: string };

/**
 * Queues one of the partner's deliveries again, whatever its status: due now, with a fresh
 * round of attempts. It keeps its id (the `webhook-id`), so a receiver that already
 * processed it can recognise it.
 */
export async function redeliverWebhook(deps: { pool: Pool; clock: Clock }, clientId: string, deliveryId: string): Promise<RedeliverResult> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{ url: string | null; disabled_at: Date | null }>(
      `SELECT e.url, e.disabled_at
         FROM webhooks_outbox o LEFT JOIN webhook_endpoints e ON e.client_id = o.client_id
        WHERE o.id = $1 AND o.client_id = $2
          FOR UPDATE OF o SKIP LOCKED`,
      [deliveryId, clientId],
    );
    const row = rows[0];
    if (!row) {
      const exists = await tx.query('SELECT 1 FROM webhooks_outbox WHERE id = $1 AND client_id = $2', [deliveryId, clientId]);
      return exists.rowCount === 0
        ? ({ ok: false, code: 'NOT_FOUND', message: `no delivery ${deliveryId}` } as const)
        : ({ ok: false, code: 'IN_PROGRESS', message: 'the delivery is being attempted right now; try again in a moment' } as const);
    }
    if (!row.url) return { ok: false, code: 'NO_ENDPOINT', message: 'no webhook URL is configured for this partner' } as const;
    if (row.disabled_at) {
      return { ok: false, code: 'ENDPOINT_DISABLED', message: 'the webhook endpoint is disabled (it answered 410 Gone); the operator re-enables it by setting its URL again' } as const;
    }
    await tx.query(
      "UPDATE webhooks_outbox SET status = 'pending', attempt = 0, next_attempt_at = $2, dead_at = NULL WHERE id = $1",
      [deliveryId, now],
    );
    return { ok: true } as const;
  });
}
