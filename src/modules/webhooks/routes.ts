import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import { partnerOf } from '#modules/clients/partner-auth.ts';
import { getWebhookEndpoint } from './get-webhook-endpoint.ts';
import { getDelivery, listDeliveries } from './list-deliveries.ts';
import { redeliverWebhook } from './redeliver-webhook.ts';
import { redriveDeadWebhooks } from './redrive-dead-webhooks.ts';
import { requireAllowedWebhookUrl } from './require-allowed-webhook-url.ts';
import { rotateWebhookSecret } from './rotate-webhook-secret.ts';
import { setWebhookEndpoint } from './set-webhook-endpoint.ts';
import type { WebhookUrlPolicy } from './check-configured-webhook-url.ts';
import {
  DeadLetterListQuery,
  DeliveryIdParams,
  DeliveryListQuery,
  RedriveRequestSchema,
  RedriveResultSchema,
  RotatedSecretSchema,
  TestEventResultSchema,
  WebhookDeliveryPageSchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
  WebhookEndpointSetSchema,
  WebhookEndpointUpdateSchema,
} from './schema.ts';
import { sendTestWebhook } from './send-test-webhook.ts';

export type WebhookRouteDeps = { pool: Pool; clock: Clock; secretBox: SecretBox; webhookUrlPolicy: WebhookUrlPolicy };

const partner = { access: access.partner() };
const admin = { access: access.admin };

