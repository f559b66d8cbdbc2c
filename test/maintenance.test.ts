import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger } from '#platform/logger.ts';
import { maintenanceWorkerKinds } from '#modules/maintenance/worker-kinds.ts';
import { runMaintenance } from '#modules/maintenance/run-maintenance.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
before(async () => (t = await createTestApp()));
after(async () => t.close());

const HOUR = 3_600_000;
const RETENTION = { days: 365, anonymise: true };

test('maintenance purges nonces after 72 h and expired idempotency keys, keeps the rest, and creates partitions', async () => {
  const partner = await createPartner(t);
  const now = new Date('2031-06-15T12:00:00Z');
  const pool = t.database.pool;
  for (const [nonce, ageHours] of [['old', 73], ['recent', 71], ['fresh', 1]] as const) {
    await pool.query('INSERT INTO used_nonces (client_id, nonce, used_at) VALUES ($1, $2, $3)', [partner.id, nonce, new Date(now.getTime() - ageHours * HOUR)]);
  }
  for (const [key, expiresInHours] of [['gone', -1], ['live', 1]] as const) {
    await pool.query(
      `INSERT INTO idempotency_keys (owner, key, request_hash, state, created_at, expires_at) VALUES ($1, $2, '\\x00', 'completed', $3, $4)`,
      [partner.id, key, now, new Date(now.getTime() + expiresInHours * HOUR)],
    );
  }
  const report = await runMaintenance({ pool, clock: { now: () => now }, storage: t.storage, evidenceRetention: RETENTION });
  assert.deepEqual(report, { partitions_created: 3, nonces_purged: 1, idempotency_keys_purged: 1, evidence_purged: 0, evidence_objects_deleted: 0, evidence_anonymised: 0 });
  const nonces = (await pool.query('SELECT nonce FROM used_nonces WHERE client_id = $1 ORDER BY nonce', [partner.id])).rows.map((r) => r.nonce);
  assert.deepEqual(nonces, ['fresh', 'recent']);
  const keys = (await pool.query('SELECT key FROM idempotency_keys WHERE owner = $1', [partner.id])).rows.map((r) => r.key);
  assert.deepEqual(keys, ['live']);
  const again = await runMaintenance({ pool, clock: { now: () => now }, storage: t.storage, evidenceRetention: RETENTION });
  assert.deepEqual(again, { partitions_created: 0, nonces_purged: 0, idempotency_keys_purged: 0, evidence_purged: 0, evidence_objects_deleted: 0, evidence_anonymised: 0 }, 'idempotent');
});

test('the maintenance worker kind runs one pass with WORKER_ONCE semantics', async () => {
  const [kind] = maintenanceWorkerKinds(() => ({
    databaseUrl: t.database.url,
    clock: { now: () => new Date('2032-01-10T00:00:00Z') },
    log: createLogger('silent'),
    queue: async () => { throw new Error('a one-pass run needs no queue'); },
    storage: t.storage,
    evidenceRetention: RETENTION,
  }));
  assert.equal(kind!.name, 'maintenance');
  const counts = await kind!.runOnce();
  assert.equal(counts.partitions_created, 3);
});
