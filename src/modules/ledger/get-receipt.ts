import type { Pool } from '#platform/db/pool.ts';
import { getCheckpointOfSize, getLatestCheckpoint } from './get-latest-checkpoint.ts';
import { pgHashReader } from './pg-hash-reader.ts';
import { buildReceipt, inclusionProof } from './tlog/index.ts';

export type ReceiptState =
  | { state: 'not_logged' }
  /** In the log's queue (`sequencing`) or sequenced but not yet covered by a checkpoint (`checkpoint`). */
  | { state: 'pending'; waitingFor: 'sequencing' | 'checkpoint' }
  | { state: 'ready'; receipt: string; index: number; treeSize: number };

/**
 * The C2SP tlog-proof@v1 receipt of an outcome: its leaf (as `extra`), its index and its inclusion
 * path up to the newest checkpoint, which is carried verbatim. Checkable offline with the log's
 * verifier key. Who may see the outcome is the caller's check. `underTreeSize` asks for the path up
 * to that checkpoint instead (one a public chain anchored, say); it must cover the entry.
 */
export async function getReceipt(deps: { pool: Pool }, entry: { kind: string; publicId: string }, options: { underTreeSize?: number } = {}): Promise<ReceiptState> {
  const { rows } = await deps.pool.query<{ idx: number | null; leaf: Buffer }>('SELECT idx, leaf FROM ledger_entries WHERE kind = $1 AND public_id = $2', [
    entry.kind,
    entry.publicId,
  ]);
  const row = rows[0];
  if (!row) return { state: 'not_logged' };
  if (row.idx === null) return { state: 'pending', waitingFor: 'sequencing' };
  const checkpoint = options.underTreeSize === undefined ? await getLatestCheckpoint(deps) : await getCheckpointOfSize(deps, options.underTreeSize);
  if (options.underTreeSize !== undefined && (!checkpoint || checkpoint.treeSize <= row.idx)) {
    throw new Error(`no checkpoint of size ${options.underTreeSize} covers entry ${row.idx}`);
  }
  if (!checkpoint || checkpoint.treeSize <= row.idx) return { state: 'pending', waitingFor: 'checkpoint' };
  const proof = await inclusionProof(pgHashReader(deps.pool), row.idx, checkpoint.treeSize);
  return {
    state: 'ready',
    receipt: buildReceipt({ index: row.idx, inclusionProof: proof, checkpoint: checkpoint.note, leaf: row.leaf }),
    index: row.idx,
    treeSize: checkpoint.treeSize,
  };
}
