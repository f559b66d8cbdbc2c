import { asc } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { toStoredCollateral, type StoredCollateral } from './store-collateral.ts';
import { attestationCollateral } from './tables.ts';

/** Stored collateral per platform (without the collateral itself), by TEE and FMSPC. */
export async function listCollateral(deps: { db: Db }): Promise<StoredCollateral[]> {
  const rows = await deps.db
    .select()
    .from(attestationCollateral)
    .orderBy(asc(attestationCollateral.tee), asc(attestationCollateral.fmspc), asc(attestationCollateral.pckCa));
  return rows.map(toStoredCollateral);
}
