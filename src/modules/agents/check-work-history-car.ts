import { CarReader } from '@ipld/car';
import * as dagJson from '@ipld/dag-json';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { WORK_BLOCK_TYPE } from './work-block.ts';

/** One work record of a checked history: its CID and its block, decoded. */
export type CheckedRecord = { cid: string; block: Record<string, unknown> };

export type CarCheckFailure = 'MALFORMED_CAR' | 'CID_MISMATCH' | 'CHAIN_BROKEN';

export type CarCheck =
  | { ok: true; value: { root: string; records: CheckedRecord[] } }
  | { ok: false; code: CarCheckFailure; message: string; records: CheckedRecord[] };

const fail = (code: CarCheckFailure, message: string, records: CheckedRecord[] = []): CarCheck => ({ ok: false, code, message, records });

/**
 * Checks an agent's work history exported as a CAR (GET /api/v1/agents/{id}/work-history.car) with
 * nothing but the file: one root; every block's CID recomputed from its bytes (CIDv1, dag-json,
 * sha2-256, as the registry makes them); the chain walked from the root through `prev` down to the
 * first record (seq 1, prev null), each block a work record of the same agent with seq one less
 * than the one before it, and no block off the chain. Records come newest first. Never throws.
 */
export async function checkWorkHistoryCar(bytes: Uint8Array): Promise<CarCheck> {
  let reader: CarReader;
  try {
    reader = await CarReader.fromBytes(bytes);
  } catch (error) {
    return fail('MALFORMED_CAR', `not a CAR v1 file: ${(error as Error).message}`);
  }
  const roots = await reader.getRoots();
  if (roots.length !== 1) return fail('MALFORMED_CAR', `expected one root (the head record), found ${roots.length}`);
  const blocks = new Map<string, Uint8Array>();
  for await (const { cid, bytes: data } of reader.blocks()) {
    if (cid.version !== 1 || cid.code !== dagJson.code || cid.multihash.code !== sha256.code) {
      return fail('CID_MISMATCH', `block ${cid}: not a CIDv1 of dag-json with sha2-256`);
    }
    const recomputed = CID.create(1, dagJson.code, await sha256.digest(data));
    if (!recomputed.equals(cid)) return fail('CID_MISMATCH', `block ${cid}: its bytes hash to ${recomputed}`);
    blocks.set(cid.toString(), data);
  }
  const records: CheckedRecord[] = [];
  let next: CID | null = roots[0]!;
  let agent: unknown;
  while (next !== null) {
    const cid = next.toString();
    const data = blocks.get(cid);
    if (!data) return fail('CHAIN_BROKEN', `block ${cid} (${records.length === 0 ? 'the root' : `prev of record ${records.at(-1)!.block.seq}`}) is not in the file`, records);
    let block: Record<string, unknown>;
    try {
      block = dagJson.decode(data);
    } catch (error) {
      return fail('CHAIN_BROKEN', `block ${cid}: not DAG-JSON: ${(error as Error).message}`, records);
    }
    if (typeof block !== 'object' || block === null || block.type !== WORK_BLOCK_TYPE) return fail('CHAIN_BROKEN', `block ${cid}: not a work record (type ${WORK_BLOCK_TYPE})`, records);
    const expectedSeq = records.length === 0 ? block.seq : (records.at(-1)!.block.seq as number) - 1;
    if (typeof block.seq !== 'number' || !Number.isInteger(block.seq) || block.seq < 1 || block.seq !== expectedSeq) {
      return fail('CHAIN_BROKEN', `block ${cid}: seq ${String(block.seq)}, expected ${String(expectedSeq)}`, records);
    }
    if (records.length === 0) agent = block.agent;
    else if (block.agent !== agent) return fail('CHAIN_BROKEN', `block ${cid}: a record of ${String(block.agent)}, not of ${String(agent)}`, records);
    records.push({ cid, block });
    const prev = CID.asCID(block.prev);
    if (block.prev !== null && !prev) return fail('CHAIN_BROKEN', `block ${cid}: prev is neither a CID link nor null`, records);
    if (prev === null && block.seq !== 1) return fail('CHAIN_BROKEN', `block ${cid}: prev is null but seq is ${block.seq}, not 1`, records);
    next = prev;
  }
  if (blocks.size !== records.length) return fail('CHAIN_BROKEN', `${blocks.size - records.length} block(s) in the file are not on the chain from the root`, records);
  return { ok: true, value: { root: roots[0]!.toString(), records } };
}
