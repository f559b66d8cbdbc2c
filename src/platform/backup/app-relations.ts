import type { PoolClient } from '#platform/db/pool.ts';
import { QUEUE_SCHEMA } from '#platform/queue/queue-schema.ts';

/** The schemas holding Veridity's data: its own tables (migrations) and pg-boss's. */
export const APP_SCHEMAS = ['public', QUEUE_SCHEMA];

export type AppRelations = {
  /** Tables whose rows are copied: plain tables and partitioned parents (never a partition: its rows are its parent's). */
  tables: Array<{ schema: string; name: string; columns: string[] }>;
  partitions: Array<{ schema: string; name: string; parent_schema: string; parent: string; bound: string }>;
};

export const qualified = (client: PoolClient, schema: string, name: string) => `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;

/**
 * The tables and partitions of the application schemas, from the catalogue. Anything a built-in
 * backup could not hold is an error, never skipped: data outside those schemas, a materialized
 * view, a foreign table.
 */
export async function appRelations(client: PoolClient): Promise<{ ok: true; value: AppRelations } | { ok: false; message: string }> {
  const { rows } = await client.query<{ schema: string; name: string; kind: string; is_partition: boolean; parent_schema: string | null; parent: string | null; bound: string | null; columns: string[] }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relispartition AS is_partition,
            pn.nspname AS parent_schema, p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound,
            array(SELECT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                   ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
       LEFT JOIN pg_class p ON p.oid = i.inhparent
       LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      ORDER BY n.nspname, c.relname`,
  );
  const foreign = rows.find((row) => !APP_SCHEMAS.includes(row.schema) || (row.kind !== 'r' && row.kind !== 'p'));
  if (foreign) {
    return { ok: false, message: `${foreign.schema}.${foreign.name} (relkind ${foreign.kind}) is not a table of the schemas ${APP_SCHEMAS.join(', ')}: the built-in format cannot hold it (use pg_dump: --format pg_dump)` };
  }
  return {
    ok: true,
    value: {
      tables: rows.filter((row) => !row.is_partition).map(({ schema, name, columns }) => ({ schema, name, columns })),
      partitions: rows.filter((row) => row.is_partition).map((row) => ({ schema: row.schema, name: row.name, parent_schema: row.parent_schema!, parent: row.parent!, bound: row.bound! })),
    },
  };
}
