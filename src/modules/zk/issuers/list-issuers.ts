import { asc } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { issuers } from '../tables.ts';
import { toIssuer, type Issuer } from './schema.ts';

export async function listIssuers(deps: { db: Db }): Promise<Issuer[]> {
  return (await deps.db.select().from(issuers).orderBy(asc(issuers.createdAt))).map(toIssuer);
}

