import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { NOTIFICATION_EVENTS } from './notification-events.ts';
import type { NotificationSettingsRequest } from './schema.ts';

/** Sets the partner's notification address and events (all of them when none is named); audited without the address. */
export async function configureNotificationSettings(deps: { pool: Pool; clock: Clock }, clientId: string, request: NotificationSettingsRequest, actor: AuditActor): Promise<void> {
  const now = deps.clock.now();
  const events = [...new Set(request.events ?? NOTIFICATION_EVENTS)];
  await inTransaction(deps.pool, async (tx) => {
    await tx.query(
      `INSERT INTO notification_settings (client_id, email, events, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (client_id) DO UPDATE SET email = EXCLUDED.email, events = EXCLUDED.events, updated_at = EXCLUDED.updated_at`,
      [clientId, request.email, events, now],
    );
    await recordAudit(drizzle({ client: tx }), actor, { action: 'notifications.configured', targetType: 'api_client', targetId: clientId, details: { events } }, now);
  });
}
