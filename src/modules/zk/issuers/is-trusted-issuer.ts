import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { issuers } from '../tables.ts';

/** True when an enabled issuer with this public key is trusted for the claim type. */
export async function isTrustedIssuer(deps: { db: Db }, claimType: string, ax: bigint, ay: bigint): Promise<boolean> {
  const rows = await deps.db
    .select({ id: issuers.id })
    .from(issuers)
    .where(and(eq(issuers.publicKeyAx, ax.toString()), eq(issuers.publicKeyAy, ay.toString()), isNull(issuers.disabledAt), sql`${claimType} = ANY(${issuers.claimTypes})`));
  return rows.length > 0;
}
