import type { Pool } from '#platform/db/pool.ts';

export type AgentRow = {
  id: string;
  name: string | null;
  agentCaId: string;
  serialNumber: string;
  sha256Fingerprint: string;
  keyAlgorithm: string;
  notAfter: Date;
  createdAt: Date;
  revokedAt: Date | null;
};

export const AGENT_COLUMNS = `id, name, agent_ca_id AS "agentCaId", serial_number AS "serialNumber", sha256_fingerprint AS "sha256Fingerprint",
  key_algorithm AS "keyAlgorithm", not_after AS "notAfter", created_at AS "createdAt", revoked_at AS "revokedAt"`;

/** GET /api/v1/evidence/agents: the partner's agents, revoked ones included, oldest first. */
export async function listAgents(deps: { pool: Pool }, clientId: string): Promise<AgentRow[]> {
  return (await deps.pool.query<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM evidence_agents WHERE client_id = $1 ORDER BY id`, [clientId])).rows;
}
