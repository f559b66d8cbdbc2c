import type { Pool } from './pool.ts';

/**
 * Queries shared by the outbox tables (`webhooks_outbox`, `notifications_outbox`): rows with
 * `id` (time-ordered), `client_id`, `event_type`, `status` and, while pending, `next_attempt_at`.
 * `table` and `columns` are the caller's constants, never input.
 */
export type OutboxFilter = { clientId?: string; status?: string; eventType?: string };

/** A page of rows newest first; `cursor` is the last id of the previous page, `nextCursor` null on the last page. */
export async function selectOutboxPage<Row extends { id: string }>(
  pool: Pool,
  source: { table: string; columns: string },
  filter: OutboxFilter,
  page: { limit: number; cursor?: string },
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const { rows } = await pool.query<Row>(
    `SELECT ${source.columns} FROM ${source.table}
      WHERE ($1::text IS NULL OR client_id = $1)
        AND ($2::text IS NULL OR status = $2)
        AND ($3::text IS NULL OR event_type = $3)
        AND ($4::text IS NULL OR id < $4)
      ORDER BY id DESC
      LIMIT $5`,
    [filter.clientId ?? null, filter.status ?? null, filter.eventType ?? null, page.cursor ?? null, page.limit + 1],
  );
  const shown = rows.slice(0, page.limit);
  return { rows: shown, nextCursor: rows.length > page.limit ? shown.at(-1)!.id : null };
}

/**
 * Whether a pending row is due, by the worker's clock (injectable: it drives the retry schedule)
 * or the database's (rows are stamped with its now()): a cheap probe, so idle workers open no transaction.
 */
export async function hasDueOutboxRows(pool: Pool, table: string, now: Date): Promise<boolean> {
  const { rows } = await pool.query<{ due: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table} WHERE status = 'pending' AND next_attempt_at <= greatest($1::timestamptz, now())) AS due`, [now]);
  return rows[0]?.due === true;
}

/**
 * The oldest due rows (alias `o`, joined with `join`), locked for the whole attempt: another worker
 * skips them, and if this process dies its connection closes, the transaction rolls back and the rows
 * are due again. Parameters: $1 the worker's now, $2 the batch size.
 */
export function claimDueOutboxSql(source: { table: string; columns: string; join: string }): string {
  return `
  SELECT ${source.columns}
    FROM ${source.table} o
    ${source.join}
   WHERE o.status = 'pending' AND o.next_attempt_at <= greatest($1::timestamptz, now())
   ORDER BY o.next_attempt_at
   LIMIT $2
     FOR UPDATE OF o SKIP LOCKED`;
}

type OutboxRow = {
  id: string;
  client_id: string;
  event_type: string;
  subject_id: string | null;
  status: string;
  payload: Record<string, unknown>;
  created_at: Date;
  next_attempt_at: Date;
  dead_at: Date | null;
  attempts_total: number;
  last_error: string | null;
};

/** The fields every outbox resource shows (`next_attempt_at` only while pending). */
export function outboxResourceFields<Row extends OutboxRow>(row: Row) {
  return {
    id: row.id,
    client_id: row.client_id,
    event_type: row.event_type as Row['event_type'],
    subject_id: row.subject_id,
    status: row.status as Row['status'],
    payload: row.payload,
    created_at: row.created_at.toISOString(),
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    dead_at: row.dead_at?.toISOString() ?? null,
    attempt_count: row.attempts_total,
    last_error: row.last_error,
  };
}
