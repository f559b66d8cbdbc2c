import type { Pool } from '#platform/db/pool.ts';

export type StoredVault = { version: number; partners: number; jws: string; keyId: string; createdAt: Date; publishedAt: Date | null };

/** The latest vault version (what `vault/latest.jws` holds once published); undefined before the first. */
export async function findLatestVault(pool: Pool): Promise<StoredVault | undefined> {
  const { rows: [row] } = await pool.query<{ version: number; partners: number; jws: string; key_id: string; created_at: Date; published_at: Date | null }>(
    'SELECT version, partners, jws, key_id, created_at, published_at FROM gateway_vaults ORDER BY version DESC LIMIT 1',
  );
  return row ? { version: row.version, partners: row.partners, jws: row.jws, keyId: row.key_id, createdAt: row.created_at, publishedAt: row.published_at } : undefined;
}
