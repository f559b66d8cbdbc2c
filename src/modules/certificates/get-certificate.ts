import { and, eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { type CertificateRow, certificates } from './tables.ts';

/** One of the partner's certificates; another partner's is as absent as an unknown id. */
export async function getCertificate(deps: { db: Db }, clientId: string, id: string): Promise<CertificateRow | undefined> {
  const [row] = await deps.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.id, id), eq(certificates.clientId, clientId)));
  return row;
}
