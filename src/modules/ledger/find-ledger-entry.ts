import type { Pool, PoolClient } from '#platform/db/pool.ts';

/** Whether an outcome is in the ledger: absent, or logged with its position (null while waiting for the sequencer). */
export type LedgerEntryState = { logged: false } | { logged: true; index: number | null; enqueuedAt: Date };

/** The ledger entry of an outcome by its kind and public id (what other modules check before relying on an outcome). */
export async function findLedgerEntry(deps: { pool: Pool | PoolClient }, entry: { kind: string; publicId: string }): Promise<LedgerEntryState> {
  const { rows } = await deps.pool.query<{ idx: string | null; enqueued_at: Date }>('SELECT idx, enqueued_at FROM ledger_entries WHERE kind = $1 AND public_id = $2', [entry.kind, entry.publicId]);
  const row = rows[0];
  return row ? { logged: true, index: row.idx === null ? null : Number(row.idx), enqueuedAt: row.enqueued_at } : { logged: false };
}
