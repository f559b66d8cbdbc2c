import { z } from 'zod';
import { bindJob } from '#platform/queue/job-binding.ts';
import { defineJob } from '#platform/queue/job-definition.ts';

/**
 * One job per task: verify its evidence. The payload is only the task id; the evidence stays in
 * the task row. A job whose task is no longer pending (cancelled, or finished by an earlier
 * attempt) completes without work. Retried with backoff after an infrastructure failure
 * (database, object storage); the last attempt marks the task failed.
 */
export const VerifyAttestationTaskJob = defineJob({
  name: 'attestations.verify-task',
  schema: z.object({ task_id: z.string().regex(/^tsk_[0-9a-z]{26}$/) }),
  retryLimit: 3,
  retryDelaySeconds: 10,
  retryBackoff: true,
  expireInSeconds: 120,
});

export type VerifyAttestationTaskPayload = z.infer<typeof VerifyAttestationTaskJob.schema>;

/** Worked by run-task-worker.ts, which fetches the jobs itself so that it can honour the queue's paused flag first. */
export const VerifyAttestationTaskBinding = bindJob(VerifyAttestationTaskJob, async () => (await import('./process-task-job.ts')).processTaskJob);
