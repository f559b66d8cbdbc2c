import { createHash } from 'node:crypto';
import type { Clock } from '#platform/clock.ts';
import { canonicalJsonBytes } from '#platform/canonical-json.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Db } from '#platform/db/database.ts';
import type { AnnouncedItem } from '#platform/db/group-commit.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { JobRef, ReceivedJob } from '#platform/queue/job-binding.ts';
import type { Queue } from '#platform/queue/queue.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { decideTaskOutcome, summarizeVerification } from './decide-task-outcome.ts';
import { failTaskAfterRetries, verdictOf, type FinishingTask, type TaskFinisher } from './finish-task.ts';
import type { VerifyAttestationTaskPayload } from './jobs.ts';
import { osImageReferences } from './list-os-images.ts';
import type { AttestationWorkerMetrics } from './metrics.ts';
import type { Evidence } from './schema.ts';
import { signAttestationResult } from './sign-attestation-result.ts';
import type { EvidenceVerifier } from './create-evidence-verifier.ts';
import type { ReferenceMeasurements, TcbStatus, VerificationFlags } from './verification/index.ts';
import type { TaskCollateralSource } from './verify-task-evidence.ts';

export type TaskWorkerDeps = {
  pool: Pool;
  db: Db;
  clock: Clock;
  log: Logger;
  storage: ObjectStorage;
  platformKeys: PlatformKeys;
  /** A started pg-boss with the task job registered. */
  queue: Queue;
  collateralSource: TaskCollateralSource;
  /** Worker threads that verify the evidence (synchronous CPU work) off this thread. */
  verifier: EvidenceVerifier;
  /** Writes finished tasks, concurrent ones in one transaction (createTaskFinisher). */
  finisher: TaskFinisher;
  acceptedTcbStatuses: readonly TcbStatus[];
  /** Registered OS images, read once for a batch of tasks; absent: read for the task. */
  osImages?: Readonly<Record<string, ReferenceMeasurements>> | undefined;
  /** Tasks claimed for a batch of jobs in one statement (claimTasks); absent: the job claims its own. */
  claimedTasks?: ReadonlyMap<string, ClaimedTask> | undefined;
  metrics?: AttestationWorkerMetrics | undefined;
};

export type JobOutcome = 'completed' | 'failed' | 'skipped' | 'retrying';

export type ClaimedTask = {
  id: string;
  client_id: string;
  app_id: string;
  app_name: string;
  app_config_type: string;
  contract_address: string | null;
  model_or_domain: string | null;
  app_metadata: Record<string, unknown> | null;
  verification_flags: VerificationFlags;
  evidence: Evidence;
  evidence_sha256: string;
  created_at: Date;
};

const RESULT_PREFIX = 'attestation-results';

/**
 * Marks the tasks active (one attempt more each) in one statement and returns them by id; a task
 * cancelled or already finished is absent.
 */
