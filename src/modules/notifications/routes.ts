import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { ApiError } from '#platform/http/errors.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { adminActor } from '#modules/admin/admin-auth.ts';
import { partnerOf } from '#modules/clients/partner-auth.ts';
import { configureNotificationSettings } from './configure-notification-settings.ts';
import { getNotificationSettings } from './get-notification-settings.ts';
import { getNotification, listNotifications } from './list-notifications.ts';
import { redriveDeadNotifications } from './redrive-dead-notifications.ts';
import { removeNotificationSettings } from './remove-notification-settings.ts';
import { resendNotification } from './resend-notification.ts';
import {
  DeadNotificationListQuery,
  NotificationIdParams,
  NotificationListQuery,
  NotificationPageSchema,
  NotificationRedriveRequestSchema,
  NotificationRedriveResultSchema,
  NotificationSchema,
  NotificationSettingsRequestSchema,
  NotificationSettingsSchema,
} from './schema.ts';

export type NotificationRouteDeps = {
  pool: Pool;
  clock: Clock;
  /** Whether SMTP_URL is set: without it nothing is queued, whatever a partner configured. */
  emailEnabled: boolean;
};

const TAGS = ['Notifications'];
const partner = { access: access.partner() };
const admin = { access: access.admin };

/** Partner e-mail settings and notifications (/api/v1/notifications/...), the operator's dead letters and redrive. */
export function registerNotificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/notifications/settings', {
    config: partner,
    schema: {
      operationId: 'getNotificationSettings',
      tags: TAGS,
      summary: 'Your notification address and the events e-mailed to it',
      description: '`email` is null when none is set; `enabled` is false when the operator has not configured SMTP (then nothing is e-mailed).',
      response: { 200: jsonResponse('Your notification settings', NotificationSettingsSchema), ...errorResponses(401) },
    },
  }, async (request) => getNotificationSettings(deps, partnerOf(request).id));

  r.put('/api/v1/notifications/settings', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'setNotificationSettings',
      tags: TAGS,
      summary: 'Set your notification address and which events are e-mailed',
      description: 'One address (`local@domain`); `events` among `certificate.issued` (with the signed PDF attached, or a link when it is large) and `evidence.rejected` (the code and what to fix); default both. Takes effect for outcomes decided from now on.',
      body: NotificationSettingsRequestSchema,
      response: { 200: jsonResponse('Your notification settings', NotificationSettingsSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { id, actor } = partnerOf(request);
    await configureNotificationSettings(deps, id, request.body, actor);
    return getNotificationSettings(deps, id);
  });

  r.delete('/api/v1/notifications/settings', {
    config: partner,
    schema: {
      operationId: 'removeNotificationSettings',
      tags: TAGS,
      summary: 'Stop e-mail notifications',
      description: 'Removes your address: nothing more is queued, and e-mails still queued go to the dead letters without an attempt.',
      response: { 200: jsonResponse('Your notification settings, now without an address', NotificationSettingsSchema), ...errorResponses(401, 404) },
    },
  }, async (request) => {
    const { id, actor } = partnerOf(request);
    if (!(await removeNotificationSettings(deps, id, actor))) throw new ApiError('NOT_FOUND', 'no notification address is set');
    return getNotificationSettings(deps, id);
  });

  r.get('/api/v1/notifications', {
    config: partner,
    schema: {
      operationId: 'listNotifications',
      tags: TAGS,
      summary: 'Your notification e-mails, newest first, with every attempt',
      description: 'Your e-mails, newest first, each with every SMTP attempt (reply code, whether the PDF was attached). Filter by `status`; pass `next_cursor` as `cursor` for the next page.',
      querystring: NotificationListQuery,
      response: { 200: jsonResponse('A page of notifications, newest first', NotificationPageSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { status, limit, cursor } = request.query;
    return listNotifications(deps, { clientId: partnerOf(request).id, ...(status ? { status } : {}) }, { limit, ...(cursor ? { cursor } : {}) });
  });

  r.get('/api/v1/notifications/:id', {
    config: partner,
    schema: {
      operationId: 'getNotification',
      tags: TAGS,
      summary: 'One of your notification e-mails with every attempt',
      description: "One of your notifications (`ntf_...`, the e-mail's Message-ID); another partner's answers 404.",
      params: NotificationIdParams,
      response: { 200: jsonResponse('The notification with every attempt', NotificationSchema), ...errorResponses(400, 401, 404) },
    },
  }, async (request) => {
    const notification = await getNotification(deps, request.params.id, partnerOf(request).id);
    if (!notification) throw new ApiError('NOT_FOUND', `no notification ${request.params.id}`);
    return notification;
  });

  r.post('/api/v1/notifications/:id/resend', {
    config: { ...partner, idempotent: true },
    schema: {
      operationId: 'resendNotification',
      tags: TAGS,
      summary: 'Send one of your notification e-mails again now (same Message-ID, fresh round of attempts)',
      description: 'Queues the e-mail again, to the address set now, with the same Message-ID and a fresh round of 8 attempts. 409 while it is being sent or when no address is set.',
      params: NotificationIdParams,
      response: { 202: jsonResponse('The notification, pending again with a fresh round of attempts due now', NotificationSchema), ...errorResponses(400, 401, 404, 409) },
    },
  }, async (request, reply) => {
    const clientId = partnerOf(request).id;
    const result = await resendNotification(deps, clientId, request.params.id);
    if (!result.ok) {
      if (result.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', result.message);
      throw new ApiError('CONFLICT', result.message, { reason: result.code });
    }
    reply.code(202);
    return (await getNotification(deps, request.params.id, clientId))!;
  });

  r.get('/api/admin/notifications/dead-letters', {
    config: admin,
    schema: {
      operationId: 'listDeadNotifications',
      tags: ['Admin'],
      summary: 'Dead notification e-mails (newest first), with every attempt',
      description: 'E-mails that used up their attempts, were refused for good (5xx), or had no address any more, across partners; filter by `client_id` and `event_type`, page with `cursor`.',
      querystring: DeadNotificationListQuery,
      response: { 200: jsonResponse('A page of dead notifications, newest first', NotificationPageSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { client_id, event_type, limit, cursor } = request.query;
    return listNotifications(
      deps,
      { status: 'dead', ...(client_id ? { clientId: client_id } : {}), ...(event_type ? { eventType: event_type } : {}) },
      { limit, ...(cursor ? { cursor } : {}) },
    );
  });

  r.post('/api/admin/notifications/dead-letters/redrive', {
    config: admin,
    schema: {
      operationId: 'redriveDeadNotifications',
      tags: ['Admin'],
      summary: 'Queue dead notification e-mails again, in bulk',
      description: 'Selects dead notifications by `notification_ids`, `client_id` and/or `event_type` (all given filters apply), or every one with `{"all": true}`. Each gets a fresh round of attempts, due now.',
      body: NotificationRedriveRequestSchema,
      response: { 200: jsonResponse('How many dead notifications were queued again', NotificationRedriveResultSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => redriveDeadNotifications(deps, request.body, adminActor(request)));
}
