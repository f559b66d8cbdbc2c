import { createHash } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { getReceipt } from '#modules/ledger/get-receipt.ts';
import type { CertificateAnchor } from './document/certificate-anchor.ts';
import type { CertificateJson } from './document/index.ts';
import { loadCertificateDocuments } from './load-certificate-documents.ts';
import { CERTIFICATE_KIND } from './certificate-ledger.ts';
import { verifyPageUrl } from './certificate-urls.ts';
import type { PdfSigner } from './pdf-signer.ts';
import { type CertificatePdfRow, certificatePdfs, type CertificateRow } from './tables.ts';

export type CertificatePdfDeps = { pool: Pool; storage: ObjectStorage; pdfSigner: PdfSigner; publicUrl: string };

export type CertificateReceipt =
  | { state: 'ready'; receipt: string; index: number; treeSize: number }
  /** The ledger entry is queued (`sequencing`) or sequenced and waiting for the next checkpoint. */
  | { state: 'pending'; waitingFor: 'sequencing' | 'checkpoint' };

export type CertificatePdf = { state: 'ready'; pdf: Buffer } | Extract<CertificateReceipt, { state: 'pending' }>;

/**
 * The ledger receipt of a certificate's issuance: under the newest checkpoint, or for an anchored
 * certificate under the checkpoint that was anchored (what its anchor's transaction carries).
 * Every certificate is logged in its own transaction, so one without an entry is corruption.
 */
export async function certificateReceipt(deps: { pool: Pool }, certificate: Pick<CertificateRow, 'publicId' | 'anchor'>): Promise<CertificateReceipt> {
  const publicId = certificate.publicId;
  const receipt = await getReceipt(deps, { kind: CERTIFICATE_KIND, publicId }, certificate.anchor ? { underTreeSize: certificate.anchor.checkpoint.tree_size } : {});
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
  const pdf = await inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{ status: CertificateRow['status']; pdf_object_key: string | null; body: string; jws: string; anchor: CertificateAnchor | null }>(
      'SELECT status, pdf_object_key, body, jws, anchor FROM certificates WHERE id = $1 FOR UPDATE',
      [certificate.id],
    );
    const row = rows[0]!;
    // Rendered by whoever held the lock before us (unless its object is gone: then render again).
    const rendered = row.pdf_object_key ? await deps.storage.get(row.pdf_object_key) : undefined;
    if (rendered) return rendered;
    // Read under the lock: an anchoring that committed meanwhile puts the receipt under its checkpoint.
    const receipt = await certificateReceipt(deps, { publicId: certificate.publicId, anchor: row.anchor });
    if (receipt.state === 'pending') return receipt;
    const status = row.status === 'REVOKED' ? 'revoked' : 'valid';
    const signer = await deps.pdfSigner.material();
    const bytes = Buffer.from(
      await (await loadCertificateDocuments()).renderCertificatePdf(
        {
          body: JSON.parse(row.body) as CertificateJson,
          jws: row.jws,
          receipt: receipt.receipt,
          ledgerIndex: receipt.index,
          verifyUrl: verifyPageUrl(deps.publicUrl, certificate.publicId),
          status,
          anchor: row.anchor,
        },
        { privateKey: signer.privateKey, certificateChainDer: [signer.certificateDer] },
      ),
    );
    const key = objectKey(certificate.id, bytes);
    const { sha256 } = await deps.storage.put(key, bytes, 'application/pdf');
    await tx.query('UPDATE certificates SET pdf_object_key = $2, pdf_sha256 = $3 WHERE id = $1', [certificate.id, key, sha256]);
    await tx.query(
      `INSERT INTO certificate_pdfs (certificate_id, version, object_key, sha256, status, anchored, created_at)
       SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, now() FROM certificate_pdfs WHERE certificate_id = $1`,
      [certificate.id, key, sha256, status, row.anchor !== null],
    );
    return bytes;
  });
  return Buffer.isBuffer(pdf) ? { state: 'ready', pdf } : pdf;
}

/** Every PDF rendered for these certificates, by certificate, oldest first: the kept versions (`?version=`). */
export async function listCertificatePdfs(deps: { db: Db }, certificateIds: readonly string[]): Promise<Map<string, CertificatePdfRow[]>> {
  const byCertificate = new Map<string, CertificatePdfRow[]>(certificateIds.map((id) => [id, []]));
  if (certificateIds.length === 0) return byCertificate;
  const rows = await deps.db.select().from(certificatePdfs).where(inArray(certificatePdfs.certificateId, [...certificateIds])).orderBy(asc(certificatePdfs.version));
  for (const row of rows) byCertificate.get(row.certificateId)!.push(row);
  return byCertificate;
}

/** One kept version of a certificate's PDF, as it was rendered; undefined when there is no such version (or its object is gone). */
export async function getCertificatePdfVersion(deps: { db: Db; storage: ObjectStorage }, certificateId: string, version: number): Promise<Buffer | undefined> {
  const [row] = await deps.db.select().from(certificatePdfs).where(and(eq(certificatePdfs.certificateId, certificateId), eq(certificatePdfs.version, version)));
  return row ? deps.storage.get(row.objectKey) : undefined;
}
