import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { enqueueWebhookEvent } from './enqueue-webhook-event.ts';

export type SendTestWebhookResult =
  | { ok: true; deliveryId: string }
  | { ok: false; code: 'NO_ENDPOINT' | 'ENDPOINT_DISABLED'; message: string };

/** Queues a `webhook.test` event to the partner's own endpoint (POST /api/v1/webhooks/test). */
export async function sendTestWebhook(deps: { pool: Pool; clock: Clock }, clientId: string): Promise<SendTestWebhookResult> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{ disabled_at: Date | null }>('SELECT disabled_at FROM webhook_endpoints WHERE client_id = $1', [clientId]);
    if (rows[0]?.disabled_at) {
      return { ok: false, code: 'ENDPOINT_DISABLED', message: 'the webhook endpoint is disabled (it answered 410 Gone); the operator re-enables it by setting its URL again' } as const;
    }
    const deliveryId = await enqueueWebhookEvent(tx, {
      clientId,
      type: 'webhook.test',
      subjectId: null,
      payload: { event: 'webhook.test', ts: now.toISOString() },
    });
    return deliveryId
      ? ({ ok: true, deliveryId } as const)
      : ({ ok: false, code: 'NO_ENDPOINT', message: 'no webhook URL is configured for this partner' } as const);
  });
}