export async function claimTasks(deps: { pool: Pool; clock: Clock }, taskIds: readonly string[]): Promise<Map<string, ClaimedTask>> {
  const { rows } = await deps.pool.query<ClaimedTask>({
    name: 'attestations-claim-tasks',
    text: `UPDATE attestation_tasks SET status = 'active', started_at = $2, attempts = attempts + 1
            WHERE id = ANY($1::text[]) AND status IN ('pending', 'active') AND evidence IS NOT NULL
            RETURNING id, client_id, app_id, app_name, app_config_type, contract_address, model_or_domain, app_metadata,
                      verification_flags, evidence, evidence_sha256, created_at`,
    values: [taskIds, deps.clock.now()],
  });
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Works one job: claims its task (pending -> active), verifies the evidence, stores the full
 * result document, signs the attestation result and finishes the task in one transaction.
 * Bad evidence is an outcome (the task fails with the reason), never an exception; an
 * exception is infrastructure (database, storage): the task goes back to pending and pg-boss
 * retries the job with backoff, and after the last retry the task fails with the error.
 */
export async function processTaskJob(deps: TaskWorkerDeps, job: ReceivedJob<VerifyAttestationTaskPayload>): Promise<JobOutcome> {
  const taskId = job.data.task_id;
  const task = (deps.claimedTasks ?? (await claimTasks(deps, [taskId]))).get(taskId);
  if (!task) {
    // Cancelled, or finished by an earlier run of this job.
    await deps.queue.complete(job);
    return 'skipped';
  }
  const started = performance.now();
  // Announced while it verifies, so that the finisher's transactions wait for it (briefly) under load.
  const finishing = deps.finisher.announce();
  try {
    const outcome = await verifyAndFinish(deps, job, task, finishing);
    deps.metrics?.observe(outcome, (performance.now() - started) / 1000);
    return outcome;
  } catch (error) {
    finishing.withdraw(); // a no-op if it was submitted
    deps.metrics?.jobFailed();
    const message = error instanceof Error ? error.message : String(error);
    if (job.retryCount >= job.retryLimit) {
      deps.log.error({ err: error, task_id: task.id, attempts: job.retryCount + 1 }, 'attestation task failed on every attempt');
      await failTaskAfterRetries(deps, job, { taskId: task.id, clientId: task.client_id, appId: task.app_id }, `verification could not be completed after ${job.retryCount + 1} attempts: ${message}`, deps.clock.now());
      deps.metrics?.observe('failed', (performance.now() - started) / 1000);
      return 'failed';
    }
    deps.log.warn({ err: error, task_id: task.id, retry: job.retryCount + 1 }, 'attestation task attempt failed; retrying');
    await deps.pool.query(`UPDATE attestation_tasks SET status = 'pending' WHERE id = $1 AND status = 'active'`, [task.id]);
    await deps.queue.fail(job, message);
    return 'retrying';
  }
}

async function verifyAndFinish(deps: TaskWorkerDeps, job: JobRef, task: ClaimedTask, finishing: AnnouncedItem<FinishingTask, boolean>): Promise<JobOutcome> {
  const evidence = task.evidence;
  const verifyAt = evidence.verifyAt ? new Date(evidence.verifyAt) : deps.clock.now();
  const verification = await deps.verifier.verify(evidence, {
    verifyAt,
    flags: task.verification_flags,
    acceptedTcbStatuses: deps.acceptedTcbStatuses,
    collateralSource: deps.collateralSource,
    osImages: deps.osImages ?? (await osImageReferences(deps)),
  });
  const outcome = decideTaskOutcome(verification);
  const result = summarizeVerification(verification, verifyAt);
  const finishedAt = deps.clock.now();

  // The full record: what was submitted, under which policy, and every detail of the appraisal.
  const document = {
    task_id: task.id,
    app: {
      appId: task.app_id,
      appName: task.app_name,
      appConfigType: task.app_config_type,
      contractAddress: task.contract_address,
      modelOrDomain: task.model_or_domain,
      appMetadata: task.app_metadata,
    },
    status: outcome.status,
    verdict: verdictOf(outcome, result),
    ...(outcome.status === 'failed' ? { error_code: outcome.errorCode, error_message: outcome.errorMessage } : {}),
    verified_at: verifyAt.toISOString(),
    evaluated_at: finishedAt.toISOString(),
    policy: { accepted_tcb_statuses: deps.acceptedTcbStatuses, verification_flags: task.verification_flags },
    result: { ...result, details: verification.details },
    evidence_sha256: task.evidence_sha256,
    evidence,
  };
  // Through JSON first: optional fields left undefined are dropped, as in any JSON rendering.
  const bytes = canonicalJsonBytes(JSON.parse(JSON.stringify(document)));
  const resultSha256 = createHash('sha256').update(bytes).digest('hex');
  // Content-addressed: a second run of the same task (a job retried after its worker stalled)
  // writes beside the first document, never over the one a committed row points at.
  const filename = `${task.id}-${resultSha256.slice(0, 16)}.json`;
  const key = `${RESULT_PREFIX}/${filename}`;
  await deps.storage.put(key, bytes, 'application/json');
  const attestationResult = await signAttestationResult(deps.platformKeys, {
    taskId: task.id,
    result,
    evidenceSha256: task.evidence_sha256,
    resultSha256,
    acceptedTcbStatuses: deps.acceptedTcbStatuses,
    issuedAt: finishedAt,
  });
  const finished = await finishing.submit({
    job,
    task: {
      taskId: task.id,
      clientId: task.client_id,
      appId: task.app_id,
      outcome,
      result,
      resultSha256,
      attestationResult,
      stored: { key, filename, bucket: deps.storage.bucket },
      finishedAt,
    },
  });
  return finished ? outcome.status : 'skipped';
}
