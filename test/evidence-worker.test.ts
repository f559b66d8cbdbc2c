/**
 * The evidence worker end to end on a real database, object storage and pg-boss: a partner
 * configures its anchors and submits the openssl-made vectors through HTTP, one worker pass
 * verifies them, and each ends in its documented state: rejected with its code (ledger entry,
 * usage, `evidence.rejected` webhook), failed and queued again on resubmission, never retried when
 * the evidence is at fault, retried when storage is.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { systemClock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { createLogger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { createEvidenceEncryptionKeys } from '#modules/evidence/evidence-encryption-keys.ts';
import { VerifyEvidenceJob } from '#modules/evidence/jobs.ts';
import type { EvidenceWorkerDeps } from '#modules/evidence/process-evidence-job.ts';
import { runEvidenceWorkerOnce } from '#modules/evidence/run-evidence-worker.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');
const fixture = (name: string) => readFile(path.join(FIXTURES, name));

const encryptionKey = randomBytes(32);
let t: TestApp;
let queue: Queue;
let worker: EvidenceWorkerDeps;
let key: string;
let partnerId: string;

before(async () => {
  t = await createTestApp({ encryptionKey });
  const log = createLogger('silent');
  queue = await startQueue({ connectionString: t.database.url, log, schedule: false });
  await queue.register([VerifyEvidenceJob]);
  worker = {
    pool: t.database.pool,
    clock: systemClock,
    log,
    storage: t.storage,
    encryptionKeys: createEvidenceEncryptionKeys({ pool: t.database.pool, secretBox: createSecretBox([encryptionKey]), clock: systemClock }),
    certify: async () => {
      throw new Error('no certificate is issued in these tests: every document here is rejected or fails');
    },
  };
  const partner = await createPartner(t, { name: 'Recycler', scopes: ['evidence'], webhook_url: 'https://93.184.215.14/hooks' });
  key = partner.api_key;
  partnerId = partner.id;
  const bundle = (await Promise.all(['ec-root-ca.pem', 'rsa-root-ca.pem', 'ec-intermediate-ca.crl.pem', 'ec-root-ca.crl.pem'].map(fixture))).join('\n');
  const anchors = await t.app.inject({ method: 'PUT', url: '/api/v1/evidence/trust-anchors', headers: { 'x-api-key': key, 'content-type': 'application/x-pem-file' }, payload: bundle });
  assert.equal(anchors.statusCode, 200, anchors.body);
  const tsa = await t.app.inject({ method: 'PUT', url: '/api/v1/evidence/tsa-anchors', headers: { 'x-api-key': key, 'content-type': 'application/x-pem-file' }, payload: await fixture('tsa-root-ca.pem') });
  assert.equal(tsa.statusCode, 200, tsa.body);
});
after(async () => {
  await queue.stop({ graceful: false });
  await t.close();
});

/** Another partner trusting the same CAs (a DER is one submission per partner: a second partner submits it afresh). */
async function partnerWithAnchors(name: string): Promise<string> {
  const apiKey = (await createPartner(t, { name, scopes: ['evidence'] })).api_key;
  const bundle = (await Promise.all(['ec-root-ca.pem', 'rsa-root-ca.pem'].map(fixture))).join('\n');
  const response = await t.app.inject({ method: 'PUT', url: '/api/v1/evidence/trust-anchors', headers: { 'x-api-key': apiKey, 'content-type': 'application/x-pem-file' }, payload: bundle });
  assert.equal(response.statusCode, 200, response.body);
  return apiKey;
}

async function submit(der: Buffer, content?: Buffer, as = key): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/proofs',
    headers: { 'x-api-key': as },
    payload: { der_base64: der.toString('base64'), ...(content ? { content_base64: content.toString('base64') } : {}) },
  });
  assert.ok([200, 202].includes(response.statusCode), response.body);
  return response.json().id;
}

