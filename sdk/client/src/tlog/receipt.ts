import { decodeBase64Strict, equalBytes, parseDecimal, wellFormedText } from '../bytes.ts';
import type { Steps } from '../crypto-steps.ts';
import { type Checkpoint, openCheckpoint } from './checkpoint.ts';
import { HASH_SIZE, hashLeaf, rootFromInclusionProof } from './merkle.ts';

/**
 * Receipts are C2SP tlog-proof@v1 documents (https://c2sp.org/tlog-proof):
 *   c2sp.org/tlog-proof@v1
 *   extra <base64 of the leaf's canonical JSON>      (optional, unauthenticated)
 *   index <leaf index>
 *   <base64 inclusion proof hash, leaf's sibling first>...
 *   <empty line>
 *   <signed checkpoint, verbatim>
 * They verify offline with nothing but the log's verifier key.
 */

export const RECEIPT_HEADER = 'c2sp.org/tlog-proof@v1';
/** Proofs for trees up to 2^53 leaves have at most 53 hashes; anything longer is garbage. */
const MAX_PROOF_HASHES = 64;

export type ReceiptFailureCode =
  | 'MALFORMED_RECEIPT'
  | 'MALFORMED_KEY'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'MISSING_LEAF'
  | 'LEAF_MISMATCH'
  | 'INCLUSION_MISMATCH';

export type ReceiptVerification =
  | {
      ok: true;
      index: number;
      treeSize: number;
      rootHash: Uint8Array;
      /** Checkpoint origin: callers that trust a key for one log only should compare it. */
      origin: string;
      /** The leaf proven to be in the log (the caller's, or the receipt's extra data). */
      leaf: Uint8Array;
    }
  | { ok: false; code: ReceiptFailureCode; message: string };

export type ParsedReceipt = {
  readonly index: number;
  readonly inclusionProof: Uint8Array[];
  readonly checkpoint: string;
  readonly leaf: Uint8Array | undefined;
};

/**
 * An optional report of each check as it passes, in order (format, key, signature, inclusion,
 * origin): the first one not reported is the one that failed. For a reader who shows the steps
 * (the console's receipt checker); the verdict does not depend on it.
 */
export type ReceiptCheckPassed =
  | { step: 'format'; receipt: ParsedReceipt }
  | { step: 'key' }
  | { step: 'signature'; checkpoint: Checkpoint }
  | { step: 'inclusion' }
  | { step: 'origin' };
export type OnReceiptCheckPassed = (passed: ReceiptCheckPassed) => void;

/** Parses the receipt layout; nothing in the result is authenticated yet. */
export function parseReceipt(
  receipt: string | Uint8Array,
): { ok: true; receipt: ParsedReceipt } | { ok: false; code: 'MALFORMED_RECEIPT'; message: string } {
  const malformed = (message: string) => ({ ok: false as const, code: 'MALFORMED_RECEIPT' as const, message });
  const text = wellFormedText(receipt);
  if (text === undefined) return malformed('receipt is not valid UTF-8');
  const separator = text.indexOf('\n\n');
  if (separator < 0) return malformed('receipt has no checkpoint');
  const lines = text.slice(0, separator).split('\n');
  const checkpoint = text.slice(separator + 2);

  if (lines.shift() !== RECEIPT_HEADER) return malformed(`receipt must start with ${RECEIPT_HEADER}`);
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

/**
 * Offline receipt check: the checkpoint is signed by a trusted key, and the leaf (the caller's
 * `leaf`, else the receipt's extra data) hashes up the inclusion proof to the checkpoint's root.
 */
export function* verifyReceipt(
  receipt: string | Uint8Array,
  verifierKeys: string | readonly string[],
  leaf?: Uint8Array,
  onPassed?: OnReceiptCheckPassed,
): Steps<ReceiptVerification> {
  const parsed = parseReceipt(receipt);
  if (!parsed.ok) return parsed;
  onPassed?.({ step: 'format', receipt: parsed.receipt });
  const { index, inclusionProof, checkpoint, leaf: carriedLeaf } = parsed.receipt;

  const opened = yield* openCheckpoint(checkpoint, verifierKeys);
  // openCheckpoint parses every key before it reads the note.
  if (opened.ok || opened.code !== 'MALFORMED_KEY') onPassed?.({ step: 'key' });
  if (!opened.ok) {
    const code = opened.code === 'MALFORMED_NOTE' || opened.code === 'MALFORMED_CHECKPOINT' ? 'MALFORMED_RECEIPT' : opened.code;
    return { ok: false, code, message: opened.message };
  }
  onPassed?.({ step: 'signature', checkpoint: opened.checkpoint });
  const { treeSize, rootHash, origin } = opened.checkpoint;

  if (leaf !== undefined && carriedLeaf !== undefined && !equalBytes(carriedLeaf, leaf)) {
    return { ok: false, code: 'LEAF_MISMATCH', message: 'the receipt was issued for a different leaf' };
  }
  const provenLeaf = leaf ?? carriedLeaf;
  if (provenLeaf === undefined) return { ok: false, code: 'MISSING_LEAF', message: 'no leaf given and none carried in the receipt' };

  const computed = yield* rootFromInclusionProof({ leafHash: yield* hashLeaf(provenLeaf), index, treeSize, proof: inclusionProof });
  if (!computed.ok) return { ok: false, code: 'INCLUSION_MISMATCH', message: computed.message };
  if (!equalBytes(computed.rootHash, rootHash)) {
    return { ok: false, code: 'INCLUSION_MISMATCH', message: `leaf ${index} is not in the checkpointed tree of size ${treeSize}` };
  }
  onPassed?.({ step: 'inclusion' });
  return { ok: true, index, treeSize, rootHash, origin, leaf: provenLeaf };
}

export type ReceiptCheck =
  | { ok: true; origin: string; index: number; treeSize: number; rootHash: Uint8Array; leaf: Uint8Array }
  | { ok: false; code: ReceiptFailureCode | 'ORIGIN_MISMATCH'; message: string };

/**
 * Offline check of a receipt against pinned verifier keys. Each key vouches only for the log it is
 * named after: a checkpoint it signed for another origin is refused (ORIGIN_MISMATCH). When no key
 * accepts the receipt, the most telling failure is reported (any over UNKNOWN_KEY).
 */
export function* checkReceipt(receipt: string | Uint8Array, verifierKeys: readonly string[], onPassed?: OnReceiptCheckPassed): Steps<ReceiptCheck> {
  let failure: Extract<ReceiptCheck, { ok: false }> = { ok: false, code: 'MALFORMED_KEY', message: 'no verifier key given' };
  for (const key of verifierKeys) {
    const result = yield* verifyReceipt(receipt, key, undefined, onPassed);
    const keyName = key.slice(0, Math.max(0, key.indexOf('+')));
    if (result.ok && result.origin === keyName) {
      onPassed?.({ step: 'origin' });
      return { ok: true, origin: result.origin, index: result.index, treeSize: result.treeSize, rootHash: result.rootHash, leaf: result.leaf };
    }
    const found: Extract<ReceiptCheck, { ok: false }> = result.ok
      ? { ok: false, code: 'ORIGIN_MISMATCH', message: `the checkpoint is for the log ${JSON.stringify(result.origin)}, but its key is named ${JSON.stringify(keyName)}` }
      : result;
    if (failure.code === 'MALFORMED_KEY' || failure.code === 'UNKNOWN_KEY') failure = found;
  }
  return failure;
}
