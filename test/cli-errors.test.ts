/**
 * Routine command-line mistakes answer one line naming the fix, exit 2, no stack trace; help texts
 * name what the commands cover; operator commands never create a database.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanEnv, runToEnd, VERIDITY_BIN } from './support/processes.ts';

const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-cli-errors-'));
after(() => rm(scratch, { recursive: true, force: true }));
const env = cleanEnv({ VERIDITY_DATA_DIR: path.join(scratch, 'no-data') });

function assertOneLineUsageError(result: { code: number | null; output: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.output);
  assert.doesNotMatch(result.output, /\n\s+at /, 'no stack trace');
  assert.equal(result.output.trim().split('\n').length, 1, `one line:\n${result.output}`);
  assert.match(result.output, /^veridity: /);
  assert.match(result.output, pattern);
}

test('a missing output folder, unknown flags, missing arguments and bad values: one line, exit 2', async () => {
  const missingDir = path.join(scratch, 'missing', 'dir', 'key.json');
  const [out, unknownFlag, unknownAdminFlag, missingId, badValue, badUrl, unknownCommand, missingKey] = await Promise.all([
    runToEnd(['issuer', 'keygen', '--out', missingDir], env),
    runToEnd(['demo', '--frobnicate'], env),
    runToEnd(['admin', 'list-clients', '--frobnicate'], env),
    runToEnd(['admin', 'disable-client'], env),
    runToEnd(['admin', 'create-client', '--name', 'Acme', '--scopes', 'age_over_18', '--rate-limit', 'many'], env),
    runToEnd(['prove', '--url', 'not a url', '--credential', 'c.json', '--request', 'r.json'], env),
    runToEnd(['frobnicate'], env),
    runToEnd(['verify-receipt', path.join(scratch, 'receipt.txt')], env),
  ]);
  assertOneLineUsageError(out, new RegExp(`--out ${missingDir}: cannot write: no such file or folder \\(does ${path.dirname(missingDir)} exist\\?\\)`));
  assertOneLineUsageError(unknownFlag, /unknown option --frobnicate \(see 'veridity demo --help'\)/);
  assertOneLineUsageError(unknownAdminFlag, /unknown option --frobnicate \(see 'veridity admin list-clients --help'\)/);
  assertOneLineUsageError(missingId, /name the client to disable/);
  assertOneLineUsageError(badValue, /--rate-limit: .*\(see 'veridity admin create-client --help'\)/);
  assertOneLineUsageError(badUrl, /--credential c\.json: cannot read|--url: not a URL/);
  assertOneLineUsageError(unknownCommand, /unknown command 'frobnicate' \(see 'veridity --help'/);
  assertOneLineUsageError(missingKey, /--key is required/);
});

test("help texts: admin lists the tee_attestation scope; verify-ledger and verify-receipt cover TEE tasks", async () => {
  const [adminHelp, ledgerHelp, receiptHelp] = await Promise.all([
    runToEnd(['admin', '--help'], env),
    runToEnd(['verify-ledger', '--help'], env),
    runToEnd(['verify-receipt', '--help'], env),
  ]);
  assert.match(adminHelp.stdout, /Scopes: .*tee_attestation/);
  assert.match(ledgerHelp.stdout, /TEE attestation task/);
  assert.match(receiptHelp.stdout, /TEE attestation task \(tsk_/);
});

test('operator commands refuse a data dir without a database, and create nothing', async () => {
  const cwd = await mkdtemp(path.join(scratch, 'fresh-clone-'));
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(VERIDITY_BIN, ['admin', 'list-clients'], { cwd, env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
  assertOneLineUsageError(result, /no Veridity data in \.\/data — set VERIDITY_DATA_DIR, or start the server once with `npm start`/);
  assert.equal(existsSync(path.join(cwd, 'data')), false, './data was created');

  const ledger = await runToEnd(['verify-ledger'], env);
  assertOneLineUsageError(ledger, /no Veridity data in .*no-data/);
  assert.equal(existsSync(path.join(scratch, 'no-data')), false);
});
