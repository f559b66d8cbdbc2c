import { encodeBase64, wellFormedText } from '../../../sdk/client/src/bytes.ts';
import { verifyReceipt } from '../../../sdk/client/src/receipts.ts';
import type { ReceiptCheckPassed } from '../../../sdk/client/src/tlog/receipt.ts';

/**
 * A ledger receipt (C2SP tlog-proof@v1, what GET /api/v1/receipts/{id} answers) checked in the
 * browser against one pinned verifier key by the client SDK's verifyReceipt (the same rules as
 * `veridity verify-receipt`), shown as a list of checks: the SDK reports each check as it passes,
 * so the first one it did not report is the one that failed.
 */

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
  failure?: { code: string; message: string };
  steps: CheckStep[];
  /** What the receipt says, once it parsed: authenticated only when `ok`. */
  index?: number;
  treeSize?: number;
  origin?: string;
  rootHash?: string;
  /** The ledger entry carried in the receipt (canonical JSON), decoded. */
  entry?: Record<string, unknown>;
};

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
  const key = verifierKey.trim();
  const describe = (passed: ReceiptCheckPassed): string => {
    switch (passed.step) {
      case 'format': {
        const { index, inclusionProof, leaf } = passed.receipt;
        report.index = index;
        if (leaf) report.entry = decodeEntry(leaf);
        return `entry ${index}, ${inclusionProof.length} proof hash${inclusionProof.length === 1 ? '' : 'es'}${leaf ? ', entry carried' : ''}`;
      }
      case 'key':
        return key.split('+').slice(0, 2).join('+');
      case 'signature': {
        const { origin, treeSize, rootHash } = passed.checkpoint;
        Object.assign(report, { origin, treeSize, rootHash: encodeBase64(rootHash) });
        return `tree size ${treeSize}, root ${encodeBase64(rootHash)}`;
      }
      case 'inclusion':
        return `entry ${report.index} hashes up its inclusion path to the signed root`;
      case 'origin':
        return report.origin ?? '';
    }
  };
  const result = await verifyReceipt(receipt, key, {
    onPassed: (passed) => {
      const detail = describe(passed);
      Object.assign(report.steps.find((step) => step.id === passed.step)!, { status: 'passed', detail });
    },
  });
  if (result.ok) return { ...report, ok: true };
  // Every check passed but the proven leaf is not a ledger entry: the receipt's content is at fault.
  const failed = report.steps.find((step) => step.status === 'not_run') ?? report.steps[0]!;
  Object.assign(failed, { status: 'failed', detail: result.message });
  return { ...report, failure: { code: result.code, message: result.message } };
}
