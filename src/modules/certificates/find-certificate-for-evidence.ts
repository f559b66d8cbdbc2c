import { and, eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { listCertificatePdfs } from './get-certificate-pdf.ts';
import type { Certificate } from './schema.ts';
import { certificates } from './tables.ts';
import { toCertificate } from './to-certificate.ts';

/**
 * The certificate of one of the partner's evidence records, for the evidence module to show with
 * the evidence; undefined while it has none (or for another partner's evidence).
 */
export async function findCertificateForEvidence(deps: { db: Db; publicUrl: string }, partnerId: string, evidenceId: string): Promise<Certificate | undefined> {
  const [row] = await deps.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.evidenceId, evidenceId), eq(certificates.clientId, partnerId)));
  return row ? toCertificate(row, deps.publicUrl, (await listCertificatePdfs(deps, [row.id])).get(row.id)!) : undefined;
}
