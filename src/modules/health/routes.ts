import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseErrorFields } from '#platform/db/database-unavailable.ts';
import type { Pool } from '#platform/db/pool.ts';
import { pendingMigrations, readMigrations } from '#platform/db/migrate.ts';
import { errorBody } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponse, jsonResponse, textResponse } from '#platform/http/schemas.ts';
import type { Metrics } from '#platform/metrics.ts';

const READINESS_TIMEOUT_MS = 2_000;

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function registerHealthRoutes(app: FastifyInstance, deps: { pool: Pool; metrics: Metrics }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const migrations = await readMigrations();

  r.get('/healthz', {
    config: { access: access.public },
    schema: { operationId: 'getLiveness', tags: ['Health'], summary: 'Liveness: the process is up', description: 'Answers as long as the process runs, without touching the database: for liveness probes.', response: { 200: jsonResponse('The process is up', z.object({ status: z.literal('ok') })) } },
  }, async () => ({ status: 'ok' as const }));

  r.get('/readyz', {
    config: { access: access.public },
    schema: {
      operationId: 'getReadiness',
      tags: ['Health'],
      summary: 'Readiness: the database answers and every migration is applied',
      description: 'Ready when the database answers within 2 s and every migration is applied; 503 `NOT_READY` otherwise (with `checks`).',
      response: { 200: jsonResponse('Ready to serve', z.object({ status: z.literal('ready') })), 503: errorResponse(503, 'Not ready (`NOT_READY`): the database is unreachable or migrations are pending; `checks` says which') },
    },
  }, async (request, reply) => {
    try {
      const pending = await withTimeout(pendingMigrations(deps.pool, migrations), READINESS_TIMEOUT_MS);
      if (pending.length > 0) {
        return reply.code(503).send(errorBody('NOT_READY', `migrations pending: ${pending.join(', ')}`, request.id, { checks: { database: 'ok', migrations: 'pending' } }));
      }
      return { status: 'ready' as const };
    } catch (error) {
      request.log.warn(databaseErrorFields(error), 'readiness check failed');
      return reply.code(503).send(errorBody('NOT_READY', 'database unreachable', request.id, { checks: { database: 'unreachable' } }));
    }
  });

  app.get('/metrics', { config: { access: access.public }, schema: {
      operationId: 'getMetrics',
      tags: ['Health'],
      summary: 'Prometheus metrics',
      description: 'Request durations by route and status, database pool, queues, webhooks, ledger and attestation tasks, process metrics.',
      response: { 200: textResponse('Metrics in the Prometheus text exposition format') },
    } }, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
