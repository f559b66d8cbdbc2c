/**
 * `veridity rotate-encryption-key` as a real process on a real database: every kind of sealed
 * value (webhook secrets current and previous, the legacy api_clients copies, platform signing keys,
 * the evidence decryption key, an agent CA made by an enrollment, a stored idempotent response, the
 * identity provider's tokens of an OIDC console session and an OIDC sign-in's PKCE verifier) made
 * through the use cases under the old key; the rotation killed mid-way while it waits on a row a
 * writer holds, rerun to the end while that writer stores a new value (kept); then everything opens
 * with the new key alone (same keys, same ids), which it did not before the rotation. Also: the
 * registry of sealed columns matches the schema.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { createEvidenceEncryptionKeys } from '#modules/evidence/evidence-encryption-keys.ts';
import { decryptEnvelopedData } from '#modules/evidence/verification/decrypt-enveloped-data.ts';
import { webhookSecretContext } from '#modules/webhooks/webhook-secret-context.ts';
import * as oidc from 'openid-client';
import { SEALED_COLUMNS } from '#src/sealed-columns.ts';
import { createSession } from '#modules/console-sessions/create-session.ts';
import { startOidcSignIn } from '#modules/console-sessions/start-oidc-sign-in.ts';
import { enrollAgentInto } from '#src/cli/agent.ts';
import { cleanEnv, runToEnd, startProcess, waitFor } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const oldBox = createSecretBox([oldKey]);
const newOnly = createSecretBox([newKey]);
const PURPOSES = ['ledger', 'certificates', 'certificate-pdf'] as const;
let t: TestApp;
let scratch: string;

before(async () => {
  t = await createTestApp({ encryptionKey: oldKey });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-rotation-'));
});
after(async () => {
  await t.close();
  await rm(scratch, { recursive: true, force: true });
});

const env = (keys: Buffer[]) => cleanEnv({ DATABASE_URL: t.database.url, VERIDITY_ENCRYPTION_KEY: keys.map((k) => k.toString('base64')).join(','), LOG_LEVEL: 'warn' });
const rotate = (args: string[] = [], keys = [newKey, oldKey]) => runToEnd(['rotate-encryption-key', ...args], env(keys));

/** Every value of every registered column, opened with `box` (under the registry's associated data): the ones that fail. */
async function unopenable(box: ReturnType<typeof createSecretBox>): Promise<{ total: number; perColumn: Record<string, number>; failed: string[] }> {
  const perColumn: Record<string, number> = {};
  const failed: string[] = [];
  let total = 0;
  for (const c of SEALED_COLUMNS) {
    const { rows } = await t.database.pool.query<Record<string, string>>(`SELECT * FROM ${c.table} WHERE ${c.column} IS NOT NULL`);
    perColumn[`${c.table}.${c.column}`] = rows.length;
    for (const row of rows) {
      total++;
      try {
        box.decrypt(row[c.column]!, c.associatedData(row));
      } catch {
        failed.push(`${c.table}.${c.column}`);
      }
    }
  }
  return { total, perColumn, failed };
}

describe('the registry of sealed columns', () => {
  test('every text column of the schema named *sealed*, *encrypted* or *secret* is registered, and nothing else', async () => {
    const { rows } = await t.database.pool.query<{ name: string }>(
      `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type = 'text' AND column_name ~ '(sealed|encrypted|secret|cipher)'
        ORDER BY 1`,
    );
    assert.deepEqual(rows.map((r) => r.name), SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort(), 'a sealed column is missing from src/sealed-columns.ts (export it from the module owning the table)');
  });

  test('one key only, or the same key twice: nothing to rotate to, exit 1', async () => {
    const one = await rotate([], [oldKey]);
    assert.equal(one.code, 1, one.output);
    assert.match(one.output, /nothing to rotate to: VERIDITY_ENCRYPTION_KEY holds one key/);
    const twice = await rotate([], [oldKey, oldKey]);
    assert.equal(twice.code, 1, twice.output);
    assert.match(twice.output, /lists its first key again/);
  });
});

