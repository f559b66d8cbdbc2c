import { checkReceipt as checkReceiptSteps, type ReceiptCheck as ReceiptCheckBytes } from '#client/tlog/receipt.ts';
import { runWithNodeCrypto } from '#platform/crypto/run-crypto-steps.ts';

export type ReceiptCheck =
  | { ok: true; origin: string; index: number; treeSize: number; rootHash: Buffer; leaf: Buffer }
  | Extract<ReceiptCheckBytes, { ok: false }>;

/**
 * Offline check of a receipt against pinned verifier keys: the client SDK's rules
 * (sdk/client/src/tlog/receipt.ts, checkReceipt: each key vouches only for the log it is named
 * after), run with node:crypto.
 */
export function checkReceipt(receipt: string | Uint8Array, verifierKeys: readonly string[]): ReceiptCheck {
  const checked = runWithNodeCrypto(checkReceiptSteps(receipt, verifierKeys));
  return checked.ok ? { ...checked, rootHash: Buffer.from(checked.rootHash), leaf: Buffer.from(checked.leaf) } : checked;
}
