import type { Db } from '#platform/db/database.ts';
import { newId } from '#platform/ids.ts';
import { issueApiKey } from './credentials.ts';
import { apiKeys, type ApiKeyRow } from './tables.ts';

/** A new key of the partner, stored by its hash: the plain key (`apiKey`) is for the response only. */
export async function insertApiKey(db: Db, clientId: string, name: string, now: Date): Promise<{ row: ApiKeyRow; apiKey: string }> {
  const key = issueApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({ id: newId('key'), clientId, name, keyHash: key.keyHash, keyPrefix: key.keyPrefix, createdAt: now })
    .returning();
  return { row: row!, apiKey: key.apiKey };
}
