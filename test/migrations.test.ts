import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { readMigrations, runMigrations } from '#platform/db/migrate.ts';
import { createTestDatabase } from './support/test-database.ts';

test('migrations apply on an empty database, then are a no-op', async () => {
  const database = await createTestDatabase({ migrate: false });
  try {
    const all = await readMigrations();
    const first = await runMigrations(database.pool);
    assert.equal(first.applied.length, all.length);
    const second = await runMigrations(database.pool);
    assert.deepEqual(second, { applied: [], alreadyApplied: all.length });
    const tables = await database.pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    const names = tables.rows.map((r) => r.tablename);
    for (const table of ['api_clients', 'circuit_versions', 'proof_requests', 'proofs', 'webhooks_outbox', 'audit_logs', 'admin_tokens']) {
      assert.ok(names.includes(table), `missing ${table}`);
    }
    assert.ok(!names.includes('users'), 'no table of people');
  } finally {
    await database.drop();
  }
});

test('two replicas migrating at once do not race', async () => {
  const database = await createTestDatabase({ migrate: false });
  try {
    const reports = await Promise.all([runMigrations(database.pool), runMigrations(database.pool), runMigrations(database.pool)]);
    const total = (await readMigrations()).length;
    assert.equal(reports.reduce((sum, r) => sum + r.applied.length, 0), total, 'each migration applied exactly once');
  } finally {
    await database.drop();
  }
});

test('proofs are partitioned by month, with partitions created ahead and on demand', async () => {
  const database = await createTestDatabase();
  try {
    const parts = await database.pool.query(`SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'proofs'::regclass ORDER BY 1`);
    assert.ok(parts.rows.length >= 3, 'current month and two ahead');
    const created = await database.pool.query(`SELECT ensure_proofs_partitions(date '2031-01-15', 1) AS n`);
    assert.equal(created.rows[0].n, 2);
    const again = await database.pool.query(`SELECT ensure_proofs_partitions(date '2031-01-15', 1) AS n`);
    assert.equal(again.rows[0].n, 0);
    await database.pool.query(
      `INSERT INTO proofs (id, claim_type, circuit_version, status, public_hash, created_at) VALUES ('prf_x', 'age_over_18', '1.0.0', 'verified', '\\x00', '2031-02-03')`,
    );
    const where = await database.pool.query(`SELECT tableoid::regclass::text AS part FROM proofs WHERE id = 'prf_x'`);
    assert.equal(where.rows[0].part, 'proofs_2031_02');
  } finally {
    await database.drop();
  }
});

test('an applied migration that was edited afterwards stops the migrator', async () => {
  const database = await createTestDatabase({ migrate: false });
  const dir = await mkdtemp(path.join(tmpdir(), 'veridity-mig-'));
  const url = pathToFileURL(dir + '/');
  try {
    await writeFile(path.join(dir, '0001_first.sql'), 'CREATE TABLE t1 (id int);');
    await runMigrations(database.pool, url);
    await writeFile(path.join(dir, '0001_first.sql'), 'CREATE TABLE t1 (id bigint);');
    await assert.rejects(runMigrations(database.pool, url), /was changed after it was applied/);
    await writeFile(path.join(dir, '0001_first.sql'), 'CREATE TABLE t1 (id int);');
    await writeFile(path.join(dir, '0002_broken.sql'), 'CREATE TABLE t2 (id int); SELECT nonsense_fn();');
    await assert.rejects(runMigrations(database.pool, url), /0002_broken failed/);
    const t2 = await database.pool.query(`SELECT to_regclass('t2') AS t`);
    assert.equal(t2.rows[0].t, null, 'a failed migration leaves nothing behind');
  } finally {
    await database.drop();
  }
});
