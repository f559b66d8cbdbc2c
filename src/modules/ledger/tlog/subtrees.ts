import { hashChildren } from './merkle-hash.ts';

/**
 * Addressing of perfect (complete) subtrees and the RFC 6962 recursions expressed over them.
 *
 * A node id (level, index) names the perfect subtree over leaves
 * [index * 2^level, (index + 1) * 2^level); level 0 is a leaf hash. Such a subtree's hash never
 * changes once its last leaf exists, so it can be stored once and read forever (the idea behind
 * C2SP tlog-tiles, without the tile packing). Every range the RFC recursions ask about starts at a
 * multiple of a power of two at least as large as the range, so it splits into at most log2(n)
 * stored subtrees, largest first, exactly where RFC 6962 puts its split points.
 *
 * Sizes and indexes are JavaScript numbers, exact up to 2^53 leaves.
 */

export type NodeId = { readonly level: number; readonly index: number };

/** A contiguous run of leaves [begin, begin + size). */
export type LeafRange = { readonly begin: number; readonly size: number };

export function assertTreeSize(size: number, what = 'tree size'): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${size}`);
}

/** The largest power of two strictly below n (n >= 2): RFC 6962's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

/** The perfect subtrees covering a range, largest (leftmost) first. */
export function subtreeIds(range: LeafRange): NodeId[] {
  const ids: NodeId[] = [];
  let begin = range.begin;
  let remaining = range.size;
  while (remaining > 0) {
    let width = 1;
    let level = 0;
    while (width * 2 <= remaining) {
      width *= 2;
      level++;
    }
    if (begin % width !== 0) throw new RangeError(`range [${range.begin}, +${range.size}) is not aligned to its subtrees`);
    ids.push({ level, index: begin / width });
    begin += width;
    remaining -= width;
  }
  return ids;
}

/** MTH of a range from the hashes of its subtrees (largest first): RFC 6962 hashes right to left. */
export function foldSubtrees(hashes: readonly Buffer[]): Buffer {
  const last = hashes.at(-1);
  if (last === undefined) throw new RangeError('cannot fold an empty list of subtrees');
  let acc = last;
  for (let i = hashes.length - 2; i >= 0; i--) acc = hashChildren(hashes[i]!, acc);
  return acc;
}

/**
 * The ranges whose hashes form the RFC 6962 section 2.1.1 audit path PATH(index, D[size]),
 * ordered from the leaf's sibling up to the root's child.
 */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  assertTreeSize(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  const fromRoot: LeafRange[] = [];
  let begin = 0;
  let m = index;
  let n = size;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      fromRoot.push({ begin: begin + k, size: n - k });
      n = k;
    } else {
      fromRoot.push({ begin, size: k });
      begin += k;
      m -= k;
      n -= k;
    }
  }
  return fromRoot.reverse();
}

/**
 * The ranges whose hashes form the RFC 6962 section 2.1.2 consistency proof PROOF(m, D[n]) for
 * 0 < m < n, in proof order (the deepest subproof first).
 */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  assertTreeSize(n);
  if (!Number.isSafeInteger(m) || m <= 0 || m >= n) throw new RangeError(`consistency proofs need 0 < m < n, got m=${m}, n=${n}`);
  const fromRoot: LeafRange[] = [];
  let begin = 0;
  let remainingM = m;
  let size = n;
  let isWholeOldTree = true; // SUBPROOF's flag b: the old tree is a prefix we have not yet left
  while (remainingM !== size) {
    const k = splitPoint(size);
    if (remainingM <= k) {
      fromRoot.push({ begin: begin + k, size: size - k });
      size = k;
    } else {
      fromRoot.push({ begin, size: k });
      begin += k;
      remainingM -= k;
      size -= k;
      isWholeOldTree = false;
    }
  }
  if (!isWholeOldTree) fromRoot.push({ begin, size });
  return fromRoot.reverse();
}
