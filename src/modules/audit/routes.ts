import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Pool } from '#platform/db/pool.ts';
import { access } from '#platform/http/route-access.ts';
import { errorResponses, jsonResponse } from '#platform/http/schemas.ts';
import { listAuditEvents } from './list-audit-events.ts';
import { AuditEventListQuery, AuditEventPageSchema } from './schema.ts';

/** The operator's read of the audit trail (/api/admin/audit-events). */
export function registerAuditRoutes(app: FastifyInstance, deps: { pool: Pool }): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/admin/audit-events', {
    config: { access: access.admin },
    schema: {
      operationId: 'listAuditEvents',
      tags: ['Admin'],
      summary: 'Audit events (newest first), filtered by partner, action, actor and time',
      description:
        'Every recorded administrative change: who (`actor_type`, `actor_id`), what (`action`, target, `details` as recorded, never secrets), from where (`ip`, `request_id`). ' +
        'Filters combine: `client_id` (events whose target or actor is that partner), `action` (exact, or a prefix ending in a dot such as `client.`), `actor_type`, `actor_id`, `since` (inclusive) and `until` (exclusive). Page with `cursor`.',
      querystring: AuditEventListQuery,
      response: { 200: jsonResponse('A page of audit events, newest first', AuditEventPageSchema), ...errorResponses(400, 401) },
    },
  }, async (request) => {
    const { client_id, action, actor_type, actor_id, since, until, limit, cursor } = request.query;
    return listAuditEvents(
      deps,
      { clientId: client_id, action, actorType: actor_type, actorId: actor_id, since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined },
      { limit, cursor },
    );
  });
}
