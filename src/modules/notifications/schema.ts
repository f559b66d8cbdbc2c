import { z } from 'zod';
import { IdParam } from '#platform/http/schemas.ts';
import { NOTIFICATION_EVENTS } from './notification-events.ts';

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'dead'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

const NotificationId = IdParam('ntf');
const ClientId = IdParam('cli');
const EventType = z.enum(NOTIFICATION_EVENTS);

/**
 * One mailbox (`local@domain`), nothing an SMTP envelope or header could misread: no display
 * name, no second address, no spaces or line breaks, a dotted domain name.
 */
export const EmailAddress = z
  .string()
  .max(254)
  .regex(/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/, 'must be one e-mail address (local@domain.tld)')
  .refine((value) => !value.startsWith('.') && !value.split('@')[0]!.endsWith('.') && !value.includes('..'), 'must be one e-mail address (local@domain.tld)');

export const NotificationSettingsRequestSchema = z
  .strictObject({
    email: EmailAddress.describe('Where the e-mails go'),
    events: z.array(EventType).min(1).max(NOTIFICATION_EVENTS.length).optional().describe('Which events are e-mailed; default every one'),
  })
  .meta({ id: 'NotificationSettingsRequest' });

export const NotificationSettingsSchema = z
  .object({
    email: z.string().nullable().describe('null: no e-mails'),
    events: z.array(EventType),
    enabled: z.boolean().describe('Whether this platform sends e-mail at all (SMTP configured by the operator)'),
  })
  .meta({ id: 'NotificationSettings' });

export const NotificationAttemptSchema = z
  .object({
    attempt: z.number().int().describe('1 for the first attempt; numbering continues across resends'),
    attempted_at: z.string(),
    recipient: z.string(),
    outcome: z.enum(['sent', 'failed']),
    smtp_code: z.number().int().nullable().describe('The SMTP reply code (250 when accepted), when the server gave one'),
    pdf: z.enum(['attached', 'linked']).nullable().describe('certificate.issued: whether the PDF was attached or linked'),
    latency_ms: z.number().int(),
    error_code: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'NotificationAttempt' });

export const NotificationSchema = z
  .object({
    id: z.string().describe('Notification id (`ntf_...`), also the e-mail\'s Message-ID (`<ntf_...@veridity>`) on every attempt'),
    client_id: z.string(),
    event_type: EventType,
    subject_id: z.string().nullable(),
    status: z.enum(NOTIFICATION_STATUSES),
    payload: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    next_attempt_at: z.string().nullable().describe('Set while pending'),
    sent_at: z.string().nullable(),
    dead_at: z.string().nullable(),
    attempt_count: z.number().int(),
    last_error: z.string().nullable(),
    attempts: z.array(NotificationAttemptSchema),
  })
  .meta({ id: 'Notification' });

export const NotificationPageSchema = z
  .object({
    data: z.array(NotificationSchema),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
  })
  .meta({ id: 'NotificationPage' });

const PageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: NotificationId.optional().describe('`next_cursor` of the previous page'),
};

export const NotificationListQuery = z.strictObject({ status: z.enum(NOTIFICATION_STATUSES).optional(), ...PageQuery });
export const DeadNotificationListQuery = z.strictObject({ client_id: ClientId.optional(), event_type: EventType.optional(), ...PageQuery });
export const NotificationIdParams = z.strictObject({ id: NotificationId });

export const NotificationRedriveRequestSchema = z
  .strictObject({
    notification_ids: z.array(NotificationId).min(1).max(1000).optional(),
    client_id: ClientId.optional(),
    event_type: EventType.optional(),
    all: z.literal(true).optional().describe('Required to redrive every dead notification when no filter is given'),
  })
  .refine((body) => body.all === true || body.notification_ids !== undefined || body.client_id !== undefined || body.event_type !== undefined, 'give notification_ids, client_id or event_type, or all: true')
  .meta({ id: 'NotificationRedriveRequest' });

export const NotificationRedriveResultSchema = z.object({ redriven: z.number().int().describe('Dead notifications queued again') }).meta({ id: 'NotificationRedriveResult' });

export type NotificationSettingsRequest = z.infer<typeof NotificationSettingsRequestSchema>;
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;
export type Notification = z.infer<typeof NotificationSchema>;
export type NotificationRedriveRequest = z.infer<typeof NotificationRedriveRequestSchema>;
