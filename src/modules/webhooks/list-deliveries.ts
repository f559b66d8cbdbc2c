import { outboxResourceFields, selectOutboxPage } from '#platform/db/outbox.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { DeliveryStatus, WebhookAttempt, WebhookDelivery } from './schema.ts';

export type DeliveryFilter = { clientId?: string; status?: DeliveryStatus; eventType?: string };
export type Page = { limit: number; cursor?: string };
export type DeliveryPage = { data: WebhookDelivery[]; next_cursor: string | null };

type DeliveryRow = {
  id: string;
  client_id: string;
  event_type: string;
  subject_id: string | null;
  status: DeliveryStatus;
  payload: Record<string, unknown>;
  created_at: Date;
  next_attempt_at: Date;
  delivered_at: Date | null;
  dead_at: Date | null;
  attempts_total: number;
  last_error: string | null;
};

type AttemptRow = {
  delivery_id: string;
  attempt: number;
  attempted_at: Date;
  url: string;
  outcome: WebhookAttempt['outcome'];
  status_code: number | null;
  latency_ms: number;
  error_code: string | null;
  error_message: string | null;
  response_body: string;
  response_body_truncated: boolean;
};

const DELIVERY_COLUMNS = 'id, client_id, event_type, subject_id, status, payload, created_at, next_attempt_at, delivered_at, dead_at, attempts_total, last_error';

/** Deliveries newest first, each with its attempts; `cursor` is the last id of the previous page. */
export async function listDeliveries(deps: { pool: Pool }, filter: DeliveryFilter, page: Page): Promise<DeliveryPage> {
  const { rows, nextCursor } = await selectOutboxPage<DeliveryRow>(deps.pool, { table: 'webhooks_outbox', columns: DELIVERY_COLUMNS }, filter, page);
  return { data: await withAttempts(deps, rows), next_cursor: nextCursor };
}

/** One delivery with its attempts; `clientId` restricts it to that partner's own. */
export async function getDelivery(deps: { pool: Pool }, id: string, clientId?: string): Promise<WebhookDelivery | undefined> {
  const { rows } = await deps.pool.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhooks_outbox WHERE id = $1 AND ($2::text IS NULL OR client_id = $2)`,
    [id, clientId ?? null],
  );
  return (await withAttempts(deps, rows))[0];
}

async function withAttempts(deps: { pool: Pool }, rows: DeliveryRow[]): Promise<WebhookDelivery[]> {
  if (rows.length === 0) return [];
  const attempts = await deps.pool.query<AttemptRow>(
    `SELECT delivery_id, attempt, attempted_at, url, outcome, status_code, latency_ms, error_code, error_message, response_body, response_body_truncated
       FROM webhook_attempts WHERE delivery_id = ANY($1::text[]) ORDER BY delivery_id, attempt`,
    [rows.map((row) => row.id)],
  );
  const byDelivery = Map.groupBy(attempts.rows, (attempt) => attempt.delivery_id);
  return rows.map((row) => toDelivery(row, byDelivery.get(row.id) ?? []));
}

function toDelivery(row: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery {
  return {
    ...outboxResourceFields(row),
    delivered_at: row.delivered_at?.toISOString() ?? null,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      attempted_at: a.attempted_at.toISOString(),
      url: a.url,
      outcome: a.outcome,
      status_code: a.status_code,
      latency_ms: a.latency_ms,
      error_code: a.error_code,
      error: a.error_message,
      response_body: a.response_body,
      response_body_truncated: a.response_body_truncated,
    })),
  };
}
