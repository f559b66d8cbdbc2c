import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { buildApp } from '#src/app.ts';
import { systemClock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { wrapPool } from '#platform/db/database.ts';
import { createPool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { createFileStorage } from '#platform/storage/object-storage.ts';
import { createGroth16VerifierPool } from '#modules/zk/groth16/verifier-pool.ts';
import { createTestDatabase } from './support/test-database.ts';

async function appOn(url: string) {
  const pool = createPool(url, { max: 2, log: createLogger('silent') });
  const verifier = createGroth16VerifierPool({ size: 1 });
  const secretBox = createSecretBox([randomBytes(32)]);
  const app = await buildApp({
    config: { adminToken: undefined, bodyLimitBytes: 1024, trustProxy: false, redisUrl: undefined, publicRateLimitPerMinute: 100 },
    log: createLogger('silent'),
    clock: systemClock,
    pool,
    db: wrapPool(pool),
    secretBox,
    platformKeys: createPlatformKeys({ db: wrapPool(pool), secretBox }),
    storage: createFileStorage('/nonexistent'),
    verifier,
  });
  app.addHook('onClose', async () => verifier.close());
  return { app, pool };
}

test('readiness is 503 NOT_READY while the database is unreachable; liveness stays 200', async () => {
  // Port 1 on loopback: nothing listens there, so connections are refused at once.
  const { app, pool } = await appOn('postgres://nobody@127.0.0.1:1/none');
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().error_code, 'NOT_READY');
    assert.equal(ready.json().checks.database, 'unreachable');
    assert.match(ready.json().request_id, /^req_/);
  } finally {
    await app.close();
    await pool.end();
  }
});

test('readiness is 503 while migrations are pending, 200 once applied', async () => {
  const database = await createTestDatabase({ migrate: false });
  const { app, pool } = await appOn(database.url);
  try {
    const pending = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(pending.statusCode, 503);
    assert.match(pending.json().error, /migrations pending: 1/);
    const { runMigrations } = await import('#platform/db/migrate.ts');
    await runMigrations(database.pool);
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  } finally {
    await app.close();
    await pool.end();
    await database.drop();
  }
});
