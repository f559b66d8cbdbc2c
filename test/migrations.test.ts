import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { systemClock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { MIGRATIONS_DIR, readMigrations, runMigrations } from '#platform/db/migrate.ts';
import { authenticateApiKey } from '#modules/clients/authenticate-api-key.ts';
import { listClients } from '#modules/clients/list-clients.ts';
import { getWebhookEndpoint } from '#modules/webhooks/get-webhook-endpoint.ts';
import { webhookSecretContext } from '#modules/webhooks/webhook-secret-context.ts';
import { canonicalNonce } from '#modules/zk/verify/canonical-nonce.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

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

/** Applies the migrations numbered below `version` only, as a database last migrated before it would be. */
async function migrateBefore(database: TestDatabase, version: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'veridity-mig-'));
  try {
    for (const migration of (await readMigrations()).filter((m) => m.version < version)) {
      const file = `${String(migration.version).padStart(4, '0')}_${migration.name}.sql`;
      await copyFile(new URL(file, MIGRATIONS_DIR), path.join(dir, file));
    }
    await runMigrations(database.pool, pathToFileURL(dir + '/'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function insertClient(database: TestDatabase, id: string): Promise<void> {
  await database.pool.query(`INSERT INTO api_clients (id, name, key_hash, key_prefix, scopes) VALUES ($1, 'x', $2, 'vk_x', '{tee_attestation}')`, [id, randomBytes(32)]);
}

test('tasks stored with the file-system path as their bucket are renamed `local`; S3 buckets stay', async () => {
  const database = await createTestDatabase({ migrate: false });
  try {
    await migrateBefore(database, 7);
    await insertClient(database, 'cli_x');
    for (const [id, bucket] of [['tsk_file', 'file:/srv/veridity/data/objects'], ['tsk_s3', 'results-bucket']]) {
      await database.pool.query(
        `INSERT INTO attestation_tasks (id, client_id, job_name, app_id, app_name, app_config_type, verification_flags, evidence_sha256, evidence_bytes, s3_bucket)
         VALUES ($1, 'cli_x', 'attestations.verify-task', 'app', 'App', 'redpill', '{}', $2, 1, $3)`,
        [id, 'a'.repeat(64), bucket],
      );
    }
    await runMigrations(database.pool);
    const { rows } = await database.pool.query('SELECT id, s3_bucket FROM attestation_tasks ORDER BY id');
    assert.deepEqual(rows, [{ id: 'tsk_file', s3_bucket: 'local' }, { id: 'tsk_s3', s3_bucket: 'results-bucket' }]);
  } finally {
    await database.drop();
  }
});

test('used plain-hex nonces stored under their old base64 reading also guard under their hex form', async () => {
  const database = await createTestDatabase({ migrate: false });
  try {
    await migrateBefore(database, 8);
    await insertClient(database, 'cli_x');
    const used = ['b64:ABCDEF0123456789', 'b64:abcdef0123456789', 'b64:00000000', 'b64:abc', 'b64:QUJDRA', '0x1f'];
    for (const nonce of used) await database.pool.query(`INSERT INTO used_nonces (client_id, nonce, used_at) VALUES ('cli_x', $1, now())`, [nonce]);
    await runMigrations(database.pool);
    const { rows } = await database.pool.query(`SELECT nonce FROM used_nonces ORDER BY nonce`);
    // `abc` is left alone: its base64 re-encoding may differ from the nonce sent in its last character.
    assert.deepEqual(rows.map((r) => r.nonce).sort(), [...used, '0x0', '0xabcdef0123456789'].sort());
    for (const nonce of ['ABCDEF0123456789', '00000000']) assert.ok(rows.some((r) => r.nonce === canonicalNonce(nonce)), nonce);
  } finally {
    await database.drop();
  }
});

test('webhook endpoints move out of api_clients with their URL, both secrets, rotation window and 410 state', async () => {
  const database = await createTestDatabase({ migrate: false });
  try {
    await migrateBefore(database, 10);
    const secretBox = createSecretBox([randomBytes(32)]);
    const seal = (secret: string) => secretBox.encrypt(secret, webhookSecretContext('cli_hook'));
    const previousExpiresAt = new Date(Date.now() + 3_600_000);
    const disabledAt = new Date('2031-01-02T03:04:05Z');
    await insertClient(database, 'cli_hook');
    await insertClient(database, 'cli_none');
    await database.pool.query(
      `UPDATE api_clients
          SET webhook_url = 'https://bank.example/hooks', webhook_secret_sealed = $2,
              webhook_secret_previous_sealed = $3, webhook_secret_previous_expires_at = $4,
              webhook_disabled_at = $5, webhook_disabled_reason = 'the receiver answered 410 Gone'
        WHERE id = $1`,
      ['cli_hook', seal('whsec_current'), seal('whsec_previous'), previousExpiresAt, disabledAt],
    );
    await runMigrations(database.pool);

    assert.deepEqual(
      (await listClients({ db: database.db })).map((c) => [c.id, c.webhook_url]).sort(),
      [['cli_hook', 'https://bank.example/hooks'], ['cli_none', null]],
    );
    assert.deepEqual(await getWebhookEndpoint({ pool: database.pool, clock: systemClock }, 'cli_hook'), {
      url: 'https://bank.example/hooks',
      disabled_at: disabledAt.toISOString(),
      disabled_reason: 'the receiver answered 410 Gone',
      previous_secret_expires_at: previousExpiresAt.toISOString(),
    });
    const { rows } = await database.pool.query('SELECT secret_sealed, previous_secret_sealed FROM webhook_endpoints WHERE client_id = $1', ['cli_hook']);
    const open = (sealed: string) => secretBox.decrypt(sealed, webhookSecretContext('cli_hook')).toString('utf8');
    assert.deepEqual([open(rows[0].secret_sealed), open(rows[0].previous_secret_sealed)], ['whsec_current', 'whsec_previous']);
    assert.equal((await database.pool.query('SELECT 1 FROM webhook_endpoints')).rowCount, 1, 'no endpoint for a partner without a URL');
  } finally {
    await database.drop();
  }
});

test('every SECURITY DEFINER function keeps pg_temp last in its search path (a caller\'s temporary table cannot shadow ours)', async () => {
  const database = await createTestDatabase();
  try {
    const { rows } = await database.pool.query<{ name: string; config: string[] | null }>(
      `SELECT p.proname AS name, p.proconfig AS config FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prosecdef AND n.nspname = 'public' ORDER BY p.proname`,
    );
    assert.ok(rows.length >= 3, `found ${rows.map((row) => row.name)}`);
    for (const row of rows) {
      const searchPath = row.config?.find((setting) => setting.startsWith('search_path='));
      assert.match(searchPath ?? '', /, pg_temp$/, `${row.name}: ${searchPath ?? 'no search_path set'}`);
    }
  } finally {
    await database.drop();
  }
});

test('0034: each partner\'s one key moves to api_keys unchanged (it still authenticates) and leaves api_clients', async () => {
  const database = await createTestDatabase({ migrate: false });
  try {
    await migrateBefore(database, 34);
    const lastUsed = new Date('2026-11-02T10:00:00Z');
    await database.pool.query(
      `INSERT INTO api_clients (id, name, key_hash, key_prefix, scopes, last_used) VALUES ('cli_01m8r4pv8cf77s9qpsxgdkd8jj', 'Old Bank', sha256('vk_old_key'::bytea), 'vk_old_key', '{age_over_18}', $1)`,
      [lastUsed],
    );
    await runMigrations(database.pool);
    const { rows } = await database.pool.query('SELECT id, client_id, name, key_prefix, last_used_at, expires_at, disabled_at FROM api_keys');
    assert.deepEqual(rows, [{ id: 'key_01m8r4pv8cf77s9qpsxgdkd8jj', client_id: 'cli_01m8r4pv8cf77s9qpsxgdkd8jj', name: 'Default', key_prefix: 'vk_old_key', last_used_at: lastUsed, expires_at: null, disabled_at: null }]);
    const found = await authenticateApiKey({ db: database.db, clock: systemClock }, 'vk_old_key');
    assert.ok(found.ok && found.client.id === 'cli_01m8r4pv8cf77s9qpsxgdkd8jj' && found.key.id === 'key_01m8r4pv8cf77s9qpsxgdkd8jj');
    const columns = await database.pool.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'api_clients' AND column_name LIKE 'key%'");
    assert.deepEqual(columns.rows, [], 'no stale copy of the key is left on api_clients');
    assert.equal((await listClients(database))[0]!.key_prefix, 'vk_old_key');
  } finally {
    await database.drop();
  }
});

test('0036: a key session gets the one key its shown prefix names; one whose key cannot be told is ended; others name no key', async () => {
  const database = await createTestDatabase({ migrate: false });
  try {
    await migrateBefore(database, 36);
    const client = 'cli_01m8r4pv8cf77s9qpsxgdkd8jj';
    await database.pool.query("INSERT INTO api_clients (id, name, scopes) VALUES ($1, 'Old Bank', '{age_over_18}')", [client]);
    await database.pool.query(
      `INSERT INTO api_keys (id, client_id, name, key_hash, key_prefix, created_at)
       VALUES ('key_01m8r4pv8cf77s9qpsxgdkd8jj', $1, 'Default', sha256('a'::bytea), 'vk_aaaaaaaa', now()),
              ('key_01m8r4pv8cf77s9qpsxgdkd8jk', $1, 'Second', sha256('b'::bytea), 'vk_bbbbbbbb', now())`,
      [client],
    );
    const session = (id: string, method: string, identity: string) =>
      database.pool.query(
        `INSERT INTO console_sessions (id, role, client_id, method, identity, client_token_generation, access_hash, access_expires_at, refresh_expires_at, created_at, last_used_at)
         VALUES ($1, 'partner', $2, $3, $4, $5, sha256(convert_to($1::text, 'UTF8')), now(), now(), now(), now())`,
        [id, client, method, identity, method === 'api_key' ? 0 : null],
      );
    await session('ses_matched', 'api_key', 'API key vk_bbbbbbbb');
    await session('ses_replaced', 'api_key', 'API key vk_cccccccc');
    await session('ses_wallet', 'siwe', '0xAbC');
    await runMigrations(database.pool);
    const { rows } = await database.pool.query('SELECT id, api_key_id, revoked_reason FROM console_sessions ORDER BY id');
    assert.deepEqual(rows, [
      { id: 'ses_matched', api_key_id: 'key_01m8r4pv8cf77s9qpsxgdkd8jk', revoked_reason: null },
      { id: 'ses_replaced', api_key_id: null, revoked_reason: 'credential_revoked' },
      { id: 'ses_wallet', api_key_id: null, revoked_reason: null },
    ]);
    await assert.rejects(
      database.pool.query("UPDATE console_sessions SET revoked_at = NULL, revoked_reason = NULL WHERE id = 'ses_replaced'"),
      /console_sessions_api_key_check/,
      'a live key session always names its key',
    );
  } finally {
    await database.drop();
  }
});
