import client from 'prom-client';
import type { Pool } from '#platform/db/pool.ts';

export type Metrics = {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status_code'>;
};

/** One registry per app instance, so several apps (tests, workers) never share counters by accident. */
export function createMetrics(pool: Pool): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'veridity_' });
  const httpDuration = new client.Histogram({
    name: 'veridity_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const poolGauge = (name: string, help: string, read: () => number) =>
    new client.Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  poolGauge('veridity_db_pool_connections_total', 'Open connections in the database pool', () => pool.totalCount);
  poolGauge('veridity_db_pool_connections_idle', 'Idle connections in the database pool', () => pool.idleCount);
  poolGauge('veridity_db_pool_requests_waiting', 'Queries waiting for a database connection', () => pool.waitingCount);
  return { registry, httpDuration };
}
