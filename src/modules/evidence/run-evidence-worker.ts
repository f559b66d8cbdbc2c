import { inJobSpan } from '#platform/queue/job-span.ts';
import type { Queue } from '#platform/queue/queue.ts';
import type { RunningWorker } from '#platform/queue/worker-kind.ts';
import { VerifyEvidenceBinding } from './jobs.ts';
import type { EvidenceJobOutcome, EvidenceWorkerDeps } from './process-evidence-job.ts';

export type EvidenceWorkerReport = Record<EvidenceJobOutcome | 'retrying', number>;

const ONCE_BATCH_SIZE = 8;

/**
 * One pass (WORKER_ONCE, tests): works every job due now, a batch at a time, then returns the
 * counts. A job whose run throws is failed back to pg-boss, which retries it later (not in this pass).
 */
export async function runEvidenceWorkerOnce(deps: EvidenceWorkerDeps, queue: Queue): Promise<EvidenceWorkerReport> {
  const report: EvidenceWorkerReport = { certified: 0, rejected: 0, failed: 0, skipped: 0, retrying: 0 };
  const handle = await VerifyEvidenceBinding.handler();
  for (;;) {
    const jobs = await queue.fetch(VerifyEvidenceBinding.job, { batchSize: ONCE_BATCH_SIZE });
    if (jobs.length === 0) return report;
    for (const job of jobs) {
      try {
        report[await inJobSpan(job, () => handle(deps, job))] += 1;
        await queue.complete(job);
      } catch (error) {
        report.retrying += 1;
        await queue.fail(job, error instanceof Error ? error.message : String(error));
      }
    }
  }
}

/**
 * Works submissions until stopped, `concurrency` at a time: pg-boss polls, completes a job when
 * its run returns and retries it with backoff when it throws (infrastructure). Stop lets the
 * runs in flight finish.
 */
export async function startEvidenceWorker(deps: EvidenceWorkerDeps, queue: Queue, options: { concurrency: number }): Promise<RunningWorker> {
  const handle = await VerifyEvidenceBinding.handler();
  for (let i = 0; i < options.concurrency; i++) {
    await queue.work(VerifyEvidenceBinding.job, async (job) => {
      await handle(deps, job);
    });
  }
  return {
    async stop({ timeoutMs }) {
      const stopped = queue.stopWorking(VerifyEvidenceBinding.job).then(() => true);
      const finished = await Promise.race([stopped, new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]);
      return { finished };
    },
  };
}
