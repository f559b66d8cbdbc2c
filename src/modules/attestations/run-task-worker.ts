import { setTimeout as delay } from 'node:timers/promises';
import { createFailureBackoff } from '#platform/queue/failure-backoff.ts';
import { createInterruptibleSleep } from '#platform/queue/interruptible-sleep.ts';
import type { RunningWorker } from '#platform/queue/worker-kind.ts';
import { VerifyAttestationTaskBinding } from './jobs.ts';
import type { JobOutcome, TaskWorkerDeps } from './process-task-job.ts';
import { isQueuePaused } from './set-queue-paused.ts';

export type TaskWorkerReport = { paused: boolean } & Record<JobOutcome, number>;

const DEFAULT_POLL_INTERVAL_MS = 500;
const ONCE_BATCH_SIZE = 8;

const emptyReport = (paused: boolean): TaskWorkerReport => ({ paused, completed: 0, failed: 0, skipped: 0, retrying: 0 });

/** Takes up to `batchSize` due jobs and works them one after the other; the outcome of each. */
async function workDueJobs(deps: TaskWorkerDeps, batchSize: number): Promise<JobOutcome[]> {
  const jobs = await deps.queue.fetch(VerifyAttestationTaskBinding.job, { batchSize });
  const handle = await VerifyAttestationTaskBinding.handler();
  const outcomes: JobOutcome[] = [];
  for (const job of jobs) outcomes.push(await handle(deps, job));
  return outcomes;
}

/**
 * One pass (WORKER_ONCE, tests, benchmarks): works every job due now, in this process, then
 * returns the counts. Does nothing while the queue is paused; stops at the next batch when paused meanwhile.
 */
export async function runTaskWorkerOnce(deps: TaskWorkerDeps): Promise<TaskWorkerReport> {
  const report = emptyReport(false);
  for (;;) {
    if (await isQueuePaused(deps)) return { ...report, paused: true };
    const outcomes = await workDueJobs(deps, ONCE_BATCH_SIZE);
    if (outcomes.length === 0) return report;
    for (const outcome of outcomes) report[outcome] += 1;
  }
}

/**
 * Works tasks until stopped: `concurrency` lanes each fetch one job at a time (verification is
 * synchronous CPU work of a few milliseconds; the lanes overlap its database and storage I/O).
 * Every lane reads the shared paused flag before it fetches. Stop lets tasks in flight finish.
 */
export function startTaskWorker(deps: TaskWorkerDeps, options: { concurrency: number; pollIntervalMs?: number }): RunningWorker & { totals(): TaskWorkerReport } {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const totals = emptyReport(false);
  let stopping = false;
  const { sleep: pause, wakeAll } = createInterruptibleSleep();

  // One read of the paused flag serves every lane for a poll interval.
  let pausedRead: { at: number; paused: Promise<boolean> } | undefined;
  const paused = () => {
    if (!pausedRead || Date.now() - pausedRead.at >= pollIntervalMs) pausedRead = { at: Date.now(), paused: isQueuePaused(deps) };
    return pausedRead.paused;
  };

  const lane = async () => {
    const backoff = createFailureBackoff(deps.log, 'attestation worker');
    while (!stopping) {
      try {
        totals.paused = await paused();
        const outcomes = totals.paused ? [] : await workDueJobs(deps, 1);
        for (const outcome of outcomes) totals[outcome] += 1;
        backoff.succeeded();
        if (outcomes.length === 0) await pause(pollIntervalMs * (0.5 + Math.random()));
      } catch (error) {
        pausedRead = undefined;
        await pause(backoff.failed(error));
      }
    }
  };
  const running = Promise.all(Array.from({ length: options.concurrency }, lane));

  return {
    totals: () => ({ ...totals }),
    async stop({ timeoutMs }) {
      stopping = true;
      wakeAll();
      const finished = await Promise.race([running.then(() => true), delay(timeoutMs, false, { ref: false })]);
      return { finished };
    },
  };
}
