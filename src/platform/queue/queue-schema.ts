import { getConstructionPlans } from 'pg-boss';
import type { PoolClient } from '#platform/db/pool.ts';

/** The schema pg-boss keeps its jobs in (see startQueue). */
export const QUEUE_SCHEMA = 'pgboss';

/** pg-boss's schema version in the database: null when pg-boss never started there. */
export async function queueSchemaVersion(client: PoolClient): Promise<number | null> {
  const { rows } = await client.query<{ found: boolean }>(`SELECT to_regclass('${QUEUE_SCHEMA}.version') IS NOT NULL AS found`);
  if (!rows[0]!.found) return null;
  const version = await client.query<{ version: number }>(`SELECT version FROM ${QUEUE_SCHEMA}.version`);
  return version.rows[0] ? Number(version.rows[0].version) : null;
}

/**
 * Creates pg-boss's schema, exactly as its first start does, inside the caller's open transaction
 * (a restore builds the whole schema and loads the rows at once). pg-boss's construction SQL is
 * one `BEGIN; ... COMMIT;` block: run without those two, the rest joins the caller's transaction.
 * Returns the schema version it created.
 */
export async function createQueueSchemaInTransaction(client: PoolClient): Promise<number> {
  const plan = getConstructionPlans(QUEUE_SCHEMA).trim();
  if (!plan.startsWith('BEGIN;') || !plan.endsWith('COMMIT;')) throw new Error('pg-boss construction SQL is not one BEGIN ... COMMIT block: cannot create its schema inside a restore');
  await client.query(plan.slice('BEGIN;'.length, -'COMMIT;'.length));
  return (await queueSchemaVersion(client))!;
}
