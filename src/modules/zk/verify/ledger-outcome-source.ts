import { notInLedger, type OutcomeSource } from '#modules/ledger/outcome-sources.ts';

/** Zero-knowledge proof outcomes: the `proofs` row written in the same transaction as the entry. */
export const zkProofOutcomes: OutcomeSource = {
  receipts: {
    idPrefix: 'prf',
    async entryIdFor(db, clientId, id) {
      return (await db.query('SELECT 1 FROM proofs WHERE id = $1 AND client_id = $2', [id, clientId])).rowCount === 1 ? id : undefined;
    },
  },
  async outcomes(db, publicIds) {
    const { rows } = await db.query<{ id: string; claim_type: string; status: string; public_hash: Buffer; created_at: Date }>(
      'SELECT id, claim_type, status, public_hash, created_at FROM proofs WHERE id = ANY($1::text[])',
      [publicIds],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        { kind: 'zk_proof', public_id: row.id, claim_type: row.claim_type, status: row.status, public_hash: row.public_hash.toString('hex'), ts: row.created_at },
      ]),
    );
  },
  async unlogged(db, since, limit) {
    const { rows } = await db.query<{ id: string; total: number }>(
      `SELECT p.id, count(*) OVER ()::int AS total
         FROM proofs p
        WHERE p.created_at >= $1 AND p.status <> 'pending'
          AND ${notInLedger('zk_proof', 'p.id')}
        ORDER BY p.created_at LIMIT $2`,
      [since, limit],
    );
    return { count: rows[0]?.total ?? 0, examples: rows.map((row) => row.id) };
  },
};
