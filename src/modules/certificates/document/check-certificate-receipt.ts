import { checkReceipt, type ReceiptCheck } from '#modules/ledger/check-receipt.ts';
import type { CertificateJson } from './certificate-json.ts';

export type CertificateReceiptCheck =
  | { ok: true; index: number; treeSize: number; origin: string; rootHash: Buffer }
  | { ok: false; code: Extract<ReceiptCheck, { ok: false }>['code'] | 'ENTRY_MISMATCH'; message: string };

function leafEntry(leaf: Buffer): Record<string, unknown> | undefined {
  try {
    const entry = JSON.parse(leaf.toString('utf8')) as unknown;
    return typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a ledger receipt offline (signed checkpoint, inclusion proof: checkReceipt) and that the
 * entry it proves is this certificate's: kind `certificate` and the body's ledger public_id.
 */
export function checkCertificateReceipt(receipt: string, body: CertificateJson, ledgerKeys: readonly string[]): CertificateReceiptCheck {
  const result = checkReceipt(receipt, ledgerKeys);
  if (!result.ok) return result;
  const entry = leafEntry(result.leaf);
  if (entry?.kind !== body.ledger.kind || entry.public_id !== body.ledger.public_id) {
    return {
      ok: false,
      code: 'ENTRY_MISMATCH',
      message: `the receipt proves the entry ${JSON.stringify({ kind: entry?.kind, public_id: entry?.public_id })}, not this certificate's ${JSON.stringify(body.ledger)}`,
    };
  }
  return { ok: true, index: result.index, treeSize: result.treeSize, origin: result.origin, rootHash: result.rootHash };
}
