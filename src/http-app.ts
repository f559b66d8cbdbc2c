import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { DEFAULT_HTTP_LIMITS, type Config } from '#src/config.ts';
import type { Pool } from '#platform/db/pool.ts';
import { limitConnections, timeoutOptions } from '#platform/http/connection-limits.ts';
import { registerLoadShedding } from '#platform/http/load-shedding.ts';
import { prepareHttpEdge } from '#platform/http/prepare-edge.ts';
import { ProbeLogController } from '#platform/http/probe-log-controller.ts';
import { registerRateLimiting, type RateLimiting } from '#platform/http/rate-limit.ts';
import { newId } from '#platform/ids.ts';
import type { Logger } from '#platform/logger.ts';
import { createMetrics, type Metrics } from '#platform/metrics.ts';
import { activeTracing } from '#platform/telemetry/tracing.ts';

export type HttpAppDeps = {
  config: Pick<Config, 'bodyLimitBytes' | 'trustProxy' | 'redisUrl' | 'publicRateLimitPerMinute'> & Partial<Pick<Config, 'http'>>;
  log: Logger;
  /** Only its own counters are read (the pool gauges of /metrics). */
  pool: Pool;
};

/**
 * What the API (`buildApp`) and the ingest gateway (`buildIngestApp`) both start from, before any
 * route: connection and time limits, request ids, load shedding, the error contract, request
 * metrics and the rate limit counters.
 */
export async function createHttpApp(deps: HttpAppDeps): Promise<{ app: FastifyInstance; metrics: Metrics; rateLimiting: RateLimiting }> {
  const limits = deps.config.http ?? DEFAULT_HTTP_LIMITS;
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    genReqId: () => newId('req'),
    requestIdHeader: false,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    logController: new ProbeLogController(),
    ...timeoutOptions(limits),
  });
  limitConnections(app.server, limits);
  prepareHttpEdge(app);

  const metrics = createMetrics(deps.pool);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const tracing = activeTracing();
  if (tracing) {
    app.addHook('onRequest', async (request) => tracing.describeServerRequest({ method: request.method, route: request.routeOptions.url, requestId: request.id }));
  }
  registerLoadShedding(app, { maxInFlight: limits.maxInFlight, exempt: ['/healthz', '/health', '/metrics'] });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const rateLimiting = await registerRateLimiting(app, { redisUrl: deps.config.redisUrl, ipMaxPerMinute: deps.config.publicRateLimitPerMinute, log: deps.log });
  return { app, metrics, rateLimiting };
}
