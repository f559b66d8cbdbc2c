import type { PoolClient } from '#platform/db/pool.ts';
import type { Statement } from '#platform/db/statement.ts';
import { newId } from '#platform/ids.ts';
import { captureTraceContext, type TraceContext } from '#platform/telemetry/tracing.ts';
import { clientEnabledSql } from '#modules/clients/find-disabled-client-ids.ts';

export type WebhookEvent = {
  clientId: string;
  /** e.g. `proof.verified`, `proof.failed`, `webhook.test`. */
  type: string;
  subjectId: string | null;
  payload: Record<string, unknown>;
  /** The trace its delivery continues; by default the active one (a group commit passes each item's own). */
  traceContext?: TraceContext | undefined;
};

/**
 * Writes the event to the outbox on the caller's transaction, so it exists exactly when the
 * outcome it announces commits. Partners without a webhook endpoint, and disabled ones, get no row.
 * Returns the delivery id (`whk_...`, also the Standard Webhooks `webhook-id`).
 */
export async function enqueueWebhookEvent(tx: PoolClient, event: WebhookEvent): Promise<string | undefined> {
  const [id] = await enqueueWebhookEvents(tx, [event]);
  return id;
}

/** Several events in one statement whatever their number (a group commit of many requests' outcomes); ids in order. */
export async function enqueueWebhookEvents(tx: PoolClient, events: readonly WebhookEvent[]): Promise<(string | undefined)[]> {
  if (events.length === 0) return [];
  const { statement, ids } = webhookEventsStatement(events);
  const queued = await tx.query<{ id: string }>({ ...statement, name: 'webhooks-enqueue-events-returning', text: `${statement.text} RETURNING id` });
  const written = new Set(queued.rows.map((row) => row.id));
  return ids.map((id) => (written.has(id) ? id : undefined));
}

/**
 * enqueueWebhookEvents as a statement, for a caller that composes its writes into one (see
 * composeStatements): each event has an id, and a row only if its partner receives webhooks.
 */
export function webhookEventsStatement(events: readonly WebhookEvent[]): { statement: Statement; ids: string[] } {
  const ids = events.map(() => newId('whk'));
  const active = captureTraceContext();
  const statement = {
    name: 'webhooks-enqueue-events',
    // The partner's endpoint and its account's state are read in the statement, so no event is
    // queued for a partner whose endpoint or account is gone (disabled) when it commits.
    text: `INSERT INTO webhooks_outbox (id, client_id, event_type, subject_id, payload, trace_context)
           SELECT id, client_id, event_type, subject_id, payload::json, trace_context::jsonb
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             AS queued (id, client_id, event_type, subject_id, payload, trace_context)
            WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.client_id = queued.client_id) AND ${clientEnabledSql('queued.client_id')}`,
    values: [
      ids,
      events.map((event) => event.clientId),
      events.map((event) => event.type),
      events.map((event) => event.subjectId),
      events.map((event) => JSON.stringify(event.payload)),
      events.map((event) => {
        const traceContext = event.traceContext ?? active;
        return traceContext ? JSON.stringify(traceContext) : null;
      }),
    ],
  };
  return { statement, ids };
}
