import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CarWriter } from '@ipld/car';
import type { CID } from 'multiformats/cid';
import { checkWorkHistoryCar } from './check-work-history-car.ts';
import { encodeWorkBlock } from './work-block.ts';

async function chain(length: number, agent = 'agr_1'): Promise<Array<{ cid: CID; bytes: Uint8Array }>> {
  const blocks: Array<{ cid: CID; bytes: Uint8Array }> = [];
  for (let seq = 1; seq <= length; seq++) {
    blocks.push(await encodeWorkBlock({
      work: `wrk_${seq}`, agent, seq, prev: blocks.at(-1)?.cid ?? null,
      evidence: { kind: 'zk_proof', ledger_kind: 'zk_proof', ledger_id: `prf_${seq}`, verified_at: '2026-01-01T00:00:00.000Z', tee: null },
      outcome: 'succeeded', capability: null, summary: '', performed_at: null, recorded_at: '2026-01-01T00:00:00.000Z', validations: [],
    }));
  }
  return blocks.reverse();
}

async function car(roots: CID[], blocks: Array<{ cid: CID; bytes: Uint8Array }>): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create(roots);
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of out) chunks.push(chunk);
  })();
  for (const block of blocks) await writer.put(block);
  await writer.close();
  await collected;
  return Buffer.concat(chunks);
}

test('a complete history checks out, newest first', async () => {
  const blocks = await chain(3);
  const checked = await checkWorkHistoryCar(await car([blocks[0]!.cid], blocks));
  assert.ok(checked.ok);
  assert.equal(checked.value.root, blocks[0]!.cid.toString());
  assert.deepEqual(checked.value.records.map((record) => record.block.seq), [3, 2, 1]);
});

test('each way a history can be wrong is named', async () => {
  const blocks = await chain(3);
  const tampered = blocks.map((block, i) => (i === 1 ? { cid: block.cid, bytes: Buffer.from(Buffer.from(block.bytes).toString().replace('succeeded', 'succeedeD')) } : block));
  const other = await chain(1, 'agr_2');
  const cases: Array<[Uint8Array, string, RegExp]> = [
    [new TextEncoder().encode('not a car'), 'MALFORMED_CAR', /not a CAR v1 file/],
    [await car([], blocks), 'MALFORMED_CAR', /one root/],
    [await car([blocks[0]!.cid], tampered), 'CID_MISMATCH', /its bytes hash to/],
    [await car([blocks[0]!.cid], [blocks[0]!, blocks[2]!]), 'CHAIN_BROKEN', /prev of record 3\) is not in the file/],
    [await car([blocks[1]!.cid], blocks), 'CHAIN_BROKEN', /1 block\(s\) in the file are not on the chain/],
    [await car([blocks[0]!.cid], [...blocks, ...other]), 'CHAIN_BROKEN', /not on the chain/],
  ];
  for (const [bytes, code, message] of cases) {
    const checked = await checkWorkHistoryCar(bytes);
    assert.equal(checked.ok, false, `${code} ${message}`);
    assert.equal((checked as { code: string }).code, code);
    assert.match((checked as { message: string }).message, message);
  }
});
