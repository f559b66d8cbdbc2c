import { and, asc, eq } from 'drizzle-orm';
import type { ChangeFedCache } from '#platform/db/change-fed-cache.ts';
import type { Db } from '#platform/db/database.ts';
import { circuitVersions } from '../tables.ts';
import type { CircuitRow } from './schema.ts';

export async function listCircuitRows(deps: { db: Db }, filter: { enabledOnly: boolean }): Promise<CircuitRow[]> {
  return deps.db
    .select()
    .from(circuitVersions)
    .where(filter.enabledOnly ? eq(circuitVersions.enabled, true) : undefined)
    .orderBy(asc(circuitVersions.claimType), asc(circuitVersions.createdAt));
}

/** `circuitCache`: serve circuits from memory while the database's change feed is live (see change-fed-cache.ts). */
export type CircuitLookupDeps = { db: Db; circuitCache?: ChangeFedCache<CircuitRow | undefined> | undefined };

export async function findCircuit(deps: CircuitLookupDeps, claimType: string, semver: string): Promise<CircuitRow | undefined> {
  if (!deps.circuitCache) return readCircuit(deps, claimType, semver);
  return deps.circuitCache.find(`${claimType}@${semver}`, () => readCircuit(deps, claimType, semver), (row) => row?.id);
}

async function readCircuit(deps: { db: Db }, claimType: string, semver: string): Promise<CircuitRow | undefined> {
  const [row] = await deps.db.select().from(circuitVersions).where(and(eq(circuitVersions.claimType, claimType), eq(circuitVersions.semver, semver)));
  return row;
}
