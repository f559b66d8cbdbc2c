import type { Pool } from '#platform/db/pool.ts';
import type { ActorType, AuditEvent } from './schema.ts';

export type AuditEventFilter = {
  clientId?: string | undefined;
  /** Exact, or every action under it when it ends in a dot. */
  action?: string | undefined;
  actorType?: ActorType | undefined;
  actorId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
};
export type AuditEventPage = { data: AuditEvent[]; next_cursor: string | null };

type AuditRow = {
  id: string;
  at: Date;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  request_id: string | null;
};

/**
 * Audit events newest first (ids are time-ordered); `cursor` is the last id of the previous page.
 * A partner's events are those whose target or actor is its id: ids are type-prefixed, so a
 * `cli_...` in either column can only be that partner.
 */
export async function listAuditEvents(deps: { pool: Pool }, filter: AuditEventFilter, page: { limit: number; cursor?: string | undefined }): Promise<AuditEventPage> {
  const { rows } = await deps.pool.query<AuditRow>(
    `SELECT id, at, actor_type, actor_id, action, target_type, target_id, details, host(ip) AS ip, request_id
       FROM audit_logs
      WHERE ($1::text IS NULL OR target_id = $1 OR actor_id = $1)
        AND ($2::text IS NULL OR action = $2)
        AND ($3::text IS NULL OR action LIKE $3)
        AND ($4::text IS NULL OR actor_type = $4)
        AND ($5::text IS NULL OR actor_id = $5)
        AND ($6::timestamptz IS NULL OR at >= $6)
        AND ($7::timestamptz IS NULL OR at < $7)
        AND ($8::text IS NULL OR id < $8)
      ORDER BY id DESC
      LIMIT $9`,
    [
      filter.clientId ?? null,
      filter.action && !filter.action.endsWith('.') ? filter.action : null,
      filter.action?.endsWith('.') ? `${filter.action.replaceAll('_', '\\_')}%` : null,
      filter.actorType ?? null,
      filter.actorId ?? null,
      filter.since ?? null,
      filter.until ?? null,
      page.cursor ?? null,
      page.limit + 1,
    ],
  );
  const shown = rows.slice(0, page.limit);
  return { data: shown.map(toAuditEvent), next_cursor: rows.length > page.limit ? shown.at(-1)!.id : null };
}

function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    client_id: partnerOf(row),
    details: row.details,
    ip: row.ip,
    request_id: row.request_id,
  };
}

function partnerOf(row: AuditRow): string | null {
  if (row.target_id?.startsWith('cli_')) return row.target_id;
  return row.actor_type === 'partner' ? row.actor_id : null;
}
