import { setTimeout as delay } from 'node:timers/promises';
import { createFailureBackoff } from '#platform/queue/failure-backoff.ts';
import { createInterruptibleSleep } from '#platform/queue/interruptible-sleep.ts';
import type { ReceivedJob } from '#platform/queue/job-binding.ts';
import type { RunningWorker } from '#platform/queue/worker-kind.ts';
import { VerifyAttestationTaskBinding, type VerifyAttestationTaskPayload } from './jobs.ts';
import { osImageReferences } from './list-os-images.ts';
import { claimTasks, type JobOutcome, type TaskWorkerDeps } from './process-task-job.ts';
import { collateralLookedUpOnce } from './verify-task-evidence.ts';
import { isQueuePaused } from './set-queue-paused.ts';

export type TaskWorkerReport = { paused: boolean } & Record<JobOutcome, number>;

const DEFAULT_POLL_INTERVAL_MS = 500;
const ONCE_BATCH_SIZE = 8;

const emptyReport = (paused: boolean): TaskWorkerReport => ({ paused, completed: 0, failed: 0, skipped: 0, retrying: 0 });

/**
 * Up to `batchSize` due jobs in one queue round trip, with what their tasks share: the tasks
 * claimed in one statement, one read of the OS images, one collateral lookup per platform.
 */
async function fetchDueJobs(deps: TaskWorkerDeps, batchSize: number): Promise<{ jobs: ReceivedJob<VerifyAttestationTaskPayload>[]; batchDeps: TaskWorkerDeps }> {
  const jobs = await deps.queue.fetch(VerifyAttestationTaskBinding.job, { batchSize });
  if (jobs.length === 0) return { jobs, batchDeps: deps };
  const [claimedTasks, osImages] = await Promise.all([claimTasks(deps, jobs.map((job) => job.data.task_id)), osImageReferences(deps)]);
  return { jobs, batchDeps: { ...deps, claimedTasks, osImages, collateralSource: collateralLookedUpOnce(deps.collateralSource) } };
}

/**
 * One pass (WORKER_ONCE, tests, benchmarks): works every job due now, in this process, a batch
 * at a time, then returns the counts. Does nothing while the queue is paused; stops at the next
 * batch when paused meanwhile.
 */
export async function runTaskWorkerOnce(deps: TaskWorkerDeps): Promise<TaskWorkerReport> {
  const report = emptyReport(false);
  const handle = await VerifyAttestationTaskBinding.handler();
  for (;;) {
    if (await isQueuePaused(deps)) return { ...report, paused: true };
    const { jobs, batchDeps } = await fetchDueJobs(deps, ONCE_BATCH_SIZE);
    if (jobs.length === 0) return report;
    for (const outcome of await Promise.all(jobs.map((job) => handle(batchDeps, job)))) report[outcome] += 1;
  }
}

/**
 * Works tasks until stopped, up to `concurrency` in flight: whenever there is room, one queue
 * round trip takes as many due jobs as fit, so the queue costs a fetch per batch rather than per
 * task; the tasks' database and storage I/O overlaps their verification in the worker threads.
 * The shared paused flag is read (at most once per poll interval) before every fetch. Stop lets
 * tasks in flight finish.
 */
export function startTaskWorker(deps: TaskWorkerDeps, options: { concurrency: number; pollIntervalMs?: number }): RunningWorker & { totals(): TaskWorkerReport } {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const totals = emptyReport(false);
  const inFlight = new Set<Promise<void>>();
  const backoff = createFailureBackoff(deps.log, 'attestation worker');
  let stopping = false;
  let failure: { error: unknown } | undefined;
  const { sleep: pause, wakeAll } = createInterruptibleSleep();

  let pausedRead: { at: number; paused: Promise<boolean> } | undefined;
  const paused = () => {
    if (!pausedRead || Date.now() - pausedRead.at >= pollIntervalMs) pausedRead = { at: Date.now(), paused: isQueuePaused(deps) };
    return pausedRead.paused;
  };

  type Handle = (deps: TaskWorkerDeps, job: ReceivedJob<VerifyAttestationTaskPayload>) => Promise<JobOutcome>;
  const start = (handle: Handle, batchDeps: TaskWorkerDeps, job: ReceivedJob<VerifyAttestationTaskPayload>) => {
    const run = handle(batchDeps, job).then(
      (outcome) => void (totals[outcome] += 1),
      // The job could not even be put back (database gone): pg-boss retries it once it expires.
      (error: unknown) => void (failure = { error }),
    );
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };

  const feed = async () => {
    const handle = await VerifyAttestationTaskBinding.handler();
    while (!stopping) {
      try {
        if (failure) throw failure.error;
        // Refilled once half has finished, so that each fetch takes a batch, not one job.
        if (inFlight.size > options.concurrency / 2) {
          await Promise.race(inFlight);
          continue;
        }
        totals.paused = await paused();
        const { jobs, batchDeps } = totals.paused ? { jobs: [], batchDeps: deps } : await fetchDueJobs(deps, options.concurrency - inFlight.size);
        backoff.succeeded();
        for (const job of jobs) start(handle, batchDeps, job);
        if (jobs.length === 0) await pause(pollIntervalMs * (0.5 + Math.random()));
      } catch (error) {
        failure = undefined;
        pausedRead = undefined;
        await pause(backoff.failed(error));
      }
    }
    await Promise.all(inFlight);
  };
  const running = feed();

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
