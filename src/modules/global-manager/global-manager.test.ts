/**
 * The cycle's rows are its state on the status page: read from another connection at any moment,
 * a cycle in progress reads `running`, never finished with tasks missing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import client from 'prom-client';
import { waitFor } from '#test/support/processes.ts';
import { createTestDatabase, type TestDatabase } from '#test/support/test-database.ts';
import { systemClock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { createLogger } from '#platform/logger.ts';
import { createFileStorage } from '#platform/storage/object-storage.ts';
import { startGlobalManager, type GlobalManager } from './global-manager.ts';
import { createGlobalManagerMetrics } from './metrics.ts';
import { readGlobalManagerStatus } from './read-status.ts';

let database: TestDatabase;
let storageRoot: string;
before(async () => {
  database = await createTestDatabase();
  storageRoot = await mkdtemp(path.join(tmpdir(), 'veridity-gm-unit-'));
});
after(async () => {
  await database.drop();
  await rm(storageRoot, { recursive: true, force: true });
});

test('between two tasks a cycle reads running: the end of one task is written with the start of the next', async () => {
  const log = createLogger('silent');
  // The recording of the second task is held (an advisory lock its row's trigger waits for),
  // so the status is read exactly between the first task and the second.
  const hold = await database.pool.connect();
  await hold.query('SELECT pg_advisory_lock(4242)');
  await database.pool.query(`
    CREATE FUNCTION hold_second_task() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.task = 'second' THEN PERFORM pg_advisory_xact_lock(4242); END IF; RETURN NEW; END $$;
    CREATE TRIGGER hold_second_task BEFORE INSERT ON global_manager_runs FOR EACH ROW EXECUTE FUNCTION hold_second_task();`);
  let manager: GlobalManager | undefined;
  try {
    manager = startGlobalManager({
      deps: { pool: database.pool, db: database.db, storage: createFileStorage(storageRoot), platformKeys: createPlatformKeys({ db: database.db, secretBox: createSecretBox([randomBytes(32)]) }), log },
      databaseUrl: database.url,
      clock: systemClock,
      log,
      tasks: [{ name: 'first', run: async () => ({ done: 1 }) }, { name: 'second', run: async () => ({ done: 2 }) }],
      settings: { intervalSeconds: 3600, standbyPollSeconds: 1 },
      metrics: createGlobalManagerMetrics(new client.Registry()),
    });
    await waitFor(async () => (await database.pool.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = 4242`,
    )).rowCount === 1, 20_000, 'the second task\'s recording to wait');
    const [between] = (await readGlobalManagerStatus(database.pool, new Date(), { cycles: 1 })).cycles;
    assert.equal(between?.outcome, 'running', JSON.stringify(between));
    assert.deepEqual(between.tasks.map((task) => [task.task, task.outcome]), [['first', 'running']]);
    assert.equal((await readGlobalManagerStatus(database.pool, new Date(), { cycles: 1 })).last_success_at, null);

    await hold.query('SELECT pg_advisory_unlock(4242)');
    await waitFor(async () => (await readGlobalManagerStatus(database.pool, new Date(), { cycles: 1 })).cycles[0]?.outcome === 'succeeded', 20_000, 'the cycle to end');
    const [ended] = (await readGlobalManagerStatus(database.pool, new Date(), { cycles: 1 })).cycles;
    assert.deepEqual(ended!.tasks.map((task) => [task.task, task.outcome, task.counts]), [['first', 'succeeded', { done: 1 }], ['second', 'succeeded', { done: 2 }]]);
  } finally {
    await hold.query('SELECT pg_advisory_unlock_all()');
    hold.release();
    await manager?.stop();
  }
});
