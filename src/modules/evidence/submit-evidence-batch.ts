import type { BulkResult, RefusalReason } from './schema.ts';
import { submitEvidence, type EvidenceItem, type SubmitEvidenceDeps } from './submit-evidence.ts';

/** One item of a batch as read from the request: a document to submit, or already refused (it did not even decode). */
export type BatchItem = { item: EvidenceItem } | { refused: { reason: RefusalReason; message: string }; filename?: string | undefined };

type ItemResult = BulkResult['results'][number];

/**
 * POST /api/v1/proofs/bulk: each item submitted on its own, as POST /api/v1/proofs would, in
 * order; one result per item. A refused item refuses only itself; an infrastructure failure
 * (database, storage) fails the request, and what was accepted before it stays accepted (sending
 * the batch again answers `duplicate` for those).
 */
export async function submitEvidenceBatch(deps: SubmitEvidenceDeps, clientId: string, items: readonly BatchItem[]): Promise<BulkResult> {
  const results: ItemResult[] = [];
  for (const [index, candidate] of items.entries()) {
    if ('refused' in candidate) {
      results.push({ index, result: 'refused', ...(candidate.filename ? { filename: candidate.filename } : {}), ...candidate.refused });
      continue;
    }
    const filename = candidate.item.filename ? { filename: candidate.item.filename } : {};
    const submitted = await submitEvidence(deps, { clientId }, candidate.item);
    results.push(
      submitted.ok
        ? { index, result: submitted.outcome, id: submitted.row.id, status: submitted.row.status, ...filename }
        : { index, result: 'refused', reason: submitted.code, message: submitted.message, ...filename },
    );
  }
  const count = (result: ItemResult['result']) => results.filter((r) => r.result === result).length;
  return { results, accepted: count('accepted'), duplicate: count('duplicate'), refused: count('refused') };
}
