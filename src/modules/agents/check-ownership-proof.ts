import type { Clock } from '#platform/clock.ts';
import type { Pool, PoolClient } from '#platform/db/pool.ts';
import type { Controller } from './read-controller.ts';
import { verifyOwnershipSignature, type OwnershipScheme } from './verify-ownership-signature.ts';

export type OwnershipProof = { challengeId: string; signature: string };
/** A proof that passed every check, to record (the record is what makes its challenge single use). */
export type CheckedProof = { challengeId: string; controllerDid: string; scheme: OwnershipScheme; signature: Buffer };

export type ProofFailure =
  | { ok: false; code: 'CHALLENGE_INVALID'; reason: 'UNKNOWN' | 'MISMATCH' | 'EXPIRED'; message: string }
  | { ok: false; code: 'NONCE_REPLAY'; message: string }
  | { ok: false; code: 'OWNERSHIP_PROOF_INVALID'; reason: 'MALFORMED_SIGNATURE' | 'SIGNER_MISMATCH'; message: string };

/**
 * Whether `proof` shows that `controller` wants this partner to register (`agentId` null) or to
 * verify agent `agentId`: the challenge is the partner's, unused, unexpired, bound to the same
 * controller and agent, and its message is signed by the controller. Reads only.
 */
export async function checkOwnershipProof(
  deps: { pool: Pool | PoolClient; clock: Clock },
  clientId: string,
  binding: { controller: Controller; agentId: string | null },
  proof: OwnershipProof,
): Promise<{ ok: true; value: CheckedProof } | ProofFailure> {
  const { rows } = await deps.pool.query<{ controllerDid: string; agentId: string | null; message: string; expiresAt: Date; used: boolean }>(
    `SELECT controller_did AS "controllerDid", agent_id AS "agentId", message, expires_at AS "expiresAt",
            EXISTS (SELECT 1 FROM registry_ownership_proofs p WHERE p.challenge_id = c.id) AS used
       FROM registry_challenges c WHERE id = $1 AND client_id = $2`,
    [proof.challengeId, clientId],
  );
  const challenge = rows[0];
  if (!challenge) return { ok: false, code: 'CHALLENGE_INVALID', reason: 'UNKNOWN', message: `no challenge ${proof.challengeId} (ask POST /api/v1/agents/challenge for one)` };
  if (challenge.used) return { ok: false, code: 'NONCE_REPLAY', message: `challenge ${proof.challengeId} was used already; ask for a new one` };
  if (challenge.expiresAt.getTime() <= deps.clock.now().getTime()) {
    return { ok: false, code: 'CHALLENGE_INVALID', reason: 'EXPIRED', message: `challenge ${proof.challengeId} expired at ${challenge.expiresAt.toISOString()}; ask for a new one` };
  }
  if (challenge.controllerDid !== binding.controller.did || challenge.agentId !== binding.agentId) {
    const wanted = binding.agentId ? `agent ${binding.agentId}` : 'a new agent';
    return { ok: false, code: 'CHALLENGE_INVALID', reason: 'MISMATCH', message: `challenge ${proof.challengeId} is for ${challenge.controllerDid} and ${challenge.agentId ? `agent ${challenge.agentId}` : 'a new agent'}, not for ${binding.controller.did} and ${wanted}` };
  }
  const signed = await verifyOwnershipSignature(binding.controller, challenge.message, proof.signature);
  if (!signed.ok) return { ok: false, code: 'OWNERSHIP_PROOF_INVALID', reason: signed.reason, message: signed.message };
  return { ok: true, value: { challengeId: proof.challengeId, controllerDid: binding.controller.did, ...signed.value } };
}

/** Records an accepted proof and marks the agent verified, in the caller's transaction. */
export async function recordOwnershipProof(tx: PoolClient, agentId: string, proof: CheckedProof, at: Date): Promise<void> {
  await tx.query(
    'INSERT INTO registry_ownership_proofs (challenge_id, agent_id, controller_did, scheme, signature, verified_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [proof.challengeId, agentId, proof.controllerDid, proof.scheme, proof.signature, at],
  );
  await tx.query('UPDATE registry_agents SET verified_at = $2, updated_at = $2 WHERE id = $1', [agentId, at]);
}
