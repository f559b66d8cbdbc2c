/**
 * Backups in S3, against a real S3-compatible server (s3rver, in this process): `veridity serve`
 * keeps its objects in a bucket (S3_BUCKET), `veridity backup --to s3` writes the database and a
 * copy of that bucket into BACKUP_S3_BUCKET and prunes the backups older than BACKUP_KEEP_DAYS,
 * `veridity restore s3:<name>` fills a fresh database and data folder, and the ledger verifies there.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { backupName } from '#platform/backup/backup-manifest.ts';
import { createS3Storage } from '#platform/storage/object-storage.ts';
import { loadTeeSample } from '#src/cli/demo-tee-sample.ts';
import { cleanEnv, runToEnd, waitFor } from './support/processes.ts';
import { startS3Server, type S3Server } from './support/s3-server.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

const encryptionKey = randomBytes(32).toString('hex');
let scratch: string;
let s3: S3Server;
let serve: ServeProcess;
let restored: TestDatabase;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-backup-s3-'));
  s3 = await startS3Server(path.join(scratch, 's3'), ['veridity-objects', 'veridity-backups']);
  serve = await startServe(scratch, { ...s3.env, S3_BUCKET: 'veridity-objects', VERIDITY_ENCRYPTION_KEY: encryptionKey });
  restored = await createTestDatabase({ migrate: false });
});
after(async () => {
  await serve?.stop();
  await restored?.drop();
  await s3?.close();
  await rm(scratch, { recursive: true, force: true });
});

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

test('backup --to s3 copies the database and the S3 object store, prunes old backups; restore s3:<name> into a fresh place passes verify-ledger', async () => {
  // Data: a partner's TEE attestation task, verified by serve's worker: its result document is
  // stored in the objects bucket, its outcome logged in the ledger and covered by a checkpoint.
  const headers = { authorization: `Bearer ${serve.adminToken}`, 'content-type': 'application/json' };
  const partner = await (await fetch(`${serve.baseUrl}/api/admin/clients`, { method: 'POST', headers, body: JSON.stringify({ name: 'S3 Bank', scopes: ['tee_attestation'] }) })).json();
  const sample = await loadTeeSample();
  assert.ok(sample, 'the TDX test vector is in the checkout');
  const submitted = await fetch(`${serve.baseUrl}/api/v1/tasks`, { method: 'POST', headers: { 'x-api-key': partner.api_key, 'content-type': 'application/json' }, body: JSON.stringify(sample.body) });
  assert.equal(submitted.status, 202, await submitted.clone().text());
  const task = (await submitted.json()) as { id: string };
  await waitFor(async () => (await fetch(`${serve.baseUrl}/api/v1/receipts/${task.id}`, { headers: { 'x-api-key': partner.api_key } })).ok, 60_000, `the receipt of ${task.id}`);
  const ledgerKey = (await (await fetch(`${serve.baseUrl}/api/v1/ledger/key`)).text()).trim();

  const objects = createS3Storage(s3.bucket('veridity-objects'));
  const objectKeys = (await objects.list()).sort();
  assert.ok(objectKeys.some((key) => key.startsWith('attestation-results/')), `the result document is in S3: ${objectKeys.join(', ')}`);

  // Two backups already in the bucket, one older than BACKUP_KEEP_DAYS (7), one newer, and a key that is not a backup.
  const backups = createS3Storage(s3.bucket('veridity-backups'));
  const old = backupName(new Date(Date.now() - 8 * 86_400_000));
  const recent = backupName(new Date(Date.now() - 6 * 86_400_000));
  for (const name of [old, recent]) {
    await backups.put(`${name}/tables/public.proofs.copy`, Buffer.from('rows'), 'application/octet-stream');
    await backups.put(`${name}/manifest.json`, Buffer.from('{}'), 'application/json');
  }
  await backups.put('notes/retention.txt', Buffer.from('not a backup'), 'text/plain');

  const sourceEnv = cleanEnv({ ...s3.env, DATABASE_URL: serve.database.url, VERIDITY_ENCRYPTION_KEY: encryptionKey, VERIDITY_DATA_DIR: path.join(scratch, 'data'), S3_BUCKET: 'veridity-objects', BACKUP_S3_BUCKET: 'veridity-backups', BACKUP_KEEP_DAYS: '7' });
  const backup = await runToEnd(['backup', '--to', 's3'], sourceEnv);
  assert.equal(backup.code, 0, backup.output);
  assert.match(backup.stdout, /pruned 1 backup\(s\) older than 7 days/);
  const name = /backup written: s3:(veridity-\d{8}T\d{9}Z) \(bucket veridity-backups\)/.exec(backup.stdout)?.[1];
  assert.ok(name, backup.stdout);
  const kept = await backups.list();
  assert.deepEqual([...new Set(kept.map((key) => key.split('/')[0]))].sort(), ['notes', recent, name].sort(), 'the old backup is gone, the rest stays');

  // The manifest lists every object of the objects bucket with its SHA-256; the copies match; no key.
  const manifestText = (await backups.get(`${name}/manifest.json`))!.toString();
  assert.ok(!manifestText.includes(encryptionKey), 'the manifest never holds the key');
  const manifest = JSON.parse(manifestText) as { objects: Array<{ key: string; sha256: string }>; database: { format: string } };
  assert.deepEqual(manifest.objects.map((object) => object.key).sort(), objectKeys);
  for (const object of manifest.objects) {
    const source = (await objects.get(object.key))!;
    assert.equal(object.sha256, sha256(source), object.key);
    assert.deepEqual(await backups.get(`${name}/objects/${object.key}`), source, `the copy of ${object.key}`);
  }

  // Restore from S3 into a fresh database and a fresh data folder (objects on the file system).
  const targetDir = path.join(scratch, 'restored-data');
  const targetEnv = cleanEnv({ ...s3.env, DATABASE_URL: restored.url, VERIDITY_ENCRYPTION_KEY: encryptionKey, VERIDITY_DATA_DIR: targetDir, BACKUP_S3_BUCKET: 'veridity-backups' });
  const restore = await runToEnd(['restore', `s3:${name}`], targetEnv);
  assert.equal(restore.code, 0, restore.output);
  for (const key of objectKeys) assert.deepEqual(await readFile(path.join(targetDir, 'objects', key)), await objects.get(key), `restored ${key}`);
  const verifyLedger = await runToEnd(['verify-ledger', '--key', ledgerKey], targetEnv);
  assert.equal(verifyLedger.code, 0, verifyLedger.output);
  assert.match(verifyLedger.output, /tree size [1-9]/);
  assert.match(verifyLedger.output, /ledger OK/);
  const again = await runToEnd(['restore', `s3:${name}`], targetEnv);
  assert.equal(again.code, 0, again.output);
  assert.match(again.output, /already restored here: nothing to do/);
});
