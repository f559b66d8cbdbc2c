import { createReadStream } from 'node:fs';
import path from 'node:path';
import { applyMigrationsInTransaction, type Migration } from '#platform/db/migrate.ts';
import { copyIn } from '#platform/db/pg-copy.ts';
import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { createQueueSchemaInTransaction } from '#platform/queue/queue-schema.ts';
import { APP_SCHEMAS, appRelations, qualified } from './app-relations.ts';
import type { BuiltinDatabase } from './backup-manifest.ts';

export type LoadResult = { ok: true; value: { rows: number } } | { ok: false; message: string };

/**
 * Loads a built-in dump (its files already checked, in `folder`) into an empty database, in ONE
 * transaction: the code's migrations up to exactly the backup's schema version, pg-boss's schema
 * (it must be at the backup's version), the partitions, then every table's rows (binary COPY, with
 * triggers and foreign-key checks off: session_replication_role = replica), the sequences, and a
 * check of every foreign key afterwards. Any failure leaves the database as empty as it was.
 */
export async function loadBuiltinDump(pool: Pool, folder: string, dump: BuiltinDatabase, codeMigrations: Migration[]): Promise<LoadResult> {
  const schema = migrationsFor(dump, codeMigrations);
  if (!schema.ok) return schema;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const loaded = await load(client, folder, dump, schema.value);
    await client.query(loaded.ok ? 'COMMIT' : 'ROLLBACK');
    return loaded;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The code's migrations that rebuild the backup's schema: all of the backup's, unchanged, and no other up to its version. */
function migrationsFor(dump: BuiltinDatabase, code: Migration[]): { ok: true; value: Migration[] } | { ok: false; message: string } {
  const last = dump.migrations.at(-1)?.version ?? 0;
  const byVersion = new Map(code.map((migration) => [migration.version, migration]));
  for (const applied of dump.migrations) {
    const migration = byVersion.get(applied.version);
    if (!migration) return { ok: false, message: `the backup's schema has migration ${applied.version} (${applied.name}), which this Veridity does not have: restore with the release that made the backup, or a newer one` };
    if (migration.checksum !== applied.checksum) return { ok: false, message: `migration ${applied.version} (${applied.name}) of the backup differs from this Veridity's: restore with the release that made the backup` };
  }
  const wanted = code.filter((migration) => migration.version <= last);
  if (wanted.length !== dump.migrations.length) return { ok: false, message: `the backup's schema lacks migrations this Veridity has below ${last}: not a schema this code can rebuild` };
  return { ok: true, value: wanted };
}

async function load(client: PoolClient, folder: string, dump: BuiltinDatabase, migrations: Migration[]): Promise<LoadResult> {
  await applyMigrationsInTransaction(client, migrations);
  if (dump.queue_schema_version !== null) {
    const created = await createQueueSchemaInTransaction(client);
    if (created !== dump.queue_schema_version) {
      return { ok: false, message: `the backup's job queue (pg-boss) schema is version ${dump.queue_schema_version}, this Veridity's pg-boss makes version ${created}: restore with the release that made the backup` };
    }
  }
  for (const partition of dump.partitions) {
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(client, partition.schema, partition.name)} PARTITION OF ${qualified(client, partition.parent_schema, partition.parent)} ${partition.bound}`);
  }
  const relations = await appRelations(client);
  if (!relations.ok) return relations;
  const present = relations.value.tables.map((table) => `${table.schema}.${table.name}(${table.columns.join(',')})`).sort();
  const backedUp = dump.tables.map((table) => `${table.schema}.${table.name}(${table.columns.join(',')})`).sort();
  if (present.join(' ') !== backedUp.join(' ')) {
    const differ = [...present.filter((t) => !backedUp.includes(t)), ...backedUp.filter((t) => !present.includes(t))];
    return { ok: false, message: `the rebuilt schema's tables differ from the backup's: ${differ.join(', ')}` };
  }

  // Triggers off (the ledger's refuse any change), then the migrations' own rows (schema_migrations,
  // pg-boss's version...) replaced by the backup's.
  await client.query('SET LOCAL session_replication_role = replica');
  await client.query(`TRUNCATE ${dump.tables.map((table) => qualified(client, table.schema, table.name)).join(', ')}`);
  let rows = 0;
  for (const table of dump.tables) {
    const columns = table.columns.map((column) => client.escapeIdentifier(column)).join(', ');
    const copied = await copyIn(client, `COPY ${qualified(client, table.schema, table.name)} (${columns}) FROM STDIN (FORMAT binary)`, createReadStream(path.join(folder, table.file)));
    if (copied !== table.rows) return { ok: false, message: `${table.schema}.${table.name}: ${copied} rows loaded, the backup has ${table.rows}` };
    rows += copied;
  }
  await client.query('SET LOCAL session_replication_role = origin');
  for (const sequence of dump.sequences) {
    const name = qualified(client, sequence.schema, sequence.name);
    if (sequence.last_value === null) await client.query(`ALTER SEQUENCE ${name} RESTART`);
    else await client.query('SELECT setval($1::regclass, $2::bigint, true)', [name, sequence.last_value]);
  }
  const broken = await brokenForeignKey(client);
  if (broken) return { ok: false, message: `the restored rows break foreign key ${broken}: the backup is not consistent` };
  return { ok: true, value: { rows } };
}

/** The first foreign key (MATCH SIMPLE) some restored row violates: they were not checked during the load. */
async function brokenForeignKey(client: PoolClient): Promise<string | undefined> {
  const { rows } = await client.query<{ name: string; schema: string; table: string; ref_schema: string; ref_table: string; columns: string[]; ref_columns: string[] }>(
    `SELECT con.conname AS name, n.nspname AS schema, c.relname AS table, rn.nspname AS ref_schema, r.relname AS ref_table,
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.i) AS columns,
            array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.i) AS ref_columns
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_class r ON r.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
      WHERE con.contype = 'f' AND con.conparentid = 0 AND n.nspname = ANY($1)`,
    [APP_SCHEMAS],
  );
  for (const fk of rows) {
    const present = fk.columns.map((column) => `c.${client.escapeIdentifier(column)} IS NOT NULL`).join(' AND ');
    const matches = fk.columns.map((column, i) => `r.${client.escapeIdentifier(fk.ref_columns[i]!)} = c.${client.escapeIdentifier(column)}`).join(' AND ');
    const orphan = await client.query(
      `SELECT 1 FROM ${qualified(client, fk.schema, fk.table)} c WHERE ${present} AND NOT EXISTS (SELECT 1 FROM ${qualified(client, fk.ref_schema, fk.ref_table)} r WHERE ${matches}) LIMIT 1`,
    );
    if (orphan.rowCount) return `${fk.name} (${fk.schema}.${fk.table})`;
  }
  return undefined;
}
