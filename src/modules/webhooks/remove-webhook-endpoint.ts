import { eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { webhookEndpoints } from './tables.ts';

/** Removes a partner's webhook endpoint, its secrets (a rotated one too) and state with it, on the caller's transaction. */
export async function removeWebhookEndpoint(db: Db, clientId: string): Promise<void> {
  await db.delete(webhookEndpoints).where(eq(webhookEndpoints.clientId, clientId));
}
