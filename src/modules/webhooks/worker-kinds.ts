import type client from 'prom-client';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { Queue } from '#platform/queue/queue.ts';
import { scheduledWorkerKind } from '#platform/queue/scheduled-worker-kind.ts';
import { closingPoolOnStop, type WorkerKind } from '#platform/queue/worker-kind.ts';
import { PURGE_ROTATED_SECRETS_CRON, PurgeRotatedSecretsBinding, PurgeRotatedSecretsJob } from './jobs.ts';
import { createWebhookConnections } from './delivery/deliver-webhook.ts';
import { createWebhookMetrics } from './metrics.ts';
import { laneLayout, runWebhookWorkerOnce, startWebhookWorker } from './run-webhook-worker.ts';

export type WebhookWorkerKindDeps = {
  databaseUrl: string;
  clock: Clock;
  secretBox: SecretBox;
  log: Logger;
  registry: client.Registry;
  /** pg-boss, started on first use and stopped by the caller. */
  queue: () => Promise<Queue>;
  allowPrivateNetworks: boolean;
  concurrency: number;
};

/**
 * The webhooks module's consumers: `webhooks` (delivery) and its hourly secret purge.
 * `context` is read only when a kind starts, so the kinds can be listed before anything is open.
 */
export function webhookWorkerKinds(context: () => WebhookWorkerKindDeps): WorkerKind[] {
  // Own pools: each delivery lane keeps a connection for a whole batch, which must not starve the API.
  const openPool = (deps: WebhookWorkerKindDeps, max: number) => createPool(deps.databaseUrl, { max, log: deps.log, applicationName: 'veridity-webhooks' });
  const lanesPlusProbe = (deps: WebhookWorkerKindDeps) => laneLayout(deps.concurrency).lanes + 1;
  const workerDeps = (deps: WebhookWorkerKindDeps, pool: Pool) => ({
    pool,
    clock: deps.clock,
    secretBox: deps.secretBox,
    log: deps.log.child({ component: 'webhooks' }),
    allowPrivateNetworks: deps.allowPrivateNetworks,
    connections: createWebhookConnections(deps.concurrency),
    metrics: createWebhookMetrics(deps.registry),
  });

  const delivery: WorkerKind = {
    name: 'webhooks',
    description: 'deliver webhook events from the outbox (signed POSTs, retries, dead letters)',
    async start() {
      const deps = context();
      const pool = openPool(deps, lanesPlusProbe(deps));
      // Unfinished lanes still hold connections; they are released when the process exits.
      return closingPoolOnStop(startWebhookWorker(workerDeps(deps, pool), { concurrency: deps.concurrency }), pool);
    },
    async runOnce() {
      const deps = context();
      const pool = openPool(deps, lanesPlusProbe(deps));
      try {
        return await runWebhookWorkerOnce(workerDeps(deps, pool), { concurrency: deps.concurrency });
      } finally {
        await pool.end();
      }
    },
  };

  const purge = scheduledWorkerKind({
    binding: PurgeRotatedSecretsBinding,
    cron: PURGE_ROTATED_SECRETS_CRON,
    description: 'forget rotated webhook secrets after their 24 h overlap',
    context: () => {
      const deps = context();
      const { failures } = createWebhookMetrics(deps.registry);
      return {
        queue: deps.queue,
        openPool: () => openPool(deps, 1),
        log: deps.log.child({ component: 'webhooks' }),
        handlerDeps: (pool) => ({ pool, clock: deps.clock }),
        onFailure: () => failures.inc({ queue: PurgeRotatedSecretsJob.name }),
      };
    },
  });

  return [delivery, purge];
}
