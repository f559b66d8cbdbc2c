import { PgBoss, type Job } from 'pg-boss';
import { databaseErrorFields, isDatabaseUnavailable } from '#platform/db/database-unavailable.ts';
import type { PoolClient } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { JobDefinition } from './job-definition.ts';

export type EnqueueOptions = {
  /** Enqueue inside this open transaction: a rollback enqueues nothing (transactional outbox). */
  client?: PoolClient;
  startAfter?: Date;
  singletonKey?: string;
};

export type JobHandler<T> = (jobs: Array<{ id: string; data: T; retryCount: number }>) => Promise<void>;

export type Queue = {
  register(definitions: JobDefinition<unknown>[]): Promise<void>;
  enqueue<T>(definition: JobDefinition<T>, data: T, options?: EnqueueOptions): Promise<string | null>;
  work<T>(definition: JobDefinition<T>, handler: JobHandler<T>, options?: { batchSize?: number; pollingIntervalSeconds?: number; concurrency?: number }): Promise<void>;
  schedule(definition: JobDefinition<unknown>, cron: string, data: unknown): Promise<void>;
  depth(names: string[]): Promise<Array<{ name: string; queued: number; active: number; deferred: number; total: number }>>;
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
  boss: PgBoss;
};

/** While the database is down pg-boss reports each failed poll, several a second: logged once per this interval. */
const OUTAGE_LOG_INTERVAL_MS = 30_000;

/**
 * pg-boss's errors, one short line each (never the error object: pg's can carry the whole client).
 * pg-boss keeps polling through an outage and resumes by itself, so that is logged once in a while.
 */
function logQueueErrors(boss: PgBoss, log: Logger): void {
  let lastOutageLine = 0;
  let suppressed = 0;
  boss.on('error', (error: unknown) => {
    if (!isDatabaseUnavailable(error)) return void log.error(databaseErrorFields(error), 'queue error');
    if (Date.now() - lastOutageLine < OUTAGE_LOG_INTERVAL_MS) return void suppressed++;
    log.warn({ ...databaseErrorFields(error), suppressed }, 'queue: database unavailable; pg-boss retries by itself');
    lastOutageLine = Date.now();
    suppressed = 0;
  });
}

/** pg-boss on the platform's own PostgreSQL (schema `pgboss`): durable, retried, dead-lettered jobs. */
export async function startQueue(options: { connectionString: string; log: Logger; schedule?: boolean; max?: number }): Promise<Queue> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: 'pgboss',
    max: options.max ?? 4,
    application_name: 'veridity-queue',
    schedule: options.schedule ?? true,
  });
  logQueueErrors(boss, options.log);
  await boss.start();

  const queue: Queue = {
    boss,
    async register(definitions) {
      for (const definition of definitions) {
        if (definition.deadLetter && !(await boss.getQueue(definition.deadLetter))) {
          await boss.createQueue(definition.deadLetter, { retentionSeconds: 14 * 24 * 3600 });
        }
        const settings = {
          retryLimit: definition.retryLimit,
          retryDelay: definition.retryDelaySeconds,
          retryBackoff: definition.retryBackoff,
          expireInSeconds: definition.expireInSeconds,
          ...(definition.deadLetter ? { deadLetter: definition.deadLetter } : {}),
        };
        if (await boss.getQueue(definition.name)) await boss.updateQueue(definition.name, settings);
        else await boss.createQueue(definition.name, settings);
      }
    },
    async enqueue(definition, data, enqueueOptions = {}) {
      const payload = definition.schema.parse(data) as object;
      const client = enqueueOptions.client;
      return boss.send(definition.name, payload, {
        ...(enqueueOptions.startAfter ? { startAfter: enqueueOptions.startAfter } : {}),
        ...(enqueueOptions.singletonKey ? { singletonKey: enqueueOptions.singletonKey } : {}),
        ...(client ? { db: { executeSql: (text: string, values?: unknown[]) => client.query(text, values) } } : {}),
      });
    },
    async work(definition, handler, workOptions = {}) {
      await boss.work<object>(
        definition.name,
        {
          batchSize: workOptions.batchSize ?? 1,
          pollingIntervalSeconds: workOptions.pollingIntervalSeconds ?? 0.5,
          localConcurrency: workOptions.concurrency ?? 1,
          includeMetadata: true,
        },
        async (jobs: Job<object>[]) => {
          await handler(
            jobs.map((job) => ({
              id: job.id,
              data: definition.schema.parse(job.data),
              retryCount: (job as unknown as { retryCount?: number }).retryCount ?? 0,
            })),
          );
        },
      );
    },
    async schedule(definition, cron, data) {
      await boss.schedule(definition.name, cron, data as object, { tz: 'UTC' });
    },
    async depth(names) {
      const queues = await boss.getQueues(names);
      return queues.map((q) => ({ name: q.name, queued: q.queuedCount, active: q.activeCount, deferred: q.deferredCount, total: q.totalCount }));
    },
    async stop(stopOptions = {}) {
      await boss.stop({ graceful: stopOptions.graceful ?? true, timeout: stopOptions.timeoutMs ?? 20_000 });
    },
  };
  return queue;
}
