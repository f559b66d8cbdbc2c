import { decodeBase64Strict, encodeBase64, equalBytes, parseDecimal, wellFormedText } from './bytes.ts';
import { hashLeaf, rootFromInclusionProof } from './inclusion.ts';
import { HASH_SIZE, keyIdHex, openNote, parseCheckpoint, parseVerifierKey } from './signed-note.ts';

/**
 * A ledger receipt (C2SP tlog-proof@v1, what GET /api/v1/receipts/{id} answers) checked in the
 * browser against one pinned verifier key, reporting each check: the verdict and failure code
 * are those of `veridity verify-receipt` (src/modules/ledger/check-receipt.ts):
 *   c2sp.org/tlog-proof@v1
 *   extra <base64 of the entry's canonical JSON>
 *   index <leaf index>
 *   <base64 inclusion proof hash, leaf's sibling first>...
 *   <empty line>
 *   <signed checkpoint>
 */

const HEADER = 'c2sp.org/tlog-proof@v1';
const MAX_PROOF_HASHES = 64;

export type ReceiptFailureCode = 'MALFORMED_RECEIPT' | 'MALFORMED_KEY' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'MISSING_LEAF' | 'INCLUSION_MISMATCH' | 'ORIGIN_MISMATCH';

export const CHECK_STEPS = [
  { id: 'format', title: 'Receipt format (tlog-proof@v1)' },
  { id: 'key', title: 'Pinned ledger key' },
  { id: 'signature', title: 'Checkpoint signed by the ledger key (Ed25519)' },
  { id: 'inclusion', title: "Entry included in the checkpoint's tree" },
  { id: 'origin', title: 'Checkpoint is for the pinned ledger' },
] as const;

export type CheckStepId = (typeof CHECK_STEPS)[number]['id'];
export type CheckStep = { id: CheckStepId; title: string; status: 'passed' | 'failed' | 'not_run'; detail: string };

export type ReceiptReport = {
  ok: boolean;
  failure?: { code: ReceiptFailureCode; message: string };
  steps: CheckStep[];
  /** What the receipt says, once it parsed: authenticated only when `ok`. */
  index?: number;
  treeSize?: number;
  origin?: string;
  rootHash?: string;
  /** The ledger entry carried in the receipt (canonical JSON), decoded. */
  entry?: Record<string, unknown>;
};

type ParsedReceipt = { index: number; inclusionProof: Uint8Array[]; checkpoint: string; leaf: Uint8Array | undefined };

function parseReceipt(receipt: string | Uint8Array): { ok: true; receipt: ParsedReceipt } | { ok: false; message: string } {
  const malformed = (message: string) => ({ ok: false as const, message });
  const text = wellFormedText(receipt);
  if (text === undefined) return malformed('receipt is not valid UTF-8');
  const separator = text.indexOf('\n\n');
  if (separator < 0) return malformed('receipt has no checkpoint');
  const lines = text.slice(0, separator).split('\n');
  const checkpoint = text.slice(separator + 2);
  if (lines.shift() !== HEADER) return malformed(`receipt must start with ${HEADER}`);
  let leaf: Uint8Array | undefined;
  if (lines[0]?.startsWith('extra ')) {
    leaf = decodeBase64Strict(lines.shift()!.slice('extra '.length));
    if (leaf === undefined) return malformed('extra data is not canonical base64');
  }
  const indexLine = lines.shift();
  const index = indexLine?.startsWith('index ') ? parseDecimal(indexLine.slice('index '.length)) : undefined;
  if (index === undefined) return malformed('missing or invalid "index <n>" line');
  if (lines.length > MAX_PROOF_HASHES) return malformed('inclusion proof is too long');
  const inclusionProof: Uint8Array[] = [];
  for (const line of lines) {
    const hash = decodeBase64Strict(line);
    if (hash === undefined || hash.length !== HASH_SIZE) return malformed(`proof lines must be base64 of ${HASH_SIZE} bytes`);
    inclusionProof.push(hash);
  }
  if (checkpoint.length === 0) return malformed('receipt has no checkpoint');
  return { ok: true, receipt: { index, inclusionProof, checkpoint, leaf } };
}

function decodeEntry(leaf: Uint8Array): Record<string, unknown> | undefined {
  const text = wellFormedText(leaf);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function checkReceipt(receipt: string | Uint8Array, verifierKey: string): Promise<ReceiptReport> {
  const report: ReceiptReport = { ok: false, steps: CHECK_STEPS.map((step) => ({ ...step, status: 'not_run', detail: '' })) };
  const mark = (id: CheckStepId, status: 'passed' | 'failed', detail: string) => {
    const step = report.steps.find((s) => s.id === id)!;
    step.status = status;
    step.detail = detail;
  };
  const fail = (id: CheckStepId, code: ReceiptFailureCode, message: string): ReceiptReport => {
    mark(id, 'failed', message);
    return { ...report, failure: { code, message } };
  };

  const parsed = parseReceipt(receipt);
  if (!parsed.ok) return fail('format', 'MALFORMED_RECEIPT', parsed.message);
  const { index, inclusionProof, checkpoint, leaf } = parsed.receipt;
  report.index = index;
  if (leaf) report.entry = decodeEntry(leaf);
  mark('format', 'passed', `entry ${index}, ${inclusionProof.length} proof hash${inclusionProof.length === 1 ? '' : 'es'}${leaf ? ', entry carried' : ''}`);

  const key = await parseVerifierKey(verifierKey.trim());
  if (!key.ok) return fail('key', key.code, key.message);
  const { verifier } = key;
  mark('key', 'passed', `${verifier.name}+${keyIdHex(verifier.keyId)}`);

  const note = await openNote(checkpoint, [verifier]);
  if (!note.ok) return fail('signature', note.code === 'MALFORMED_NOTE' ? 'MALFORMED_RECEIPT' : note.code, note.message);
  const opened = parseCheckpoint(note.text);
  if (!opened.ok) return fail('signature', 'MALFORMED_RECEIPT', opened.message);
  const { origin, treeSize, rootHash } = opened.checkpoint;
  Object.assign(report, { origin, treeSize, rootHash: encodeBase64(rootHash) });
  mark('signature', 'passed', `tree size ${treeSize}, root ${encodeBase64(rootHash)}`);

  if (leaf === undefined) return fail('inclusion', 'MISSING_LEAF', 'the receipt carries no entry (no "extra" line)');
  const computed = await rootFromInclusionProof({ leafHash: await hashLeaf(leaf), index, treeSize, proof: inclusionProof });
  if (!computed.ok) return fail('inclusion', 'INCLUSION_MISMATCH', computed.message);
  if (!equalBytes(computed.rootHash, rootHash)) return fail('inclusion', 'INCLUSION_MISMATCH', `leaf ${index} is not in the checkpointed tree of size ${treeSize}`);
  mark('inclusion', 'passed', `entry ${index} hashes up its inclusion path to the signed root`);

  // A key vouches only for the log it is named after.
  if (origin !== verifier.name) {
    return fail('origin', 'ORIGIN_MISMATCH', `the checkpoint is for the log ${JSON.stringify(origin)}, but its key is named ${JSON.stringify(verifier.name)}`);
  }
  mark('origin', 'passed', origin);
  return { ...report, ok: true };
}
