import type { HashReader } from './hash-store.ts';
import { emptyTreeRoot, HASH_SIZE } from './merkle-hash.ts';
import {
  assertTreeSize,
  consistencyRanges,
  foldSubtrees,
  inclusionRanges,
  type LeafRange,
  subtreeIds,
} from './subtrees.ts';

/**
 * Root hashes and proofs for any tree size up to the stored one, from stored subtree hashes.
 * Each call makes one getNodes() request of O(log n) nodes. Out-of-range arguments are caller
 * bugs (validate requests against the current tree head first) and throw a RangeError.
 */

/** MTH(D[size]): the root of the first `size` leaves (SHA-256("") for size 0). */
export async function treeRoot(reader: HashReader, size: number): Promise<Buffer> {
  assertTreeSize(size);
  if (size === 0) return emptyTreeRoot();
  const [root] = await hashRanges(reader, [{ begin: 0, size }]);
  return root!;
}

/** RFC 9162 section 2.1.3.1 inclusion proof of leaf `index` in the tree of size `size`. */
export async function inclusionProof(reader: HashReader, index: number, size: number): Promise<Buffer[]> {
  return hashRanges(reader, inclusionRanges(index, size));
}

/** RFC 9162 section 2.1.4.1 consistency proof between sizes `size1` <= `size2` (empty when either is trivial). */
export async function consistencyProof(reader: HashReader, size1: number, size2: number): Promise<Buffer[]> {
  assertTreeSize(size1);
  assertTreeSize(size2);
  if (size1 > size2) throw new RangeError(`consistency proof from ${size1} to a smaller tree ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  return hashRanges(reader, consistencyRanges(size1, size2));
}

async function hashRanges(reader: HashReader, ranges: readonly LeafRange[]): Promise<Buffer[]> {
  const idsPerRange = ranges.map(subtreeIds);
  const ids = idsPerRange.flat();
  const hashes = ids.length > 0 ? await reader.getNodes(ids) : [];
  // A reader that silently drops rows would otherwise fold into a wrong but plausible proof.
  if (hashes.length !== ids.length || hashes.some((h) => h.length !== HASH_SIZE)) {
    throw new Error(`HashReader returned ${hashes.length} hashes for ${ids.length} nodes or a hash of the wrong size`);
  }
  let offset = 0;
  return idsPerRange.map((rangeIds) => {
    const subtreeHashes = hashes.slice(offset, offset + rangeIds.length);
    offset += rangeIds.length;
    return foldSubtrees(subtreeHashes);
  });
}
