import { createHash } from 'node:crypto';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { getReceipt } from '#modules/ledger/get-receipt.ts';
import type { CertificateJson } from './document/index.ts';
import { loadCertificateDocuments } from './load-certificate-documents.ts';
import { CERTIFICATE_KIND } from './certificate-ledger.ts';
import { verifyPageUrl } from './certificate-urls.ts';
import type { PdfSigner } from './pdf-signer.ts';
import type { CertificateRow } from './tables.ts';

export type CertificatePdfDeps = { pool: Pool; storage: ObjectStorage; pdfSigner: PdfSigner; publicUrl: string };

export type CertificateReceipt =
  | { state: 'ready'; receipt: string; index: number; treeSize: number }
  /** The ledger entry is queued (`sequencing`) or sequenced and waiting for the next checkpoint. */
  | { state: 'pending'; waitingFor: 'sequencing' | 'checkpoint' };

export type CertificatePdf = { state: 'ready'; pdf: Buffer } | Extract<CertificateReceipt, { state: 'pending' }>;

/** The ledger receipt of a certificate's issuance. Every certificate is logged in its own transaction, so one without an entry is corruption. */
export async function certificateReceipt(deps: { pool: Pool }, publicId: string): Promise<CertificateReceipt> {
  const receipt = await getReceipt(deps, { kind: CERTIFICATE_KIND, publicId });
  if (receipt.state === 'not_logged') throw new Error(`certificate ${publicId} has no ledger entry`);
  return receipt.state === 'ready' ? { state: 'ready', receipt: receipt.receipt, index: receipt.index, treeSize: receipt.treeSize } : receipt;
}

/** Content-addressed, so a render that lost a race (or a retry) never replaces what a committed row points to. */
function objectKey(certificateId: string, pdf: Buffer): string {
  return `certificates/${certificateId}-${createHash('sha256').update(pdf).digest('hex').slice(0, 16)}.pdf`;
}

/**
 * A certificate's signed PDF. It embeds the ledger receipt, so it exists once a checkpoint covers
 * the certificate's entry (`pending` before). Rendered on the first request after that and kept in
 * object storage; later requests get the same bytes. Revocation clears it, so the next request
 * renders a PDF that says revoked. The row is locked while rendering: concurrent first requests
 * (and a revocation) wait for one render instead of making several.
 */
export async function getCertificatePdf(deps: CertificatePdfDeps, certificate: CertificateRow): Promise<CertificatePdf> {
  const stored = certificate.pdfObjectKey ? await deps.storage.get(certificate.pdfObjectKey) : undefined;
  if (stored) return { state: 'ready', pdf: stored };
  const receipt = await certificateReceipt(deps, certificate.publicId);
  if (receipt.state === 'pending') return receipt;
  const pdf = await inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{ status: CertificateRow['status']; pdf_object_key: string | null; body: string; jws: string }>(
      'SELECT status, pdf_object_key, body, jws FROM certificates WHERE id = $1 FOR UPDATE',
      [certificate.id],
    );
    const row = rows[0]!;
    // Rendered by whoever held the lock before us (unless its object is gone: then render again).
    const rendered = row.pdf_object_key ? await deps.storage.get(row.pdf_object_key) : undefined;
    if (rendered) return rendered;
    const signer = await deps.pdfSigner.material();
    const bytes = Buffer.from(
      await (await loadCertificateDocuments()).renderCertificatePdf(
        {
          body: JSON.parse(row.body) as CertificateJson,
          jws: row.jws,
          receipt: receipt.receipt,
          ledgerIndex: receipt.index,
          verifyUrl: verifyPageUrl(deps.publicUrl, certificate.publicId),
          status: row.status === 'REVOKED' ? 'revoked' : 'valid',
        },
        { privateKey: signer.privateKey, certificateChainDer: [signer.certificateDer] },
      ),
    );
    const key = objectKey(certificate.id, bytes);
    const { sha256 } = await deps.storage.put(key, bytes, 'application/pdf');
    await tx.query('UPDATE certificates SET pdf_object_key = $2, pdf_sha256 = $3 WHERE id = $1', [certificate.id, key, sha256]);
    return bytes;
  });
  return { state: 'ready', pdf };
}
