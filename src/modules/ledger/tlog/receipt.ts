import {
  type ParsedReceipt as ParsedReceiptBytes,
  parseReceipt as parseReceiptText,
  RECEIPT_HEADER,
  type ReceiptFailureCode,
  verifyReceipt as verifyReceiptSteps,
} from '#client/tlog/receipt.ts';
import { runWithNodeCrypto } from '#platform/crypto/run-crypto-steps.ts';
import { HASH_SIZE } from './merkle-hash.ts';

/**
 * Receipts are C2SP tlog-proof@v1 documents (https://c2sp.org/tlog-proof), built here and
 * parsed and verified by the client SDK's code (sdk/client/src/tlog/receipt.ts, which documents
 * the layout), so that partners check them offline with the very same rules.
 */

export type { ReceiptFailureCode };

export type ReceiptParts = {
  readonly index: number;
  readonly inclusionProof: readonly Buffer[];
  /** The signed checkpoint note the proof leads to. */
  readonly checkpoint: string;
  /** The leaf bytes, carried in the `extra` line so the receipt is self-contained. */
  readonly leaf?: Uint8Array;
};

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
    RECEIPT_HEADER,
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

const withBuffers = (receipt: ParsedReceiptBytes): ParsedReceipt => ({
  ...receipt,
  inclusionProof: receipt.inclusionProof.map((hash) => Buffer.from(hash)),
  leaf: receipt.leaf && Buffer.from(receipt.leaf),
});

/** Parses the receipt layout; nothing in the result is authenticated yet. */
export function parseReceipt(
  receipt: string | Uint8Array,
): { ok: true; receipt: ParsedReceipt } | { ok: false; code: 'MALFORMED_RECEIPT'; message: string } {
  const parsed = parseReceiptText(receipt);
  return parsed.ok ? { ok: true, receipt: withBuffers(parsed.receipt) } : parsed;
}

/**
 * Offline receipt check: the checkpoint is signed by a trusted key, and the leaf (the caller's
 * `leaf`, else the receipt's extra data) hashes up the inclusion proof to the checkpoint's root.
 */
export function verifyReceipt(receipt: string | Uint8Array, verifierKeys: string | readonly string[], leaf?: Uint8Array): ReceiptVerification {
  const verified = runWithNodeCrypto(verifyReceiptSteps(receipt, verifierKeys, leaf));
  return verified.ok ? { ...verified, rootHash: Buffer.from(verified.rootHash), leaf: Buffer.from(verified.leaf) } : verified;
}
