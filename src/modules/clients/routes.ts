import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import type { WebhookUrlPolicy } from '#modules/webhooks/check-configured-webhook-url.ts';
import { requireAllowedWebhookUrl } from '#modules/webhooks/require-allowed-webhook-url.ts';
import { createClient } from './create-client.ts';
import type { ClientLookup } from './authenticate-api-key.ts';
import type { ClientAuthCache } from './client-auth-cache.ts';
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

/** `authCache`: where this process keeps partners' keys, told of each change made here. */
type Deps = { db: Db; clock: Clock; secretBox: SecretBox; webhookUrlPolicy: WebhookUrlPolicy; authCache?: ClientAuthCache<ClientLookup> | undefined };

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
      operationId: 'getMe',
      tags: ['Partner'],
      summary: 'The partner the API key belongs to (use it to check a key)',
      description: 'Answers for an API key (`X-Api-Key`) or an access token alike: use it to check a key, its scopes and its rate limit.',
      response: { 200: jsonResponse('The partner the credentials belong to', WhoAmISchema), ...errorResponses(401) },
    },
  }, async (request) => {
    const client = request.client!;
    return { client_id: client.id, name: client.name, scopes: client.scopes, rate_limit_per_minute: client.rateLimitPerMinute };
  });

  r.get('/api/admin/clients', {
    config: admin,
    schema: {
      operationId: 'listClients',
      tags: ['Admin'],
      summary: 'List API clients',
      description: 'Every partner with its scopes, webhook URL, rate limit and when its key was last used.',
      response: { 200: jsonResponse('Every partner, disabled ones included (never their keys)', z.array(ApiClientSchema)), ...errorResponses(401) },
    },
  }, async () => listClients(deps));

  r.post('/api/admin/clients', {
    config: { ...adminShowingSecrets, idempotent: true },
    schema: {
      operationId: 'createClient',
      tags: ['Admin'],
      summary: 'Create an API client (the key and webhook secret are returned once)',
      description: 'Creates a partner and its API key. The key (and the webhook secret, when `webhook_url` is set) is in this response only: only its hash is stored.',
      body: ApiClientCreateSchema,
      response: { 201: jsonResponse('The new partner with its `api_key` (and `webhook_secret` when a webhook URL was given), shown this once', ApiClientWithSecretsSchema), ...errorResponses(400, 401, 413) },
    },
  }, async (request, reply) => {
    await requireAllowedWebhookUrl(request.body.webhook_url, deps.webhookUrlPolicy);
    reply.code(201);
    return createClient(deps, request.body, adminActor(request));
  });

  r.get('/api/admin/clients/:id', {
    config: admin,
    schema: {
      operationId: 'getClient',
      tags: ['Admin'],
      summary: 'Get one API client',
      description: 'One partner by id (`cli_...`), disabled or not.',
      params: ClientIdParams,
      response: { 200: jsonResponse('The partner', ApiClientSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const client = await getClient(deps, request.params.id);
    if (!client) throw notFound(request.params.id);
    return client;
  });

  r.patch('/api/admin/clients/:id', {
    config: adminShowingSecrets,
    schema: {
      operationId: 'updateClient',
      tags: ['Admin'],
      summary: 'Update name, scopes, webhook URL or rate limit',
      description: 'Setting a webhook URL on a client without one returns its new `webhook_secret` once.',
      params: ClientIdParams,
      body: ApiClientUpdateSchema,
      response: { 200: jsonResponse('The partner as changed; `webhook_secret` only when a first webhook URL was set', ApiClientWithSecretsSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    await requireAllowedWebhookUrl(request.body.webhook_url, deps.webhookUrlPolicy);
    const result = await updateClient(deps, request.params.id, request.body, adminActor(request));
    if (!result.ok) throw notFound(request.params.id);
    deps.authCache?.forget(request.params.id);
    return result.client;
  });

  r.post('/api/admin/clients/:id/rotate-key', {
    config: { ...adminShowingSecrets, idempotent: true },
    schema: {
      operationId: 'rotateClientKey',
      tags: ['Admin'],
      summary: 'Replace the API key (returned once); the old key stops working at once',
      description: 'Issues a new API key; the old one, and every access token issued with it, stops working at once.',
      params: ClientIdParams,
      response: { 200: jsonResponse('The partner with its new `api_key`, shown this once', ApiClientWithSecretsSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const result = await rotateClientKey(deps, request.params.id, adminActor(request));
    if (!result.ok) throw notFound(request.params.id);
    deps.authCache?.forget(request.params.id);
    return result.client;
  });

  r.delete('/api/admin/clients/:id', {
    config: admin,
    schema: {
      operationId: 'disableClient',
      tags: ['Admin'],
      summary: 'Disable an API client (its key answers 401 from now on)',
      description: 'Disables the partner (kept for history): its key and its access tokens answer 401 from now on.',
      params: ClientIdParams,
      response: { 200: jsonResponse('The partner, now with `disabled_at`', ApiClientSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const result = await disableClient(deps, request.params.id, adminActor(request));
    if (!result.ok) throw notFound(request.params.id);
    deps.authCache?.forget(request.params.id);
    return result.client;
  });
}
