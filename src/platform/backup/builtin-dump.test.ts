import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readMigrations } from '#platform/db/migrate.ts';
import type { Pool } from '#platform/db/pool.ts';
import { createQueueSchemaInTransaction } from '#platform/queue/queue-schema.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { loadBuiltinDump } from './load-builtin-dump.ts';
import { writeBuiltinDump } from './write-builtin-dump.ts';

let source: TestDatabase;
let target: TestDatabase;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([createTestDatabase(), createTestDatabase({ migrate: false })]);
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-builtin-dump-'));
});
after(async () => {
  await Promise.all([source.drop(), target.drop()]);
  await rm(scratch, { recursive: true, force: true });
});

/** Every table of the application schemas, and a digest of its rows (order-independent). */
async function contents(pool: Pool): Promise<Map<string, { rows: number; md5: string | null }>> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'pgboss') AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  const result = new Map<string, { rows: number; md5: string | null }>();
  for (const { name } of tables) {
    const { rows } = await pool.query<{ rows: number; md5: string | null }>(`SELECT count(*)::int AS rows, md5(string_agg(t::text, '' ORDER BY t::text)) AS md5 FROM ${name} t`);
    result.set(name, rows[0]!);
  }
  return result;
}

const sequences = async (pool: Pool) =>
  (await pool.query<{ name: string; last_value: string | null }>("SELECT schemaname || '.' || sequencename AS name, last_value::text FROM pg_sequences WHERE schemaname IN ('public', 'pgboss') ORDER BY 1")).rows;

test('built-in format: a dump restored into an empty database has every table row for row, the partitions and the sequences', async () => {
  const client = await source.pool.connect();
  try {
    await client.query('BEGIN');
    await createQueueSchemaInTransaction(client);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await source.pool.query(`SELECT pgboss.create_queue('backup.test', '{"policy": "standard"}'::jsonb)`);
  await source.pool.query(`INSERT INTO pgboss.job (name, data) VALUES ('backup.test', '{"n": 1}')`);
  await source.pool.query(`INSERT INTO api_clients (id, name, scopes) VALUES ('cli_backup', 'Backup test', '{proofs:write}')`);
  // A proof of a month whose partition the migrations do not make: the restore makes it again.
  await source.pool.query("SELECT ensure_proofs_partitions('2023-01-01', 0)");
  await source.pool.query(
    `INSERT INTO proofs (id, client_id, claim_type, circuit_version, status, public_hash, created_at) VALUES
       ('prf_old', 'cli_backup', 'age_over', 'v1', 'verified', '\\x01', '2023-01-15T10:00:00Z'),
       ('prf_now', 'cli_backup', 'age_over', 'v1', 'pending', '\\x02', now())`,
  );
  await source.pool.query(`INSERT INTO usage_events (client_id, kind, outcome, event_id, source, product) SELECT 'cli_backup', 'zk.verify', 'ok', 'zk_verification:backup-' || n, '/zk', 'zk_verification' FROM generate_series(1, 5) AS n`);
  await source.pool.query(`INSERT INTO ledger_entries (kind, public_id, leaf) VALUES ('proof', 'prf_old', '{"a":1}'::bytea)`);

  const before = await contents(source.pool);
  assert.ok(before.get('public.proofs')!.rows === 2 && before.get('pgboss.job')!.rows === 1 && before.get('public.usage_events')!.rows === 5);
  const dumped = await writeBuiltinDump(source.pool, scratch, 17);
  assert.ok(dumped.ok, !dumped.ok ? dumped.message : '');
  const dump = dumped.value;
  assert.deepEqual(dump.tables.map((table) => `${table.schema}.${table.name}`).sort(), [...before.keys()].map((name) => name.replaceAll('"', '')).filter((name) => !dump.partitions.some((p) => `${p.schema}.${p.name}` === name)).sort());
  assert.ok(dump.partitions.some((partition) => partition.name === 'proofs_2023_01' && /FOR VALUES FROM/.test(partition.bound)));
  assert.ok(dump.queue_schema_version !== null);
  assert.equal(dump.migrations.length, (await readMigrations()).length);

  const loaded = await loadBuiltinDump(target.pool, scratch, dump, await readMigrations());
  assert.ok(loaded.ok, !loaded.ok ? loaded.message : '');
  assert.deepEqual(await contents(target.pool), before);
  assert.deepEqual(await sequences(target.pool), await sequences(source.pool));
  // The sequences go on from the backup's values: a new row takes the next id.
  const next = await target.pool.query<{ id: number }>(`INSERT INTO usage_events (client_id, kind, outcome, event_id, source, product) VALUES ('cli_backup', 'zk.verify', 'ok', 'zk_verification:backup-next', '/zk', 'zk_verification') RETURNING id`);
  assert.equal(next.rows[0]!.id, 6);

  // A second load into the now full database is refused (the rebuild fails inside its transaction) and changes nothing.
  await assert.rejects(loadBuiltinDump(target.pool, scratch, dump, await readMigrations()));
  // A backup whose schema has a migration this code lacks is refused before anything is written.
  const newer = await loadBuiltinDump(target.pool, scratch, { ...dump, migrations: [...dump.migrations, { version: 9999, name: 'future', checksum: 'x' }] }, await readMigrations());
  assert.equal(newer.ok, false);
});