async function evidence(id: string, as = key): Promise<Record<string, any>> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/proofs/${id}`, headers: { 'x-api-key': as } });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

describe('rejections', () => {
  const VECTORS: Array<[file: string, code: string]> = [
    ['invalid-report.der', 'CONTENT_INVALID'],
    ['ec-sha1.der', 'UNSUPPORTED_ALGORITHM'],
    ['signer-certificate-missing.der', 'SIGNER_CERTIFICATE_MISSING'],
    ['no-signers.der', 'NO_SIGNER'],
    ['expired-signer.der', 'CERT_EXPIRED'],
    ['not-yet-valid-signer.der', 'CERT_NOT_YET_VALID'],
    ['revoked-signer.der', 'CERT_REVOKED'],
    ['key-usage-invalid.der', 'KEY_USAGE_INVALID'],
    ['unknown-critical-extension.der', 'CHAIN_UNTRUSTED'],
    ['untrusted-chain.der', 'CHAIN_UNTRUSTED'],
    ['pathlen-exceeded.der', 'CHAIN_UNTRUSTED'],
    ['issuer-not-a-ca.der', 'CHAIN_UNTRUSTED'],
    ['long-chain.der', 'LIMIT_EXCEEDED'],
    ['ec-untrusted-tsa.der', 'TIMESTAMP_INVALID'],
    ['ec-timestamp-other-signature.der', 'TIMESTAMP_INVALID'],
    ['ec-detached.der', 'CONTENT_MISSING'],
    // Encrypted to the fixtures' own test key, not to this platform's.
    ['enveloped-rsa-oaep.der', 'DECRYPT_FAILED'],
    ['enveloped-rsa-pkcs1v15.der', 'DECRYPT_FAILED'],
  ];

  test('each vector ends rejected with its code, once: in the ledger, metered and announced', async () => {
    const ids: string[] = [];
    for (const [file] of VECTORS) ids.push(await submit(await fixture(file)));
    const report = await runEvidenceWorkerOnce(worker, queue);
    assert.equal(report.certified, 0);
    assert.equal(report.retrying, 0);
    for (const [index, [file, code]] of VECTORS.entries()) {
      const shown = await evidence(ids[index]!);
      assert.equal(shown.status, 'rejected', `${file}: ${JSON.stringify(shown)}`);
      assert.equal(shown.error_code, code, `${file}: ${shown.error_message}`);
      assert.ok(shown.error_message, file);
      assert.equal(shown.attempts, 1, `${file}: evidence failures are never retried`);
      assert.equal(shown.receipt_url, `/api/v1/receipts/${ids[index]}`);
      assert.equal(shown.certificate, null);
    }
    const invalid = await evidence(ids[0]!);
    assert.equal(invalid.error_path, '/sanitization/method');

    const ledger = await t.database.pool.query(`SELECT public_id FROM ledger_entries WHERE kind = 'evidence' AND public_id = ANY($1)`, [ids]);
    assert.equal(ledger.rowCount, ids.length, 'one ledger entry per rejection');
    const usage = await t.database.pool.query(`SELECT outcome FROM usage_events WHERE kind = 'evidence.verify' AND subject_id = ANY($1)`, [ids]);
    assert.deepEqual(new Set(usage.rows.map((row) => row.outcome)), new Set(['rejected']));
    assert.equal(usage.rowCount, ids.length);
    const hooks = await t.database.pool.query(`SELECT payload FROM webhooks_outbox WHERE client_id = $1 AND event_type = 'evidence.rejected' AND subject_id = $2`, [partnerId, ids[6]]);
    assert.equal(hooks.rowCount, 1);
    assert.deepEqual({ ...hooks.rows[0].payload, ts: undefined, error_message: undefined }, {
      event: 'evidence.rejected', evidence_id: ids[6], sha256: (await evidence(ids[6]!)).sha256, status: 'rejected', error_code: 'CERT_REVOKED', error_path: null, ts: undefined, error_message: undefined,
    });

    // Nothing is left to do: a second pass finds no job.
    assert.deepEqual(await runEvidenceWorkerOnce(worker, queue), { certified: 0, rejected: 0, failed: 0, skipped: 0, retrying: 0 });
  });

  test('the detached signature with its tampered content: CONTENT_DIGEST_MISMATCH', async () => {
    const other = await partnerWithAnchors('Second recycler');
    const id = await submit(await fixture('ec-detached.der'), await fixture('erasure-report-tampered.json'), other);
    await runEvidenceWorkerOnce(worker, queue);
    assert.equal((await evidence(id, other)).error_code, 'CONTENT_DIGEST_MISMATCH');
  });

  test('the rejection\'s receipt is served to its partner once the ledger has sequenced it; another partner gets 404', async () => {
    const rejected = await submit(await fixture('untrusted-chain.der'));
    const receipt = await t.app.inject({ method: 'GET', url: `/api/v1/receipts/${rejected}`, headers: { 'x-api-key': key } });
    assert.ok([200, 202].includes(receipt.statusCode), receipt.body);
    const other = (await createPartner(t, { name: 'Nosy', scopes: ['evidence'] })).api_key;
    const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/receipts/${rejected}`, headers: { 'x-api-key': other } });
    assert.equal(foreign.statusCode, 404);
  });
});

