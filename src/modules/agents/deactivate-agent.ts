import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { AGENT_COLUMNS, type RegistryAgentRow } from './tables.ts';

/**
 * Deactivates the partner's agent: it leaves the public registry (query, card, capabilities) and
 * takes no changes; the row and its history stay. Deactivating again answers it as it is.
 */
export async function deactivateAgent(deps: { pool: Pool; clock: Clock }, clientId: string, id: string): Promise<RegistryAgentRow | undefined> {
  const { rows } = await deps.pool.query<RegistryAgentRow>(
    `UPDATE registry_agents SET deactivated_at = coalesce(deactivated_at, $3), updated_at = CASE WHEN deactivated_at IS NULL THEN $3 ELSE updated_at END
      WHERE id = $1 AND client_id = $2 RETURNING ${AGENT_COLUMNS}`,
    [id, clientId, deps.clock.now()],
  );
  return rows[0];
}
