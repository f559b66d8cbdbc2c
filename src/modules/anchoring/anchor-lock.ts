import type { PoolClient } from '#platform/db/pool.ts';

// Arbitrary constant shared by every process: whoever holds it runs the anchor pass.
const ANCHOR_WORKER_LOCK = 7_246_831_018;

/**
 * Takes the anchor worker's lock for the rest of the caller's transaction, or returns false at
 * once when another process holds it. One pass at a time signs transactions, so two workers never
 * take the same nonce or anchor one checkpoint twice. A crashed worker releases it with its connection.
 */
export async function tryLockAnchorWorker(tx: PoolClient): Promise<boolean> {
  const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [ANCHOR_WORKER_LOCK]);
  return rows[0]!.locked;
}
