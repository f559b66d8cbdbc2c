import { receiptUrl } from '#modules/ledger/receipt-url.ts';
import type { CertificateJson } from './document/index.ts';
import { partnerCertificateUrl, verifyPageUrl } from './certificate-urls.ts';
import type { Certificate } from './schema.ts';
import type { CertificatePdfRow, CertificateRow } from './tables.ts';

/** A kept PDF version as listed, downloadable at `<pdfUrl>?version=`. */
export function toPdfVersion(row: CertificatePdfRow, pdfUrl: string): Certificate['pdfs'][number] {
  return { version: row.version, sha256: row.sha256, status: row.status, anchored: row.anchored, created_at: row.createdAt.toISOString(), url: `${pdfUrl}?version=${row.version}` };
}

/** The partner's view of a certificate row and its kept PDFs; `publicUrl` is PUBLIC_URL (the verify page's origin). */
export function toCertificate(row: CertificateRow, publicUrl: string, pdfs: readonly CertificatePdfRow[]): Certificate {
  const pdfUrl = `${partnerCertificateUrl(row.id)}/certificate.pdf`;
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
    pdf_url: pdfUrl,
    json_url: `${partnerCertificateUrl(row.id)}/certificate.json`,
    certificate: JSON.parse(row.body) as CertificateJson,
    jws: row.jws,
    anchor: row.anchor,
    pdfs: pdfs.map((pdf) => toPdfVersion(pdf, pdfUrl)),
  };
}
