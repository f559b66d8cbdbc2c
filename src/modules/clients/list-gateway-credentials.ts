import type { Pool } from '#platform/db/pool.ts';

/**
 * What an edge gateway needs of an enabled partner to authorise its traffic (no secret: the keys'
 * SHA-256): every key that works at `now`, newest first.
 */
export type GatewayCredential = { clientId: string; keySha256s: Buffer[]; scopes: string[]; rateLimitPerMinute: number };

/** Every enabled partner with a working key, by id: a disabled one is absent (the gateway vault, src/modules/gateway-vault). */
export async function listGatewayCredentials(pool: Pool, now: Date): Promise<GatewayCredential[]> {
  const { rows } = await pool.query<{ id: string; key_hashes: Buffer[]; scopes: string[]; rate_limit_per_minute: number }>(
    `SELECT c.id, array_agg(k.key_hash ORDER BY k.created_at DESC, k.id DESC) AS key_hashes, c.scopes, c.rate_limit_per_minute
       FROM api_clients c JOIN api_keys k ON k.client_id = c.id AND k.disabled_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $1)
      WHERE c.disabled_at IS NULL
      GROUP BY c.id ORDER BY c.id`,
    [now],
  );
  return rows.map((row) => ({ clientId: row.id, keySha256s: row.key_hashes, scopes: [...row.scopes].sort(), rateLimitPerMinute: row.rate_limit_per_minute }));
}
