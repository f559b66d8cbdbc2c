import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';

export type AggregateUsageResult = { events: number; batches: number };

const DEFAULT_BATCH_SIZE = 5000;

/**
 * Moves not-yet-aggregated usage events into the hourly `usage_records`. Each batch is one
 * transaction that marks its events aggregated AND adds them to the counts: a crash rolls back
 * both, and the events are picked up by the next run. Batches take their events `FOR UPDATE SKIP
 * LOCKED`, so two runs at once share the work and never add an event twice. A high-water mark on
 * the event id was not used: ids are drawn before commit, so a slow transaction could commit an
 * id below the mark and be skipped. Idempotent: with nothing left, a run changes nothing.
 * `now`: the aggregation time stamped on the events (the global manager passes its clock).
 */
export async function aggregateUsage(deps: { pool: Pool }, options: { now: Date; batchSize?: number; maxBatches?: number }): Promise<AggregateUsageResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let events = 0;
  let batches = 0;
  while (options.maxBatches === undefined || batches < options.maxBatches) {
    const moved = await inTransaction(deps.pool, (tx) => aggregateBatch(tx, options.now, batchSize));
    if (moved === 0) break;
    events += moved;
    batches++;
    if (moved < batchSize) break;
  }
  return { events, batches };
}

/** One batch on the caller's transaction: how many events it aggregated. */
export async function aggregateBatch(tx: PoolClient, now: Date, batchSize: number): Promise<number> {
  const { rows } = await tx.query<{ events: string | null }>(
    `WITH batch AS (
       SELECT id FROM usage_events WHERE aggregated_at IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
     ), marked AS (
       UPDATE usage_events e SET aggregated_at = $1 FROM batch WHERE e.id = batch.id
       RETURNING e.client_id, e.product, date_trunc('hour', e.at, 'UTC') AS window_start, e.outcome, COALESCE(e.claim_type, '') AS claim_type, e.quantity
     ), counted AS (
       INSERT INTO usage_records AS r (client_id, product, window_start, outcome, claim_type, quantity, events)
       SELECT client_id, product, window_start, outcome, claim_type, sum(quantity), count(*) FROM marked
        GROUP BY client_id, product, window_start, outcome, claim_type
       ON CONFLICT (client_id, product, window_start, outcome, claim_type)
       DO UPDATE SET quantity = r.quantity + excluded.quantity, events = r.events + excluded.events
     )
     SELECT count(*)::text AS events FROM marked`,
    [now, batchSize],
  );
  return Number(rows[0]?.events ?? 0);
}
