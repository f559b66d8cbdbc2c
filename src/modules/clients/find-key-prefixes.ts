import { desc, inArray, sql } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { apiKeys } from './tables.ts';

/**
 * The key prefix shown for each partner (ApiClient.key_prefix): its newest enabled key's, else its
 * newest key's. Every partner has at least one key (keys are never deleted).
 */
export async function findKeyPrefixes(db: Db, clientIds: string[]): Promise<Map<string, string>> {
  if (clientIds.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([apiKeys.clientId], { clientId: apiKeys.clientId, keyPrefix: apiKeys.keyPrefix })
    .from(apiKeys)
    .where(inArray(apiKeys.clientId, clientIds))
    .orderBy(apiKeys.clientId, sql`${apiKeys.disabledAt} IS NULL DESC`, desc(apiKeys.createdAt), desc(apiKeys.id));
  return new Map(rows.map((row) => [row.clientId, row.keyPrefix]));
}

export async function findKeyPrefix(db: Db, clientId: string): Promise<string> {
  return (await findKeyPrefixes(db, [clientId])).get(clientId) ?? '';
}
