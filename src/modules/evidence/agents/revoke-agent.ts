import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { AGENT_COLUMNS, type AgentRow } from './list-agents.ts';
import { openAgentCa } from './open-agent-ca.ts';
import { publishAgentCrl } from './publish-agent-crl.ts';

/**
 * DELETE /api/v1/evidence/agents/{id}: revokes the partner's agent. In one transaction its
 * credential stops (the ingest authentication reads revoked_at), and its CA signs a new CRL
 * listing it, which the evidence path reads for every later verification: documents the agent
 * signed, before or after, are rejected CERT_REVOKED from then on. Revoking again changes nothing
 * (the agent as it is); another partner's agent is undefined.
 */
export async function revokeAgent(deps: { pool: Pool; clock: Clock; secretBox: SecretBox }, client: { id: string; name: string }, agentId: string, actor: AuditActor): Promise<AgentRow | undefined> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const current = (await tx.query<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM evidence_agents WHERE id = $1 AND client_id = $2`, [agentId, client.id])).rows[0];
    if (!current || current.revokedAt) return current;
    const ca = await openAgentCa(tx, deps, client, now);
    const { rows } = await tx.query<AgentRow>(`UPDATE evidence_agents SET revoked_at = $3 WHERE id = $1 AND client_id = $2 AND revoked_at IS NULL RETURNING ${AGENT_COLUMNS}`, [agentId, client.id, now]);
    await publishAgentCrl(tx, ca, now);
    await recordAudit(drizzle({ client: tx }), actor, { action: 'evidence_agent.revoked', targetType: 'evidence_agent', targetId: agentId, details: { serial_number: current.serialNumber } }, now);
    return rows[0];
  });
}
