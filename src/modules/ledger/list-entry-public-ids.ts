import type { PoolClient } from '#platform/db/pool.ts';

/**
 * The public ids of the sequenced entries of one kind at positions [fromIndex, toIndex): the
 * outcomes a checkpoint of size `toIndex` added since the one of size `fromIndex`.
 */
export async function listEntryPublicIds(tx: PoolClient, kind: string, range: { fromIndex: number; toIndex: number }): Promise<string[]> {
  const { rows } = await tx.query<{ public_id: string }>('SELECT public_id FROM ledger_entries WHERE kind = $1 AND idx >= $2 AND idx < $3 ORDER BY idx', [
    kind,
    range.fromIndex,
    range.toIndex,
  ]);
  return rows.map((row) => row.public_id);
}
