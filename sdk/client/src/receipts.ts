import { runWithWebCrypto } from './crypto-steps.ts';
import type { components } from './openapi.d.ts';
import { checkReceipt, type OnReceiptCheckPassed, type ReceiptFailureCode } from './tlog/receipt.ts';

/** What a ledger entry commits to: identifiers, the outcome and a hash of the public inputs (no personal data). */
export type LedgerEntry = components['schemas']['LedgerEntry']['entry'];

export type ReceiptVerification =
  | { ok: true; entry: LedgerEntry; origin: string; index: number; treeSize: number; rootHash: Uint8Array; leaf: Uint8Array }
  | { ok: false; code: ReceiptFailureCode | 'ORIGIN_MISMATCH' | 'ENTRY_MISMATCH'; message: string };

/**
 * Checks a receipt (the C2SP tlog-proof@v1 text of GET /api/v1/receipts/{id}) offline, with
 * WebCrypto: its checkpoint is signed by the ledger key (GET /api/v1/ledger/key, pinned once; give
 * several during a rotation) for the log that key is named after, and the entry it carries hashes
 * up its inclusion proof to that checkpoint's root. The same rules as `veridity verify-receipt`.
 *
 * @param options.publicId the proof or task id the receipt must be for (ENTRY_MISMATCH otherwise)
 * @param options.onPassed told of each check as it passes (with one key: format, key, signature, inclusion, origin)
 */
export async function verifyReceipt(
  receipt: string | Uint8Array,
  ledgerPublicKey: string | readonly string[],
  options: { publicId?: string; onPassed?: OnReceiptCheckPassed } = {},
): Promise<ReceiptVerification> {
  const keys = (typeof ledgerPublicKey === 'string' ? [ledgerPublicKey] : ledgerPublicKey).map((key) => key.trim());
  const checked = await runWithWebCrypto(checkReceipt(receipt, keys, options.onPassed));
  if (!checked.ok) return checked;
  const entry = ledgerEntry(checked.leaf);
  if (entry === undefined) return { ok: false, code: 'MALFORMED_RECEIPT', message: 'the proven leaf is not a ledger entry' };
  if (options.publicId !== undefined && entry.public_id !== options.publicId) {
    return { ok: false, code: 'ENTRY_MISMATCH', message: `the receipt is for ${JSON.stringify(entry.public_id)}, not ${JSON.stringify(options.publicId)}` };
  }
  return { ...checked, entry };
}

function ledgerEntry(leaf: Uint8Array): LedgerEntry | undefined {
  try {
    const entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(leaf)) as Partial<LedgerEntry> | null;
    return typeof entry?.kind === 'string' && typeof entry.public_id === 'string' ? (entry as LedgerEntry) : undefined;
  } catch {
    return undefined;
  }
}
