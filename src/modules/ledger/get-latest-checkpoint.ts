import type { Pool } from '#platform/db/pool.ts';

export type StoredCheckpoint = { treeSize: number; rootHash: Buffer; note: string; createdAt: Date };

/** The newest signed checkpoint; undefined until the sequencer has signed the first one. */
export async function getLatestCheckpoint(deps: { pool: Pool }): Promise<StoredCheckpoint | undefined> {
  const { rows } = await deps.pool.query<{ tree_size: number; root_hash: Buffer; signed_note: string; created_at: Date }>(
    'SELECT tree_size, root_hash, signed_note, created_at FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1',
  );
  const row = rows[0];
  return row && { treeSize: row.tree_size, rootHash: row.root_hash, note: row.signed_note, createdAt: row.created_at };
}
