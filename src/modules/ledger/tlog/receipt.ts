import { openCheckpoint } from './checkpoint.ts';
import { HASH_SIZE, hashLeaf } from './merkle-hash.ts';
import { decodeBase64Strict, parseDecimal, wellFormedText } from './text-encoding.ts';
import { rootFromInclusionProof } from './verify-proof.ts';

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

const HEADER = 'c2sp.org/tlog-proof@v1';
/** Proofs for trees up to 2^53 leaves have at most 53 hashes; anything longer is garbage. */
const MAX_PROOF_HASHES = 64;

export type ReceiptParts = {
  readonly index: number;
  readonly inclusionProof: readonly Buffer[];
  /** The signed checkpoint note the proof leads to. */
  readonly checkpoint: string;
  /** The leaf bytes, carried in the `extra` line so the receipt is self-contained. */
  readonly leaf?: Uint8Array;
};

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
      rootHash: Buffer;
      /** Checkpoint origin: callers that trust a key for one log only should compare it. */
      origin: string;
      /** The leaf proven to be in the log (the caller's, or the receipt's extra data). */
      leaf: Buffer;
    }
  | { ok: false; code: ReceiptFailureCode; message: string };

export function buildReceipt(parts: ReceiptParts): string {
  const { index, inclusionProof, checkpoint, leaf } = parts;
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`invalid leaf index ${index}`);
  if (inclusionProof.some((h) => h.length !== HASH_SIZE)) throw new RangeError(`proof hashes must be ${HASH_SIZE} bytes`);
  if (!checkpoint.endsWith('\n')) throw new TypeError('checkpoint must be a signed note ending with a newline');
  const lines = [
    HEADER,
    ...(leaf === undefined ? [] : [`extra ${Buffer.from(leaf).toString('base64')}`]),
    `index ${index}`,
    ...inclusionProof.map((h) => h.toString('base64')),
  ];
  return `${lines.join('\n')}\n\n${checkpoint}`;
}

export type ParsedReceipt = {
  readonly index: number;
  readonly inclusionProof: Buffer[];
  readonly checkpoint: string;
  readonly leaf: Buffer | undefined;
};

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

  if (lines.shift() !== HEADER) return malformed(`receipt must start with ${HEADER}`);
  let leaf: Buffer | undefined;
  if (lines[0]?.startsWith('extra ')) {
    leaf = decodeBase64Strict(lines.shift()!.slice('extra '.length));
    if (leaf === undefined) return malformed('extra data is not canonical base64');
  }
  const indexLine = lines.shift();
  const index = indexLine?.startsWith('index ') ? parseDecimal(indexLine.slice('index '.length)) : undefined;
  if (index === undefined) return malformed('missing or invalid "index <n>" line');
  if (lines.length > MAX_PROOF_HASHES) return malformed('inclusion proof is too long');
  const inclusionProof: Buffer[] = [];
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
export function verifyReceipt(
  receipt: string | Uint8Array,
  verifierKeys: string | readonly string[],
  leaf?: Uint8Array,
): ReceiptVerification {
  const parsed = parseReceipt(receipt);
  if (!parsed.ok) return parsed;
  const { index, inclusionProof, checkpoint, leaf: carriedLeaf } = parsed.receipt;

  const opened = openCheckpoint(checkpoint, verifierKeys);
  if (!opened.ok) {
    const code = opened.code === 'MALFORMED_NOTE' || opened.code === 'MALFORMED_CHECKPOINT' ? 'MALFORMED_RECEIPT' : opened.code;
    return { ok: false, code, message: opened.message };
  }
  const { treeSize, rootHash, origin } = opened.checkpoint;

  if (leaf !== undefined && carriedLeaf !== undefined && !carriedLeaf.equals(leaf)) {
    return { ok: false, code: 'LEAF_MISMATCH', message: 'the receipt was issued for a different leaf' };
  }
  const provenLeaf = leaf === undefined ? carriedLeaf : Buffer.from(leaf);
  if (provenLeaf === undefined) return { ok: false, code: 'MISSING_LEAF', message: 'no leaf given and none carried in the receipt' };

  const computed = rootFromInclusionProof({ leafHash: hashLeaf(provenLeaf), index, treeSize, proof: inclusionProof });
  if (!computed.ok) return { ok: false, code: 'INCLUSION_MISMATCH', message: computed.message };
  if (!computed.rootHash.equals(rootHash)) {
    return { ok: false, code: 'INCLUSION_MISMATCH', message: `leaf ${index} is not in the checkpointed tree of size ${treeSize}` };
  }
  return { ok: true, index, treeSize, rootHash, origin, leaf: provenLeaf };
}
