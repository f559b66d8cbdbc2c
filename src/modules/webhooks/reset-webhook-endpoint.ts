import { sql } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';

/**
 * Called when the operator sets or removes a partner's webhook URL, in the same transaction:
 * setting it (even to the same URL) re-enables an endpoint disabled by a 410; removing it also
 * drops a previous secret still inside its rotation window.
 */
export async function resetWebhookEndpoint(tx: Pick<Db, 'execute'>, clientId: string, change: { removed: boolean }): Promise<void> {
  await tx.execute(sql`
    UPDATE api_clients
       SET webhook_disabled_at = NULL,
           webhook_disabled_reason = NULL,
           webhook_secret_previous_sealed = CASE WHEN ${change.removed} THEN NULL ELSE webhook_secret_previous_sealed END,
           webhook_secret_previous_expires_at = CASE WHEN ${change.removed} THEN NULL ELSE webhook_secret_previous_expires_at END
     WHERE id = ${clientId}`);
}
