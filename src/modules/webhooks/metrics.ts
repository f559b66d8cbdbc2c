import client from 'prom-client';
import type { Pool } from '#platform/db/pool.ts';
import { queueJobFailures, type QueueDepthSource } from '#platform/queue/queue-metrics.ts';

export const WEBHOOK_QUEUE = 'webhooks';

/** Delivery metrics of the process that delivers (serve with embedded workers, or `veridity worker`). */
export type WebhookMetrics = {
  attempts: client.Counter<'outcome'>;
  attemptDuration: client.Histogram;
  /** From the outbox row's creation (the outcome's transaction) to the 2xx. */
  deliveryDelay: client.Histogram;
  deadLetters: client.Counter<'reason'>;
  failures: client.Counter<'queue'>;
};

const created = new WeakMap<client.Registry, WebhookMetrics>();

/** The webhook metrics of this registry, created on first use. */
export function createWebhookMetrics(registry: client.Registry): WebhookMetrics {
  let metrics = created.get(registry);
  if (!metrics) {
    metrics = buildWebhookMetrics(registry);
    created.set(registry, metrics);
  }
  return metrics;
}

function buildWebhookMetrics(registry: client.Registry): WebhookMetrics {
  return {
    attempts: new client.Counter({
      name: 'veridity_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome (delivered, failed, refused by the SSRF guard)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    attemptDuration: new client.Histogram({
      name: 'veridity_webhook_attempt_duration_seconds',
      help: 'Duration of one webhook attempt: DNS, connect, request and response',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [registry],
    }),
    deliveryDelay: new client.Histogram({
      name: 'veridity_webhook_delivery_delay_seconds',
      help: 'From the event being written (its transaction) to its successful delivery, retries included',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600, 6 * 3600, 24 * 3600],
      registers: [registry],
    }),
    deadLetters: new client.Counter({
      name: 'veridity_webhook_dead_letters_total',
      help: 'Deliveries that went dead: EXHAUSTED (8 failed attempts), GONE (410), or no usable endpoint',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    failures: queueJobFailures(registry),
  };
}

/** The outbox as the queue "webhooks" in `veridity_queue_*` (database time, every worker's rows). */
export function webhookOutboxDepth(pool: Pool): QueueDepthSource {
  return async () => {
    const { rows } = await pool.query<{ ready: number; deferred: number; failed: number; oldest: number }>(
      `SELECT count(*) FILTER (WHERE next_attempt_at <= now())::int AS ready,
              count(*) FILTER (WHERE next_attempt_at > now())::int AS deferred,
              coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::float8 AS oldest,
              (SELECT count(*) FROM webhooks_outbox WHERE status = 'dead')::int AS failed
         FROM webhooks_outbox WHERE status = 'pending'`,
    );
    const row = rows[0]!;
    return [{ queue: WEBHOOK_QUEUE, ready: row.ready, deferred: row.deferred, failed: row.failed, oldestReadyAgeSeconds: row.oldest }];
  };
}
