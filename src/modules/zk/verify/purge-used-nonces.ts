import type { Pool } from '#platform/db/pool.ts';

/**
 * A used nonce is kept 72 h: longer than any proof it guards stays acceptable (a proof's date
 * must be today ±1 day), so a purged nonce can only come back with a stale proof.
 */
export const USED_NONCE_RETENTION_MS = 72 * 60 * 60 * 1000;

export async function purgeUsedNonces(pool: Pool, now: Date): Promise<number> {
  const result = await pool.query('DELETE FROM used_nonces WHERE used_at < $1', [new Date(now.getTime() - USED_NONCE_RETENTION_MS)]);
  return result.rowCount ?? 0;
}
