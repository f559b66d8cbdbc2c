import type { FastifyInstance } from 'fastify';
import type { Logger } from '#platform/logger.ts';
import { startQueue, type Queue } from './queue.ts';

/**
 * A pg-boss of the app's own, for apps built without one (tests, tools): started on first use
 * (without maintenance schedules), tried again after a failed start, stopped when the app closes.
 */
export function appOwnedQueue(app: FastifyInstance, deps: { connectionString: string; log: Logger }): () => Promise<Queue> {
  let started: Promise<Queue> | undefined;
  app.addHook('onClose', async () => {
    await started?.then((queue) => queue.stop({ graceful: false }), () => {});
  });
  return () => {
    started ??= startQueue({ connectionString: deps.connectionString, log: deps.log.child({ component: 'queue' }), schedule: false });
    started.catch(() => (started = undefined));
    return started;
  };
}
