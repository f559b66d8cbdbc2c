import { z } from 'zod';
import { bindJob } from '#platform/queue/job-binding.ts';
import { defineJob } from '#platform/queue/job-definition.ts';

/**
 * One job per submission: verify it and certify or reject it. The payload is only the
 * submission id; the document stays in object storage. A job whose submission is no longer
 * received or validating (decided by an earlier run) completes without work. A run that throws
 * (database, object storage) is retried by pg-boss with backoff; the last one marks the
 * submission failed. Evidence that does not verify is an outcome, never a retry.
 */
export const VerifyEvidenceJob = defineJob({
  name: 'evidence.verify',
  schema: z.object({ evidence_id: z.string().regex(/^evd_[0-9a-z]{26}$/) }),
  retryLimit: 5,
  retryDelaySeconds: 10,
  retryBackoff: true,
  // Past the verification time limit, with room for storage and the final transaction.
  expireInSeconds: 180,
});

export type VerifyEvidencePayload = z.infer<typeof VerifyEvidenceJob.schema>;

export const VerifyEvidenceBinding = bindJob(VerifyEvidenceJob, async () => (await import('./process-evidence-job.ts')).processEvidenceJob);

/**
 * The retry pass (`veridity worker retry`, every 5 minutes, one run across all workers): queues
 * failed submissions again with backoff, and verifies again rejections whose cause depends on
 * trust that changed since (retest-evidence.ts). Bounded per pass and per submission.
 */
export const RetestEvidenceJob = defineJob({
  name: 'retry',
  schema: z.object({}),
  retryLimit: 3,
  retryDelaySeconds: 60,
  expireInSeconds: 900,
});

export const RETEST_CRON = '*/5 * * * *';

export const RetestEvidenceBinding = bindJob(RetestEvidenceJob, async () => (await import('./retest-evidence.ts')).retestEvidence);