/** Partner webhook endpoints (/api/v1/webhooks/...) and the operator's dead-letter tools. */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/webhooks/test', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'sendTestWebhook',
      tags: ['Partner'],
      summary: 'Send a webhook.test event to your endpoint',
      description: 'Queues a signed `webhook.test` event (`{event, ts}`) for delivery; follow it in GET /api/v1/webhooks/deliveries.',
      response: { 202: jsonResponse('The test event is queued for delivery', TestEventResultSchema), ...errorResponses(401, 409) },
    },
  }, async (request, reply) => {
    const result = await sendTestWebhook(deps, partnerOf(request).id);
    if (!result.ok) throw new ApiError('CONFLICT', result.message, { reason: result.code });
    reply.code(202);
    return { delivery_id: result.deliveryId, status: 'pending' as const };
  });

  r.get('/api/v1/webhooks/deliveries', {
    config: partner,
    schema: {
      operationId: 'listWebhookDeliveries',
      tags: ['Partner'],
      summary: 'Your webhook deliveries, newest first, with every attempt',
      description: 'Your deliveries, newest first, each with every attempt (status code, latency, the start of the response body). Filter by `status`; pass `next_cursor` as `cursor` for the next page.',
      querystring: DeliveryListQuery,
      response: { 200: jsonResponse('A page of deliveries, newest first', WebhookDeliveryPageSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { status, limit, cursor } = request.query;
    return listDeliveries(deps, { clientId: partnerOf(request).id, ...(status ? { status } : {}) }, { limit, ...(cursor ? { cursor } : {}) });
  });

  r.get('/api/v1/webhooks/deliveries/:id', {
    config: partner,
    schema: {
      operationId: 'getWebhookDelivery',
      tags: ['Partner'],
      summary: 'One of your webhook deliveries with every attempt',
      description: 'One of your deliveries (`whk_...`, the `webhook-id` header it was sent with); another partner\'s answers 404.',
      params: DeliveryIdParams,
      response: { 200: jsonResponse('The delivery with every attempt', WebhookDeliverySchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const delivery = await getDelivery(deps, request.params.id, partnerOf(request).id);
    if (!delivery) throw new ApiError('NOT_FOUND', `no delivery ${request.params.id}`);
    return delivery;
  });

  r.post('/api/v1/webhooks/deliveries/:id/redeliver', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'redeliverWebhook',
      tags: ['Partner'],
      summary: 'Deliver one of your events again now (same webhook-id, fresh round of attempts)',
      description: 'Sends the event again with the same `webhook-id` (receivers deduplicate on it) and a fresh round of 8 attempts. 409 while it is still pending.',
      params: DeliveryIdParams,
      response: { 202: jsonResponse('The delivery, pending again with a fresh round of attempts due now', WebhookDeliverySchema), ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request, reply) => {
    const clientId = partnerOf(request).id;
    const result = await redeliverWebhook(deps, clientId, request.params.id);
    if (!result.ok) {
      if (result.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', result.message);
      throw new ApiError('CONFLICT', result.message, { reason: result.code });
    }
    reply.code(202);
    return (await getDelivery(deps, request.params.id, clientId))!;
  });

  r.post('/api/v1/webhooks/rotate-secret', {
    config: { ...partner, carriesSecret: true, idempotent: true },
    schema: {
      operationId: 'rotateWebhookSecret',
      tags: ['Partner'],
      summary: 'Replace your webhook signing secret (shown once); the old one keeps signing for 24 h',
      description: 'For 24 h every webhook carries two signatures (old and new secret) in `webhook-signature` and `X-Veridity-Signature`, so the receiver can switch secrets without missing an event.',
      response: { 200: jsonResponse('The new secret, shown this once, and when the old one stops signing', RotatedSecretSchema), ...errorResponses(401, 409) },
    },
  }, async (request) => {
    const { id, actor } = partnerOf(request);
    const result = await rotateWebhookSecret(deps, id, actor);
    if (!result.ok) throw new ApiError('CONFLICT', result.message, { reason: result.code });
    return { webhook_secret: result.secret, previous_secret_expires_at: result.previousExpiresAt.toISOString() };
  });

  r.get('/api/v1/webhooks/endpoint', {
    config: partner,
    schema: {
      operationId: 'getWebhookEndpoint',
      tags: ['Partner'],
      summary: 'Your webhook endpoint: URL, disabled state, secret rotation window',
      description: 'Your webhook URL, whether it was disabled (the receiver answered 410 Gone) and the end of a secret rotation window.',
      response: { 200: jsonResponse('Your webhook endpoint', WebhookEndpointSchema), ...errorResponses(401) },
    },
  }, async (request) => {
    return getWebhookEndpoint(deps, partnerOf(request).id);
  });

  r.put('/api/v1/webhooks/endpoint', {
    config: { ...partner, carriesSecret: true },
    schema: {
      operationId: 'setWebhookEndpoint',
      tags: ['Partner'],
      summary: 'Set or change your webhook URL (the first one comes with its signing secret, shown once)',
      description: 'Changing the URL keeps the secret, so your receiver needs no new configuration; setting it again re-enables an endpoint disabled by a 410 Gone. Private, loopback and link-local destinations are refused (400).',
      body: WebhookEndpointUpdateSchema,
      response: { 200: jsonResponse('Your endpoint as set; `webhook_secret` only when this was your first URL', WebhookEndpointSetSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { id, actor } = partnerOf(request);
    await requireAllowedWebhookUrl(request.body.url, deps.webhookUrlPolicy, 'body.url');
    const { secret } = await setWebhookEndpoint(deps, id, request.body.url, actor);
    return { ...(await getWebhookEndpoint(deps, id)), ...(secret ? { webhook_secret: secret } : {}) };
  });

  r.get('/api/admin/webhooks/dead-letters', {
    config: admin,
    schema: {
      operationId: 'listDeadWebhooks',
      tags: ['Admin'],
      summary: 'Dead webhook deliveries (newest first), with every attempt',
      description: 'Deliveries that used up their attempts or met a 410, across partners; filter by `client_id` and `event_type`, page with `cursor`.',
      querystring: DeadLetterListQuery,
      response: { 200: jsonResponse('A page of dead deliveries, newest first', WebhookDeliveryPageSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { client_id, event_type, limit, cursor } = request.query;
    return listDeliveries(
      deps,
      { status: 'dead', ...(client_id ? { clientId: client_id } : {}), ...(event_type ? { eventType: event_type } : {}) },
      { limit, ...(cursor ? { cursor } : {}) },
    );
  });

  r.post('/api/admin/webhooks/dead-letters/redrive', {
    config: admin,
    schema: {
      operationId: 'redriveDeadWebhooks',
      tags: ['Admin'],
      summary: 'Queue dead deliveries again, in bulk',
      description: 'Selects dead deliveries by `delivery_ids`, `client_id` and/or `event_type` (all given filters apply), or every one with `{"all": true}`. Each gets a fresh round of attempts, due now.',
      body: RedriveRequestSchema,
      response: { 200: jsonResponse('How many dead deliveries were queued again', RedriveResultSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => redriveDeadWebhooks(deps, request.body, adminActor(request)));
}
