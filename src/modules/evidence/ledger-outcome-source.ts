import { notInLedger, type OutcomeSource } from '#modules/ledger/outcome-sources.ts';
import { EVIDENCE_LEDGER_KIND } from './finish-evidence.ts';

/**
 * Rejected submissions, rebuilt from their row the way finish-evidence.ts logged them: status
 * `rejected`, public_hash the SHA-256 of the submitted DER, ts `rejected_at` (kept when a re-test
 * certified the submission later: the rejection stays in the ledger as history). Certified ones
 * are logged as their certificate (kind `certificate`, the certificates module's); failed ones
 * were not decided and are not logged.
 */
export const evidenceOutcomes: OutcomeSource = {
  receipts: {
    idPrefix: 'evd',
    // A submission has an entry of its own once rejected; a certified one's receipt is its certificate's (crt_...).
    async entryIdFor(db, clientId, id) {
      return (await db.query(`SELECT 1 FROM evidence_submissions WHERE id = $1 AND client_id = $2`, [id, clientId])).rowCount === 1 ? id : undefined;
    },
  },
  async outcomes(db, publicIds) {
    const { rows } = await db.query<{ id: string; der_sha256: string; rejected_at: Date }>(
      `SELECT id, der_sha256, rejected_at FROM evidence_submissions WHERE id = ANY($1::text[]) AND rejected_at IS NOT NULL`,
      [publicIds],
    );
    return new Map(
      rows.map((row) => [row.id, { kind: EVIDENCE_LEDGER_KIND, public_id: row.id, claim_type: null, status: 'rejected', public_hash: row.der_sha256, ts: row.rejected_at }]),
    );
  },
  async unlogged(db, since, limit) {
    const { rows } = await db.query<{ id: string; total: number }>(
      `SELECT id, count(*) OVER ()::int AS total
         FROM evidence_submissions
        WHERE rejected_at >= $1
          AND ${notInLedger(EVIDENCE_LEDGER_KIND, 'evidence_submissions.id')}
        ORDER BY rejected_at LIMIT $2`,
      [since, limit],
    );
    return { count: rows[0]?.total ?? 0, examples: rows.map((row) => row.id) };
  },
};
