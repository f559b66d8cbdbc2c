import { outboxResourceFields, selectOutboxPage } from '#platform/db/outbox.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { NotificationEventType } from './notification-events.ts';
import type { Notification, NotificationStatus } from './schema.ts';

export type NotificationFilter = { clientId?: string; status?: NotificationStatus; eventType?: NotificationEventType };
export type NotificationPage = { data: Notification[]; next_cursor: string | null };

type NotificationRow = {
  id: string;
  client_id: string;
  event_type: NotificationEventType;
  subject_id: string | null;
  status: NotificationStatus;
  payload: Record<string, unknown>;
  created_at: Date;
  next_attempt_at: Date;
  sent_at: Date | null;
  dead_at: Date | null;
  attempts_total: number;
  last_error: string | null;
};

type AttemptRow = {
  notification_id: string;
  attempt: number;
  attempted_at: Date;
  recipient: string;
  outcome: 'sent' | 'failed';
  smtp_code: number | null;
  pdf: 'attached' | 'linked' | null;
  latency_ms: number;
  error_code: string | null;
  error_message: string | null;
};

const COLUMNS = 'id, client_id, event_type, subject_id, status, payload, created_at, next_attempt_at, sent_at, dead_at, attempts_total, last_error';

/** Notifications newest first, each with its attempts; `cursor` is the last id of the previous page. */
export async function listNotifications(deps: { pool: Pool }, filter: NotificationFilter, page: { limit: number; cursor?: string }): Promise<NotificationPage> {
  const { rows, nextCursor } = await selectOutboxPage<NotificationRow>(deps.pool, { table: 'notifications_outbox', columns: COLUMNS }, filter, page);
  return { data: await withAttempts(deps, rows), next_cursor: nextCursor };
}

/** One notification with its attempts; `clientId` restricts it to that partner's own. */
export async function getNotification(deps: { pool: Pool }, id: string, clientId?: string): Promise<Notification | undefined> {
  const { rows } = await deps.pool.query<NotificationRow>(`SELECT ${COLUMNS} FROM notifications_outbox WHERE id = $1 AND ($2::text IS NULL OR client_id = $2)`, [id, clientId ?? null]);
  return (await withAttempts(deps, rows))[0];
}

async function withAttempts(deps: { pool: Pool }, rows: NotificationRow[]): Promise<Notification[]> {
  if (rows.length === 0) return [];
  const attempts = await deps.pool.query<AttemptRow>(
    `SELECT notification_id, attempt, attempted_at, recipient, outcome, smtp_code, pdf, latency_ms, error_code, error_message
       FROM notification_attempts WHERE notification_id = ANY($1::text[]) ORDER BY notification_id, attempt`,
    [rows.map((row) => row.id)],
  );
  const byNotification = Map.groupBy(attempts.rows, (attempt) => attempt.notification_id);
  return rows.map((row) => ({
    ...outboxResourceFields(row),
    sent_at: row.sent_at?.toISOString() ?? null,
    attempts: (byNotification.get(row.id) ?? []).map((a) => ({
      attempt: a.attempt,
      attempted_at: a.attempted_at.toISOString(),
      recipient: a.recipient,
      outcome: a.outcome,
      smtp_code: a.smtp_code,
      pdf: a.pdf,
      latency_ms: a.latency_ms,
      error_code: a.error_code,
      error: a.error_message,
    })),
  }));
}
