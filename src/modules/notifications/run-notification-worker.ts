import { setTimeout as delay } from 'node:timers/promises';
import { createFailureBackoff } from '#platform/queue/failure-backoff.ts';
import { createInterruptibleSleep } from '#platform/queue/interruptible-sleep.ts';
import type { RunningWorker } from '#platform/queue/worker-kind.ts';
import { EMPTY_NOTIFICATION_REPORT, hasDueNotifications, sendDueNotifications, type NotificationBatchReport, type NotificationWorkerDeps } from './send-due-notifications.ts';

export type NotificationWorkerOptions = {
  /** E-mails in flight at once (NOTIFICATION_CONCURRENCY): the size of a batch. */
  concurrency: number;
  /** An idle worker looks for due e-mails this often (jittered). Default 1 s. */
  pollIntervalMs?: number;
};

const DEFAULT_POLL_INTERVAL_MS = 1_000;

/**
 * One lane: probe, claim a batch of up to `concurrency` e-mails, send them at once, record, repeat
 * while batches come back full. Stop lets the batch in flight finish (each send is bounded by
 * SMTP_TIMEOUT_MS per phase).
 */
export function startNotificationWorker(deps: NotificationWorkerDeps, options: NotificationWorkerOptions): RunningWorker {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const { sleep, wakeAll } = createInterruptibleSleep();
  const backoff = createFailureBackoff(deps.log, 'notification e-mail batch');
  let stopping = false;
  const running = (async () => {
    while (!stopping) {
      try {
        const full = (await hasDueNotifications(deps)) && (await sendDueNotifications(deps, { limit: options.concurrency })).claimed === options.concurrency;
        backoff.succeeded();
        if (!full) await sleep(pollIntervalMs * (0.5 + Math.random()));
      } catch (error) {
        await sleep(backoff.failed(error));
      }
    }
  })();
  return {
    async stop({ timeoutMs }) {
      stopping = true;
      wakeAll();
      const finished = await Promise.race([running.then(() => true), delay(timeoutMs, false, { ref: false })]);
      return { finished };
    },
  };
}

/** WORKER_ONCE: sends everything due now (e-mails waiting for their PDF stay for a later pass), then returns the counts. */
export async function runNotificationWorkerOnce(deps: NotificationWorkerDeps, options: Pick<NotificationWorkerOptions, 'concurrency'>): Promise<NotificationBatchReport> {
  const totals = { ...EMPTY_NOTIFICATION_REPORT };
  for (;;) {
    const batch = await sendDueNotifications(deps, { limit: options.concurrency });
    for (const key of Object.keys(totals) as Array<keyof NotificationBatchReport>) totals[key] += batch[key];
    if (batch.claimed === 0 || batch.waiting === batch.claimed) return totals;
  }
}
