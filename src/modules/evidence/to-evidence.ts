import { receiptUrl } from '#modules/ledger/receipt-url.ts';
import type { Evidence } from './schema.ts';
import type { EvidenceSubmissionRow } from './tables.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

/**
 * Where the certificates module serves a certificate (its routes), for the links of a certified
 * submission; the verify page under PUBLIC_URL, as the QR code and the certificate itself name it
 * (spelled out here: the evidence module imports nothing of the certificates module).
 */
function certificateLinks(id: string, publicId: string, publicUrl: string): NonNullable<Evidence['certificate']> {
  const url = `/api/v1/certificates/${id}`;
  return { id, public_id: publicId, url, pdf_url: `${url}/certificate.pdf`, json_url: `${url}/certificate.json`, verify_url: `${publicUrl}/verify/${publicId}` };
}

/** A submission as the API shows it to its partner; `publicUrl` is PUBLIC_URL. */
export function toEvidence(row: EvidenceSubmissionRow, publicUrl: string): Evidence {
  return {
    id: row.id,
    status: row.status,
    sha256: row.derSha256,
    size: row.derBytes,
    detached_content_size: row.contentBytes,
    filename: row.filename,
    metadata: row.metadata,
    attempts: row.attempts,
    error_code: row.errorCode,
    error_message: row.errorMessage,
    error_path: row.errorPath,
    document: row.documentSha256 ? { sha256: row.documentSha256, media_type: row.mediaType ?? 'application/octet-stream', schema: row.documentSchema } : null,
    encrypted: row.encrypted,
    certificate: row.certificateId && row.certificatePublicId ? certificateLinks(row.certificateId, row.certificatePublicId, publicUrl) : null,
    receipt_url: row.rejectedAt ? receiptUrl(row.id) : null,
    created_at: row.createdAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    agent_id: row.agentId,
    rejected_at: iso(row.rejectedAt),
    retests: row.retests,
    retested_at: iso(row.retestedAt),
    evidence_purged_at: iso(row.evidencePurgedAt),
  };
}
