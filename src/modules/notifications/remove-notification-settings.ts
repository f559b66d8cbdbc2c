import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';

/** Removes the partner's address: nothing more is queued, and queued e-mails go dead without an attempt (NO_ADDRESS). */
export async function removeNotificationSettings(deps: { pool: Pool; clock: Clock }, clientId: string, actor: AuditActor): Promise<boolean> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const { rowCount } = await tx.query('DELETE FROM notification_settings WHERE client_id = $1', [clientId]);
    if (rowCount === 0) return false;
    await recordAudit(drizzle({ client: tx }), actor, { action: 'notifications.removed', targetType: 'api_client', targetId: clientId }, now);
    return true;
  });
}
