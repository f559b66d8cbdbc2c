import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { AGENT_COLUMNS, type RegistryAgentRow } from './tables.ts';

/**
 * One agent: the partner's own (deactivated ones included) when `clientId` is given, otherwise as
 * the public sees it (live agents only). The read later modules (work records, reputation) use.
 */
export async function getAgent(deps: { pool: Pool | PoolClient }, id: string, scope: { clientId: string } | 'public'): Promise<RegistryAgentRow | undefined> {
  const { rows } = scope === 'public'
    ? await deps.pool.query<RegistryAgentRow>(`SELECT ${AGENT_COLUMNS} FROM registry_agents WHERE id = $1 AND deactivated_at IS NULL`, [id])
    : await deps.pool.query<RegistryAgentRow>(`SELECT ${AGENT_COLUMNS} FROM registry_agents WHERE id = $1 AND client_id = $2`, [id, scope.clientId]);
  return rows[0];
}

