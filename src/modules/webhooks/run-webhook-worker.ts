import { setTimeout as delay } from 'node:timers/promises';
import type { RunningWorker } from '#platform/queue/worker-kind.ts';
import { deliverDueWebhooks, EMPTY_REPORT, hasDueWebhooks, type BatchReport, type WebhookWorkerDeps } from './deliver-due-webhooks.ts';
import { createFailureBackoff } from '#platform/queue/failure-backoff.ts';
import { createInterruptibleSleep } from '#platform/queue/interruptible-sleep.ts';
import { createSlotPool, type SlotPool } from './create-slot-pool.ts';

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
 * Lanes (one database connection each) share `concurrency` attempt slots: a lane waits for half
 * of them to be free, claims as many rows as slots are free (up to `concurrency`), and each
 * slot comes back as its attempt ends. While one lane is at the database (5 round trips a batch,
 * whatever its size) the others' attempts keep the slots busy, and big batches spread those round
 * trips over many deliveries. No row waits for a slot once claimed, so a batch's transaction
 * lasts at most one attempt's timeout plus its queries. A slow receiver holds up its own batch.
 */
export function laneLayout(concurrency: number): { lanes: number; least: number; batchSize: number } {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const lanes = Math.min(MAX_LANES, concurrency);
  return { lanes, least: Math.ceil(concurrency / 2), batchSize: concurrency };
}

/**
 * One batch of as many rows as attempt slots could be taken; every slot is given back.
 * `full`: it claimed all it asked for, so more is likely due. Nothing is claimed when the
 * worker started stopping while the lane waited for slots.
 */
async function deliverWithSlots(
  deps: WebhookWorkerDeps,
  slots: SlotPool,
  layout: ReturnType<typeof laneLayout>,
  stopping: () => boolean = () => false,
): Promise<{ report: BatchReport; full: boolean }> {
  const taken = await slots.take(layout.least, layout.batchSize);
  let given = 0;
  try {
    if (stopping()) return { report: EMPTY_REPORT, full: false };
    const report = await deliverDueWebhooks(deps, {
      limit: taken,
      rowFinished: () => {
        // An attempt that ends after the batch failed was already given back below.
        if (given === taken) return;
        given += 1;
        slots.give(1);
      },
    });
    return { report, full: report.claimed === taken };
  } finally {
    slots.give(taken - given);
    given = taken;
  }
}

/** Delivers until stopped. Stop lets batches in flight finish (each attempt times out after 15 s). */
export function startWebhookWorker(deps: WebhookWorkerDeps, options: WebhookWorkerOptions): RunningWebhookWorker {
  const layout = laneLayout(options.concurrency);
  const slots = createSlotPool(options.concurrency);
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
        const batch: { report: BatchReport; full: boolean } | undefined = full || (await hasDueWebhooks(deps)) ? await deliverWithSlots(deps, slots, layout, () => stopping) : undefined;
        add(totals, batch?.report ?? EMPTY_REPORT);
        backoff.succeeded();
        full = batch?.full ?? false;
        if (!full) await pause(pollIntervalMs * (0.5 + Math.random()));
      } catch (error) {
        await pause(backoff.failed(error));
      }
    }
  };
  const running = Promise.all(Array.from({ length: layout.lanes }, lane));

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
  const layout = laneLayout(options.concurrency);
  const slots = createSlotPool(options.concurrency);
  const totals = { ...EMPTY_REPORT };
  await Promise.all(
    Array.from({ length: layout.lanes }, async () => {
      for (;;) {
        const { report } = await deliverWithSlots(deps, slots, layout);
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
