import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { checkOwnershipProof, recordOwnershipProof, type OwnershipProof } from './check-ownership-proof.ts';
import { getAgent } from './get-agent.ts';
import { readController } from './read-controller.ts';
import { lostRace, type AgentWriteResult } from './register-agent.ts';

/** Verifies an existing agent of the partner with a challenge signed for it; a refused proof leaves it as it was. */
export async function verifyAgentOwnership(deps: { pool: Pool; clock: Clock }, clientId: string, agentId: string, proof: OwnershipProof): Promise<AgentWriteResult> {
  const agent = await getAgent(deps, agentId, { clientId });
  if (!agent) return { ok: false, code: 'NOT_FOUND', message: `no agent ${agentId}` };
  if (agent.deactivatedAt) return { ok: false, code: 'CONFLICT', message: `agent ${agentId} is deactivated` };
  const controller = readController(agent.controllerDid);
  if (!controller.ok) throw new Error(`stored controller ${agent.controllerDid} does not read: ${controller.message}`);
  const checked = await checkOwnershipProof(deps, clientId, { controller: controller.value, agentId }, proof);
  if (!checked.ok) return checked;
  const now = deps.clock.now();
  try {
    await inTransaction(deps.pool, (tx) => recordOwnershipProof(tx, agentId, checked.value, now));
  } catch (error) {
    const lost = lostRace(error, agent.controllerDid, agent.name);
    if (lost) return lost;
    throw error;
  }
  return { ok: true, value: { ...agent, verifiedAt: now, updatedAt: now } };
}
