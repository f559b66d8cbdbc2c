import { type ReceiptFailureCode, verifyReceipt } from './tlog/index.ts';

export type ReceiptCheck =
  | { ok: true; origin: string; index: number; treeSize: number; rootHash: Buffer; leaf: Buffer }
  | { ok: false; code: ReceiptFailureCode | 'ORIGIN_MISMATCH'; message: string };

/**
 * Offline check of a receipt against pinned verifier keys. Each key vouches only for the log it is
 * named after: a checkpoint it signed for another origin is refused (ORIGIN_MISMATCH). When no key
 * accepts the receipt, the most telling failure is reported (any over UNKNOWN_KEY).
 */
export function checkReceipt(receipt: string | Uint8Array, verifierKeys: readonly string[]): ReceiptCheck {
  let failure: Extract<ReceiptCheck, { ok: false }> = { ok: false, code: 'MALFORMED_KEY', message: 'no verifier key given' };
  for (const key of verifierKeys) {
    const result = verifyReceipt(receipt, key);
    const keyName = key.slice(0, Math.max(0, key.indexOf('+')));
    if (result.ok && result.origin === keyName) {
      return { ok: true, origin: result.origin, index: result.index, treeSize: result.treeSize, rootHash: result.rootHash, leaf: result.leaf };
    }
    const found: Extract<ReceiptCheck, { ok: false }> = result.ok
      ? { ok: false, code: 'ORIGIN_MISMATCH', message: `the checkpoint is for the log ${JSON.stringify(result.origin)}, but its key is named ${JSON.stringify(keyName)}` }
      : result;
    if (failure.code === 'MALFORMED_KEY' || failure.code === 'UNKNOWN_KEY') failure = found;
  }
  return failure;
}
