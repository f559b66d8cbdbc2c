import type { Pool } from '#platform/db/pool.ts';
import { pgHashReader } from './pg-hash-reader.ts';
import type { OutOfRange } from './prove-inclusion.ts';
import { readTreeSize } from './read-tree-size.ts';
import { consistencyProof } from './tlog/index.ts';

/** RFC 9162 consistency proof that the tree of size `from` is a prefix of the tree of size `to`. */
export async function proveConsistency(
  deps: { pool: Pool },
  from: number,
  to: number,
): Promise<{ ok: true; from: number; to: number; proof: Buffer[] } | OutOfRange> {
  const current = await readTreeSize(deps);
  if (to > current) return { ok: false, code: 'OUT_OF_RANGE', field: 'to', message: `size ${to} is beyond the tree (size ${current})` };
  if (from > to) return { ok: false, code: 'OUT_OF_RANGE', field: 'from', message: `from (${from}) must not be larger than to (${to})` };
  return { ok: true, from, to, proof: await consistencyProof(pgHashReader(deps.pool), from, to) };
}
