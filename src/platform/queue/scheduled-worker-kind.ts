import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { JobDefinition } from './job-definition.ts';
import type { Queue } from './queue.ts';
import type { WorkerKind } from './worker-kind.ts';

export type ScheduledRun = {
  queue: () => Promise<Queue>;
  /** A small pool of the kind's own, closed when the kind stops or the one pass ends. */
  openPool: () => Pool;
  log: Logger;
  /** One run; the counts are logged, and printed by `WORKER_ONCE=true`. */
  run: (pool: Pool) => Promise<Record<string, number>>;
  /** Called when a scheduled run throws (pg-boss then retries the job). */
  onFailure?: () => void;
};

/**
 * A worker kind that runs one job on a pg-boss cron schedule: one run per tick across every
 * worker process, retried with backoff on failure; `runOnce` runs it right away.
 */
export function scheduledWorkerKind(spec: { job: JobDefinition<object>; cron: string; description: string; context: () => ScheduledRun }): WorkerKind {
  return {
    name: spec.job.name,
    description: `${spec.description} (pg-boss, cron ${spec.cron})`,
    async start() {
      const deps = spec.context();
      const queue = await deps.queue();
      const pool = deps.openPool();
      await queue.register([spec.job]);
      await queue.schedule(spec.job, spec.cron, {});
      await queue.work(spec.job, async () => {
        try {
          deps.log.info({ job: spec.job.name, ...(await deps.run(pool)) }, 'scheduled job done');
        } catch (error) {
          deps.onFailure?.();
          throw error;
        }
      });
      return {
        async stop() {
          await queue.boss.offWork(spec.job.name, { wait: true });
          await pool.end();
          return { finished: true };
        },
      };
    },
    async runOnce() {
      const deps = spec.context();
      const pool = deps.openPool();
      try {
        return await deps.run(pool);
      } finally {
        await pool.end();
      }
    },
  };
}
