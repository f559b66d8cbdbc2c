import type { PoolClient } from '#platform/db/pool.ts';
import type { JobSender } from '#platform/queue/job-sender.ts';
import { SUBMISSION_COLUMNS } from './get-evidence.ts';
import type { VerifyEvidencePayload } from './jobs.ts';
import type { EvidenceSubmissionRow } from './tables.ts';

/** Who queues a failed submission again: its partner submitting the DER again (the bytes stored anew), or the retry worker (a re-test). */
export type Requeue =
  | { by: 'partner'; contentObjectKey: string | null; contentBytes: number | null; filename: string | null; metadata: string | null }
  | { by: 'retry'; at: Date };

/** Puts a submission's verification job on the queue in `tx` and records its id. */
export async function queueEvidenceJob(tx: PoolClient, jobs: JobSender<VerifyEvidencePayload>, row: EvidenceSubmissionRow): Promise<EvidenceSubmissionRow> {
  const jobId = await jobs.enqueue(tx, { evidence_id: row.id });
  await tx.query('UPDATE evidence_submissions SET job_id = $2 WHERE id = $1', [row.id, jobId]);
  return { ...row, jobId };
}

/**
 * failed -> received with a new job, in `tx`; undefined when the submission is no longer failed
 * (another request or pass queued it first). A partner's resubmission brings the bytes back (a
 * purged submission is stored again) and may bring new detached content; a retry is counted.
 */
export async function requeueFailedEvidence(tx: PoolClient, jobs: JobSender<VerifyEvidencePayload>, id: string, requeue: Requeue): Promise<EvidenceSubmissionRow | undefined> {
  const reset = `status = 'received', error_code = NULL, error_message = NULL, error_path = NULL, finished_at = NULL, started_at = NULL`;
  const { rows } =
    requeue.by === 'partner'
      ? await tx.query<EvidenceSubmissionRow>(
          `UPDATE evidence_submissions
              SET ${reset}, evidence_purged_at = NULL, content_object_key = $2, content_bytes = $3, filename = coalesce($4, filename), metadata = coalesce($5, metadata)
            WHERE id = $1 AND status = 'failed' RETURNING ${SUBMISSION_COLUMNS}`,
          [id, requeue.contentObjectKey, requeue.contentBytes, requeue.filename, requeue.metadata],
        )
      : await tx.query<EvidenceSubmissionRow>(
          `UPDATE evidence_submissions SET ${reset}, retests = retests + 1, retested_at = $2
            WHERE id = $1 AND status = 'failed' AND evidence_purged_at IS NULL RETURNING ${SUBMISSION_COLUMNS}`,
          [id, requeue.at],
        );
  return rows[0] ? queueEvidenceJob(tx, jobs, rows[0]) : undefined;
}
