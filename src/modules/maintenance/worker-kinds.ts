import type { Clock } from '#platform/clock.ts';
import { createPool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { Queue } from '#platform/queue/queue.ts';
import { scheduledWorkerKind } from '#platform/queue/scheduled-worker-kind.ts';
import type { WorkerKind } from '#platform/queue/worker-kind.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import type { EvidenceRetention } from '#modules/evidence/purge-expired-evidence.ts';
import { MAINTENANCE_CRON, MaintenanceBinding } from './jobs.ts';

export type MaintenanceWorkerDeps = { databaseUrl: string; clock: Clock; log: Logger; queue: () => Promise<Queue>; storage: ObjectStorage; evidenceRetention: EvidenceRetention };

/** `maintenance`: hourly partitions, purges and evidence retention, one run across all workers. */
export function maintenanceWorkerKinds(context: () => MaintenanceWorkerDeps): WorkerKind[] {
  return [
    scheduledWorkerKind({
      binding: MaintenanceBinding,
      cron: MAINTENANCE_CRON,
      description: 'create future proofs partitions; purge used nonces (after 72 h) and expired idempotency keys; delete signed evidence past EVIDENCE_RETENTION_DAYS',
      context: () => {
        const deps = context();
        return {
          queue: deps.queue,
          openPool: () => createPool(deps.databaseUrl, { max: 1, log: deps.log, applicationName: 'veridity-maintenance' }),
          log: deps.log.child({ component: 'maintenance' }),
          handlerDeps: (pool) => ({ pool, clock: deps.clock, storage: deps.storage, evidenceRetention: deps.evidenceRetention }),
        };
      },
    }),
  ];
}
