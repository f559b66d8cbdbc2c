import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses } from '#platform/http/schemas.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import type { WebhookUrlPolicy } from '#modules/webhooks/check-configured-webhook-url.ts';
import { requireAllowedWebhookUrl } from '#modules/webhooks/require-allowed-webhook-url.ts';
import { createClient } from './create-client.ts';
import { disableClient } from './disable-client.ts';
import { getClient, listClients } from './list-clients.ts';
import { rotateClientKey } from './rotate-client-key.ts';
import {
  ApiClientCreateSchema,
  ApiClientSchema,
  ApiClientUpdateSchema,
  ApiClientWithSecretsSchema,
  ClientIdParams,
} from './schema.ts';
import { updateClient } from './update-client.ts';

type Deps = { db: Db; clock: Clock; secretBox: SecretBox; webhookUrlPolicy: WebhookUrlPolicy };

const WhoAmISchema = z
  .object({
    client_id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    rate_limit_per_minute: z.number().int(),
  })
  .meta({ id: 'WhoAmI' });

const notFound = (id: string) => new ApiError('NOT_FOUND', `no client ${id}`);

/** Operator endpoints for partners (seed: GET|POST /api/admin/clients) and the partner's own identity. */
export function registerClientRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = { access: access.admin };
  /** Responses that show an API key or webhook secret (once) must not be cached anywhere. */
  const adminShowingSecrets = { access: access.admin, carriesSecret: true };

  r.get('/api/v1/me', {
    config: { access: access.partner() },
    schema: {
      tags: ['Partner'],
      summary: 'The partner the API key belongs to (use it to check a key)',
      response: { 200: WhoAmISchema, ...errorResponses(401) },
    },
  }, async (request) => {
    const client = request.client!;
    return { client_id: client.id, name: client.name, scopes: client.scopes, rate_limit_per_minute: client.rateLimitPerMinute };
  });

  r.get('/api/admin/clients', {
    config: admin,
    schema: {
      tags: ['Admin'],
      summary: 'List API clients',
      response: { 200: z.array(ApiClientSchema), ...errorResponses(401) },
    },
  }, async () => listClients(deps));

  r.post('/api/admin/clients', {
    config: adminShowingSecrets,
    schema: {
      tags: ['Admin'],
      summary: 'Create an API client (the key and webhook secret are returned once)',
      body: ApiClientCreateSchema,
      response: { 201: ApiClientWithSecretsSchema, ...errorResponses(400, 401, 413) },
    },
  }, async (request, reply) => {
    await requireAllowedWebhookUrl(request.body.webhook_url, deps.webhookUrlPolicy);
    reply.code(201);
    return createClient(deps, request.body, adminActor(request));
  });

  r.get('/api/admin/clients/:id', {
    config: admin,
    schema: {
      tags: ['Admin'],
      summary: 'Get one API client',
      params: ClientIdParams,
      response: { 200: ApiClientSchema, ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const client = await getClient(deps, request.params.id);
    if (!client) throw notFound(request.params.id);
    return client;
  });

  r.patch('/api/admin/clients/:id', {
    config: adminShowingSecrets,
    schema: {
      tags: ['Admin'],
      summary: 'Update name, scopes, webhook URL or rate limit',
      description: 'Setting a webhook URL on a client without one returns its new `webhook_secret` once.',
      params: ClientIdParams,
      body: ApiClientUpdateSchema,
      response: { 200: ApiClientWithSecretsSchema, ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    await requireAllowedWebhookUrl(request.body.webhook_url, deps.webhookUrlPolicy);
    const result = await updateClient(deps, request.params.id, request.body, adminActor(request));
    if (!result.ok) throw notFound(request.params.id);
    return result.client;
  });

  r.post('/api/admin/clients/:id/rotate-key', {
    config: adminShowingSecrets,
    schema: {
      tags: ['Admin'],
      summary: 'Replace the API key (returned once); the old key stops working at once',
      params: ClientIdParams,
      response: { 200: ApiClientWithSecretsSchema, ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const result = await rotateClientKey(deps, request.params.id, adminActor(request));
    if (!result.ok) throw notFound(request.params.id);
    return result.client;
  });

  r.delete('/api/admin/clients/:id', {
    config: admin,
    schema: {
      tags: ['Admin'],
      summary: 'Disable an API client (its key answers 401 from now on)',
      params: ClientIdParams,
      response: { 200: ApiClientSchema, ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const result = await disableClient(deps, request.params.id, adminActor(request));
    if (!result.ok) throw notFound(request.params.id);
    return result.client;
  });
}
