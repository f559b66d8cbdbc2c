import type { PoolClient } from '#platform/db/pool.ts';
import type { JobSender } from '#platform/queue/job-sender.ts';
import { SUBMISSION_COLUMNS } from './get-evidence.ts';
import type { VerifyEvidencePayload } from './jobs.ts';
import type { EvidenceSubmissionRow } from './tables.ts';

/**
 * The retry worker's re-test of a failed submission: failed -> received with a new job, in `tx`,
 * counted as a re-test; undefined when the submission is no longer failed (another request or
 * pass queued it first) or its evidence was purged. A partner's resubmission of the same DER is
 * queued again by evidence_submit() (migrations 0016 and 0021) instead.
 */
export async function requeueFailedEvidence(tx: PoolClient, jobs: JobSender<VerifyEvidencePayload>, id: string, at: Date): Promise<EvidenceSubmissionRow | undefined> {
  const { rows } = await tx.query<EvidenceSubmissionRow>(
    `UPDATE evidence_submissions
        SET status = 'received', error_code = NULL, error_message = NULL, error_path = NULL, finished_at = NULL, started_at = NULL,
            retests = retests + 1, retested_at = $2
      WHERE id = $1 AND status = 'failed' AND evidence_purged_at IS NULL RETURNING ${SUBMISSION_COLUMNS}`,
    [id, at],
  );
  const row = rows[0];
  if (!row) return undefined;
  const jobId = await jobs.enqueue(tx, { evidence_id: row.id });
  await tx.query('UPDATE evidence_submissions SET job_id = $2 WHERE id = $1', [row.id, jobId]);
  return { ...row, jobId };
}
