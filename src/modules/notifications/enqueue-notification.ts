import type { PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { findDisabledClientIds } from '#modules/clients/find-disabled-client-ids.ts';
import type { NotificationEvent } from './notification-events.ts';

/**
 * Writes the e-mail to the notifications outbox on the caller's transaction, so it exists exactly
 * when the outcome it announces commits. Only for a partner with a notification address that asked
 * for this event, and not disabled. Returns the notification id (`ntf_...`, also its Message-ID).
 */
export async function enqueueNotification(tx: PoolClient, event: NotificationEvent): Promise<string | undefined> {
  const { rows } = await tx.query<{ events: string[] }>({
    name: 'notifications-settings-of-client',
    text: 'SELECT events FROM notification_settings WHERE client_id = $1',
    values: [event.clientId],
  });
  if (!rows[0]?.events.includes(event.type)) return undefined;
  if ((await findDisabledClientIds(tx, [event.clientId])).size > 0) return undefined;
  const id = newId('ntf');
  await tx.query({
    name: 'notifications-enqueue',
    text: 'INSERT INTO notifications_outbox (id, client_id, event_type, subject_id, payload) VALUES ($1, $2, $3, $4, $5::json)',
    values: [id, event.clientId, event.type, event.subjectId, JSON.stringify(event.payload)],
  });
  return id;
}
