import { and, count, eq, isNull } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { apiClients, apiKeys } from './tables.ts';

/**
 * Locks the partner's row for the rest of the transaction, so that changes to its keys happen one
 * at a time (the last-active-key and key-count checks hold), and says how many of its keys are
 * active (enabled, not replaced by a rotation).
 */
export async function lockPartnerKeys(tx: Db, clientId: string): Promise<{ activeKeys: number }> {
  await tx.select({ id: apiClients.id }).from(apiClients).where(eq(apiClients.id, clientId)).for('update');
  const [row] = await tx.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.clientId, clientId), isNull(apiKeys.disabledAt), isNull(apiKeys.expiresAt)));
  return { activeKeys: row!.n };
}
