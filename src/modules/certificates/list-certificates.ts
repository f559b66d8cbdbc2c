import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { listCertificatePdfs } from './get-certificate-pdf.ts';
import type { Certificate } from './schema.ts';
import { type CertificateStatus, certificates } from './tables.ts';
import { toCertificate } from './to-certificate.ts';

export type CertificatePage = { data: Certificate[]; next_cursor: string | null };

/** The partner's certificates, newest first; `cursor` is the last id of the previous page (ids sort by creation time). */
export async function listCertificates(
  deps: { db: Db; publicUrl: string },
  clientId: string,
  filter: { status?: CertificateStatus | undefined },
  page: { limit: number; cursor?: string | undefined },
): Promise<CertificatePage> {
  const c = certificates;
  const conditions: SQL[] = [eq(c.clientId, clientId)];
  if (filter.status) conditions.push(eq(c.status, filter.status));
  if (page.cursor) conditions.push(lt(c.id, page.cursor));
  const rows = await deps.db
    .select()
    .from(c)
    .where(and(...conditions))
    .orderBy(desc(c.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const pdfs = await listCertificatePdfs(deps, shown.map((row) => row.id));
  return { data: shown.map((row) => toCertificate(row, deps.publicUrl, pdfs.get(row.id)!)), next_cursor: rows.length > page.limit ? shown.at(-1)!.id : null };
}
