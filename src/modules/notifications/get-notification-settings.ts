import type { Pool } from '#platform/db/pool.ts';
import type { NotificationEventType } from './notification-events.ts';
import type { NotificationSettings } from './schema.ts';

/** The partner's address and events (`email: null` when none is set); `enabled` says whether the platform sends e-mail at all. */
export async function getNotificationSettings(deps: { pool: Pool; emailEnabled: boolean }, clientId: string): Promise<NotificationSettings> {
  const { rows } = await deps.pool.query<{ email: string; events: NotificationEventType[] }>('SELECT email, events FROM notification_settings WHERE client_id = $1', [clientId]);
  const row = rows[0];
  return { email: row?.email ?? null, events: row?.events ?? [], enabled: deps.emailEnabled };
}
