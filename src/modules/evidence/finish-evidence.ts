import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import { appendLedgerEntry } from '#modules/ledger/append-ledger-entry.ts';
import { recordUsage } from '#modules/metering/record-usage.ts';
import type { NotifyPartner } from '#modules/notifications/notification-events.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import { certificationRequest, type CertifyEvidence } from './certification-request.ts';
import { EVIDENCE_REJECTION_FIXES } from './rejection-fixes.ts';
import type { EvidenceSubmissionRow } from './tables.ts';
import { EVIDENCE_REJECTION_CODES, type EvidenceRejectionCode, type VerifiedEvidence } from './verification/index.ts';

/** Why a submission could not be decided (never the evidence's fault): it may be submitted again. */
export type EvidenceFailureCode = 'VERIFICATION_TIMEOUT' | 'INTERNAL_ERROR';

/** What the worker concluded about one submission. */
export type EvidenceDecision =
  | { kind: 'certified'; verified: VerifiedEvidence }
  | { kind: 'rejected'; code: EvidenceRejectionCode; message: string; path: string | undefined }
  | { kind: 'failed'; code: EvidenceFailureCode; message: string };

/** The ledger kind of a rejected submission (a certified one is logged as its certificate). */
export const EVIDENCE_LEDGER_KIND = 'evidence';
/** Metering: one usage row per decided submission, outcome `certified` or `rejected`. */
const USAGE_KIND = 'evidence.verify';
const MAX_MESSAGE_CHARS = 2000;
const MAX_PATH_CHARS = 1000;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

async function certify(tx: PoolClient, deps: { certify: CertifyEvidence }, row: EvidenceSubmissionRow, verified: VerifiedEvidence, at: Date): Promise<void> {
  const certificate = await deps.certify(tx, certificationRequest(row, verified));
  await tx.query(
    `UPDATE evidence_submissions
        SET status = 'certified', finished_at = $2, document_sha256 = $3, media_type = $4, document_schema = $5, encrypted = $6,
            certificate_id = $7, certificate_public_id = $8, error_code = NULL, error_message = NULL, error_path = NULL
      WHERE id = $1`,
    [row.id, at, verified.contentSha256, verified.mediaType, verified.document.schema, verified.encrypted, certificate.certificateId, certificate.publicId],
  );
  await recordUsage(tx, { clientId: row.clientId, kind: USAGE_KIND, claimType: null, outcome: 'certified', subjectId: row.id, at });
}

export type FinishEvidenceDeps = {
  pool: Pool;
  certify: CertifyEvidence;
  /** Queues the partner's `evidence.rejected` e-mail in the same transaction; absent when e-mail is off (no SMTP_URL). */
  notify?: NotifyPartner;
};

async function reject(tx: PoolClient, deps: FinishEvidenceDeps, row: EvidenceSubmissionRow, decision: Extract<EvidenceDecision, { kind: 'rejected' }>, at: Date): Promise<void> {
  const message = clip(decision.message, MAX_MESSAGE_CHARS);
  const path = decision.path === undefined ? null : clip(decision.path, MAX_PATH_CHARS);
  await tx.query(
    `UPDATE evidence_submissions SET status = 'rejected', finished_at = $2, rejected_at = $2, error_code = $3, error_message = $4, error_path = $5 WHERE id = $1`,
    [row.id, at, decision.code, message, path],
  );
  // Rejections are outcomes like verified ones: in the ledger (receipt at /api/v1/receipts/evd_...), metered, announced.
  await appendLedgerEntry(tx, { kind: EVIDENCE_LEDGER_KIND, public_id: row.id, claim_type: null, status: 'rejected', public_hash: row.derSha256, ts: at });
  await recordUsage(tx, { clientId: row.clientId, kind: USAGE_KIND, claimType: null, outcome: 'rejected', subjectId: row.id, at });
  await enqueueWebhookEvent(tx, {
    clientId: row.clientId,
    type: 'evidence.rejected',
    subjectId: row.id,
    payload: { event: 'evidence.rejected', evidence_id: row.id, sha256: row.derSha256, status: 'rejected', error_code: decision.code, error_message: message, error_path: path, ts: at.toISOString() },
  });
  await deps.notify?.(tx, {
    clientId: row.clientId,
    type: 'evidence.rejected',
    subjectId: row.id,
    payload: {
      evidence_id: row.id,
      sha256: row.derSha256,
      error_code: decision.code,
      explanation: EVIDENCE_REJECTION_CODES[decision.code],
      fix: EVIDENCE_REJECTION_FIXES[decision.code],
      error_message: message,
      error_path: path,
      ts: at.toISOString(),
    },
  });
}

async function fail(tx: PoolClient, row: EvidenceSubmissionRow, decision: Extract<EvidenceDecision, { kind: 'failed' }>, at: Date): Promise<void> {
  const message = clip(decision.message, MAX_MESSAGE_CHARS);
  await tx.query(`UPDATE evidence_submissions SET status = 'failed', finished_at = $2, error_code = $3, error_message = $4, error_path = NULL WHERE id = $1`, [row.id, at, decision.code, message]);
  await enqueueWebhookEvent(tx, {
    clientId: row.clientId,
    type: 'evidence.failed',
    subjectId: row.id,
    payload: { event: 'evidence.failed', evidence_id: row.id, sha256: row.derSha256, status: 'failed', error_code: decision.code, error_message: message, error_path: null, ts: at.toISOString() },
  });
}

/**
 * The submission's final transaction: its row decided, and with it the certificate (certified),
 * the ledger entry, usage, `evidence.rejected` webhook and e-mail (rejected), or the `evidence.failed`
 * webhook (failed). All or nothing. The row is locked first: when another run of the job decided
 * it meanwhile, nothing is written and the answer is false, so no evidence is certified twice.
 * `from: 'rejected'` is a re-test of a rejection certifying it (retest-evidence.ts): the row must
 * still be rejected, and the re-test is counted with the certificate.
 */
export async function finishEvidence(
  deps: FinishEvidenceDeps,
  row: EvidenceSubmissionRow,
  decision: EvidenceDecision,
  at: Date,
  from: 'validating' | 'rejected' = 'validating',
): Promise<boolean> {
  return inTransaction(deps.pool, async (tx) => {
    const locked = await tx.query(`SELECT 1 FROM evidence_submissions WHERE id = $1 AND status = $2 FOR UPDATE`, [row.id, from]);
    if (locked.rowCount !== 1) return false;
    if (from === 'rejected') await tx.query('UPDATE evidence_submissions SET retests = retests + 1, retested_at = $2 WHERE id = $1', [row.id, at]);
    if (decision.kind === 'certified') await certify(tx, deps, row, decision.verified, at);
    else if (decision.kind === 'rejected') await reject(tx, deps, row, decision, at);
    else await fail(tx, row, decision, at);
    return true;
  });
}
