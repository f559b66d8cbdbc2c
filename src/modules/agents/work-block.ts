import * as dagJson from '@ipld/dag-json';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';

/** A Veridity validation of a work record, in the ERC-8004 shape (`response` 0-100, `tag`). */
export type BlockValidation = { validator: string; response: number; tag: string; evidence: string; verified: boolean };

/** What a work record's block says: public facts only (the evidence by its ledger entry, never a partner's internal id). */
export type WorkBlockInput = {
  work: string;
  agent: string;
  seq: number;
  prev: CID | null;
  evidence: { kind: string; ledger_kind: string; ledger_id: string; verified_at: string; tee: { app_id: string; compose_hash: string | null } | null };
  outcome: 'succeeded' | 'failed';
  capability: string | null;
  summary: string;
  performed_at: string | null;
  recorded_at: string;
  validations: BlockValidation[];
};

export const WORK_BLOCK_TYPE = 'https://veridity.dev/schemas/agent-work/v1';

/** The record as a DAG-JSON block (the previous record linked by CID) and its CIDv1 (dag-json, sha2-256). */
export async function encodeWorkBlock(input: WorkBlockInput): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagJson.encode({ type: WORK_BLOCK_TYPE, ...input });
  return { cid: CID.create(1, dagJson.code, await sha256.digest(bytes)), bytes };
}
