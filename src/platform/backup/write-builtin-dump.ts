import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { copyOut } from '#platform/db/pg-copy.ts';
import type { Pool } from '#platform/db/pool.ts';
import { queueSchemaVersion } from '#platform/queue/queue-schema.ts';
import { APP_SCHEMAS, appRelations, qualified } from './app-relations.ts';
import { TABLES_FOLDER, digestOfFile, type BuiltinDatabase } from './backup-manifest.ts';

/**
 * Dumps the database in the built-in format into `folder` (files `tables/<schema>.<table>.copy`,
 * streamed to disk): in one read-only REPEATABLE READ snapshot, the schema version (applied
 * migrations, pg-boss's version) and every table's rows as binary COPY, then the sequences.
 */
export async function writeBuiltinDump(pool: Pool, folder: string, serverMajor: number): Promise<{ ok: true; value: BuiltinDatabase } | { ok: false; message: string }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const relations = await appRelations(client);
    if (!relations.ok) return relations;
    const migrations = await client.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
    const queueVersion = await queueSchemaVersion(client);
    await mkdir(path.join(folder, TABLES_FOLDER), { recursive: true, mode: 0o700 });
    const tables: BuiltinDatabase['tables'] = [];
    for (const table of relations.value.tables) {
      const file = `${TABLES_FOLDER}${table.schema}.${table.name}.copy`;
      const columns = table.columns.map((column) => client.escapeIdentifier(column)).join(', ');
      const rows = await copyOut(client, `COPY (SELECT ${columns} FROM ${qualified(client, table.schema, table.name)}) TO STDOUT (FORMAT binary)`, createWriteStream(path.join(folder, file), { mode: 0o600 }));
      tables.push({ ...table, file, rows, ...(await digestOfFile(path.join(folder, file))) });
    }
    // Sequences are not transactional: read after the rows, a value is never below one the rows used.
    const sequences = await client.query<{ schema: string; name: string; last_value: string | null }>(
      'SELECT schemaname AS schema, sequencename AS name, last_value::text FROM pg_sequences WHERE schemaname = ANY($1) ORDER BY 1, 2',
      [APP_SCHEMAS],
    );
    await client.query('COMMIT');
    return {
      ok: true,
      value: { format: 'builtin', server_major: serverMajor, migrations: migrations.rows, queue_schema_version: queueVersion, tables, partitions: relations.value.partitions, sequences: sequences.rows },
    };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}
