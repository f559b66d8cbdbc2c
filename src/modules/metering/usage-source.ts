/** Which usage to read: hours whose start lies in [from truncated to the hour, to). */
export type UsageWindow = { from?: Date | undefined; to?: Date | undefined; clientId?: string | undefined; product?: string | undefined; claimType?: string | undefined };

/**
 * The usage rows a read sees, current to the last commit: the hourly aggregates PLUS the events
 * not aggregated yet, in one statement (one snapshot: an aggregation committing meanwhile moves
 * events from one side to the other without either being seen twice). Both sides filter on the
 * hour an event falls in, so a total is the same before and after aggregation.
 * Columns: client_id, product, at (the hour, or the event's time), outcome, claim_type ('' for none), quantity.
 * Takes parameters $1..$5 (from, to, client, product, claim type) from `usageParams`.
 */
export const USAGE_ROWS = `(
  SELECT client_id, product, window_start AS at, outcome, claim_type, quantity FROM usage_records
   WHERE ($1::timestamptz IS NULL OR window_start >= date_trunc('hour', $1::timestamptz, 'UTC'))
     AND ($2::timestamptz IS NULL OR window_start < $2::timestamptz)
     AND ($3::text IS NULL OR client_id = $3) AND ($4::text IS NULL OR product = $4) AND ($5::text IS NULL OR claim_type = $5)
  UNION ALL
  SELECT client_id, product, at, outcome, COALESCE(claim_type, ''), quantity FROM usage_events
   WHERE aggregated_at IS NULL
     AND ($1::timestamptz IS NULL OR date_trunc('hour', at, 'UTC') >= date_trunc('hour', $1::timestamptz, 'UTC'))
     AND ($2::timestamptz IS NULL OR date_trunc('hour', at, 'UTC') < $2::timestamptz)
     AND ($3::text IS NULL OR client_id = $3) AND ($4::text IS NULL OR product = $4) AND ($5::text IS NULL OR claim_type = $5)
)`;

export const usageParams = (w: UsageWindow) => [w.from ?? null, w.to ?? null, w.clientId ?? null, w.product ?? null, w.claimType ?? null];
