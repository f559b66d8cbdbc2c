/**
 * The restore drill: data of every kind made through the API of a real `veridity serve` (a partner
 * and its API key, a zk verification and a TEE attestation task with their receipts, webhook
 * secret sealed, signed ledger checkpoints), backed up with `veridity backup`, restored with
 * `veridity restore` into a new database and data folder, and served again from there.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cleanEnv, freePort, runShell, runToEnd, startProcess, waitFor } from './support/processes.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

const encryptionKey = randomBytes(32).toString('hex');
let scratch: string;
let serve: ServeProcess;
let restored: TestDatabase;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-restore-drill-'));
  serve = await startServe(scratch, { VERIDITY_ENCRYPTION_KEY: encryptionKey, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  restored = await createTestDatabase({ migrate: false });
});
after(async () => {
  await serve.stop();
  await restored.drop();
  await rm(scratch, { recursive: true, force: true });
});

async function api(baseUrl: string, method: 'GET' | 'POST', route: string, apiKey: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

async function receipt(baseUrl: string, apiKey: string, id: string): Promise<string> {
  let answer = await api(baseUrl, 'GET', `/api/v1/receipts/${id}`, apiKey);
  await waitFor(async () => (answer = await api(baseUrl, 'GET', `/api/v1/receipts/${id}`, apiKey)).status === 200, 60_000, `receipt of ${id}`);
  return answer.text;
}

test('restore drill: backup, restore into an empty place, serve it: ledger, receipts, API key and sealed keys hold', { skip: !existsSync('/usr/bin/curl') && 'curl is not installed', timeout: 300_000 }, async () => {
  // 1. Data of every kind through the API: `veridity demo` (issuer, partner + API key) and its
  //    walkthrough (a zk proof verified, a TEE task verified, both receipts), a webhook secret.
  const demoDir = path.join(scratch, 'demo');
  const demo = await runToEnd(['demo', '--url', serve.baseUrl, '--admin-token', serve.adminToken, '--dir', demoDir], cleanEnv({}));
  assert.equal(demo.code, 0, demo.output);
  const apiKey = demo.stdout.match(/API key \(shown once\): (vk_[A-Za-z0-9_-]+)/)![1]!;
  const walkthrough = demo.stdout.slice(demo.stdout.indexOf('# --- walkthrough ---'), demo.stdout.indexOf('# --- end of walkthrough ---'));
  const walked = await runShell(walkthrough, { env: cleanEnv({}) });
  assert.equal(walked.code, 0, `${walked.stdout}\n${walked.stderr}`);
  const ledgerKey = (await readFile(path.join(demoDir, 'ledger.key'), 'utf8')).trim();
  const receipts = ['receipt.txt', 'task-receipt.txt'].map((file) => path.join(demoDir, file));
  const me = JSON.parse((await api(serve.baseUrl, 'GET', '/api/v1/me', apiKey)).text);
  const configured = await fetch(`${serve.baseUrl}/api/admin/clients/${me.client_id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${serve.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ webhook_url: 'http://127.0.0.1:9/hooks' }),
  });
  assert.equal(configured.status, 200, await configured.text());
  const rotated = await api(serve.baseUrl, 'POST', '/api/v1/webhooks/rotate-secret', apiKey);
  assert.equal(rotated.status, 200, rotated.text);

  // 2. The backup, as an operator runs it, while the server runs.
  const backupsDir = path.join(scratch, 'backups');
  const sourceEnv = cleanEnv({ DATABASE_URL: serve.database.url, VERIDITY_ENCRYPTION_KEY: encryptionKey, VERIDITY_DATA_DIR: path.join(scratch, 'data') });
  const backup = await runToEnd(['backup', '--to', backupsDir], sourceEnv);
  assert.equal(backup.code, 0, backup.output);
  const [name] = await readdir(backupsDir);
  const backupDir = path.join(backupsDir, name!);
  const manifestText = await readFile(path.join(backupDir, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(manifestText);
  // pg_dump's custom format where a pg_dump as new as the server exists (the PostgreSQL 15 service),
  // else the built-in format (the embedded PostgreSQL 17 of the default run): the drill holds for both.
  const databaseFile: string = manifest.database.format === 'builtin' ? manifest.database.tables[0].file : manifest.database.file;
  assert.ok(manifest.database.format === 'builtin' || databaseFile === 'database.dump', manifestText);
  assert.ok(manifest.objects.some((object: { key: string }) => object.key.startsWith('attestation-results/')), manifestText);
  assert.equal(manifest.encryption_key_fingerprints.length, 1);
  assert.ok(!manifestText.includes(encryptionKey), 'the manifest never holds the key');

  // 3. Restore into a new database and a new data folder: refused with another key, then done.
  const targetDataDir = path.join(scratch, 'restored-data');
  const targetEnv = (key: string) => cleanEnv({ DATABASE_URL: restored.url, VERIDITY_ENCRYPTION_KEY: key, VERIDITY_DATA_DIR: targetDataDir, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  const wrongKey = await runToEnd(['restore', backupDir], targetEnv(randomBytes(32).toString('hex')));
  assert.notEqual(wrongKey.code, 0);
  assert.match(wrongKey.output, /the configured encryption key is not the one of backup/);
  const restore = await runToEnd(['restore', backupDir], targetEnv(encryptionKey));
  assert.equal(restore.code, 0, restore.output);
  const again = await runToEnd(['restore', backupDir], targetEnv(encryptionKey));
  assert.equal(again.code, 0, again.output);
  assert.match(again.output, /already restored here: nothing to do/);
  const intoFull = await runToEnd(['restore', backupDir], cleanEnv({ DATABASE_URL: serve.database.url, VERIDITY_ENCRYPTION_KEY: encryptionKey, VERIDITY_DATA_DIR: path.join(scratch, 'other') }));
  assert.notEqual(intoFull.code, 0);
  assert.match(intoFull.output, /the database is not empty/);

  // A damaged backup is refused before anything is written.
  const damaged = path.join(backupsDir, `${name}-damaged`);
  await runShell(`cp -r "${backupDir}" "${damaged}"`, { env: cleanEnv({}) });
  await writeFile(path.join(damaged, databaseFile), 'not the dump');
  const refused = await runToEnd(['restore', damaged], cleanEnv({ DATABASE_URL: restored.url, VERIDITY_ENCRYPTION_KEY: encryptionKey, VERIDITY_DATA_DIR: path.join(scratch, 'damaged-data') }));
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /does not match its SHA-256/);

  // 4. Serve the restored place.
  const verifyLedger = await runToEnd(['verify-ledger', '--key', ledgerKey], targetEnv(encryptionKey));
  assert.equal(verifyLedger.code, 0, verifyLedger.output);
  assert.match(verifyLedger.output, /ledger OK/);
  for (const file of receipts) {
    const checked = await runToEnd(['verify-receipt', file, '--key', ledgerKey], cleanEnv({}));
    assert.equal(checked.code, 0, checked.output);
  }
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = startProcess(['serve'], { ...targetEnv(encryptionKey), VERIDITY_ADMIN_TOKEN: serve.adminToken, PORT: String(port), LEDGER_CHECKPOINT_SECONDS: '1', VERIFIER_THREADS: '1' });
  try {
    await waitFor(async () => (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.ok === true, 60_000, `restored serve\n${server.output()}`);
    assert.equal((await api(baseUrl, 'GET', '/api/v1/me', apiKey)).status, 200, 'the API key still works');
    assert.equal((await (await fetch(`${baseUrl}/api/v1/ledger/key`)).text()).trim(), ledgerKey, 'the same ledger key');
    const task = JSON.parse(await readFile(path.join(demoDir, 'task.json'), 'utf8'));
    const restoredReceipt = await receipt(baseUrl, apiKey, task.id);
    assert.equal(restoredReceipt, await readFile(receipts[1]!, 'utf8'), 'a receipt fetched before is served the same');
    // The sealed ledger signing key decrypts with the same VERIDITY_ENCRYPTION_KEY: a new outcome
    // gets a checkpoint signed by it, checked offline against the key pinned before the backup.
    const submitted = await api(baseUrl, 'POST', '/api/v1/tasks', apiKey, JSON.parse(await readFile(path.join(demoDir, 'tee-task.json'), 'utf8')));
    assert.equal(submitted.status, 202, submitted.text);
    const newTask = JSON.parse(submitted.text).id as string;
    const newReceiptFile = path.join(scratch, 'new-receipt.txt');
    await writeFile(newReceiptFile, await receipt(baseUrl, apiKey, newTask));
    const checked = await runToEnd(['verify-receipt', newReceiptFile, '--key', ledgerKey], cleanEnv({}));
    assert.equal(checked.code, 0, checked.output);
    const rotatedAgain = await api(baseUrl, 'POST', '/api/v1/webhooks/rotate-secret', apiKey);
    assert.equal(rotatedAgain.status, 200, rotatedAgain.text);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  const verifyAfter = await runToEnd(['verify-ledger', '--key', ledgerKey], targetEnv(encryptionKey));
  assert.equal(verifyAfter.code, 0, verifyAfter.output);
});
