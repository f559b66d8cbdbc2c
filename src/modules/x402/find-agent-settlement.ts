import type { Pool } from '#platform/db/pool.ts';

/**
 * A settlement (`stl_...`) the partner recorded for a registry agent: what feedback backed by a
 * payment must name. Undefined when there is none, it is another partner's, or it paid a query.
 */
export async function findAgentSettlement(deps: { pool: Pool }, clientId: string, settlementId: string): Promise<{ agentId: string; status: string } | undefined> {
  const { rows } = await deps.pool.query<{ agentId: string; status: string }>(
    `SELECT agent_id AS "agentId", status FROM x402_settlements WHERE id = $1 AND client_id = $2 AND purpose = 'agent'`,
    [settlementId, clientId],
  );
  return rows[0];
}
