import type { PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { findDisabledClientIds } from '#modules/clients/find-disabled-client-ids.ts';

export type WebhookEvent = {
  clientId: string;
  /** e.g. `proof.verified`, `proof.failed`, `webhook.test`. */
  type: string;
  subjectId: string | null;
  payload: Record<string, unknown>;
};

/**
 * Writes the event to the outbox on the caller's transaction, so it exists exactly when the
 * outcome it announces commits. Partners without a webhook endpoint, and disabled ones, get no row.
 * Returns the delivery id (`whk_...`, also the Standard Webhooks `webhook-id`).
 */
export async function enqueueWebhookEvent(tx: PoolClient, event: WebhookEvent): Promise<string | undefined> {
  const endpoint = await tx.query('SELECT 1 FROM webhook_endpoints WHERE client_id = $1', [event.clientId]);
  if (endpoint.rowCount === 0) return undefined;
  if ((await findDisabledClientIds(tx, [event.clientId])).size > 0) return undefined;
  const id = newId('whk');
  await tx.query(
    'INSERT INTO webhooks_outbox (id, client_id, event_type, subject_id, payload) VALUES ($1, $2, $3, $4, $5)',
    [id, event.clientId, event.type, event.subjectId, JSON.stringify(event.payload)],
  );
  return id;
}
