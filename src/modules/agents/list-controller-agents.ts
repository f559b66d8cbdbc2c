import type { Pool } from '#platform/db/pool.ts';
import { AGENT_COLUMNS, type RegistryAgentRow } from './tables.ts';

/** The live agents whose ownership `controllerDid` (canonical) proved, oldest first. */
export async function listControllerAgents(deps: { pool: Pool }, controllerDid: string): Promise<RegistryAgentRow[]> {
  const { rows } = await deps.pool.query<RegistryAgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM registry_agents WHERE controller_did = $1 AND deactivated_at IS NULL AND verified_at IS NOT NULL ORDER BY id LIMIT 100`,
    [controllerDid],
  );
  return rows;
}
