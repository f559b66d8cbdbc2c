import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { ledgerSignerKey } from './ledger-note-keys.ts';
import { pgHashReader } from './pg-hash-reader.ts';
import { LedgerIntegrityError } from './sequence-pending-entries.ts';
import { tryLockSequencer } from './sequencer-lock.ts';
import { consistencyProof, signCheckpoint, treeRoot, verifyConsistency } from './tlog/index.ts';

export type SignedCheckpoint = { treeSize: number; rootHash: Buffer; note: string };

export type CheckpointDeps = { pool: Pool; clock: Clock; platformKeys: PlatformKeys; checkpointSeconds: number };

/**
 * Signs a checkpoint of the current tree when one is due: the log has none yet (the first one may
 * be of the empty tree), or the tree grew and the last one is `checkpointSeconds` old.
 *
 * Before signing, the new root is recomputed from the stored subtrees and a consistency proof
 * from the previous checkpoint is built from them and verified, so the log never signs two
 * checkpoints that disagree about the past; on a mismatch it refuses (LedgerIntegrityError).
 * Runs under the sequencer lock; returns undefined when nothing was due or another process holds it.
 */
export async function signDueCheckpoint(deps: CheckpointDeps): Promise<SignedCheckpoint | undefined> {
  // Opened (or created, on first use) before the transaction: it needs a connection of its own.
  const key = await deps.platformKeys.activeKey('ledger');
  return inTransaction(deps.pool, async (tx) => {
    if (!(await tryLockSequencer(tx))) return undefined;
    const head = (await tx.query<{ origin: string; tree_size: number; root_hash: Buffer }>('SELECT origin, tree_size, root_hash FROM ledger_tree_head')).rows[0];
    if (!head) throw new LedgerIntegrityError('the ledger tree head row is missing');
    const last = (
      await tx.query<{ tree_size: number; root_hash: Buffer; created_at: Date }>(
        'SELECT tree_size, root_hash, created_at FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1',
      )
    ).rows[0];
    const now = deps.clock.now();
    if (last) {
      if (head.tree_size < last.tree_size) {
        throw new LedgerIntegrityError(`the tree head (size ${head.tree_size}) is behind the last checkpoint (size ${last.tree_size})`);
      }
      if (head.tree_size === last.tree_size || now.getTime() - last.created_at.getTime() < deps.checkpointSeconds * 1000) return undefined;
    }

    const reader = pgHashReader(tx);
    const rootHash = await treeRoot(reader, head.tree_size);
    if (!rootHash.equals(head.root_hash)) {
      throw new LedgerIntegrityError(`the stored subtrees (size ${head.tree_size}) do not hash to the tree head: refusing to sign`);
    }
    if (last) {
      const consistent = verifyConsistency({
        size1: last.tree_size,
        size2: head.tree_size,
        proof: await consistencyProof(reader, last.tree_size, head.tree_size),
        root1: last.root_hash,
        root2: rootHash,
      });
      if (!consistent.ok) {
        throw new LedgerIntegrityError(
          `the tree of size ${head.tree_size} is not consistent with the checkpoint of size ${last.tree_size} (${consistent.code}): refusing to sign`,
        );
      }
    }

    const note = signCheckpoint({ origin: head.origin, treeSize: head.tree_size, rootHash }, ledgerSignerKey(head.origin, key.privateKey));
    await tx.query('INSERT INTO ledger_checkpoints (tree_size, root_hash, signed_note, key_id, created_at) VALUES ($1, $2, $3, $4, $5)', [
      head.tree_size,
      rootHash,
      note,
      key.id,
      now,
    ]);
    return { treeSize: head.tree_size, rootHash, note };
  });
}
