import { CarWriter } from '@ipld/car';
import { CID } from 'multiformats/cid';
import type { Pool } from '#platform/db/pool.ts';

/** The agent's work history as a CAR v1 file: root = the head record's CID, every block of the chain, newest first. Undefined: no work yet. */
export async function exportWorkHistory(deps: { pool: Pool }, agentId: string): Promise<{ head: string; count: number; car: Buffer } | undefined> {
  const { rows } = await deps.pool.query<{ cid: string; block: Buffer }>('SELECT cid, block FROM registry_work WHERE agent_id = $1 ORDER BY seq DESC', [agentId]);
  if (rows.length === 0) return undefined;
  const head = CID.parse(rows[0]!.cid);
  const { writer, out } = CarWriter.create([head]);
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of out) chunks.push(chunk);
  })();
  for (const row of rows) await writer.put({ cid: CID.parse(row.cid), bytes: new Uint8Array(row.block) });
  await writer.close();
  await collected;
  return { head: rows[0]!.cid, count: rows.length, car: Buffer.concat(chunks) };
}
