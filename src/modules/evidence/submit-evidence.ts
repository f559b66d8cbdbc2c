import { createHash } from 'node:crypto';
import { canonicalJsonBytes } from '#platform/canonical-json.ts';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import type { JobSender } from '#platform/queue/job-sender.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { findEvidenceBySha256, SUBMISSION_COLUMNS } from './get-evidence.ts';
import type { VerifyEvidencePayload } from './jobs.ts';
import { readContentInfoHeader } from './read-content-info-header.ts';
import { queueEvidenceJob, requeueFailedEvidence } from './requeue-failed-evidence.ts';
import { MAX_CONTENT_BYTES, MAX_DER_BYTES, MAX_METADATA_BYTES, type RefusalReason } from './schema.ts';
import type { EvidenceSubmissionRow } from './tables.ts';

/** One document to submit, decoded. */
export type EvidenceItem = {
  der: Buffer;
  /** The signed content, for a detached signature. */
  content?: Buffer | undefined;
  filename?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
};

export type SubmitEvidenceDeps = { pool: Pool; clock: Clock; storage: ObjectStorage; jobs: JobSender<VerifyEvidencePayload> };

export type SubmitEvidenceResult =
  /** `accepted`: stored and queued now (a new submission, or a failed one submitted again); `duplicate`: this partner submitted this DER before. */
  | { ok: true; outcome: 'accepted' | 'duplicate'; row: EvidenceSubmissionRow }
  | { ok: false; code: Exclude<RefusalReason, 'INVALID_ITEM'>; message: string };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Content-addressed within the partner: the same bytes always land on the same key. */
const objectKey = (clientId: string, kind: 'der' | 'content', hash: string) => `evidence/${clientId}/${kind}/${hash}`;

/** What is refused before anything is stored: sizes, the outer CMS frame, the metadata bound. */
function refusalOf(item: EvidenceItem): { code: Exclude<RefusalReason, 'INVALID_ITEM'>; message: string } | undefined {
  if (item.der.length > MAX_DER_BYTES) return { code: 'TOO_LARGE', message: `the document is ${item.der.length} bytes, over the limit of ${MAX_DER_BYTES}` };
  if (item.content && item.content.length > MAX_CONTENT_BYTES) {
    return { code: 'TOO_LARGE', message: `the detached content is ${item.content.length} bytes, over the limit of ${MAX_CONTENT_BYTES}` };
  }
  const header = readContentInfoHeader(item.der);
  if (!header.ok) return { code: header.code, message: header.message };
  if (item.metadata !== undefined) {
    let size: number;
    try {
      size = canonicalJsonBytes(item.metadata).length;
    } catch (error) {
      return { code: 'METADATA_TOO_LARGE', message: `metadata is not canonical JSON: ${(error as Error).message}` };
    }
    if (size > MAX_METADATA_BYTES) return { code: 'METADATA_TOO_LARGE', message: `metadata is ${size} bytes of canonical JSON, over the limit of ${MAX_METADATA_BYTES}` };
  }
  return undefined;
}

const RETURNING = `RETURNING ${SUBMISSION_COLUMNS}`;

/**
 * POST /api/v1/proofs after auth and scope. The same DER (by SHA-256) from the same partner is
 * the same submission: it answers the existing one and never makes a second (a failed one is
 * queued again, its bytes stored anew if retention purged them). Otherwise the bytes go to
 * object storage first, then the row and its queue job commit in one transaction: a row never points at bytes that are not stored, and a job never
 * names a row that does not exist. Nothing about the evidence beyond its outer frame is judged
 * here; the worker decides.
 */
export async function submitEvidence(deps: SubmitEvidenceDeps, clientId: string, item: EvidenceItem, sender: { agentId?: string } = {}): Promise<SubmitEvidenceResult> {
  const refusal = refusalOf(item);
  if (refusal) return { ok: false, ...refusal };
  const derSha256 = sha256(item.der);
  const existing = await findEvidenceBySha256(deps, clientId, derSha256);
  if (existing && existing.status !== 'failed') return { ok: true, outcome: 'duplicate', row: existing };

  const derKey = objectKey(clientId, 'der', derSha256);
  await deps.storage.put(derKey, item.der, 'application/pkcs7-mime');
  const contentKey = item.content ? objectKey(clientId, 'content', sha256(item.content)) : null;
  if (item.content) await deps.storage.put(contentKey!, item.content, 'application/octet-stream');

  await deps.jobs.ready();
  const now = deps.clock.now();
  const metadata = item.metadata === undefined ? null : JSON.stringify(item.metadata);
  const result = await inTransaction(deps.pool, async (tx) => {
    if (existing) {
      const resubmission = { by: 'partner' as const, contentObjectKey: contentKey, contentBytes: item.content?.length ?? null, filename: item.filename ?? null, metadata };
      return requeueFailedEvidence(tx, deps.jobs, existing.id, resubmission);
    }
    const inserted = await tx.query<EvidenceSubmissionRow>(
      `INSERT INTO evidence_submissions (id, client_id, der_sha256, der_bytes, object_key, content_object_key, content_bytes, filename, metadata, created_at, agent_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (client_id, der_sha256) DO NOTHING ${RETURNING}`,
      [newId('evd', now.getTime()), clientId, derSha256, item.der.length, derKey, contentKey, item.content?.length ?? null, item.filename ?? null, metadata, now, sender.agentId ?? null],
    );
    // Another request submitted (or re-queued) the same DER meanwhile: its submission stands.
    return inserted.rows[0] ? queueEvidenceJob(tx, deps.jobs, inserted.rows[0]) : undefined;
  });
  if (result) return { ok: true, outcome: 'accepted', row: result };
  const winner = await findEvidenceBySha256(deps, clientId, derSha256);
  if (!winner) throw new Error(`evidence ${derSha256} of ${clientId} vanished while it was being submitted`);
  return { ok: true, outcome: 'duplicate', row: winner };
}
