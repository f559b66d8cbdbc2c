import client from 'prom-client';
import type { Pool } from '#platform/db/pool.ts';

/** One queue's state, read from the database at scrape time (whichever process does the work). */
export type QueueDepth = {
  queue: string;
  /** Due now, waiting for a worker. */
  ready: number;
  /** Waiting for a later time (a retry or a scheduled start). */
  deferred: number;
  /** Being worked on, where the queue can tell. */
  active?: number;
  /** Gave up on (pg-boss `failed`, webhook `dead`), still kept. */
  failed: number;
  /** How long the oldest ready entry has been due; 0 when none is. */
  oldestReadyAgeSeconds: number;
};

export type QueueDepthSource = () => Promise<QueueDepth[]>;

const SNAPSHOT_TTL_MS = 1_000;

/**
 * `veridity_queue_jobs{queue,state}` and `veridity_queue_oldest_ready_age_seconds{queue}`,
 * read from the sources once per scrape (prom-client collects gauges concurrently, so both
 * share one snapshot). A source that fails (database down, pg-boss not installed yet) adds
 * nothing to that scrape rather than failing it.
 */
export function registerQueueDepthMetrics(registry: client.Registry, sources: QueueDepthSource[]): void {
  // One read serves both gauges of a scrape: the second reader takes it and clears it.
  let snapshot: { at: number; depths: Promise<QueueDepth[]> } | undefined;
  const read = (): Promise<QueueDepth[]> => {
    if (snapshot && Date.now() - snapshot.at <= SNAPSHOT_TTL_MS) {
      const { depths } = snapshot;
      snapshot = undefined;
      return depths;
    }
    const depths = Promise.all(sources.map((source) => source().catch(() => []))).then((lists) => lists.flat());
    snapshot = { at: Date.now(), depths };
    return depths;
  };
  new client.Gauge({
    name: 'veridity_queue_jobs',
    help: 'Jobs per queue and state (ready, deferred, active, failed); webhook deliveries are the queue "webhooks", dead letters count as failed',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const depth of await read()) {
        this.set({ queue: depth.queue, state: 'ready' }, depth.ready);
        this.set({ queue: depth.queue, state: 'deferred' }, depth.deferred);
        this.set({ queue: depth.queue, state: 'failed' }, depth.failed);
        if (depth.active !== undefined) this.set({ queue: depth.queue, state: 'active' }, depth.active);
      }
    },
  });
  new client.Gauge({
    name: 'veridity_queue_oldest_ready_age_seconds',
    help: 'Seconds since the oldest ready job of the queue became due (0 when none is waiting)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const depth of await read()) this.set({ queue: depth.queue }, depth.oldestReadyAgeSeconds);
    },
  });
}

/** `veridity_queue_job_failures_total{queue}` in this registry (created on first use): runs that failed in this process. */
export function queueJobFailures(registry: client.Registry): client.Counter<'queue'> {
  const name = 'veridity_queue_job_failures_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Counter<'queue'>;
  return new client.Counter({
    name,
    help: 'Job runs that failed in this process (a throwing handler; for webhooks, a failed or refused attempt)',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
}

/** Depth of every pg-boss queue (schema `pgboss`); nothing until a worker has installed pg-boss. */
export function pgBossQueueDepth(pool: Pool): QueueDepthSource {
  return async () => {
    const installed = await pool.query<{ found: boolean }>("SELECT to_regclass('pgboss.job') IS NOT NULL AS found");
    if (!installed.rows[0]?.found) return [];
    const { rows } = await pool.query<{ queue: string; ready: number; deferred: number; active: number; failed: number; oldest: number }>(
      `SELECT q.name AS queue,
              count(j.id) FILTER (WHERE j.state IN ('created', 'retry') AND j.start_after <= now())::int AS ready,
              count(j.id) FILTER (WHERE j.state IN ('created', 'retry') AND j.start_after > now())::int AS deferred,
              count(j.id) FILTER (WHERE j.state = 'active')::int AS active,
              count(j.id) FILTER (WHERE j.state = 'failed')::int AS failed,
              coalesce(extract(epoch FROM now() - min(j.start_after) FILTER (WHERE j.state IN ('created', 'retry') AND j.start_after <= now())), 0)::float8 AS oldest
         FROM pgboss.queue q
         LEFT JOIN pgboss.job j ON j.name = q.name AND j.state IN ('created', 'retry', 'active', 'failed')
        GROUP BY q.name`,
    );
    return rows.map((row) => ({
      queue: row.queue,
      ready: row.ready,
      deferred: row.deferred,
      active: row.active,
      failed: row.failed,
      oldestReadyAgeSeconds: row.oldest,
    }));
  };
}
