import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { recordAudit } from '#modules/audit/record-audit.ts';
import { EVIDENCE_REJECTION_CODES } from './verification/index.ts';

/** EVIDENCE_RETENTION_DAYS and EVIDENCE_RETENTION_ANONYMISE. */
export type EvidenceRetention = { days: number; anonymise: boolean };

export type EvidencePurgeReport = { evidence_purged: number; evidence_objects_deleted: number; evidence_anonymised: number };

/** Submissions purged per transaction batch, and batches per run: a run is bounded, the next one goes on. */
const BATCH_SIZE = 100;
const MAX_BATCHES = 10;
const DAY_MS = 86_400_000;

type Expired = { id: string; object_key: string; content_object_key: string | null; error_code: string | null; status: string };

/** Deletes the detached content unless another submission of the partner, not purged, still points at it (content is keyed by its own hash). */
async function deleteContentIfUnshared(tx: PoolClient, storage: ObjectStorage, row: Expired): Promise<number> {
  if (!row.content_object_key) return 0;
  const shared = await tx.query(`SELECT 1 FROM evidence_submissions WHERE content_object_key = $1 AND id <> $2 AND evidence_purged_at IS NULL LIMIT 1`, [row.content_object_key, row.id]);
  if (shared.rowCount !== 0) return 0;
  await storage.delete(row.content_object_key);
  return 1;
}

/**
 * One submission: locked while still decided and not purged, its objects deleted, then marked
 * purged (and anonymised: a rejection's message, which names the signer's and its issuers'
 * subjects, becomes the code's general meaning). A storage failure rolls the mark back; the
 * next run tries again (deleting is idempotent).
 */
async function purgeOne(deps: { pool: Pool; storage: ObjectStorage }, row: Expired, at: Date, anonymise: boolean, report: EvidencePurgeReport): Promise<void> {
  await inTransaction(deps.pool, async (tx) => {
    const locked = await tx.query(`SELECT 1 FROM evidence_submissions WHERE id = $1 AND evidence_purged_at IS NULL AND status IN ('certified', 'rejected', 'failed') FOR UPDATE`, [row.id]);
    if (locked.rowCount !== 1) return;
    await deps.storage.delete(row.object_key);
    const deleted = 1 + (await deleteContentIfUnshared(tx, deps.storage, row));
    const generic = anonymise && row.status === 'rejected' ? EVIDENCE_REJECTION_CODES[row.error_code as keyof typeof EVIDENCE_REJECTION_CODES] ?? null : null;
    await tx.query(`UPDATE evidence_submissions SET evidence_purged_at = $2, error_message = coalesce($3, error_message) WHERE id = $1`, [row.id, at, generic]);
    report.evidence_purged += 1;
    report.evidence_objects_deleted += deleted;
    if (generic) report.evidence_anonymised += 1;
  });
}

/**
 * Retention (called by the maintenance worker): decided submissions older than `days` lose their
 * DER and detached content from object storage. The row keeps the hashes and the outcome; the
 * certificate, its receipt and the ledger entries are not touched (they never needed the bytes).
 * Every run is audited with its counts (an empty run too: the audit log shows retention ran).
 */
export async function purgeExpiredEvidence(deps: { pool: Pool; storage: ObjectStorage; clock: Clock }, retention: EvidenceRetention): Promise<EvidencePurgeReport> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - retention.days * DAY_MS);
  const report: EvidencePurgeReport = { evidence_purged: 0, evidence_objects_deleted: 0, evidence_anonymised: 0 };
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const { rows } = await deps.pool.query<Expired>(
      `SELECT id, object_key, content_object_key, error_code, status FROM evidence_submissions
        WHERE evidence_purged_at IS NULL AND status IN ('certified', 'rejected', 'failed') AND created_at < $1
        ORDER BY created_at LIMIT $2`,
      [cutoff, BATCH_SIZE],
    );
    for (const row of rows) await purgeOne(deps, row, now, retention.anonymise, report);
    if (rows.length < BATCH_SIZE) break;
  }
  await recordAudit(drizzle({ client: deps.pool }), { type: 'system', id: null, ip: null, requestId: null }, {
    action: 'evidence.retention',
    targetType: 'evidence_submissions',
    targetId: `created_before:${cutoff.toISOString()}`,
    details: { retention_days: retention.days, anonymise: retention.anonymise, ...report },
  }, now);
  return report;
}
