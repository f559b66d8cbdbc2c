import type { HashReader, StoredNode } from './hash-store.ts';
import { emptyTreeRoot, HASH_SIZE, hashChildren } from './merkle-hash.ts';
import { assertTreeSize, foldSubtrees, subtreeIds } from './subtrees.ts';

export type PreparedAppend = {
  /** Tree size after the batch. */
  readonly treeSize: number;
  /** Root hash at that size, ready to go into the signed checkpoint. */
  readonly rootHash: Buffer;
  /** Every perfect subtree completed by the batch (leaf hashes included), to insert with the entries. */
  readonly nodes: StoredNode[];
};

/**
 * Computes what appending `leafHashes` at positions treeSize, treeSize+1, ... adds to the store.
 *
 * Reads only the subtrees that make up the current tree (its "frontier", popcount(treeSize) <= 53
 * nodes) and returns batch + O(log n) nodes. Nothing is written: the caller inserts `nodes` in the
 * same transaction as the entries and the new tree head, and must serialise appenders (e.g. lock the
 * tree head row), because positions are assigned from `treeSize`.
 */
export async function prepareAppend(
  reader: HashReader,
  treeSize: number,
  leafHashes: readonly Buffer[],
): Promise<PreparedAppend> {
  assertTreeSize(treeSize);
  assertTreeSize(treeSize + leafHashes.length, 'tree size after the append');
  for (const leafHash of leafHashes) {
    if (leafHash.length !== HASH_SIZE) throw new RangeError(`leaf hashes are ${HASH_SIZE} bytes, got ${leafHash.length}`);
  }

  const frontierIds = subtreeIds({ begin: 0, size: treeSize });
  const frontierHashes = frontierIds.length > 0 ? await reader.getNodes(frontierIds) : [];
  // Invariant: the stack holds the current tree's perfect subtrees, levels strictly decreasing.
  const stack: StoredNode[] = frontierIds.map((id, i) => ({ ...id, hash: frontierHashes[i]! }));
  const nodes: StoredNode[] = [];

  let position = treeSize;
  for (const leafHash of leafHashes) {
    let node: StoredNode = { level: 0, index: position++, hash: Buffer.from(leafHash) };
    nodes.push(node);
    // Two equal-level subtrees side by side complete their parent.
    while (stack.length > 0 && stack.at(-1)!.level === node.level) {
      const left = stack.pop()!;
      node = { level: node.level + 1, index: left.index / 2, hash: hashChildren(left.hash, node.hash) };
      nodes.push(node);
    }
    stack.push(node);
  }

  const rootHash = stack.length === 0 ? emptyTreeRoot() : foldSubtrees(stack.map((n) => n.hash));
  return { treeSize: position, rootHash, nodes };
}
