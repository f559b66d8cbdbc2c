import { randomBytes } from 'node:crypto';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { challengeMessage } from './challenge-message.ts';
import { readController } from './read-controller.ts';

/** How long a challenge may be signed and used. */
export const CHALLENGE_TTL_MS = 10 * 60 * 1000;

export type Challenge = { id: string; message: string; controllerDid: string; agentId: string | null; expiresAt: Date };
export type ChallengeResult = { ok: true; value: Challenge } | { ok: false; code: 'VALIDATION_FAILED' | 'NOT_FOUND'; message: string };

/**
 * A challenge for `controller` to sign, bound to the partner and, when `agentId` is given, to that
 * agent of the partner (its controller by default). It expires after ten minutes.
 */
export async function createChallenge(
  deps: { pool: Pool; clock: Clock; publicUrl: string },
  clientId: string,
  request: { controller?: string | undefined; agentId?: string | undefined },
): Promise<ChallengeResult> {
  let did = request.controller;
  if (request.agentId) {
    const { rows } = await deps.pool.query<{ controllerDid: string }>(
      'SELECT controller_did AS "controllerDid" FROM registry_agents WHERE id = $1 AND client_id = $2 AND deactivated_at IS NULL',
      [request.agentId, clientId],
    );
    if (!rows[0]) return { ok: false, code: 'NOT_FOUND', message: `no agent ${request.agentId}` };
    did ??= rows[0].controllerDid;
  }
  const controller = readController(did ?? '');
  if (!controller.ok) return { ok: false, code: 'VALIDATION_FAILED', message: `body.controller: ${controller.message}` };
  const id = newId('agc');
  const issuedAt = deps.clock.now();
  const expiresAt = new Date(issuedAt.getTime() + CHALLENGE_TTL_MS);
  const agentId = request.agentId ?? null;
  const message = await challengeMessage({ challengeId: id, controller: controller.value, clientId, agentId, nonce: randomBytes(16).toString('hex'), publicUrl: deps.publicUrl, issuedAt, expiresAt });
  await deps.pool.query(
    'INSERT INTO registry_challenges (id, client_id, controller_did, agent_id, message, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [id, clientId, controller.value.did, agentId, message, issuedAt, expiresAt],
  );
  return { ok: true, value: { id, message, controllerDid: controller.value.did, agentId, expiresAt } };
}
