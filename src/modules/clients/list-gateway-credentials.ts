import type { Pool } from '#platform/db/pool.ts';

/** What an edge gateway needs of an enabled partner to authorise its traffic (no secret: the key's SHA-256). */
export type GatewayCredential = { clientId: string; keySha256: Buffer; scopes: string[]; rateLimitPerMinute: number };

/** Every enabled partner, by id: a disabled one is absent (the gateway vault, src/modules/gateway-vault). */
export async function listGatewayCredentials(pool: Pool): Promise<GatewayCredential[]> {
  const { rows } = await pool.query<{ id: string; key_hash: Buffer; scopes: string[]; rate_limit_per_minute: number }>(
    'SELECT id, key_hash, scopes, rate_limit_per_minute FROM api_clients WHERE disabled_at IS NULL ORDER BY id',
  );
  return rows.map((row) => ({ clientId: row.id, keySha256: row.key_hash, scopes: [...row.scopes].sort(), rateLimitPerMinute: row.rate_limit_per_minute }));
}
