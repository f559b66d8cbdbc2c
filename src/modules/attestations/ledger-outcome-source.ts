import { notInLedger, type OutcomeSource } from '#modules/ledger/outcome-sources.ts';

/**
 * Attestation task outcomes, rebuilt from the task row the way finish-task.ts logged them:
 * status verified / rejected (`is_valid`) for completed tasks, failed for evidence that could not
 * be appraised; public_hash is the SHA-256 of the stored result document. Tasks that ended on an
 * infrastructure error have no result document and are not logged.
 */
const LOGGED = "status IN ('completed', 'failed') AND result_sha256 IS NOT NULL";

export const teeTaskOutcomes: OutcomeSource = {
  receipts: {
    idPrefix: 'tsk',
    async entryIdFor(db, clientId, id) {
      return (await db.query('SELECT 1 FROM attestation_tasks WHERE id = $1 AND client_id = $2', [id, clientId])).rowCount === 1 ? id : undefined;
    },
  },
  async outcomes(db, publicIds) {
    const { rows } = await db.query<{ id: string; verdict: string; result_sha256: string; finished_at: Date }>(
      `SELECT id, CASE WHEN status = 'failed' THEN 'failed' WHEN is_valid THEN 'verified' ELSE 'rejected' END AS verdict,
              result_sha256, finished_at
         FROM attestation_tasks WHERE id = ANY($1::text[]) AND ${LOGGED}`,
      [publicIds],
    );
    return new Map(
      rows.map((row) => [row.id, { kind: 'tee_task', public_id: row.id, claim_type: null, status: row.verdict, public_hash: row.result_sha256, ts: row.finished_at }]),
    );
  },
  async unlogged(db, since, limit) {
    const { rows } = await db.query<{ id: string; total: number }>(
      `SELECT id, count(*) OVER ()::int AS total
         FROM attestation_tasks
        WHERE finished_at >= $1 AND ${LOGGED}
          AND ${notInLedger('tee_task', 'attestation_tasks.id')}
        ORDER BY finished_at LIMIT $2`,
      [since, limit],
    );
    return { count: rows[0]?.total ?? 0, examples: rows.map((row) => row.id) };
  },
};
