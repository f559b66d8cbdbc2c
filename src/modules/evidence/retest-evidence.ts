import { inTransaction } from '#platform/db/pool.ts';
import type { JobSender } from '#platform/queue/job-sender.ts';
import { finishEvidence } from './finish-evidence.ts';
import { SUBMISSION_COLUMNS } from './get-evidence.ts';
import type { VerifyEvidencePayload } from './jobs.ts';
import { decideEvidence, type EvidenceWorkerDeps } from './process-evidence-job.ts';
import { requeueFailedEvidence } from './requeue-failed-evidence.ts';
import type { EvidenceSubmissionRow } from './tables.ts';
import type { EvidenceRejectionCode } from './verification/index.ts';

export type RetestEvidenceDeps = EvidenceWorkerDeps & {
  /** Where a failed submission's job goes again. */
  jobs: JobSender<VerifyEvidencePayload>;
  /** Most re-tests of one submission (EVIDENCE_RETEST_LIMIT). */
  retestLimit: number;
  /** Most submissions one pass re-tests (EVIDENCE_RETRY_BATCH_SIZE). */
  batchSize: number;
};

/** `requeued`: failed ones queued again (the evidence worker decides them); `certified` / `unchanged`: rejections verified again; `errors`: a re-test storage or the database failed (counted as a re-test). */
export type RetestReport = { requeued: number; certified: number; unchanged: number; errors: number };

/**
 * Rejections whose outcome can change without the document changing, and the trust set each
 * depends on: a new anchor can complete a path (CHAIN_UNTRUSTED) or offer one through a renewed,
 * still-valid CA certificate (CERT_EXPIRED of a CA on the path); a newer CRL or a removed one can
 * stop listing a certificate (CERT_REVOKED: a certificate hold lifted, a CRL uploaded by mistake);
 * a new TSA anchor, the partner's or the operator's, can make a timestamp trusted (TIMESTAMP_INVALID).
 */
export const RETESTABLE_REJECTIONS: Record<string, 'signing' | 'timestamping'> = {
  CHAIN_UNTRUSTED: 'signing',
  CERT_EXPIRED: 'signing',
  CERT_REVOKED: 'signing',
  TIMESTAMP_INVALID: 'timestamping',
} satisfies Partial<Record<EvidenceRejectionCode, 'signing' | 'timestamping'>>;

/** A failed submission is queued again 15 min after it failed, then 30 min, 1 h, ... (doubling per re-test). */
export const FAILED_RETEST_BACKOFF_SECONDS = 900;

/** Due now, oldest outcome first: failed ones past their backoff, rejections decided (or last re-tested) before their trust set changed. */
async function dueSubmissions(deps: RetestEvidenceDeps, now: Date): Promise<EvidenceSubmissionRow[]> {
  const { rows } = await deps.pool.query<EvidenceSubmissionRow>(
    `SELECT ${SUBMISSION_COLUMNS} FROM evidence_submissions s
      WHERE s.status IN ('failed', 'rejected') AND s.evidence_purged_at IS NULL AND s.retests < $2
        AND ((s.status = 'failed' AND s.finished_at + make_interval(secs => $3 * power(2, s.retests)) <= $1)
          OR (s.status = 'rejected' AND EXISTS (
                SELECT 1 FROM evidence_trust_changes c
                 WHERE (c.client_id = s.client_id OR c.client_id IS NULL)
                   AND c.role = ($4::jsonb ->> s.error_code)
                   AND c.changed_at > greatest(s.rejected_at, s.retested_at))))
      ORDER BY s.finished_at, s.id LIMIT $5`,
    [now, deps.retestLimit, FAILED_RETEST_BACKOFF_SECONDS, JSON.stringify(RETESTABLE_REJECTIONS), deps.batchSize],
  );
  return rows;
}

/**
 * A rejection verified again. Certified now: the certificate is issued as usual (its ledger entry,
 * `certificate.issued` webhook and e-mail) and the first rejection stays in the ledger. Still not
 * certifiable (whatever the code now): only the re-test is counted, nothing else is written.
 */
async function retestRejection(deps: RetestEvidenceDeps, row: EvidenceSubmissionRow, report: RetestReport): Promise<void> {
  let decision;
  try {
    decision = await decideEvidence(deps, row);
  } catch (error) {
    deps.log.warn({ err: error, evidence_id: row.id }, 'evidence re-test failed');
  }
  const now = deps.clock.now();
  if (decision?.kind === 'certified' && (await finishEvidence(deps, row, decision, now, 'rejected'))) {
    deps.log.info({ evidence_id: row.id, rejected_as: row.errorCode }, 'rejected evidence certified on re-test');
    report.certified += 1;
    return;
  }
  await deps.pool.query(`UPDATE evidence_submissions SET retests = retests + 1, retested_at = $2 WHERE id = $1 AND status = 'rejected'`, [row.id, now]);
  if (decision) report.unchanged += 1;
  else report.errors += 1;
}

/** One retry pass (the `retry` worker kind's scheduled job, or WORKER_ONCE). Safe beside another pass: each change is conditional on the row's state. */
export async function retestEvidence(deps: RetestEvidenceDeps): Promise<RetestReport> {
  const report: RetestReport = { requeued: 0, certified: 0, unchanged: 0, errors: 0 };
  const due = await dueSubmissions(deps, deps.clock.now());
  if (due.some((row) => row.status === 'failed')) await deps.jobs.ready();
  for (const row of due) {
    if (row.status === 'rejected') {
      await retestRejection(deps, row, report);
      continue;
    }
    const requeued = await inTransaction(deps.pool, (tx) => requeueFailedEvidence(tx, deps.jobs, row.id, deps.clock.now()));
    if (requeued) report.requeued += 1;
  }
  return report;
}