describe('encrypted evidence', () => {
  test('enveloped to the published certificate with openssl: decrypted by the platform key and verified inside; PKCS#1 v1.5 key transport refused', async () => {
    const certificate = await t.app.inject({ method: 'GET', url: '/api/v1/evidence/encryption-certificate' });
    assert.equal(certificate.statusCode, 200);
    assert.equal(certificate.headers['content-type'], 'application/x-pem-file');
    const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-envelope-'));
    try {
      const recipient = path.join(scratch, 'veridity-evidence.pem');
      await writeFile(recipient, certificate.body);
      const envelope = async (inner: string, keyopts: string[]) => {
        const out = path.join(scratch, `${inner}-${keyopts.length}.der`);
        await promisify(execFile)('openssl', ['cms', '-encrypt', '-binary', '-aes-256-cbc', '-in', path.join(FIXTURES, inner), '-outform', 'DER', '-out', out, '-recip', recipient, ...keyopts]);
        return readFile(out);
      };
      // A document that verifies only up to its chain: proof enough that it was decrypted and opened.
      const oaep = await submit(await envelope('untrusted-chain.der', ['-keyopt', 'rsa_padding_mode:oaep']));
      const pkcs1 = await submit(await envelope('untrusted-chain.der', []));
      await runEvidenceWorkerOnce(worker, queue);
      assert.deepEqual([(await evidence(oaep)).error_code, (await evidence(pkcs1)).error_code], ['CHAIN_UNTRUSTED', 'UNSUPPORTED_ALGORITHM']);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('failures', () => {
  test('storage missing the document: retried by the queue, then failed with INTERNAL_ERROR on the last attempt; resubmitting queues it again', async () => {
    const unlucky = await partnerWithAnchors('Unlucky');
    const der = await fixture('expired-signer.der');
    const id = await submit(der, undefined, unlucky);
    const { rows } = await t.database.pool.query('SELECT object_key FROM evidence_submissions WHERE id = $1', [id]);
    await rm(path.join(t.objectsDir, rows[0].object_key));
    const first = await runEvidenceWorkerOnce(worker, queue);
    assert.equal(first.retrying, 1);
    const retried = await evidence(id, unlucky);
    assert.equal(retried.status, 'received', 'back to received while it is retried');
    assert.equal(retried.attempts, 1);
    // pg-boss's retry delay is skipped by making the job due now, once per retry it allows.
    for (let attempt = 0; attempt < VerifyEvidenceJob.retryLimit; attempt++) {
      await t.database.pool.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state = 'retry'`, [VerifyEvidenceJob.name]);
      await runEvidenceWorkerOnce(worker, queue);
    }
    const failed = await evidence(id, unlucky);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error_code, 'INTERNAL_ERROR');
    assert.match(failed.error_message, /after 6 attempts: object .* is missing from storage/);
    assert.equal(failed.attempts, 6);
    const hook = await t.database.pool.query(`SELECT 1 FROM webhooks_outbox WHERE event_type = 'evidence.failed' AND subject_id = $1`, [id]);
    assert.equal(hook.rowCount, 0, 'this partner has no webhook endpoint');
    assert.equal((await t.database.pool.query(`SELECT 1 FROM ledger_entries WHERE public_id = $1`, [id])).rowCount, 0, 'not decided: not in the ledger');

    // Submitting the same DER again stores it again and queues it: it is decided this time.
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/proofs', headers: { 'x-api-key': unlucky, 'content-type': 'application/pkcs7-mime' }, payload: der });
    assert.equal(again.statusCode, 202, again.body);
    assert.equal(again.json().id, id);
    await runEvidenceWorkerOnce(worker, queue);
    const decided = await evidence(id, unlucky);
    assert.deepEqual([decided.status, decided.error_code, decided.attempts], ['rejected', 'CERT_EXPIRED', 7]);
  });
});
