import { eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { CertificateJson } from './document/index.ts';
import { publicCertificateUrl } from './certificate-urls.ts';
import { type CertificateReceipt, certificateReceipt, listCertificatePdfs } from './get-certificate-pdf.ts';
import type { PublicCertificate } from './schema.ts';
import { type CertificateRow, certificates } from './tables.ts';
import { toPdfVersion } from './to-certificate.ts';

export const CERTIFICATE_KEYS_URL = '/api/v1/certificates/keys';

export type PublicCertificateView = { certificate: PublicCertificate; receipt: CertificateReceipt; certificateId: string };

export async function findCertificateByPublicId(deps: { db: Db }, publicId: string): Promise<CertificateRow | undefined> {
  const [row] = await deps.db.select().from(certificates).where(eq(certificates.publicId, publicId));
  return row;
}

/**
 * A certificate as anyone may see it, by its public id: the signed body, its status and where it
 * sits in the ledger. Built field by field from what is public: no partner, evidence or
 * certificate id, and not the revocation reason (the partner's words, for the partner).
 */
export async function getPublicCertificate(deps: { db: Db; pool: Pool }, publicId: string): Promise<PublicCertificateView | undefined> {
  const row = await findCertificateByPublicId(deps, publicId);
  if (!row) return undefined;
  const receipt = await certificateReceipt(deps, row);
  const pdfUrl = `${publicCertificateUrl(row.publicId)}/certificate.pdf`;
  const pdfs = (await listCertificatePdfs(deps, [row.id])).get(row.id)!;
  return {
    receipt,
    certificateId: row.id,
    certificate: {
      public_id: row.publicId,
      status: row.status === 'REVOKED' ? 'revoked' : 'valid',
      revoked_at: row.revokedAt?.toISOString() ?? null,
      certificate: JSON.parse(row.body) as CertificateJson,
      jws: row.jws,
      ledger: { kind: 'certificate', index: receipt.state === 'ready' ? receipt.index : null, receipt_url: `${publicCertificateUrl(row.publicId)}/receipt` },
      keys_url: CERTIFICATE_KEYS_URL,
      anchor: row.anchor,
      pdfs: pdfs.map((pdf) => toPdfVersion(pdf, pdfUrl)),
    },
  };
}
