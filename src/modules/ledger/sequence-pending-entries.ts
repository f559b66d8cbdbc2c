import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { pgHashReader } from './pg-hash-reader.ts';
import { tryLockSequencer } from './sequencer-lock.ts';
import { hashLeaf, prepareAppend, treeRoot } from './tlog/index.ts';

export type SequencedBatch =
  | { locked: false }
  | { locked: true; sequenced: number; treeSize: number; rootHash: Buffer };

/** Thrown when the stored tree does not add up: the sequencer stops extending it (an alert, not a retry). */
export class LedgerIntegrityError extends Error {
  override readonly name = 'LedgerIntegrityError';
}

/**
 * One batch: gives up to `limit` pending entries (oldest queued first) the next positions in the
 * log, in one transaction with the subtree hashes they complete and the new tree head. Only the
 * holder of the sequencer lock appends; others return `{ locked: false }` at once.
 */
export async function sequencePendingEntries(deps: { pool: Pool; clock: Clock }, options: { limit: number }): Promise<SequencedBatch> {
  return inTransaction(deps.pool, async (tx) => {
    if (!(await tryLockSequencer(tx))) return { locked: false };
    const head = (await tx.query<{ tree_size: number; root_hash: Buffer }>('SELECT tree_size, root_hash FROM ledger_tree_head FOR UPDATE')).rows[0];
    if (!head) throw new LedgerIntegrityError('the ledger tree head row is missing');
    const pending = await tx.query<{ id: number; leaf: Buffer }>(
      'SELECT id, leaf FROM ledger_entries WHERE idx IS NULL ORDER BY id LIMIT $1',
      [options.limit],
    );
    if (pending.rows.length === 0) return { locked: true, sequenced: 0, treeSize: head.tree_size, rootHash: head.root_hash };

    const reader = pgHashReader(tx);
    // Never extend a tree whose stored frontier no longer hashes to the head (O(log n) reads).
    const storedRoot = await treeRoot(reader, head.tree_size);
    if (!storedRoot.equals(head.root_hash)) {
      throw new LedgerIntegrityError(`the stored subtrees of the ledger (size ${head.tree_size}) no longer hash to its tree head`);
    }
    const leafHashes = pending.rows.map((row) => hashLeaf(row.leaf));
    const prepared = await prepareAppend(reader, head.tree_size, leafHashes);
    const now = deps.clock.now();

    await tx.query(
      `UPDATE ledger_entries e SET idx = v.idx, leaf_hash = v.leaf_hash, sequenced_at = $4
         FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS v(id, idx, leaf_hash)
        WHERE e.id = v.id`,
      [pending.rows.map((row) => row.id), pending.rows.map((_, i) => head.tree_size + i), leafHashes, now],
    );
    const interior = prepared.nodes.filter((node) => node.level > 0);
    if (interior.length > 0) {
      await tx.query('INSERT INTO ledger_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])', [
        interior.map((node) => node.level),
        interior.map((node) => node.index),
        interior.map((node) => node.hash),
      ]);
    }
    await tx.query('UPDATE ledger_tree_head SET tree_size = $1, root_hash = $2, updated_at = $3', [prepared.treeSize, prepared.rootHash, now]);
    return { locked: true, sequenced: pending.rows.length, treeSize: prepared.treeSize, rootHash: prepared.rootHash };
  });
}
