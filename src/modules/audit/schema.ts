import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { IdParam } from '#platform/http/schemas.ts';

export const ACTOR_TYPES = ['admin', 'partner', 'system', 'cli'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/**
 * Actions are dotted lower-case names (`client.key_rotated`); one ending in a dot (`client.`)
 * selects every action under it. Nothing else, so the value is safe in a LIKE pattern once `_`
 * is escaped.
 */
export const ACTION_FILTER = /^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/;

export const AuditEventSchema = z
  .object({
    id: z.string().describe('Audit event id (`aud_...`), time-ordered'),
    at: z.string().describe('When the change was made (ISO 8601)'),
    actor_type: z.enum(ACTOR_TYPES).describe('admin: an operator (admin token or console session); partner: a partner\'s key or session; cli / system: the command line or the platform itself'),
    actor_id: z.string().nullable().describe('The admin token (`adm_...`, `env` for VERIDITY_ADMIN_TOKEN) or console session (`ses_...`) of an operator; the partner (`cli_...`); null for cli and system'),
    action: z.string().describe('What was done, `<subject>.<verb>` (`client.created`, `client.key_rotated`)'),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    client_id: z.string().nullable().describe('The partner the event concerns (its target or its actor), when there is one'),
    details: z.record(z.string(), z.unknown()).describe('What changed: field names and non-secret values, as recorded (never keys or secrets)'),
    ip: z.string().nullable().describe('Client IP of the request that made the change'),
    request_id: z.string().nullable().describe('`X-Request-Id` of that request, to find it in the logs'),
  })
  .meta({
    id: 'AuditEvent',
    examples: [
      {
        id: 'aud_01m8r4pv8dfq1c4b5n7x2k9w3e',
        at: EXAMPLE.time,
        actor_type: 'admin',
        actor_id: 'env',
        action: 'client.key_rotated',
        target_type: 'api_client',
        target_id: EXAMPLE.clientId,
        client_id: EXAMPLE.clientId,
        details: { key_prefix: 'vk_3Yq9T0b7' },
        ip: '203.0.113.7',
        request_id: EXAMPLE.requestId,
      },
    ],
  });

export const AuditEventPageSchema = z
  .object({
    data: z.array(AuditEventSchema),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
  })
  .meta({ id: 'AuditEventPage' });

export const AuditEventListQuery = z
  .strictObject({
    client_id: IdParam('cli').optional().describe('Events about this partner: it is their target or their actor'),
    action: z.string().max(100).regex(ACTION_FILTER, 'must be an action (client.created) or an action prefix ending in a dot (client.)').optional()
      .describe('An exact action (`client.key_rotated`) or, ending in a dot, every action under it (`client.`)'),
    actor_type: z.enum(ACTOR_TYPES).optional(),
    actor_id: z.string().min(1).max(100).optional().describe('An admin token id, `env`, a console session id or a partner id'),
    since: z.iso.datetime({ offset: true }).optional().describe('Events at or after this instant'),
    until: z.iso.datetime({ offset: true }).optional().describe('Events before this instant'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: IdParam('aud').optional().describe('`next_cursor` of the previous page'),
  })
  .refine((q) => !q.since || !q.until || new Date(q.since) < new Date(q.until), { message: 'must be after since', path: ['until'] });

export type AuditEvent = z.infer<typeof AuditEventSchema>;
