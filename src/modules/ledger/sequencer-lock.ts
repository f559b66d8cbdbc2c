import type { PoolClient } from '#platform/db/pool.ts';

// Arbitrary constant shared by every process: whoever holds it is the ledger's one sequencer.
export const LEDGER_SEQUENCER_LOCK_KEY = 7_246_831_005;

/**
 * Takes the sequencer lock for the rest of the caller's transaction, or returns false at once
 * when another process (or connection) holds it: that one is sequencing, nothing to wait for.
 * Transaction-scoped, so a crashed sequencer releases it with its connection.
 */
export async function tryLockSequencer(tx: PoolClient): Promise<boolean> {
  const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [LEDGER_SEQUENCER_LOCK_KEY]);
  return rows[0]!.locked;
}
