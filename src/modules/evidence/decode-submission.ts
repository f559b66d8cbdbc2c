import { EvidenceSubmissionSchema, type EvidenceSubmission } from './schema.ts';
import type { BatchItem } from './submit-evidence-batch.ts';
import type { EvidenceItem } from './submit-evidence.ts';

/** A validated JSON submission as the bytes it carries. */
export function decodeSubmission(body: EvidenceSubmission): EvidenceItem {
  return {
    der: Buffer.from(body.der_base64, 'base64'),
    content: body.content_base64 === undefined ? undefined : Buffer.from(body.content_base64, 'base64'),
    filename: body.filename,
    metadata: body.metadata,
  };
}

/** The items of a JSON bulk body, each validated on its own: an invalid one is refused, naming its fields, and the others go on. */
export function decodeJsonBatch(items: readonly unknown[]): BatchItem[] {
  return items.map((raw) => {
    const parsed = EvidenceSubmissionSchema.safeParse(raw);
    if (parsed.success) return { item: decodeSubmission(parsed.data) };
    const message = parsed.error.issues.slice(0, 5).map((issue) => `${['item', ...issue.path].join('.')}: ${issue.message}`).join('; ');
    return { refused: { reason: 'INVALID_ITEM' as const, message } };
  });
}
