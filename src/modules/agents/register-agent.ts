import { uniqueViolation } from '#platform/db/statement.ts';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { refuseUnknownCapabilities, type CapabilityFailure } from './capabilities.ts';
import { checkOwnershipProof, recordOwnershipProof, type OwnershipProof, type ProofFailure } from './check-ownership-proof.ts';
import { readController } from './read-controller.ts';
import { AGENT_COLUMNS, CONSTRAINTS, type AgentCard, type RegistryAgentRow } from './tables.ts';

export type AgentWriteFailure =
  | CapabilityFailure
  | ProofFailure
  | { ok: false; code: 'VALIDATION_FAILED' | 'CONFLICT' | 'NOT_FOUND'; message: string };
export type AgentWriteResult = { ok: true; value: RegistryAgentRow } | AgentWriteFailure;

/** The answer to a unique violation a concurrent request won, or undefined for any other error. */
export function lostRace(error: unknown, controllerDid: string, name: string): AgentWriteFailure | undefined {
  const constraint = uniqueViolation(error);
  if (constraint === CONSTRAINTS.challengeUsed) return { ok: false, code: 'NONCE_REPLAY', message: 'the challenge was used already; ask for a new one' };
  if (constraint === CONSTRAINTS.verifiedName) return { ok: false, code: 'CONFLICT', message: `${controllerDid} has a verified agent named "${name}" already` };
  return undefined;
}

/**
 * Registers an agent of the partner: unverified, or verified at once when `ownershipProof` (a
 * signed challenge for a new agent) holds. A refused proof registers nothing.
 */
export async function registerAgent(
  deps: { pool: Pool; clock: Clock },
  clientId: string,
  input: AgentCard & { controller: string; ownershipProof?: OwnershipProof | undefined },
): Promise<AgentWriteResult> {
  const refused = refuseUnknownCapabilities(input.capabilities);
  if (refused) return refused;
  const controller = readController(input.controller);
  if (!controller.ok) return { ok: false, code: 'VALIDATION_FAILED', message: `body.controller: ${controller.message}` };
  const proof = input.ownershipProof ? await checkOwnershipProof(deps, clientId, { controller: controller.value, agentId: null }, input.ownershipProof) : undefined;
  if (proof && !proof.ok) return proof;
  const now = deps.clock.now();
  const id = newId('agr');
  try {
    const row = await inTransaction(deps.pool, async (tx) => {
      const { rows } = await tx.query<RegistryAgentRow>(
        `INSERT INTO registry_agents (id, client_id, name, description, image, endpoints, supported_trust, capabilities, tags, pricing, tee,
                                      controller_did, controller_namespace, controller_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING ${AGENT_COLUMNS}`,
        [id, clientId, input.name, input.description, input.image, JSON.stringify(input.endpoints), input.supportedTrust, input.capabilities, input.tags,
          JSON.stringify(input.pricing), input.tee === null ? null : JSON.stringify(input.tee), controller.value.did, controller.value.namespace, controller.value.key, now],
      );
      if (!proof) return rows[0]!;
      await recordOwnershipProof(tx, id, proof.value, now);
      return { ...rows[0]!, verifiedAt: now };
    });
    return { ok: true, value: row };
  } catch (error) {
    const lost = lostRace(error, controller.value.did, input.name);
    if (lost) return lost;
    throw error;
  }
}
