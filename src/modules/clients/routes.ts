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
import { partnerOf } from './partner-auth.ts';
import { createApiKey, MAX_ACTIVE_KEYS } from './create-api-key.ts';
import { disableApiKey } from './disable-api-key.ts';
import { listApiKeys } from './list-api-keys.ts';
import { rotateApiKey } from './rotate-api-key.ts';
import {
  ApiKeyCreateSchema,
  ApiKeyIdParams,
  ApiKeyListQuery,
  ApiKeyPageSchema,
  ApiKeyRotateSchema,
  ApiKeyRotatedSchema,
  ApiKeySchema,
  ApiKeyWithSecretSchema,
  DEFAULT_ROTATION_GRACE_SECONDS,
} from './api-key-schema.ts';

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
const keyNotFound = (id: string) => new ApiError('NOT_FOUND', `no key ${id}`);

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

  const partner = { access: access.partner() };
  /** Responses that show a new API key (once) must not be cached anywhere. */
  const partnerShowingSecrets = { ...partner, carriesSecret: true };

  r.get('/api/v1/keys', {
    config: partner,
    schema: {
      operationId: 'listApiKeys',
      tags: ['Partner'],
      summary: 'Your API keys (never the keys themselves)',
      description: 'Your keys, newest first: name, prefix, status, last use. Filter by `status`; pass `next_cursor` as `cursor` for the next page.',
      querystring: ApiKeyListQuery,
      response: { 200: jsonResponse('A page of your keys, newest first', ApiKeyPageSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { status, limit, cursor } = request.query;
    return listApiKeys(deps, partnerOf(request).id, { status }, { limit, cursor });
  });

  r.post('/api/v1/keys', {
    config: { ...partnerShowingSecrets, idempotent: true },
    schema: {
      operationId: 'createApiKey',
      tags: ['Partner'],
      summary: 'Create an API key (returned once)',
      description: `A new key with your scopes and rate limit. The key is in this response only: only its hash is stored. At most ${MAX_ACTIVE_KEYS} active keys.`,
      body: ApiKeyCreateSchema,
      response: { 201: jsonResponse('The new key with `api_key`, shown this once', ApiKeyWithSecretSchema), ...errorResponses(400, 401, 409) },
    },
  }, async (request, reply) => {
    const { id, actor } = partnerOf(request);
    const result = await createApiKey(deps, id, request.body.name, actor);
    if (!result.ok) throw new ApiError('CONFLICT', result.message, { reason: result.code });
    reply.code(201);
    return result.key;
  });

  r.post('/api/v1/keys/:id/rotate', {
    config: { ...partnerShowingSecrets, idempotent: true },
    schema: {
      operationId: 'rotateApiKey',
      tags: ['Partner'],
      summary: 'Replace an API key (the new one returned once); the old one works on for a grace period',
      description: `Issues a new key of the same name. The old key keeps working for \`grace_period_seconds\` (default ${DEFAULT_ROTATION_GRACE_SECONDS} = 24 h, at most 7 days; 0: it stops at once), then answers 401, as do the access tokens and console sessions obtained with it. Only an active key is rotated (409 otherwise).`,
      params: ApiKeyIdParams,
      body: ApiKeyRotateSchema.nullish(),
      response: { 200: jsonResponse('The new key with `api_key`, shown this once, and the key it replaces', ApiKeyRotatedSchema), ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request) => {
    const { id, actor } = partnerOf(request);
    const grace = request.body?.grace_period_seconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
    const result = await rotateApiKey(deps, id, request.params.id, grace, actor);
    if (!result.ok) {
      if (result.code === 'NOT_FOUND') throw keyNotFound(request.params.id);
      throw new ApiError('CONFLICT', result.message, { reason: result.code });
    }
    deps.authCache?.forget(id);
    return result.key;
  });

  r.post('/api/v1/keys/:id/disable', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'disableApiKey',
      tags: ['Partner'],
      summary: 'Disable an API key (it answers 401 from now on)',
      description: 'Disables the key for good: the access tokens issued with it are refused and the console sessions signed in with it are revoked, at once. Your last active key is not disabled (409): create or rotate to another one first, so you are never locked out.',
      params: ApiKeyIdParams,
      response: { 200: jsonResponse('The key, now disabled', ApiKeySchema), ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request) => {
    const { id, actor } = partnerOf(request);
    const result = await disableApiKey(deps, id, request.params.id, actor);
    if (!result.ok) {
      if (result.code === 'NOT_FOUND') throw keyNotFound(request.params.id);
      throw new ApiError('CONFLICT', result.message, { reason: result.code });
    }
    deps.authCache?.forget(id);
    return result.key;
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
      summary: 'Replace the API keys by one new key (returned once); the old keys stop working at once',
      description: 'For a leaked or lost key: disables every key of the partner and issues one new API key; the old keys, every access token issued with them and the console sessions signed in with them stop working at once.',
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
