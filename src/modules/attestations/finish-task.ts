import { inTransaction, type Pool } from '#platform/db/pool.ts';
import type { JobRef } from '#platform/queue/job-binding.ts';
import type { Queue } from '#platform/queue/queue.ts';
import { appendLedgerEntry } from '#modules/ledger/append-ledger-entry.ts';
import { recordUsage } from '#modules/metering/record-usage.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import type { TaskOutcome } from './decide-task-outcome.ts';
import type { StoredTaskResult } from './decide-task-outcome.ts';

export type FinishedTask = {
  taskId: string;
  clientId: string;
  appId: string;
  outcome: TaskOutcome;
  result: StoredTaskResult;
  resultSha256: string;
  attestationResult: string;
  stored: { key: string; filename: string; bucket: string };
  finishedAt: Date;
};

/** The ledger and usage outcome of an appraisal: a verdict on genuine evidence, or evidence that could not be appraised. */
export function verdictOf(outcome: TaskOutcome, result: StoredTaskResult): 'verified' | 'rejected' | 'failed' {
  if (outcome.status === 'failed') return 'failed';
  return result.is_valid ? 'verified' : 'rejected';
}

/**
 * The task's final transaction: the row (status, summary, result location, signed result; the
 * evidence, now archived in the result document, cleared), a usage row, the `task.completed` /
 * `task.failed` webhook, a ledger entry, and the queue job marked done. All or nothing; false
 * when the task was no longer active (another attempt finished it), in which case nothing is written.
 */
export async function finishTask(deps: { pool: Pool; queue: Queue }, job: JobRef, task: FinishedTask): Promise<boolean> {
  const { outcome, result } = task;
  const verdict = verdictOf(outcome, result);
  return inTransaction(deps.pool, async (tx) => {
    const updated = await tx.query(
      `UPDATE attestation_tasks
          SET status = $2, finished_at = $3, error_code = $4, error_message = $5, is_valid = $6, tcb_status = $7, summary = $8,
              result_sha256 = $9, result_jwt = $10, s3_key = $11, s3_filename = $12, s3_bucket = $13, evidence = NULL
        WHERE id = $1 AND status = 'active'`,
      [
        task.taskId,
        outcome.status,
        task.finishedAt,
        outcome.status === 'failed' ? outcome.errorCode : null,
        outcome.status === 'failed' ? outcome.errorMessage : null,
        result.is_valid,
        result.details.tcb_status,
        JSON.stringify(result),
        task.resultSha256,
        task.attestationResult,
        task.stored.key,
        task.stored.filename,
        task.stored.bucket,
      ],
    );
    if (updated.rowCount !== 1) return false;
    const ts = task.finishedAt.toISOString();
    await recordUsage(tx, { clientId: task.clientId, kind: 'tee.verify', claimType: null, outcome: verdict, subjectId: task.taskId, at: task.finishedAt });
    await enqueueWebhookEvent(tx, {
      clientId: task.clientId,
      type: `task.${outcome.status}`,
      subjectId: task.taskId,
      payload: {
        event: `task.${outcome.status}`,
        task_id: task.taskId,
        app_id: task.appId,
        status: outcome.status,
        is_valid: result.is_valid,
        tcb_status: result.details.tcb_status,
        ...(outcome.status === 'failed' ? { error_code: outcome.errorCode } : {}),
        ts,
      },
    });
    await appendLedgerEntry(tx, { kind: 'tee_task', public_id: task.taskId, claim_type: null, status: verdict, public_hash: task.resultSha256, ts: task.finishedAt });
    await deps.queue.complete(job, { client: tx });
    return true;
  });
}

/**
 * After the last retry failed on infrastructure (not on the evidence): the task ends `failed`
 * with the error, and the partner hears of it. No usage or ledger row: nothing was appraised.
 */
export async function failTaskAfterRetries(deps: { pool: Pool; queue: Queue }, job: JobRef, task: { taskId: string; clientId: string; appId: string }, message: string, at: Date): Promise<void> {
  await inTransaction(deps.pool, async (tx) => {
    const updated = await tx.query(
      `UPDATE attestation_tasks SET status = 'failed', finished_at = $2, error_code = 'INTERNAL_ERROR', error_message = $3
        WHERE id = $1 AND status = 'active'`,
      [task.taskId, at, message],
    );
    if (updated.rowCount === 1) {
      await enqueueWebhookEvent(tx, {
        clientId: task.clientId,
        type: 'task.failed',
        subjectId: task.taskId,
        payload: { event: 'task.failed', task_id: task.taskId, app_id: task.appId, status: 'failed', is_valid: null, tcb_status: null, error_code: 'INTERNAL_ERROR', ts: at.toISOString() },
      });
    }
    await deps.queue.complete(job, { client: tx });
  });
}
