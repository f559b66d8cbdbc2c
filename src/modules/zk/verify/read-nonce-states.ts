import { createCoalescedRead } from '#platform/db/coalesced-read.ts';
import type { Pool } from '#platform/db/pool.ts';

/** The proof request a nonce names, if any, and whether the partner has used the nonce already. */
export type NonceState = {
  proofRequest: { id: string; client_id: string; claim_type: string; verifier_domain: string; params: Record<string, number>; expires_at: Date } | undefined;
  used: boolean;
};

/** Both arguments in canonical form (canonicalNonce). */
export type NonceStateReader = (nonce: string, clientId: string) => Promise<NonceState>;

type Row = { id: string | null; client_id: string; claim_type: string; verifier_domain: string; params: Record<string, number>; expires_at: Date; used: boolean };

// A wave of concurrent verifications (16 at 16 clients) fits in one read.
const MAX_BATCH = 64;

/** Verifications arriving together read their nonces' states in one round trip (a read: the claim in the recorder's write decides). */
export function createNonceStateReader(deps: { pool: Pool }): NonceStateReader {
  const read = createCoalescedRead(async (keys: { nonce: string; clientId: string }[]) => {
    const { rows } = await deps.pool.query<Row>({
      name: 'zk-verify-nonce-states',
      text: `SELECT pr.id, pr.client_id, pr.claim_type, pr.verifier_domain, pr.params, pr.expires_at,
                    EXISTS (SELECT 1 FROM used_nonces u WHERE u.client_id = asked.client_id AND u.nonce = asked.nonce) AS used
             FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS asked (nonce, client_id, ord)
             LEFT JOIN proof_requests pr ON pr.nonce = asked.nonce
             ORDER BY asked.ord`,
      values: [keys.map((key) => key.nonce), keys.map((key) => key.clientId)],
    });
    return rows.map(({ used, id, ...request }): NonceState => ({ used, proofRequest: id === null ? undefined : { id, ...request } }));
  }, { maxBatch: MAX_BATCH });
  return (nonce, clientId) => read({ nonce, clientId });
}
