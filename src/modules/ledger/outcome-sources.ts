import type { PoolClient } from '#platform/db/pool.ts';
import type { LedgerLeafFields } from './tlog/index.ts';

/**
 * Where the audit finds the current outcome behind a ledger entry of a kind, to tell a leaf from
 * an outcome row edited after it was logged. A kind without a source is checked for structure only.
 */
export type OutcomeSource = {
  /** The outcome rows of these public ids, as the leaf fields they were logged with. */
  outcomes(db: PoolClient, publicIds: readonly string[]): Promise<Map<string, LedgerLeafFields>>;
  /** Outcomes decided at or after `since` that have no ledger entry (pending or sequenced). */
  unlogged(db: PoolClient, since: Date, limit: number): Promise<{ count: number; examples: string[] }>;
};

/** Zero-knowledge proof outcomes: the `proofs` row written in the same transaction as the entry. */
const zkProofs: OutcomeSource = {
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
          AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.kind = 'zk_proof' AND e.public_id = p.id)
        ORDER BY p.created_at LIMIT $2`,
      [since, limit],
    );
    return { count: rows[0]?.total ?? 0, examples: rows.map((row) => row.id) };
  },
};

export const OUTCOME_SOURCES: Readonly<Record<string, OutcomeSource>> = { zk_proof: zkProofs };
