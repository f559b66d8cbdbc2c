import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { HttpUrl } from '#platform/http/schemas.ts';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const DeliveryId = z.string().regex(/^whk_[0-9a-z]{26}$/, 'must be a delivery id (whk_...)');
const ClientId = z.string().regex(/^cli_[0-9a-z]{26}$/, 'must be a client id (cli_...)');

export const WebhookAttemptSchema = z
  .object({
    attempt: z.number().int().describe('1 for the first attempt; numbering continues across redeliveries'),
    attempted_at: z.string().describe('ISO 8601'),
    url: z.string(),
    outcome: z.enum(['delivered', 'failed', 'refused']).describe('refused: not sent, the destination is not allowed (SSRF guard)'),
    status_code: z.number().int().nullable(),
    latency_ms: z.number().int(),
    error_code: z.string().nullable(),
    error: z.string().nullable(),
    response_body: z.string().describe('At most 1 KiB of the response body'),
    response_body_truncated: z.boolean(),
  })
  .meta({ id: 'WebhookAttempt' });

export const WebhookDeliverySchema = z
  .object({
    id: z.string().describe('Delivery id (`whk_...`), sent as the `webhook-id` header on every attempt'),
    client_id: z.string(),
    event_type: z.string(),
    subject_id: z.string().nullable(),
    status: z.enum(DELIVERY_STATUSES),
    payload: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    next_attempt_at: z.string().nullable().describe('Set while pending'),
    delivered_at: z.string().nullable(),
    dead_at: z.string().nullable(),
    attempt_count: z.number().int(),
    last_error: z.string().nullable(),
    attempts: z.array(WebhookAttemptSchema),
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveryPageSchema = z
  .object({
    data: z.array(WebhookDeliverySchema),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
  })
  .meta({ id: 'WebhookDeliveryPage' });

const PageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: DeliveryId.optional().describe('`next_cursor` of the previous page'),
};

export const DeliveryListQuery = z.strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), ...PageQuery });
export const DeadLetterListQuery = z.strictObject({ client_id: ClientId.optional(), event_type: z.string().max(100).optional(), ...PageQuery });
export const DeliveryIdParams = z.strictObject({ id: DeliveryId });

export const RedriveRequestSchema = z
  .strictObject({
    delivery_ids: z.array(DeliveryId).min(1).max(1000).optional(),
    client_id: ClientId.optional(),
    event_type: z.string().max(100).optional(),
    all: z.literal(true).optional().describe('Required to redrive every dead delivery when no filter is given'),
  })
  .refine((body) => body.all === true || body.delivery_ids !== undefined || body.client_id !== undefined || body.event_type !== undefined, 'give delivery_ids, client_id or event_type, or all: true')
  .meta({ id: 'WebhookRedriveRequest' });

export const RedriveResultSchema = z.object({ redriven: z.number().int().describe('Dead deliveries queued again') }).meta({ id: 'WebhookRedriveResult' });

export const TestEventResultSchema = z
  .object({ delivery_id: z.string(), status: z.literal('pending') })
  .meta({ id: 'WebhookTestResult', examples: [{ delivery_id: EXAMPLE.deliveryId, status: 'pending' }] });

export const RotatedSecretSchema = z
  .object({
    webhook_secret: z.string().describe('The new secret, shown once'),
    previous_secret_expires_at: z.string().describe('Until then, every webhook carries a signature with the old secret too'),
  })
  .meta({ id: 'WebhookSecretRotated' });

export const WebhookEndpointSchema = z
  .object({
    url: z.string().nullable(),
    disabled_at: z.string().nullable().describe('Set when the receiver answered 410 Gone; setting the URL again (PUT /api/v1/webhooks/endpoint) re-enables it'),
    disabled_reason: z.string().nullable(),
    previous_secret_expires_at: z.string().nullable().describe('While set, webhooks are signed with the previous secret too'),
  })
  .meta({ id: 'WebhookEndpoint' });

export const WebhookEndpointUpdateSchema = z
  .strictObject({ url: HttpUrl.describe('Where your events are sent: an http(s) URL on the public internet') })
  .meta({ id: 'WebhookEndpointUpdate', examples: [{ url: 'https://hooks.example.com/veridity' }] });

export const WebhookEndpointSetSchema = WebhookEndpointSchema.extend({
  webhook_secret: z.string().optional().describe('The signing secret, shown once: only when this was your first URL (changing it keeps the secret)'),
}).meta({ id: 'WebhookEndpointSet' });

export type RedriveRequest = z.infer<typeof RedriveRequestSchema>;
export type WebhookAttempt = z.infer<typeof WebhookAttemptSchema>;
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
export type WebhookEndpointState = z.infer<typeof WebhookEndpointSchema>;
