import type { Pool } from '#platform/db/pool.ts';

/** Entries sequenced so far: proofs and entries can be asked for up to this size. */
export async function readTreeSize(deps: { pool: Pool }): Promise<number> {
  const { rows } = await deps.pool.query<{ tree_size: number }>('SELECT tree_size FROM ledger_tree_head');
  if (!rows[0]) throw new Error('the ledger tree head row is missing');
  return rows[0].tree_size;
}
