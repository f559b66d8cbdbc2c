import { and, eq, isNull, sql } from 'drizzle-orm';
import type { ChangeFedCache } from '#platform/db/change-fed-cache.ts';
import type { Db } from '#platform/db/database.ts';
import { issuers } from '../tables.ts';

/** `issuerCache`: trusted issuers served from memory while the database's change feed is live (see change-fed-cache.ts); untrusted keys are read every time. */
export type IssuerTrustDeps = { db: Db; issuerCache?: ChangeFedCache<string | undefined> | undefined };

/** True when an enabled issuer with this public key is trusted for the claim type. */
export async function isTrustedIssuer(deps: IssuerTrustDeps, claimType: string, ax: bigint, ay: bigint): Promise<boolean> {
  const read = () => trustedIssuerId(deps.db, claimType, ax, ay);
  const id = deps.issuerCache ? await deps.issuerCache.find(`${claimType}:${ax}:${ay}`, read, (found) => found) : await read();
  return id !== undefined;
}

async function trustedIssuerId(db: Db, claimType: string, ax: bigint, ay: bigint): Promise<string | undefined> {
  const [row] = await db
    .select({ id: issuers.id })
    .from(issuers)
    .where(and(eq(issuers.publicKeyAx, ax.toString()), eq(issuers.publicKeyAy, ay.toString()), isNull(issuers.disabledAt), sql`${claimType} = ANY(${issuers.claimTypes})`));
  return row?.id;
}
