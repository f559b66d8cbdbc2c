import { createGroupCommit, type GroupCommit } from '#platform/db/group-commit.ts';
import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import type { JobRef } from '#platform/queue/job-binding.ts';
import type { Queue } from '#platform/queue/queue.ts';
import { appendLedgerEntries } from '#modules/ledger/append-ledger-entry.ts';
import { recordUsages } from '#modules/metering/record-usage.ts';
import { enqueueWebhookEvent, enqueueWebhookEvents } from '#modules/webhooks/enqueue-webhook-event.ts';
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

/** Finishes tasks as they come, concurrent ones in one transaction (see finishTasks); true when the task was still active. */
export type FinishingTask = { job: JobRef; task: FinishedTask };

export type TaskFinisher = GroupCommit<FinishingTask, boolean>;

// As the verification recorder: up to 64 tasks a transaction, two transactions in flight; but tasks
// finish one by one as their threads do (bench:tee: 289 transactions for 300 tasks, seven round trips
// each), and a task's partner hears of it by webhook or poll anyway: a task waits up to 25 ms for
// the tasks announced (still verifying).
const FINISH_GATHER_MS = 25;

export function createTaskFinisher(deps: { pool: Pool; queue: Queue }): TaskFinisher {
  return createGroupCommit((items) => inTransaction(deps.pool, (tx) => finishTasks(tx, deps.queue, items)), { maxBatch: 64, maxInFlight: 2, gatherMs: FINISH_GATHER_MS });
}

/**
 * The tasks' final transaction, one statement per table for all of them: each row (status,
 * summary, result location, signed result; the evidence, now archived in the result document,
 * cleared), a usage row, the `task.completed` / `task.failed` webhook, a ledger entry, and the
 * queue jobs marked done. A task no longer active (another attempt finished it) gets none of
 * the rows (false) but its job is done all the same.
 */
async function finishTasks(tx: PoolClient, queue: Queue, items: readonly FinishingTask[]): Promise<boolean[]> {
  const tasks = items.map((item) => item.task);
  const updated = await tx.query<{ id: string }>(
    `UPDATE attestation_tasks t
        SET status = f.status, finished_at = f.finished_at, error_code = f.error_code, error_message = f.error_message, is_valid = f.is_valid,
            tcb_status = f.tcb_status, summary = f.summary, result_sha256 = f.result_sha256, result_jwt = f.result_jwt,
            s3_key = f.s3_key, s3_filename = f.s3_filename, s3_bucket = f.s3_bucket, evidence = NULL
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::jsonb[], $9::text[], $10::text[],
                   $11::text[], $12::text[], $13::text[])
            AS f (id, status, finished_at, error_code, error_message, is_valid, tcb_status, summary, result_sha256, result_jwt, s3_key, s3_filename, s3_bucket)
      WHERE t.id = f.id AND t.status = 'active'
      RETURNING t.id`,
    [
      tasks.map((task) => task.taskId),
      tasks.map((task) => task.outcome.status),
      tasks.map((task) => task.finishedAt),
      tasks.map((task) => (task.outcome.status === 'failed' ? task.outcome.errorCode : null)),
      tasks.map((task) => (task.outcome.status === 'failed' ? task.outcome.errorMessage : null)),
      tasks.map((task) => task.result.is_valid),
      tasks.map((task) => task.result.details.tcb_status),
      tasks.map((task) => JSON.stringify(task.result)),
      tasks.map((task) => task.resultSha256),
      tasks.map((task) => task.attestationResult),
      tasks.map((task) => task.stored.key),
      tasks.map((task) => task.stored.filename),
      tasks.map((task) => task.stored.bucket),
    ],
  );
  const finishedIds = new Set(updated.rows.map((row) => row.id));
  const finished = tasks.filter((task) => finishedIds.has(task.taskId));
  await recordUsages(tx, finished.map((task) => ({ clientId: task.clientId, kind: 'tee.verify', claimType: null, outcome: verdictOf(task.outcome, task.result), subjectId: task.taskId, at: task.finishedAt })));
  await enqueueWebhookEvents(
    tx,
    finished.map(({ taskId, clientId, appId, outcome, result, finishedAt }) => ({
      clientId,
      type: `task.${outcome.status}`,
      subjectId: taskId,
      payload: {
        event: `task.${outcome.status}`,
        task_id: taskId,
        app_id: appId,
        status: outcome.status,
        is_valid: result.is_valid,
        tcb_status: result.details.tcb_status,
        ...(outcome.status === 'failed' ? { error_code: outcome.errorCode } : {}),
        ts: finishedAt.toISOString(),
      },
    })),
  );
  await appendLedgerEntries(
    tx,
    finished.map((task) => ({ kind: 'tee_task', public_id: task.taskId, claim_type: null, status: verdictOf(task.outcome, task.result), public_hash: task.resultSha256, ts: task.finishedAt })),
  );
  await queue.complete(items.map((item) => item.job), { client: tx });
  return tasks.map((task) => finishedIds.has(task.taskId));
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
