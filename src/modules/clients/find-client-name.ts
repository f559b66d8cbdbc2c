import type { PoolClient } from '#platform/db/pool.ts';

/** A partner's display name, read on the caller's connection (inside its transaction); undefined for an unknown id. */
export async function findClientName(client: Pick<PoolClient, 'query'>, clientId: string): Promise<string | undefined> {
  const { rows } = await client.query<{ name: string }>('SELECT name FROM api_clients WHERE id = $1', [clientId]);
  return rows[0]?.name;
}
