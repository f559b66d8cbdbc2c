import type { PoolClient } from '#platform/db/pool.ts';

/** Which of these partners are disabled, read on the caller's connection (inside its transaction). */
export async function findDisabledClientIds(client: PoolClient, clientIds: string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ id: string }>('SELECT id FROM api_clients WHERE id = ANY($1::text[]) AND disabled_at IS NOT NULL', [clientIds]);
  return new Set(rows.map((row) => row.id));
}

/**
 * SQL that holds when the partner named by `clientIdColumn` is not disabled, for another module's
 * statement that must decide it in itself (as one statement with the write it guards).
 */
export function clientEnabledSql(clientIdColumn: string): string {
  return `NOT EXISTS (SELECT 1 FROM api_clients disabled WHERE disabled.id = ${clientIdColumn} AND disabled.disabled_at IS NOT NULL)`;
}
