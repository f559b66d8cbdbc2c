import { setTimeout as delay } from 'node:timers/promises';
import type { RunningWorker } from '#platform/queue/worker-kind.ts';
import { deliverDueWebhooks, EMPTY_REPORT, hasDueWebhooks, type BatchReport, type WebhookWorkerDeps } from './deliver-due-webhooks.ts';
import { createFailureBackoff } from '#platform/queue/failure-backoff.ts';
import { createInterruptibleSleep } from '#platform/queue/interruptible-sleep.ts';

export type WebhookWorkerOptions = {
  /** Deliveries in flight at once in this process (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** Idle lanes look for due deliveries this often (jittered). Default 250 ms. */
  pollIntervalMs?: number;
};

export type RunningWebhookWorker = RunningWorker & { totals(): BatchReport };

const MAX_LANES = 4;
const DEFAULT_POLL_INTERVAL_MS = 250;

/**
 * Concurrency is split into lanes (one database connection each) that claim small batches:
 * a slow receiver holds up its own lane's batch, not the whole process.
 */
export function laneLayout(concurrency: number): { lanes: number; batchSize: number } {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const lanes = Math.min(MAX_LANES, concurrency);
  return { lanes, batchSize: Math.ceil(concurrency / lanes) };
}

/** Delivers until stopped. Stop lets batches in flight finish (each attempt times out after 15 s). */
export function startWebhookWorker(deps: WebhookWorkerDeps, options: WebhookWorkerOptions): RunningWebhookWorker {
  const { lanes, batchSize } = laneLayout(options.concurrency);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const totals = { ...EMPTY_REPORT };
  let stopping = false;
  const { sleep: pause, wakeAll } = createInterruptibleSleep();

  const lane = async () => {
    const backoff = createFailureBackoff(deps.log, 'webhook delivery batch');
    let full = false;
    while (!stopping) {
      try {
        // Idle lanes probe first (no transaction); after a full batch more is likely due.
        const report: BatchReport = full || (await hasDueWebhooks(deps)) ? await deliverDueWebhooks(deps, { limit: batchSize }) : EMPTY_REPORT;
        add(totals, report);
        backoff.succeeded();
        full = report.claimed === batchSize;
        if (!full) await pause(pollIntervalMs * (0.5 + Math.random()));
      } catch (error) {
        await pause(backoff.failed(error));
      }
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, lane));

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

/** WORKER_ONCE: delivers everything due now (lanes in parallel), then returns the counts. */
export async function runWebhookWorkerOnce(deps: WebhookWorkerDeps, options: Pick<WebhookWorkerOptions, 'concurrency'>): Promise<BatchReport> {
  const { lanes, batchSize } = laneLayout(options.concurrency);
  const totals = { ...EMPTY_REPORT };
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (;;) {
        const report = await deliverDueWebhooks(deps, { limit: batchSize });
        add(totals, report);
        if (report.claimed === 0) return;
      }
    }),
  );
  return totals;
}

function add(totals: BatchReport, report: BatchReport): void {
  totals.claimed += report.claimed;
  totals.delivered += report.delivered;
  totals.retrying += report.retrying;
  totals.dead += report.dead;
}
