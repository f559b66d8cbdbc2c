import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import { newId } from '#platform/ids.ts';
import { canonicalizeVerifierDomain } from '../credentials/binding.ts';
import { expectedParam } from '../verify/claim-params.ts';
import type { ProofRequestCreateSchema, ProofRequestSchema } from '../verify/schema.ts';
import { canonicalNonce } from '../verify/canonical-nonce.ts';
import { proofRequests } from '../tables.ts';

export type CreateProofRequestResult =
  | { ok: true; request: z.infer<typeof ProofRequestSchema> }
  | { ok: false; code: 'INVALID_PARAMS'; message: string };

/** A proof request: a fresh 256-bit nonce bound to the partner, claim, domain and parameters. */
export async function createProofRequest(
  deps: { db: Db; clock: Clock },
  clientId: string,
  input: z.infer<typeof ProofRequestCreateSchema>,
): Promise<CreateProofRequestResult> {
  const checked = expectedParam(input.claim_type, input.params);
  if (!checked.ok) return { ok: false, code: 'INVALID_PARAMS', message: checked.message };
  const now = deps.clock.now();
  const nonce = randomBytes(32).toString('base64url');
  const row = {
    id: newId('vrq'),
    clientId,
    claimType: input.claim_type,
    nonce: canonicalNonce(nonce),
    verifierDomain: canonicalizeVerifierDomain(input.verifier_domain),
    params: input.params ?? {},
    expiresAt: new Date(now.getTime() + input.ttl_seconds * 1000),
    createdAt: now,
  };
  await deps.db.insert(proofRequests).values(row);
  return {
    ok: true,
    request: {
      request_id: row.id,
      nonce,
      verifier_domain: row.verifierDomain,
      claim_type: input.claim_type,
      params: row.params,
      expires_at: row.expiresAt.toISOString(),
    },
  };
}