describe('rotation', () => {
  test('every sealed value moves to the new key, resumable after a crash, without losing a concurrent write', async () => {
    // Webhook endpoints (one with a rotated secret, so a previous one is sealed too).
    const partners = [];
    for (const name of ['Alpha', 'Beta', 'Gamma']) partners.push(await createPartner(t, { name, scopes: ['evidence'], webhook_url: `https://${name.toLowerCase()}.example/hook` }));
    const rotated = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/rotate-secret', headers: { 'x-api-key': partners[0]!.api_key } });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const secrets = new Map<string, string>(partners.map((p) => [p.id, p.webhook_secret]));
    secrets.set(partners[0]!.id, rotated.json().webhook_secret);
    // The columns api_clients held before webhook_endpoints, as a release before migration 0010 wrote them.
    await t.database.pool.query("UPDATE api_clients SET webhook_url = 'https://beta.example/hook', webhook_secret_sealed = $2, webhook_secret_previous_sealed = $2, webhook_secret_previous_expires_at = now() WHERE id = $1", [partners[1]!.id, oldBox.encrypt('legacy', webhookSecretContext(partners[1]!.id))]);
    // A stored idempotent response (the operator's create-client).
    const idempotent = await t.app.inject({ method: 'POST', url: '/api/admin/clients', headers: { authorization: `Bearer ${t.adminToken}`, 'idempotency-key': 'rotation-1' }, payload: { name: 'Delta', scopes: ['evidence'] } });
    assert.equal(idempotent.statusCode, 201, idempotent.body);
    // Platform signing keys.
    const publicKeys = new Map<string, { id: string; pem: string }>();
    for (const purpose of PURPOSES) {
      const key = await t.platformKeys.activeKey(purpose);
      publicKeys.set(purpose, { id: key.id, pem: key.publicKeyPem });
    }
    // The evidence decryption key, and an agent CA through an enrollment.
    const evidenceKey = await createEvidenceEncryptionKeys({ pool: t.database.pool, secretBox: oldBox, clock: { now: () => new Date() } }).active();
    const enrollment = await t.app.inject({ method: 'POST', url: '/api/v1/evidence/enrollments', headers: { 'x-api-key': partners[2]!.api_key }, payload: { name: 'Station' } });
    assert.equal(enrollment.statusCode, 201, enrollment.body);
    const address = t.app.server.address() as { port: number };
    await enrollAgentInto({ url: new URL(`http://127.0.0.1:${address.port}`), token: enrollment.json().token, out: path.join(scratch, 'agent') });

    // Console sign-in: an OIDC session (the provider's tokens) and an OIDC sign-in in flight (its PKCE verifier).
    const consoleDeps = { pool: t.database.pool, clock: { now: () => new Date() }, secretBox: oldBox };
    const tokens = { id_token: 'eyJ.id.token', access_token: 'provider-access-token', refresh_token: undefined, token_type: 'bearer', expires_at: null, scope: 'openid' };
    await createSession(consoleDeps, t.database.pool, { role: 'operator', method: 'oidc', identity: 'ops@example.com', oidc: { issuer: 'https://id.example', subject: 'ops', tokens } }, { ip: '127.0.0.1', userAgent: null });
    const settings = { issuer: 'https://id.example', clientId: 'veridity', clientSecret: 'secret', roleClaim: 'veridity_role', scopes: 'openid', redirectUrl: 'http://127.0.0.1/api/console/oidc/callback' };
    const configuration = new oidc.Configuration({ issuer: settings.issuer, authorization_endpoint: `${settings.issuer}/auth` }, settings.clientId, settings.clientSecret);
    assert.ok((await startOidcSignIn({ ...consoleDeps, provider: { settings, configuration: async () => configuration } }, undefined)).ok);

    const before = await unopenable(newOnly);
    for (const [column, count] of Object.entries(before.perColumn)) assert.ok(count > 0, `the test made no value of ${column}`);
    // Before the rotation, the new key alone opens nothing: the old key cannot be removed yet.
    assert.equal(before.failed.length, before.total);
    await assert.rejects(createPlatformKeys({ db: t.database.db, secretBox: newOnly }).activeKey('ledger'), /no encryption key with id/);
    await assert.rejects(createEvidenceEncryptionKeys({ pool: t.database.pool, secretBox: newOnly, clock: { now: () => new Date() } }).active(), /no encryption key with id/);

    const dry = await rotate(['--dry-run']);
    assert.equal(dry.code, 0, dry.output);
    assert.match(dry.stdout, new RegExp(`dry run: ${before.total} value\\(s\\) in ${SEALED_COLUMNS.length} columns would be re-sealed, 0 already on the new key`));
    assert.equal((await unopenable(newOnly)).failed.length, before.total, 'a dry run changes nothing');

    // A writer holds the last partner's endpoint: the rotation re-seals the others batch by batch, then waits on it; it is killed there.
    const writer = await t.database.pool.connect();
    const held = partners[2]!.id;
    const waiting = () =>
      t.database.pool
        .query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%webhook_endpoints%'`)
        .then((r) => r.rows);
    try {
      await writer.query('BEGIN');
      await writer.query('SELECT 1 FROM webhook_endpoints WHERE client_id = $1 FOR UPDATE', [held]);
      const crashing = startProcess(['rotate-encryption-key', '--batch-size', '1'], env([newKey, oldKey]));
      await waitFor(async () => (await waiting()).length === 1, 60_000, 'the rotation to wait on the held row');
      crashing.child.kill('SIGKILL');
      await crashing.exited;
      await t.database.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = $1', ['Lock']);
      assert.match(crashing.stdout(), /^webhook_endpoints\.secret_sealed: 1 re-sealed, 0 skipped \(already on the new key\), \d+ remaining$/m);
      const midway = await unopenable(newOnly);
      assert.ok(midway.failed.length > 0 && midway.failed.length < before.total, `part done: ${midway.failed.length} of ${before.total} left`);
      assert.ok(midway.failed.includes('platform_keys.private_key_sealed'), 'the columns after the crash point are untouched');

      // The rerun waits on the same row; meanwhile the writer stores a new secret, sealed as a server listing the new key first seals it.
      const rerun = startProcess(['rotate-encryption-key', '--batch-size', '1'], env([newKey, oldKey]));
      await waitFor(async () => (await waiting()).length === 1, 60_000, 'the rerun to wait on the held row');
      await writer.query('UPDATE webhook_endpoints SET secret_sealed = $2 WHERE client_id = $1', [held, createSecretBox([newKey, oldKey]).encrypt('written-during-rotation', webhookSecretContext(held))]);
      await writer.query('COMMIT');
      secrets.set(held, 'written-during-rotation');
      assert.equal(await rerun.exited, 0, rerun.output());
      assert.match(rerun.stdout(), /^webhook_endpoints\.secret_sealed: 0 re-sealed, [1-9]\d* skipped \(already on the new key\), 0 remaining \(done\)$/m);
      assert.match(rerun.stdout(), /^summary: [1-9]\d* re-sealed, [1-9]\d* skipped \(already on the new key\), 0 remaining, in \d+ columns$/m);
      assert.match(rerun.stdout(), /the older key\(s\) can now be removed/);
    } finally {
      writer.release();
    }

    // A third run finds nothing to do.
    const again = await rotate();
    assert.equal(again.code, 0, again.output);
    assert.match(again.stdout, new RegExp(`^summary: 0 re-sealed, ${before.total} skipped \\(already on the new key\\), 0 remaining`, 'm'));

    // With the new key alone: everything opens, and the keys are the very same.
    assert.deepEqual((await unopenable(newOnly)).failed, []);
    const { rows } = await t.database.pool.query<{ client_id: string; secret_sealed: string }>('SELECT client_id, secret_sealed FROM webhook_endpoints');
    for (const row of rows) assert.equal(newOnly.decrypt(row.secret_sealed, webhookSecretContext(row.client_id)).toString(), secrets.get(row.client_id), 'the webhook secret the partner holds');
    const keysAfter = createPlatformKeys({ db: t.database.db, secretBox: newOnly });
    for (const purpose of PURPOSES) {
      const key = await keysAfter.activeKey(purpose);
      assert.equal(key.id, publicKeys.get(purpose)!.id, `${purpose}: same kid`);
      const message = Buffer.from(`signed after rotation (${purpose})`);
      const signature = sign(key.algorithm === 'Ed25519' ? null : 'sha256', message, key.privateKey);
      assert.ok(verify(key.algorithm === 'Ed25519' ? null : 'sha256', message, createPublicKey(publicKeys.get(purpose)!.pem), signature), `${purpose}: signs as the key published before`);
    }
    const evidenceAfter = await createEvidenceEncryptionKeys({ pool: t.database.pool, secretBox: newOnly, clock: { now: () => new Date() } }).active();
    assert.equal(evidenceAfter.id, evidenceKey.id);
    const recipient = path.join(scratch, 'evidence.pem');
    await writeFile(recipient, evidenceKey.certificatePem);
    await writeFile(path.join(scratch, 'plain.txt'), 'enveloped before the key was rotated');
    await promisify(execFile)('openssl', ['cms', '-encrypt', '-binary', '-aes-256-cbc', '-in', path.join(scratch, 'plain.txt'), '-outform', 'DER', '-out', path.join(scratch, 'env.der'), '-recip', recipient, '-keyopt', 'rsa_padding_mode:oaep']);
    const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(await readFile(path.join(scratch, 'env.der')))).result });
    const opened = decryptEnvelopedData(info.content, { privateKey: evidenceAfter.privateKey, certificate: evidenceAfter.certificate });
    assert.ok(opened.ok, JSON.stringify(opened));
    assert.equal(Buffer.from(opened.value).toString(), 'enveloped before the key was rotated');
  });
});
