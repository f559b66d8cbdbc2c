import { inTransaction, type Pool } from '#platform/db/pool.ts';

/**
 * How many of a partner's waiting submissions its credits cover now, given how many of its
 * submissions are queued and not yet decided (their cost not metered yet): the billing module's
 * answer, passed in by the wiring (src/global-manager-tasks.ts), as the evidence module imports
 * nothing of billing.
 */
export type CreditsCover = (deps: { pool: Pool }, clientId: string, now: Date, submissions: { inPipeline: number; waiting: number }) => Promise<number>;

/** At most this many released per partner and run (one transaction each); the rest go in the next. */
export const MAX_RELEASED_PER_PARTNER = 500;

type Counts = { partners: number; released: number; waiting: number };

/**
 * Queues waiting submissions (`awaiting_credits` -> `received`, each with its `evidence.verify`
 * job), per partner in the order they started to wait (`awaiting_position`), as many as its credits cover. One transaction per partner,
 * under a lock of its own: a run killed at any point leaves each partner's release done or not
 * done, and the next run counts again from what is committed.
 */
export async function releaseAwaitingEvidence(deps: { pool: Pool; creditsCover: CreditsCover }, options: { now: Date; signal?: AbortSignal }): Promise<Counts> {
  const counts: Counts = { partners: 0, released: 0, waiting: 0 };
  const { rows } = await deps.pool.query<{ client_id: string }>("SELECT DISTINCT client_id FROM evidence_submissions WHERE status = 'awaiting_credits' ORDER BY client_id");
  for (const { client_id: clientId } of rows) {
    if (options.signal?.aborted) break;
    counts.partners++;
    const { released, waiting } = await inTransaction(deps.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`evidence_awaiting_credits:${clientId}`]);
      const found = await tx.query<{ waiting: number; in_pipeline: number }>(
        `SELECT count(*) FILTER (WHERE status = 'awaiting_credits')::int AS waiting, count(*) FILTER (WHERE status <> 'awaiting_credits')::int AS in_pipeline
           FROM evidence_submissions WHERE client_id = $1 AND status IN ('awaiting_credits', 'received', 'validating')`,
        [clientId],
      );
      const { waiting, in_pipeline: inPipeline } = found.rows[0]!;
      const covered = Math.min(await deps.creditsCover(deps, clientId, options.now, { inPipeline, waiting: Math.min(waiting, MAX_RELEASED_PER_PARTNER) }), MAX_RELEASED_PER_PARTNER);
      if (covered <= 0) return { released: 0, waiting };
      const queued = await tx.query(
        `WITH next AS (
           SELECT id FROM evidence_submissions WHERE client_id = $1 AND status = 'awaiting_credits' ORDER BY awaiting_position LIMIT $2 FOR UPDATE
         ), released AS (
           UPDATE evidence_submissions s SET status = 'received', job_id = gen_random_uuid()::text FROM next WHERE s.id = next.id RETURNING s.id, s.job_id
         )
         SELECT evidence_enqueue_verify(job_id::uuid, id) FROM released`,
        [clientId, covered],
      );
      return { released: queued.rowCount ?? 0, waiting: waiting - (queued.rowCount ?? 0) };
    });
    counts.released += released;
    counts.waiting += waiting;
  }
  return counts;
}
