import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from '#src/config.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import { registerErrorHandling } from '#platform/http/error-handler.ts';
import { newId } from '#platform/ids.ts';
import type { Logger } from '#platform/logger.ts';
import { createMetrics } from '#platform/metrics.ts';
import { adminAuth } from '#modules/admin/admin-auth.ts';
import { createLastUsedTracker, type LastUsedTracker } from '#modules/clients/last-used-tracker.ts';
import { partnerAuth } from '#modules/clients/partner-auth.ts';
import { registerClientRoutes } from '#modules/clients/routes.ts';
import { registerHealthRoutes } from '#modules/health/routes.ts';

export type AppDeps = {
  config: Pick<Config, 'adminToken' | 'bodyLimitBytes' | 'trustProxy'>;
  log: Logger;
  clock: Clock;
  pool: Pool;
  db: Db;
  secretBox: SecretBox;
};

export type App = FastifyInstance & { lastUsed: LastUsedTracker };

const API_VERSION = '1.0.0';

/** Builds the HTTP application from its dependencies; it opens and starts nothing by itself. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    genReqId: () => newId('req'),
    requestIdHeader: false,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

  const metrics = createMetrics(deps.pool);
  const lastUsed = createLastUsedTracker({ pool: deps.pool, log: deps.log });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.addHook('onClose', async () => lastUsed.stop());

  await app.register(helmet, { global: true });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Veridity API',
        version: API_VERSION,
        description: 'Self-hosted verification of zero-knowledge proofs, TEE attestations and signed evidence.',
      },
      components: {
        securitySchemes: {
          ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
          BearerAuth: { type: 'http', scheme: 'bearer', description: 'Operator (admin) token' },
        },
      },
      tags: [
        { name: 'Partner', description: 'Partner endpoints (X-Api-Key)' },
        { name: 'Admin', description: 'Operator endpoints (admin bearer token)' },
        { name: 'Health', description: 'Liveness, readiness, metrics' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const authenticateAdmin = adminAuth({ db: deps.db, configuredToken: deps.config.adminToken });
  const authenticatePartner = partnerAuth({ db: deps.db, clock: deps.clock, lastUsed });

  await registerHealthRoutes(app, { pool: deps.pool, metrics });
  registerClientRoutes(app, { db: deps.db, clock: deps.clock, secretBox: deps.secretBox, authenticateAdmin, authenticatePartner });

  return Object.assign(app, { lastUsed });
}
