import type { Pool } from '#platform/db/pool.ts';
import { pgHashReader } from './pg-hash-reader.ts';
import { readTreeSize } from './read-tree-size.ts';
import { inclusionProof } from './tlog/index.ts';

export type OutOfRange = { ok: false; code: 'OUT_OF_RANGE'; field: string; message: string };

/** RFC 9162 inclusion proof of leaf `index` in the tree of size `size` (any size up to the current tree). */
export async function proveInclusion(
  deps: { pool: Pool },
  index: number,
  size: number,
): Promise<{ ok: true; index: number; treeSize: number; proof: Buffer[] } | OutOfRange> {
  const current = await readTreeSize(deps);
  if (size > current) return { ok: false, code: 'OUT_OF_RANGE', field: 'size', message: `size ${size} is beyond the tree (size ${current})` };
  if (index >= size) return { ok: false, code: 'OUT_OF_RANGE', field: 'index', message: `index ${index} is not inside a tree of size ${size}` };
  return { ok: true, index, treeSize: size, proof: await inclusionProof(pgHashReader(deps.pool), index, size) };
}
