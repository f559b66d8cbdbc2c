import type { Pool } from '#platform/db/pool.ts';

export type StoredCheckpoint = { treeSize: number; rootHash: Buffer; note: string; createdAt: Date };

type CheckpointRow = { tree_size: number; root_hash: Buffer; signed_note: string; created_at: Date };

const toCheckpoint = (row: CheckpointRow | undefined): StoredCheckpoint | undefined =>
  row && { treeSize: row.tree_size, rootHash: row.root_hash, note: row.signed_note, createdAt: row.created_at };

/** The newest signed checkpoint; undefined until the sequencer has signed the first one. */
export async function getLatestCheckpoint(deps: { pool: Pool }): Promise<StoredCheckpoint | undefined> {
  const { rows } = await deps.pool.query<CheckpointRow>('SELECT tree_size, root_hash, signed_note, created_at FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1');
  return toCheckpoint(rows[0]);
}

/** The signed checkpoint of exactly this tree size (every checkpoint is kept); undefined when none was signed at that size. */
export async function getCheckpointOfSize(deps: { pool: Pool }, treeSize: number): Promise<StoredCheckpoint | undefined> {
  const { rows } = await deps.pool.query<CheckpointRow>('SELECT tree_size, root_hash, signed_note, created_at FROM ledger_checkpoints WHERE tree_size = $1', [treeSize]);
  return toCheckpoint(rows[0]);
}
