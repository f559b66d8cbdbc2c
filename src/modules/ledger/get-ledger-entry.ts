import type { Pool } from '#platform/db/pool.ts';

export type LedgerEntry = { index: number; kind: string; publicId: string; leaf: Buffer; leafHash: Buffer; sequencedAt: Date };

/** A sequenced entry by its position in the log; undefined past the end. */
export async function getLedgerEntry(deps: { pool: Pool }, index: number): Promise<LedgerEntry | undefined> {
  const { rows } = await deps.pool.query<{ idx: number; kind: string; public_id: string; leaf: Buffer; leaf_hash: Buffer; sequenced_at: Date }>(
    'SELECT idx, kind, public_id, leaf, leaf_hash, sequenced_at FROM ledger_entries WHERE idx = $1',
    [index],
  );
  const row = rows[0];
  return row && { index: row.idx, kind: row.kind, publicId: row.public_id, leaf: row.leaf, leafHash: row.leaf_hash, sequencedAt: row.sequenced_at };
}
