import { PgBoss, type JobWithMetadata } from 'pg-boss';
import { databaseErrorFields, isDatabaseUnavailable } from '#platform/db/database-unavailable.ts';
import type { PoolClient } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { captureTraceContext, type TraceContext } from '#platform/telemetry/tracing.ts';
import type { JobRef, ReceivedJob } from './job-binding.ts';
import type { JobDefinition } from './job-definition.ts';
import { inJobSpan } from './job-span.ts';
import { createFailureBackoff } from './failure-backoff.ts';
import { createInterruptibleSleep } from './interruptible-sleep.ts';
import { QUEUE_SCHEMA } from './queue-schema.ts';

export type EnqueueOptions = {
  /** Enqueue inside this open transaction: a rollback enqueues nothing (transactional outbox). */
  client?: PoolClient;
  startAfter?: Date;
  singletonKey?: string;
};

/**
 * The one way into pg-boss for the modules (a test keeps `pg-boss` and `.boss` inside this
 * folder): payloads are checked against the job's schema when enqueued and when received.
 */
export type Queue = {
  register(definitions: JobDefinition<unknown>[]): Promise<void>;
  enqueue<T>(definition: JobDefinition<T>, data: T, options?: EnqueueOptions): Promise<string | null>;
  /**
   * One lane calling `handler` per job, until stopWorking: the job completes when it resolves,
   * fails (and is retried) when it throws. A lane takes the next job as soon as it is done with
   * one, and polls every 0.5 s while there is none (pg-boss's own worker waits out its polling
   * interval after every job: ~2 jobs/s per lane whatever they cost).
   */
  work<T>(definition: JobDefinition<T>, handler: (job: ReceivedJob<T>) => Promise<void>): Promise<void>;
  /** Stops `work` for this job and waits for the runs in flight. */
  stopWorking(definition: JobDefinition<unknown>): Promise<void>;
  /** Takes up to `batchSize` due jobs for a worker of its own; each must then be completed or failed. */
  fetch<T>(definition: JobDefinition<T>, options: { batchSize: number }): Promise<ReceivedJob<T>[]>;
  /** Marks fetched jobs done (one command per queue name); on `client` when given, so it commits with the caller's transaction. */
  complete(jobs: JobRef | readonly JobRef[], options?: { client?: PoolClient }): Promise<void>;
  /** Marks a fetched job failed: pg-boss retries it per its definition; after the last retry it stays failed (and goes to the dead letters, if named). */
  fail(job: JobRef, message: string): Promise<void>;
  /** Enqueues `data` on every tick of `cron` (UTC), one job per tick across all processes. */
  schedule<T>(definition: JobDefinition<T>, cron: string, data: T): Promise<void>;
  depth(names: string[]): Promise<Array<{ name: string; queued: number; active: number; deferred: number; total: number }>>;
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
};

/** How often an idle lane of work() asks for a job. */
const POLL_INTERVAL_MS = 500;

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

/**
 * The enqueuer's trace context travels in the payload under this field (pg-boss jobs have no
 * other place for it), beside the fields of the job's schema and taken out before they are checked.
 */
const TRACE_CONTEXT_FIELD = 'trace_context';

function withTraceContext(payload: object): object {
  const traceContext = captureTraceContext();
  return traceContext ? { ...payload, [TRACE_CONTEXT_FIELD]: traceContext } : payload;
}

/** A stored payload without the trace context field, and that context if it is one (a payload is input: never trusted). */
function splitTraceContext(data: unknown): { data: unknown; traceContext: TraceContext | undefined } {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !(TRACE_CONTEXT_FIELD in data)) return { data, traceContext: undefined };
  const { [TRACE_CONTEXT_FIELD]: carried, ...rest } = data as Record<string, unknown>;
  const valid = typeof carried === 'object' && carried !== null && Object.values(carried).every((value) => typeof value === 'string');
  return { data: rest, traceContext: valid ? (carried as TraceContext) : undefined };
}

/** pg-boss's own statements run on the caller's open transaction. */
const onClient = (client: PoolClient) => ({ db: { executeSql: (text: string, values?: unknown[]) => client.query(text, values) } });

/**
 * Checks received payloads against the job's schema. A job that does not match (sent by another
 * release, or written by hand) is failed with one short log line rather than reaching its handler
 * or stopping the worker; pg-boss retries it per its policy like any failure.
 */
