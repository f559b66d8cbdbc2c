import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { Config } from '#src/config.ts';
import { createHttpApp } from '#src/http-app.ts';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { enforceRouteAccess, type DeclaredRoute } from '#platform/http/route-access.ts';
import type { Logger } from '#platform/logger.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { registerHealthRoutes } from '#modules/health/routes.ts';
import { agentAuth } from '#modules/evidence/agents/authenticate-agent.ts';
import { registerIngestRoutes } from '#modules/evidence/agents/ingest-routes.ts';

export type IngestAppDeps = {
  config: Pick<Config, 'bodyLimitBytes' | 'trustProxy' | 'redisUrl' | 'publicRateLimitPerMinute' | 'publicUrl'> & Partial<Pick<Config, 'http'>>;
  log: Logger;
  clock: Clock;
  /** Connected as the least-privileged role (migration 0016): functions only, no table. */
  pool: Pool;
  /** The object storage `serve` and the workers read the submitted documents from. */
  storage: ObjectStorage;
};

export type IngestApp = FastifyInstance & { routeTable: readonly DeclaredRoute[] };

/**
 * The ingest gateway (`veridity ingest`): POST /ingest/v1/proofs for enrolled agents and the
 * health probes, nothing else. No operator, partner or token is authenticated here (their
 * routes do not exist: 404); enrollment and the CRLs stay on `serve`, which holds the agent CAs'
 * keys. Each request reaches the database only through evidence_agent_for_credential() and
 * evidence_submit_as_agent().
 */
export async function buildIngestApp(deps: IngestAppDeps): Promise<IngestApp> {
  const { app, metrics, rateLimiting } = await createHttpApp(deps);
  const routeTable = enforceRouteAccess(app, {
    agent: { authenticate: agentAuth({ pool: deps.pool }), rateLimit: rateLimiting.perAgent },
    rateLimitPerIp: rateLimiting.perIp,
    publicPrefixes: [],
  });
  await app.register(helmet, { global: true });
  await registerHealthRoutes(app, { pool: deps.pool, metrics });
  await registerIngestRoutes(app, { pool: deps.pool, clock: deps.clock, storage: deps.storage, publicUrl: deps.config.publicUrl });
  return Object.assign(app, { routeTable });
}
