/**
 * The restore drill on the embedded default (no DATABASE_URL, no pg_dump needed): `veridity serve`
 * on its own embedded PostgreSQL, data made by `veridity demo`, `veridity backup --format builtin`
 * while it runs, `veridity restore` into a fresh data folder (its embedded cluster made there),
 * then the ledger verifies, receipts verify offline, and the API key works on the restored serve.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanEnv, freePort, runShell, runToEnd, startProcess, waitFor, type Running } from './support/processes.ts';

const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-restore-drill-embedded-'));
const running: Running[] = [];
after(async () => {
  for (const server of running) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await rm(scratch, { recursive: true, force: true });
});

const encryptionKey = randomBytes(32).toString('hex');
const adminToken = `vat_${randomBytes(32).toString('base64url')}`;

async function serveOn(dataDir: string): Promise<{ baseUrl: string; server: Running }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = startProcess(['serve'], cleanEnv({ VERIDITY_DATA_DIR: dataDir, VERIDITY_ENCRYPTION_KEY: encryptionKey, PORT: String(port), VERIDITY_ADMIN_TOKEN: adminToken, VERIFIER_THREADS: '1' }));
  running.push(server);
  await waitFor(async () => (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.ok === true, 90_000, `serve on ${dataDir}\n${server.output()}`);
  return { baseUrl, server };
}

test('restore drill on the embedded default: builtin backup while serving, restore into a fresh data dir, ledger, receipts and API key hold', { skip: !existsSync('/usr/bin/curl') && 'curl is not installed', timeout: 300_000 }, async () => {
  const sourceDir = path.join(scratch, 'data');
  const source = await serveOn(sourceDir);

  const demoDir = path.join(scratch, 'demo');
  const demo = await runToEnd(['demo', '--url', source.baseUrl, '--admin-token', adminToken, '--dir', demoDir], cleanEnv({}));
  assert.equal(demo.code, 0, demo.output);
  const apiKey = demo.stdout.match(/API key \(shown once\): (vk_[A-Za-z0-9_-]+)/)![1]!;
  const walkthrough = demo.stdout.slice(demo.stdout.indexOf('# --- walkthrough ---'), demo.stdout.indexOf('# --- end of walkthrough ---'));
  const walked = await runShell(walkthrough, { env: cleanEnv({}) });
  assert.equal(walked.code, 0, `${walked.stdout}\n${walked.stderr}`);
  const ledgerKey = (await readFile(path.join(demoDir, 'ledger.key'), 'utf8')).trim();
  const receipts = ['receipt.txt', 'task-receipt.txt'].map((file) => path.join(demoDir, file));

  // The backup, no DATABASE_URL: the running server's embedded PostgreSQL, in the built-in format.
  const backupsDir = path.join(scratch, 'backups');
  const backup = await runToEnd(['backup', '--format', 'builtin', '--to', backupsDir], cleanEnv({ VERIDITY_DATA_DIR: sourceDir, VERIDITY_ENCRYPTION_KEY: encryptionKey }));
  assert.equal(backup.code, 0, backup.output);
  assert.match(backup.stdout, /built-in format/);
  const [name] = await readdir(backupsDir);
  const backupDir = path.join(backupsDir, name!);
  const manifest = JSON.parse(await readFile(path.join(backupDir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.database.format, 'builtin');
  assert.equal(manifest.database.server_major, 17);
  assert.ok(manifest.database.tables.some((table: { schema: string; name: string; rows: number }) => table.schema === 'public' && table.name === 'proofs' && table.rows > 0));
  assert.ok(manifest.database.tables.some((table: { schema: string }) => table.schema === 'pgboss'));
  assert.ok(manifest.database.tables.some((table: { name: string; rows: number }) => table.name === 'ledger_entries' && table.rows > 0));

  // Restore into a fresh data folder: its embedded cluster is made, as serve does on first start.
  const targetDir = path.join(scratch, 'restored-data');
  const targetEnv = cleanEnv({ VERIDITY_DATA_DIR: targetDir, VERIDITY_ENCRYPTION_KEY: encryptionKey });
  const restore = await runToEnd(['restore', backupDir], targetEnv);
  assert.equal(restore.code, 0, restore.output);
  const again = await runToEnd(['restore', backupDir], targetEnv);
  assert.equal(again.code, 0, again.output);
  assert.match(again.output, /already restored here: nothing to do/);

  const verifyLedger = await runToEnd(['verify-ledger', '--key', ledgerKey], targetEnv);
  assert.equal(verifyLedger.code, 0, verifyLedger.output);
  assert.match(verifyLedger.output, /ledger OK/);
  for (const file of receipts) {
    const checked = await runToEnd(['verify-receipt', file, '--key', ledgerKey], cleanEnv({}));
    assert.equal(checked.code, 0, checked.output);
  }
  const restored = await serveOn(targetDir);
  const me = await fetch(`${restored.baseUrl}/api/v1/me`, { headers: { 'x-api-key': apiKey } });
  assert.equal(me.status, 200, 'the API key works on the restored server');
  assert.equal((await (await fetch(`${restored.baseUrl}/api/v1/ledger/key`)).text()).trim(), ledgerKey, 'the same ledger key');
});