async function checkPayloads<T>(boss: PgBoss, log: Logger, definition: JobDefinition<T>, jobs: JobWithMetadata<unknown>[]): Promise<ReceivedJob<T>[]> {
  const received: ReceivedJob<T>[] = [];
  for (const job of jobs) {
    const { data, traceContext } = splitTraceContext(job.data);
    const payload = definition.schema.safeParse(data);
    if (payload.success) {
      received.push({ name: job.name, id: job.id, data: payload.data, retryCount: job.retryCount, retryLimit: job.retryLimit, ...(traceContext ? { traceContext } : {}) });
      continue;
    }
    const problems = payload.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`).join('; ');
    log.error({ queue: job.name, job_id: job.id, problems }, 'job payload does not match its schema; job failed');
    await boss.fail(job.name, job.id, { message: `payload does not match the ${job.name} schema: ${problems}` });
  }
  return received;
}

/** pg-boss on the platform's own PostgreSQL (schema `pgboss`): durable, retried, dead-lettered jobs. */
export async function startQueue(options: { connectionString: string; log: Logger; schedule?: boolean; max?: number }): Promise<Queue> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: QUEUE_SCHEMA,
    max: options.max ?? 4,
    application_name: 'veridity-queue',
    schedule: options.schedule ?? true,
  });
  logQueueErrors(boss, options.log);
  await boss.start();
  // The lanes of work(), per job name: stopWorking and stop end them.
  const lanesByName = new Map<string, { sleep: ReturnType<typeof createInterruptibleSleep>; stopping: boolean; running: Promise<void>[] }>();

  const queue: Queue = {
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
      const payload = withTraceContext(definition.schema.parse(data) as object);
      const client = enqueueOptions.client;
      return boss.send(definition.name, payload, {
        ...(enqueueOptions.startAfter ? { startAfter: enqueueOptions.startAfter } : {}),
        ...(enqueueOptions.singletonKey ? { singletonKey: enqueueOptions.singletonKey } : {}),
        ...(client ? onClient(client) : {}),
      });
    },
    async work(definition, handler) {
      const lanes = lanesByName.get(definition.name) ?? lanesByName.set(definition.name, { sleep: createInterruptibleSleep(), stopping: false, running: [] }).get(definition.name)!;
      lanes.stopping = false;
      const backoff = createFailureBackoff(options.log, `queue ${definition.name}`);
      const lane = async () => {
        while (!lanes.stopping) {
          try {
            const [job] = await checkPayloads(boss, options.log, definition, await boss.fetch<unknown>(definition.name, { batchSize: 1, includeMetadata: true }));
            backoff.succeeded();
            if (!job) {
              await lanes.sleep.sleep(POLL_INTERVAL_MS);
              continue;
            }
            try {
              await inJobSpan(job, () => handler(job));
            } catch (error) {
              await boss.fail(job.name, job.id, { message: error instanceof Error ? error.message : String(error) });
              continue;
            }
            await boss.complete(job.name, job.id);
          } catch (error) {
            await lanes.sleep.sleep(backoff.failed(error));
          }
        }
      };
      lanes.running.push(lane());
    },
    async stopWorking(definition) {
      const lanes = lanesByName.get(definition.name);
      if (!lanes) return;
      lanes.stopping = true;
      lanes.sleep.wakeAll();
      await Promise.all(lanes.running.splice(0));
    },
    async fetch(definition, fetchOptions) {
      const jobs = await boss.fetch<unknown>(definition.name, { batchSize: fetchOptions.batchSize, includeMetadata: true });
      return checkPayloads(boss, options.log, definition, jobs);
    },
    async complete(jobs, completeOptions = {}) {
      const idsByName = new Map<string, string[]>();
      for (const job of Array.isArray(jobs) ? (jobs as readonly JobRef[]) : [jobs as JobRef]) idsByName.set(job.name, [...(idsByName.get(job.name) ?? []), job.id]);
      for (const [name, ids] of idsByName) await boss.complete(name, ids, null, completeOptions.client ? onClient(completeOptions.client) : {});
    },
    async fail(job, message) {
      await boss.fail(job.name, job.id, { message });
    },
    async schedule(definition, cron, data) {
      await boss.schedule(definition.name, cron, definition.schema.parse(data) as object, { tz: 'UTC' });
    },
    async depth(names) {
      const queues = await boss.getQueues(names);
      return queues.map((q) => ({ name: q.name, queued: q.queuedCount, active: q.activeCount, deferred: q.deferredCount, total: q.totalCount }));
    },
    async stop(stopOptions = {}) {
      for (const lanes of lanesByName.values()) {
        lanes.stopping = true;
        lanes.sleep.wakeAll();
      }
      // Graceful: the jobs in hand finish first; otherwise pg-boss retries them once they expire.
      if (stopOptions.graceful ?? true) await Promise.all([...lanesByName.values()].flatMap((lanes) => lanes.running.splice(0)));
      await boss.stop({ graceful: stopOptions.graceful ?? true, timeout: stopOptions.timeoutMs ?? 20_000 });
    },
  };
  return queue;
}
