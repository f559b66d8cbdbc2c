import type { Clock } from '#platform/clock.ts';
import { createPool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { Queue } from '#platform/queue/queue.ts';
import type { WorkerKind } from '#platform/queue/worker-kind.ts';
import { MAINTENANCE_CRON, MaintenanceJob } from './jobs.ts';
import { runMaintenance } from './run-maintenance.ts';

export type MaintenanceWorkerDeps = { databaseUrl: string; clock: Clock; log: Logger; queue: () => Promise<Queue> };

/** `maintenance`: hourly (pg-boss cron, one run across all workers) partitions and purges. */
export function maintenanceWorkerKinds(context: () => MaintenanceWorkerDeps): WorkerKind[] {
  const openPool = (deps: MaintenanceWorkerDeps) => createPool(deps.databaseUrl, { max: 1, log: deps.log, applicationName: 'veridity-maintenance' });
  return [
    {
      name: MaintenanceJob.name,
      description: `create future proofs partitions; purge used nonces (after 72 h) and expired idempotency keys (pg-boss, cron ${MAINTENANCE_CRON})`,
      async start() {
        const deps = context();
        const queue = await deps.queue();
        const pool = openPool(deps);
        await queue.register([MaintenanceJob]);
        await queue.schedule(MaintenanceJob, MAINTENANCE_CRON, {});
        await queue.work(MaintenanceJob, async () => {
          deps.log.info({ component: 'maintenance', ...(await runMaintenance({ pool, clock: deps.clock })) }, 'maintenance done');
        });
        return {
          async stop() {
            await queue.boss.offWork(MaintenanceJob.name, { wait: true });
            await pool.end();
            return { finished: true };
          },
        };
      },
      async runOnce() {
        const deps = context();
        const pool = openPool(deps);
        try {
          return await runMaintenance({ pool, clock: deps.clock });
        } finally {
          await pool.end();
        }
      },
    },
  ];
}
