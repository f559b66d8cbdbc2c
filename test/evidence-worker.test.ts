/**
 * The evidence worker end to end on a real database, object storage and pg-boss, with the
 * certificates module wired in as the CLI wires it: a partner configures its anchors and submits
 * the openssl-made vectors through HTTP, one worker pass verifies them, and each ends in its
 * documented state: certified with a certificate (`certificate.issued`), rejected with its code
 * (ledger entry, usage, `evidence.rejected` webhook), failed and queued again on resubmission;
 * never retried when the evidence is at fault, retried when storage is.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
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
import { VECTOR_OUTCOMES } from '#modules/evidence/verification/test-vectors.ts';
import { VerifyEvidenceJob } from '#modules/evidence/jobs.ts';
import type { EvidenceWorkerDeps } from '#modules/evidence/process-evidence-job.ts';
import { runEvidenceWorkerOnce } from '#modules/evidence/run-evidence-worker.ts';
import { evidenceWorkerKinds } from '#modules/evidence/worker-kinds.ts';
import { evidenceCertifier } from '#src/evidence-certification.ts';
import { TEST_PUBLIC_URL } from './support/issued-certificates.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { evidenceWorkerDeps } from './support/evidence-worker.ts';

const FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');
const fixture = (name: string) => readFile(path.join(FIXTURES, name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

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
  worker = evidenceWorkerDeps(t, { clock: systemClock, encryptionKey, log });
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

/** Another partner trusting the same CAs (a DER is one submission per partner: a second partner submits it afresh), and these TSAs. */
async function partnerWithAnchors(name: string, tsaAnchors: string[] = []): Promise<string> {
  const apiKey = (await createPartner(t, { name, scopes: ['evidence'] })).api_key;
  const put = async (url: string, files: string[]) => {
    const response = await t.app.inject({ method: 'PUT', url, headers: { 'x-api-key': apiKey, 'content-type': 'application/x-pem-file' }, payload: (await Promise.all(files.map(fixture))).join('\n') });
    assert.equal(response.statusCode, 200, response.body);
  };
  await put('/api/v1/evidence/trust-anchors', ['ec-root-ca.pem', 'rsa-root-ca.pem']);
  if (tsaAnchors.length > 0) await put('/api/v1/evidence/tsa-anchors', tsaAnchors);
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

describe('certification', () => {
  const VALID = ['ec-embedded.der', 'ec-p384-sha384.der', 'rsa-pkcs1.der', 'rsa-pss.der', 'ed25519.der', 'two-signers.der', 'ec-no-signed-attributes.der', 'opaque-text.der', 'ec-until-2040.der', 'ec-until-2040-timestamped.der'];

  test('the openssl-signed erasure report: anchor uploaded, submitted, certified by the worker, its certificate issued and announced', async () => {
    const id = await submit(await fixture('ec-embedded.der'));
    assert.equal((await evidence(id)).status, 'received');
    assert.deepEqual(await runEvidenceWorkerOnce(worker, queue), { certified: 1, rejected: 0, failed: 0, skipped: 0, retrying: 0 });
    const certified = await evidence(id);
    assert.equal(certified.status, 'certified', JSON.stringify(certified));
    assert.deepEqual(certified.document, { sha256: sha256(await fixture('erasure-report.json')), media_type: 'application/json', schema: 'erasure-report/v1' });
    assert.equal(certified.encrypted, false);
    assert.equal(certified.error_code, null);
    assert.match(certified.certificate.id, /^crt_/);
    assert.equal(certified.certificate.verify_url, `${TEST_PUBLIC_URL}/verify/${certified.certificate.public_id}`, 'the page the QR code opens, under PUBLIC_URL');

    const certificate = await t.app.inject({ method: 'GET', url: certified.certificate.url, headers: { 'x-api-key': key } });
    assert.equal(certificate.statusCode, 200, certificate.body);
    const body = certificate.json();
    assert.deepEqual([body.public_id, body.evidence_id, body.document_sha256], [certified.certificate.public_id, id, certified.document.sha256]);
    assert.deepEqual(body.certificate.report, {
      device: { type: 'ssd', manufacturer: 'Samsung', model: 'MZ-7LH960', serial: 'S45NNE0M123456', capacity: 960197124096 },
      method: 'purge', result: 'success', started_at: '2026-11-30T08:15:00Z', ended_at: '2026-11-30T08:17:42Z',
    });
    assert.match(body.certificate.signer.subject, /Signer EC P-256/);
    const issued = await t.database.pool.query(`SELECT payload FROM webhooks_outbox WHERE client_id = $1 AND event_type = 'certificate.issued'`, [partnerId]);
    assert.deepEqual(issued.rows.map((row) => row.payload.evidence_id), [id]);
    const usage = await t.database.pool.query(`SELECT outcome FROM usage_events WHERE kind = 'evidence.verify' AND subject_id = $1`, [id]);
    assert.deepEqual(usage.rows, [{ outcome: 'certified' }]);

    // The same DER again: the same submission and certificate, never a second one.
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/proofs', headers: { 'x-api-key': key, 'content-type': 'application/pkcs7-mime' }, payload: await fixture('ec-embedded.der') });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().certificate.id, certified.certificate.id);
    assert.equal((await runEvidenceWorkerOnce(worker, queue)).certified, 0);
    assert.equal((await t.database.pool.query('SELECT 1 FROM certificates WHERE evidence_id = $1', [id])).rowCount, 1);
  });

  test('every valid vector is certified: EC P-256/P-384, RSA PKCS#1 v1.5 and PSS, Ed25519, two signers, no signed attributes, opaque text, detached content', async () => {
    const partner = await partnerWithAnchors('Every algorithm', ['tsa-root-ca.pem']);
    const ids = [];
    for (const file of VALID) ids.push(await submit(await fixture(file), undefined, partner));
    const detached = await submit(await fixture('ec-detached.der'), await fixture('erasure-report.json'), partner);
    await runEvidenceWorkerOnce(worker, queue);
    for (const [index, file] of VALID.entries()) {
      const shown = await evidence(ids[index]!, partner);
      assert.equal(shown.status, 'certified', `${file}: ${shown.error_code} ${shown.error_message}`);
      assert.ok(shown.certificate.public_id, file);
    }
    const opaque = await evidence(ids[VALID.indexOf('opaque-text.der')]!, partner);
    assert.deepEqual([opaque.document.schema, opaque.document.media_type], [null, 'text/plain']);
    assert.equal((await evidence(detached, partner)).status, 'certified');
  });

  test('verified after the signer expired: a trusted timestamp from while it was valid is accepted, signing-time alone is not', async () => {
    const partner = await partnerWithAnchors('Archivist', ['tsa-root-ca.pem']);
    const late = { ...worker, clock: { now: () => new Date('2045-06-01T00:00:00Z') } };
    const plain = await submit(await fixture('ec-until-2040.der'), undefined, partner);
    const stamped = await submit(await fixture('ec-until-2040-timestamped.der'), undefined, partner);
    await runEvidenceWorkerOnce(late, queue);
    assert.equal((await evidence(plain, partner)).error_code, 'CERT_EXPIRED');
    const accepted = await evidence(stamped, partner);
    assert.equal(accepted.status, 'certified', JSON.stringify(accepted));
    const certificate = (await t.app.inject({ method: 'GET', url: accepted.certificate.url, headers: { 'x-api-key': partner } })).json();
    assert.match(certificate.certificate.timestamp.tsa, /Veridity Test TSA/);
  });
});

describe('rejections', () => {
  // The unit test's expectations, but enveloped vectors are encrypted to the fixtures' own test
  // key, not to this platform's: here they cannot be decrypted.
  const VECTORS = VECTOR_OUTCOMES.flatMap(([file, outcome]): [string, string][] =>
    outcome === 'verified' && !file.startsWith('enveloped-') ? [] : [[file, file.startsWith('enveloped-') ? 'DECRYPT_FAILED' : outcome]],
  );

  test('each vector ends rejected with its code, once: in the ledger, metered and announced', async () => {
    const ids: string[] = [];
    for (const [file] of VECTORS) ids.push(await submit(await fixture(file)));
    const report = await runEvidenceWorkerOnce(worker, queue);
    assert.deepEqual(report, { certified: 0, rejected: VECTORS.length, failed: 0, skipped: 0, retrying: 0 });
    for (const [index, [file, code]] of VECTORS.entries()) {
      const shown = await evidence(ids[index]!);
      assert.equal(shown.status, 'rejected', `${file}: ${JSON.stringify(shown)}`);
      assert.equal(shown.error_code, code, `${file}: ${shown.error_message}`);
      assert.ok(shown.error_message, file);
      assert.equal(shown.attempts, 1, `${file}: evidence failures are never retried`);
      assert.equal(shown.receipt_url, `/api/v1/receipts/${ids[index]}`);
      assert.equal(shown.certificate, null);
    }
    const idOf = (vector: string) => ids[VECTORS.findIndex(([file]) => file === vector)]!;
    const invalid = await evidence(idOf('invalid-report.der'));
    assert.equal(invalid.error_path, '/sanitization/method');

    const ledger = await t.database.pool.query(`SELECT public_id FROM ledger_entries WHERE kind = 'evidence' AND public_id = ANY($1)`, [ids]);
    assert.equal(ledger.rowCount, ids.length, 'one ledger entry per rejection');
    const usage = await t.database.pool.query(`SELECT outcome FROM usage_events WHERE kind = 'evidence.verify' AND subject_id = ANY($1)`, [ids]);
    assert.deepEqual(new Set(usage.rows.map((row) => row.outcome)), new Set(['rejected']));
    assert.equal(usage.rowCount, ids.length);
    const hooks = await t.database.pool.query(`SELECT payload FROM webhooks_outbox WHERE client_id = $1 AND event_type = 'evidence.rejected' AND subject_id = $2`, [partnerId, idOf('revoked-signer.der')]);
    assert.equal(hooks.rowCount, 1);
    assert.deepEqual({ ...hooks.rows[0].payload, ts: undefined, error_message: undefined }, {
      event: 'evidence.rejected', evidence_id: idOf('revoked-signer.der'), sha256: (await evidence(idOf('revoked-signer.der'))).sha256, status: 'rejected', error_code: 'CERT_REVOKED', error_path: null, ts: undefined, error_message: undefined,
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

  test('a rejection has a receipt for its partner (202 until the ledger sequences it); another partner gets 404', async () => {
    const rejected = await submit(await fixture('untrusted-chain.der'));
    const receipt = await t.app.inject({ method: 'GET', url: `/api/v1/receipts/${rejected}`, headers: { 'x-api-key': key } });
    assert.ok([200, 202].includes(receipt.statusCode), receipt.body);
    const other = (await createPartner(t, { name: 'Nosy', scopes: ['evidence'] })).api_key;
    const foreign = await t.app.inject({ method: 'GET', url: `/api/v1/receipts/${rejected}`, headers: { 'x-api-key': other } });
    assert.equal(foreign.statusCode, 404);
  });
});

describe('hostile input', () => {
  test('a SignedData around 20,000 nested SEQUENCEs passes the door and is rejected MALFORMED_CMS by the worker, which goes on; 10 MB is a 413', async () => {
    const SIGNED_DATA = Buffer.from('06092a864886f70d010702', 'hex');
    const depth = 20_000;
    const nested = Buffer.concat([Buffer.alloc(depth * 2).fill(Buffer.from([0x30, 0x80])), Buffer.alloc(depth * 2)]);
    const hostile = Buffer.concat([Buffer.from([0x30, 0x80]), SIGNED_DATA, Buffer.from([0xa0, 0x80]), nested, Buffer.alloc(4)]);
    const id = await submit(hostile);
    const after = await submit(await fixture('ec-p384-sha384.der'));
    await runEvidenceWorkerOnce(worker, queue);
    const rejected = await evidence(id);
    assert.deepEqual([rejected.status, rejected.error_code], ['rejected', 'MALFORMED_CMS'], rejected.error_message);
    assert.equal((await evidence(after)).status, 'certified', 'the next document is worked as usual');
    const huge = await t.app.inject({ method: 'POST', url: '/api/v1/proofs', headers: { 'x-api-key': key, 'content-type': 'application/pkcs7-mime' }, payload: Buffer.alloc(10 * 1024 * 1024, 0x30) });
    assert.equal(huge.statusCode, 413);
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
      const oaep = await submit(await envelope('ec-embedded.der', ['-keyopt', 'rsa_padding_mode:oaep']));
      const pkcs1 = await submit(await envelope('ec-embedded.der', []));
      await runEvidenceWorkerOnce(worker, queue);
      const opened = await evidence(oaep);
      assert.deepEqual([opened.status, opened.encrypted, opened.document.schema], ['certified', true, 'erasure-report/v1'], JSON.stringify(opened));
      assert.equal(opened.document.sha256, sha256(await fixture('erasure-report.json')));
      assert.equal((await evidence(pkcs1)).error_code, 'UNSUPPORTED_ALGORITHM');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('the evidence worker kind', () => {
  test('`veridity worker evidence` (as serve runs it): polls the queue, certifies what is submitted, stops', async () => {
    const [kind] = evidenceWorkerKinds(() => ({
      databaseUrl: t.database.url,
      clock: systemClock,
      secretBox: createSecretBox([encryptionKey]),
      storage: t.storage,
      log: createLogger('silent'),
      queue: async () => queue,
      concurrency: 2,
      retestLimit: 5,
      retryBatchSize: 100,
      certifier: evidenceCertifier({ secretBox: createSecretBox([encryptionKey]), clock: systemClock, publicUrl: TEST_PUBLIC_URL }),
    }));
    assert.equal(kind!.name, 'evidence');
    const running = await kind!.start();
    try {
      const partner = await partnerWithAnchors('Live station');
      const id = await submit(await fixture('rsa-pss.der'), undefined, partner);
      const deadline = Date.now() + 30_000;
      while ((await evidence(id, partner)).status !== 'certified') {
        assert.ok(Date.now() < deadline, `still ${(await evidence(id, partner)).status}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      assert.deepEqual(await running.stop({ timeoutMs: 10_000 }), { finished: true });
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
