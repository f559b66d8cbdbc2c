import type { PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { captureTraceContext, type TraceContext } from '#platform/telemetry/tracing.ts';
import { findDisabledClientIds } from '#modules/clients/find-disabled-client-ids.ts';

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

/** Several events in three statements whatever their number (a group commit of many requests' outcomes); ids in order. */
export async function enqueueWebhookEvents(tx: PoolClient, events: readonly WebhookEvent[]): Promise<(string | undefined)[]> {
  if (events.length === 0) return [];
  const clientIds = [...new Set(events.map((event) => event.clientId))];
  const endpoints = await tx.query<{ client_id: string }>({
    name: 'webhooks-endpoints-of-clients',
    text: 'SELECT client_id FROM webhook_endpoints WHERE client_id = ANY($1::text[])',
    values: [clientIds],
  });
  const withEndpoint = endpoints.rows.map((row) => row.client_id);
  const disabled = withEndpoint.length > 0 ? await findDisabledClientIds(tx, withEndpoint) : new Set<string>();
  const receiving = new Set(withEndpoint.filter((clientId) => !disabled.has(clientId)));
  const ids = events.map((event) => (receiving.has(event.clientId) ? newId('whk') : undefined));
  const queued = events.flatMap((event, index) => (ids[index] ? [{ id: ids[index], event }] : []));
  if (queued.length > 0) {
    const active = captureTraceContext();
    await tx.query({
      name: 'webhooks-enqueue-events',
      text: `INSERT INTO webhooks_outbox (id, client_id, event_type, subject_id, payload, trace_context)
             SELECT id, client_id, event_type, subject_id, payload::json, trace_context::jsonb
               FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
               AS queued (id, client_id, event_type, subject_id, payload, trace_context)`,
      values: [
        queued.map((row) => row.id),
        queued.map((row) => row.event.clientId),
        queued.map((row) => row.event.type),
        queued.map((row) => row.event.subjectId),
        queued.map((row) => JSON.stringify(row.event.payload)),
        queued.map((row) => {
          const traceContext = row.event.traceContext ?? active;
          return traceContext ? JSON.stringify(traceContext) : null;
        }),
      ],
    });
  }
  return ids;
}
