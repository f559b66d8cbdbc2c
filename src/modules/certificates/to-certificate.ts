import { receiptUrl } from '#modules/ledger/receipt-url.ts';
import type { CertificateJson } from './document/index.ts';
import { partnerCertificateUrl, verifyPageUrl } from './certificate-urls.ts';
import type { Certificate } from './schema.ts';
import type { CertificateRow } from './tables.ts';

/** The partner's view of a certificate row; `publicUrl` is PUBLIC_URL (the verify page's origin). */
export function toCertificate(row: CertificateRow, publicUrl: string): Certificate {
  return {
    id: row.id,
    public_id: row.publicId,
    evidence_id: row.evidenceId,
    status: row.status,
    document_sha256: row.documentSha256,
    issued_at: row.createdAt.toISOString(),
    revoked_at: row.revokedAt?.toISOString() ?? null,
    revocation_reason: row.revocationReason,
    verify_url: verifyPageUrl(publicUrl, row.publicId),
    receipt_url: receiptUrl(row.id),
    pdf_url: `${partnerCertificateUrl(row.id)}/certificate.pdf`,
    json_url: `${partnerCertificateUrl(row.id)}/certificate.json`,
    certificate: JSON.parse(row.body) as CertificateJson,
    jws: row.jws,
  };
}
