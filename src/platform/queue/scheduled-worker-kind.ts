import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { JobBinding } from './job-binding.ts';
import type { Queue } from './queue.ts';
import type { WorkerKind } from './worker-kind.ts';

/** Counts a run reports: logged, and printed by `WORKER_ONCE=true`. */
type RunCounts = Record<string, number>;

export type ScheduledRun<Deps> = {
  queue: () => Promise<Queue>;
  /** A small pool of the kind's own, closed when the kind stops or the one pass ends. */
  openPool: () => Pool;
  log: Logger;
  /** The handler's dependencies, over the kind's pool. */
  handlerDeps: (pool: Pool) => Deps;
  /** Called when a scheduled run throws (pg-boss then retries the job). */
  onFailure?: () => void;
};

/** What a cron tick sends: scheduled jobs take no payload. */
type NoPayload = Record<string, never>;

/**
 * A worker kind that runs one job on a pg-boss cron schedule: one run per tick across every
 * worker process, retried with backoff on failure; `runOnce` runs its handler right away, outside the queue.
 */
export function scheduledWorkerKind<Deps>(spec: {
  binding: JobBinding<NoPayload, Deps, RunCounts>;
  cron: string;
  description: string;
  context: () => ScheduledRun<Deps>;
}): WorkerKind {
  const { job } = spec.binding;
  return {
    name: job.name,
    description: `${spec.description} (pg-boss, cron ${spec.cron})`,
    async start() {
      const deps = spec.context();
      const queue = await deps.queue();
      const handle = await spec.binding.handler();
      const pool = deps.openPool();
      await queue.register([job]);
      await queue.schedule(job, spec.cron, {});
      await queue.work(job, async (received) => {
        try {
          deps.log.info({ job: job.name, ...(await handle(deps.handlerDeps(pool), received)) }, 'scheduled job done');
        } catch (error) {
          deps.onFailure?.();
          throw error;
        }
      });
      return {
        async stop() {
          await queue.stopWorking(job);
          await pool.end();
          return { finished: true };
        },
      };
    },
    async runOnce() {
      const deps = spec.context();
      const handle = await spec.binding.handler();
      const pool = deps.openPool();
      try {
        // No queue job behind this run: the handler gets a stand-in (scheduled handlers use only their deps).
        return await handle(deps.handlerDeps(pool), { name: job.name, id: 'worker-once', data: {}, retryCount: 0, retryLimit: 0 });
      } finally {
        await pool.end();
      }
    },
  };
}
