import type { Pool } from '#platform/db/pool.ts';

export type ProofStatus = { status: 'pending' | 'verified' | 'failed'; claim_type: string; ts: string; verifier_id: string | null; failure_code: string | null };

/** A proof's status for the partner that verified it; another partner's proof is "not found". */
export async function getProofStatus(deps: { pool: Pool }, clientId: string, proofId: string): Promise<ProofStatus | undefined> {
  const { rows } = await deps.pool.query<{ status: ProofStatus['status']; claim_type: string; created_at: Date; verified_at: Date | null; client_id: string; failure_code: string | null }>(
    'SELECT status, claim_type, created_at, verified_at, client_id, failure_code FROM proofs WHERE id = $1 AND client_id = $2',
    [proofId, clientId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { status: row.status, claim_type: row.claim_type, ts: (row.verified_at ?? row.created_at).toISOString(), verifier_id: row.client_id, failure_code: row.failure_code };
}
