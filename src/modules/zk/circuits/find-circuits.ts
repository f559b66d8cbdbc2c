import { and, asc, eq } from 'drizzle-orm';
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

export async function findCircuit(deps: { db: Db }, claimType: string, semver: string): Promise<CircuitRow | undefined> {
  const [row] = await deps.db.select().from(circuitVersions).where(and(eq(circuitVersions.claimType, claimType), eq(circuitVersions.semver, semver)));
  return row;
}
