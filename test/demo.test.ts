/**
 * `veridity demo` against a running server, followed the way a person would: the demo's
 * files proved with `veridity prove` and verified over HTTP, then the printed walkthrough
 * run as a shell script. Also the issuer commands (`veridity issuer keygen`, `sign-credential`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyCredentialSignature } from '#modules/zk/credentials/verify-credential-signature.ts';
import { parseCredential } from '#modules/zk/credentials/credential-format.ts';
import { cleanEnv, runShell, runToEnd, type Running } from './support/processes.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import type { TestDatabase } from './support/test-database.ts';

// A real `veridity serve` (its workers sequence the ledger and verify TEE tasks) on a test database.
let serve: ServeProcess;
let server: Running;
let database: TestDatabase;
let baseUrl: string;
let adminToken: string;
let scratch: string;
const env = cleanEnv({});

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-demo-test-'));
  serve = await startServe(scratch);
  ({ server, database, baseUrl, adminToken } = serve);
});
after(async () => {
  await serve.stop();
  await rm(scratch, { recursive: true, force: true });
});

async function api(method: 'GET' | 'POST', route: string, apiKey: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

async function asAdmin(route: string): Promise<any> {
  const response = await fetch(`${baseUrl}${route}`, { headers: { authorization: `Bearer ${adminToken}` } });
  assert.equal(response.status, 200);
  return response.json();
}

describe('veridity demo', () => {
  let output: string;
  let demoDir: string;
  let apiKey: string;

  before(async () => {
    demoDir = path.join(scratch, 'demo');
    const run = await runToEnd(['demo', '--url', baseUrl, '--admin-token', adminToken, '--dir', demoDir], env);
    assert.equal(run.code, 0, run.output);
    output = run.stdout;
    apiKey = output.match(/API key \(shown once\): (vk_[A-Za-z0-9_-]+)/)![1]!;
  });

  test('seeds an issuer (public key only), a partner, a credential and a request', async () => {
    const issuerKey = JSON.parse(await readFile(path.join(demoDir, 'issuer-key.json'), 'utf8'));
    assert.ok(output.includes(issuerKey.private_key), 'the development private key is printed');
    const credential = JSON.parse(await readFile(path.join(demoDir, 'credential.json'), 'utf8'));
    assert.ok(parseCredential(credential).ok);
    assert.deepEqual(credential.issuer, issuerKey.public_key);
    assert.equal(await verifyCredentialSignature(credential), true);
    assert.equal((await stat(path.join(demoDir, 'credential.json'))).mode & 0o777, 0o600);

    // The private key never reached the server: not stored, not logged, only the public key is.
    const issuers = await asAdmin('/api/admin/issuers');
    const registered = issuers.find((row: { public_key: { ax: string } }) => row.public_key.ax === issuerKey.public_key.ax);
    assert.ok(registered, 'the public key is registered');
    assert.deepEqual([...registered.claim_types].sort(), ['age_over_18', 'age_over_21', 'citizenship', 'education', 'income_gte']);
    const dump = JSON.stringify((await database.pool.query('SELECT * FROM issuers')).rows);
    assert.ok(!dump.includes(issuerKey.private_key) && !server.output().includes(issuerKey.private_key));

    const request = JSON.parse(await readFile(path.join(demoDir, 'request.json'), 'utf8'));
    assert.equal(request.claim_type, 'age_over_18');
    assert.equal(request.verifier_domain, 'bank.example');
    const me = await api('GET', '/api/v1/me', apiKey);
    assert.equal(me.status, 200);
    assert.ok(me.json.scopes.includes('tee_attestation'), 'the demo partner may submit TEE tasks');
    const teeTask = JSON.parse(await readFile(path.join(demoDir, 'tee-task.json'), 'utf8'));
    assert.match(teeTask.evidence.quote, /^[0-9a-f]{2000,}$/, 'a real quote from the fixtures');
  });

  test("the demo's files prove with `veridity prove`, and the proof verifies over HTTP", async () => {
    const proved = await runToEnd(['prove', '--url', baseUrl, '--credential', path.join(demoDir, 'credential.json'), '--request', path.join(demoDir, 'request.json')], env);
    assert.equal(proved.code, 0, proved.output);
    const body = JSON.parse(proved.stdout);
    const verified = await api('POST', '/api/v1/verify', apiKey, body);
    assert.equal(verified.status, 200, JSON.stringify(verified.json));
    assert.equal(verified.json.status, 'verified');
    const status = await api('GET', `/api/v1/status/${verified.json.proof_id}`, apiKey);
    assert.equal(status.json.status, 'verified');
    assert.equal(status.json.claim_type, 'age_over_18');
    const replayed = await api('POST', '/api/v1/verify', apiKey, body);
    assert.equal(replayed.status, 409);
    assert.equal(replayed.json.error_code, 'NONCE_REPLAY');
  });

  test('the printed walkthrough runs as written: request, prove, verify, status, receipt checked offline, then a TEE task and its receipt', { skip: !existsSync('/usr/bin/curl') && 'curl is not installed' }, async () => {
    const walkthrough = output.slice(output.indexOf('# --- walkthrough ---'), output.indexOf('# --- end of walkthrough ---'));
    assert.ok(walkthrough.length > 100, output);
    assert.match(walkthrough, new RegExp(`${baseUrl.replaceAll('.', '\\.')}/prove`), 'names the holder page');
    const run = await runShell(walkthrough, { env });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const verified = JSON.parse(await readFile(path.join(demoDir, 'verified.json'), 'utf8'));
    assert.equal(verified.status, 'verified', JSON.stringify(verified));
    assert.equal((await api('GET', `/api/v1/status/${verified.proof_id}`, apiKey)).json.status, 'verified');

    // Both receipts checked offline with the pinned key: the proof's, then the TEE task's.
    const receipts = [...run.stdout.matchAll(/receipt OK: entry \d+ of \S+[^\n]*\n((?:  .*\n)+)/g)].map((match) => match[1]!);
    assert.equal(receipts.length, 2, run.stdout);
    assert.match(receipts[0]!, new RegExp(`public_id\\s+${verified.proof_id}`));
    assert.match(receipts[0]!, /kind\s+zk_proof/);
    const task = JSON.parse(await readFile(path.join(demoDir, 'task.json'), 'utf8'));
    assert.equal(task.status, 'completed', JSON.stringify(task).slice(0, 500));
    assert.equal(task.isValid, true);
    assert.match(receipts[1]!, new RegExp(`public_id\\s+${task.id}`));
    assert.match(receipts[1]!, /kind\s+tee_task/);
    assert.equal((await readFile(path.join(demoDir, 'ledger.key'), 'utf8')).trim(), (await (await fetch(`${baseUrl}/api/v1/ledger/key`)).text()).trim());
  });

  test('without an admin token, or with a wrong one, it stops with a clear message', async () => {
    const [missing, wrong] = await Promise.all([
      runToEnd(['demo', '--url', baseUrl], env),
      runToEnd(['demo', '--url', baseUrl, '--admin-token', 'vat_wrong_wrong_wrong_wrong_wrong_wrong'], env),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.output, /admin token is required/);
    assert.equal(wrong.code, 1);
    assert.match(wrong.output, /401.*admin token/);
  });
});

describe('veridity issuer', () => {
  test('keygen, then sign-credential from flags and from an attributes file', async () => {
    const keygen = await runToEnd(['issuer', 'keygen'], env);
    assert.equal(keygen.code, 0, keygen.output);
    const key = JSON.parse(keygen.stdout);
    assert.match(key.private_key, /^[0-9a-f]{64}$/);

    const attributesFile = path.join(scratch, 'attributes.json');
    await writeFile(attributesFile, JSON.stringify({ birth_date: 19751224, citizenship: '124', education_level: 6, annual_income: '18446744073709551615', expiry_date: '2040-01-01', holder_secret: '12345' }));
    const credentialFile = path.join(scratch, 'credential.json');
    const [fromFlags, fromFile] = await Promise.all([
      runToEnd(['issuer', 'sign-credential', '--key', key.private_key, '--birth-date', '2001-02-03', '--citizenship', '250', '--education-level', '3', '--annual-income', '42000', '--expiry-date', '20301231'], env),
      runToEnd(['issuer', 'sign-credential', '--key', key.private_key, '--attributes', attributesFile, '--citizenship', '756', '--out', credentialFile], env),
    ]);
    assert.equal(fromFlags.code, 0, fromFlags.output);
    const credential = JSON.parse(fromFlags.stdout);
    assert.deepEqual(credential.issuer, key.public_key);
    assert.equal(credential.attributes.birth_date, '20010203');
    assert.match(credential.attributes.holder_secret, /^[1-9][0-9]{10,}$/, 'a random holder secret');
    assert.equal(await verifyCredentialSignature(credential), true);

    assert.equal(fromFile.code, 0, fromFile.output);
    const written = JSON.parse(await readFile(credentialFile, 'utf8'));
    assert.equal(written.attributes.citizenship, '756', 'flags override the file');
    assert.equal(written.attributes.annual_income, '18446744073709551615');
    assert.equal(written.attributes.holder_secret, '12345');
    assert.equal(await verifyCredentialSignature(written), true);
  });

  test('refuses what no circuit could prove, with a usage error', async () => {
    const base = ['issuer', 'sign-credential', '--key', randomBytes(32).toString('hex'), '--citizenship', '756', '--education-level', '3', '--annual-income', '1', '--expiry-date', '20301231'];
    const [notADate, missing, badKey] = await Promise.all([
      runToEnd([...base, '--birth-date', '20010230'], env),
      runToEnd(base, env),
      runToEnd(['issuer', 'sign-credential', '--key', 'abc', '--birth-date', '20010203'], env),
    ]);
    assert.equal(notADate.code, 2);
    assert.match(notADate.output, /birth_date must be a calendar date/);
    assert.equal(missing.code, 2);
    assert.match(missing.output, /missing attribute birth_date/);
    assert.equal(badKey.code, 2);
    assert.match(badKey.output, /64 hex digits/);
  });
});
