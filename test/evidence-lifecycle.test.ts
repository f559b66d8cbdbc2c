/**
 * Evidence operations end to end (issue 13, parts 5 and 6) on a real database, object storage and
 * pg-boss, with the openssl-made vectors and a clock the test moves: the `retry` worker kind queues
 * a failed submission again (run as `WORKER_ONCE=true veridity worker retry`, printing its counts)
 * and the evidence worker certifies it; a CHAIN_UNTRUSTED rejection is verified again once its
 * partner adds the missing anchor and certified (the rejection stays in the ledger), one whose
 * partner changed nothing is not; retention past EVIDENCE_RETENTION_DAYS deletes the objects,
 * anonymises the rejection message, keeps the hashes, is audited, and the certificate still
 * verifies on the public page, through the public API and offline.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '#platform/logger.ts';
import { createJobSender } from '#platform/queue/job-sender.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { VerifyEvidenceJob } from '#modules/evidence/jobs.ts';
import { evidenceOutcomes } from '#modules/evidence/ledger-outcome-source.ts';
import type { EvidenceWorkerDeps } from '#modules/evidence/process-evidence-job.ts';
import { retestEvidence, type RetestEvidenceDeps } from '#modules/evidence/retest-evidence.ts';
import { runEvidenceWorkerOnce } from '#modules/evidence/run-evidence-worker.ts';
import { startLedgerSequencer, type LedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { runMaintenance } from '#modules/maintenance/run-maintenance.ts';
import { cleanEnv, runToEnd } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { evidenceWorkerDeps } from './support/evidence-worker.ts';
import { manualClock } from './support/webhook-harness.ts';

const FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');
const fixture = (name: string) => readFile(path.join(FIXTURES, name));
const DAY = 86_400_000;

// Two hours back: a `veridity worker` process (on the real clock) sees what this clock did as past.
const clock = manualClock(new Date(Date.now() - 2 * 3_600_000));
const encryptionKey = randomBytes(32);
let t: TestApp;
let queue: Queue;
let worker: EvidenceWorkerDeps;
let retry: RetestEvidenceDeps;
let sequencer: LedgerSequencer;
let scratch: string;

before(async () => {
  t = await createTestApp({ clock, encryptionKey });
  const log = createLogger('silent');
  queue = await startQueue({ connectionString: t.database.url, log, schedule: false });
  await queue.register([VerifyEvidenceJob]);
  worker = evidenceWorkerDeps(t, { clock: clock, encryptionKey, log });
  retry = { ...worker, jobs: createJobSender(async () => queue, VerifyEvidenceJob), retestLimit: 5, batchSize: 100 };
  sequencer = startLedgerSequencer({ pool: t.database.pool, clock, log, platformKeys: t.platformKeys, checkpointSeconds: 5, background: false });
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-lifecycle-'));
});
after(async () => {
  await sequencer.stop();
  await queue.stop({ graceful: false });
  await t.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A partner trusting these CAs (fixture names). */
async function partnerTrusting(name: string, anchors: string[]): Promise<{ id: string; key: string }> {
  const partner = await createPartner(t, { name, scopes: ['evidence'], webhook_url: 'https://93.184.215.14/hooks' });
  await trust(partner.api_key, anchors);
  return { id: partner.id, key: partner.api_key };
}

async function trust(key: string, anchors: string[]): Promise<void> {
  const payload = (await Promise.all(anchors.map(fixture))).join('\n');
  const response = await t.app.inject({ method: 'PUT', url: '/api/v1/evidence/trust-anchors', headers: { 'x-api-key': key, 'content-type': 'application/x-pem-file' }, payload });
  assert.equal(response.statusCode, 200, response.body);
}

async function submit(key: string, der: Buffer, content?: Buffer): Promise<{ status: number; body: Record<string, any> }> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/proofs',
    headers: { 'x-api-key': key },
    payload: { der_base64: der.toString('base64'), ...(content ? { content_base64: content.toString('base64') } : {}) },
  });
  assert.ok([200, 202].includes(response.statusCode), response.body);
  return { status: response.statusCode, body: response.json() };
}

async function evidence(key: string, id: string): Promise<Record<string, any>> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/proofs/${id}`, headers: { 'x-api-key': key } });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

const ledgerEntries = async (publicId: string) =>
  (await t.database.pool.query(`SELECT kind, convert_from(leaf, 'UTF8')::jsonb ->> 'status' AS status FROM ledger_entries WHERE public_id = $1 ORDER BY kind`, [publicId])).rows;

describe('the retry worker', () => {
  test('a failed submission (storage lost it on every attempt) is queued again by `WORKER_ONCE=true veridity worker retry` and certified', async () => {
    const partner = await partnerTrusting('Unlucky', ['ec-root-ca.pem']);
    const der = await fixture('ec-embedded.der');
    const id = (await submit(partner.key, der)).body.id;
    const objectKey = (await t.database.pool.query('SELECT object_key FROM evidence_submissions WHERE id = $1', [id])).rows[0].object_key;
    await rm(path.join(t.objectsDir, objectKey));
    await runEvidenceWorkerOnce(worker, queue);
    for (let attempt = 0; attempt < VerifyEvidenceJob.retryLimit; attempt++) {
      await t.database.pool.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state = 'retry'`, [VerifyEvidenceJob.name]);
      await runEvidenceWorkerOnce(worker, queue);
    }
    assert.deepEqual([(await evidence(partner.key, id)).status, (await evidence(partner.key, id)).error_code], ['failed', 'INTERNAL_ERROR']);

    // Within its backoff (15 min after the failure) it is left alone.
    clock.advance(60_000);
    assert.deepEqual(await retestEvidence(retry), { requeued: 0, certified: 0, unchanged: 0, errors: 0 });

    // The object is back (storage recovered); the process runs on the real clock, two hours later.
    await writeFile(path.join(t.objectsDir, objectKey), der);
    const env = cleanEnv({
      DATABASE_URL: t.database.url,
      VERIDITY_ENCRYPTION_KEY: encryptionKey.toString('hex'),
      VERIDITY_DATA_DIR: path.join(scratch, 'worker'),
      WORKER_ONCE: 'true',
      LOG_LEVEL: 'silent',
    });
    const pass = await runToEnd(['worker', 'retry'], env);
    assert.equal(pass.code, 0, pass.output);
    assert.deepEqual(JSON.parse(pass.stdout), { retry: { requeued: 1, certified: 0, unchanged: 0, errors: 0 } });
    const queued = await evidence(partner.key, id);
    assert.deepEqual([queued.status, queued.error_code, queued.retests], ['received', null, 1]);
    assert.ok(queued.retested_at);

    await runEvidenceWorkerOnce(worker, queue);
    const certified = await evidence(partner.key, id);
    assert.equal(certified.status, 'certified', JSON.stringify(certified));
    assert.match(certified.certificate.id, /^crt_/);
    assert.equal(certified.rejected_at, null);
    assert.equal((await runToEnd(['worker', 'retry'], env)).stdout.trim(), '{"retry":{"requeued":0,"certified":0,"unchanged":0,"errors":0}}', 'nothing left to re-test');
  });

  test('a CHAIN_UNTRUSTED rejection is re-tested after its partner adds the anchor and certified; one without an anchor change is not re-tested', async () => {
    const fixed = await partnerTrusting('Forgot the EC root', ['rsa-root-ca.pem']);
    const unchanged = await partnerTrusting('Never fixed it', ['rsa-root-ca.pem']);
    const der = await fixture('ec-embedded.der');
    const fixedId = (await submit(fixed.key, der)).body.id;
    const unchangedId = (await submit(unchanged.key, der)).body.id;
    assert.equal((await runEvidenceWorkerOnce(worker, queue)).rejected, 2);
    const rejected = await evidence(fixed.key, fixedId);
    assert.deepEqual([rejected.status, rejected.error_code, rejected.retests], ['rejected', 'CHAIN_UNTRUSTED', 0]);

    clock.advance(60_000);
    assert.deepEqual(await retestEvidence(retry), { requeued: 0, certified: 0, unchanged: 0, errors: 0 }, 'no trust changed: nothing is re-tested');

    clock.advance(60_000);
    await trust(fixed.key, ['ec-root-ca.pem']);
    clock.advance(60_000);
    assert.deepEqual(await retestEvidence(retry), { requeued: 0, certified: 1, unchanged: 0, errors: 0 });
    const certified = await evidence(fixed.key, fixedId);
    assert.equal(certified.status, 'certified', JSON.stringify(certified));
    assert.deepEqual([certified.error_code, certified.retests, certified.rejected_at], [null, 1, rejected.finished_at]);
    assert.equal(certified.receipt_url, `/api/v1/receipts/${fixedId}`, 'the rejection keeps its receipt');
    // The first rejection stays in the ledger as history; the certificate has its own entry, webhook and usage row.
    assert.deepEqual(await ledgerEntries(fixedId), [{ kind: 'evidence', status: 'rejected' }]);
    assert.deepEqual(await ledgerEntries(certified.certificate.public_id), [{ kind: 'certificate', status: 'certified' }]);
    const outcome = (await evidenceOutcomes.outcomes(t.database.pool as never, [fixedId])).get(fixedId);
    assert.equal(outcome?.status, 'rejected', 'the ledger audit still finds the rejection the entry logged');
    const hooks = await t.database.pool.query(`SELECT event_type FROM webhooks_outbox WHERE client_id = $1 ORDER BY created_at, event_type`, [fixed.id]);
    assert.deepEqual(hooks.rows.map((row) => row.event_type), ['evidence.rejected', 'certificate.issued']);

    const still = await evidence(unchanged.key, unchangedId);
    assert.deepEqual([still.status, still.retests, still.retested_at], ['rejected', 0, null]);

    // A re-test with the same outcome records only the count and the time.
    clock.advance(60_000);
    await trust(unchanged.key, ['tsa-root-ca.pem']);
    clock.advance(60_000);
    const entriesBefore = (await t.database.pool.query('SELECT count(*)::int AS n FROM ledger_entries')).rows[0].n;
    assert.deepEqual(await retestEvidence(retry), { requeued: 0, certified: 0, unchanged: 1, errors: 0 });
    const same = await evidence(unchanged.key, unchangedId);
    assert.deepEqual([same.status, same.error_code, same.retests, same.finished_at], ['rejected', 'CHAIN_UNTRUSTED', 1, still.finished_at]);
    assert.equal(same.retested_at, clock.now().toISOString());
    assert.equal((await t.database.pool.query('SELECT count(*)::int AS n FROM ledger_entries')).rows[0].n, entriesBefore, 'no new ledger entry');
    assert.deepEqual(await retestEvidence(retry), { requeued: 0, certified: 0, unchanged: 0, errors: 0 }, 'once per change');
  });
});

describe('retention', () => {
  test('past EVIDENCE_RETENTION_DAYS the objects are deleted and the message anonymised; hashes, certificate, receipt and ledger stay; audited', async () => {
    const partner = await partnerTrusting('Keeps a year', ['ec-root-ca.pem', 'rsa-root-ca.pem']);
    const report = await fixture('erasure-report.json');
    const certifiedId = (await submit(partner.key, await fixture('ec-detached.der'), report)).body.id;
    const rejectedId = (await submit(partner.key, await fixture('expired-signer.der'))).body.id;
    await runEvidenceWorkerOnce(worker, queue);
    const certified = await evidence(partner.key, certifiedId);
    const rejected = await evidence(partner.key, rejectedId);
    assert.deepEqual([certified.status, rejected.status, rejected.error_code], ['certified', 'rejected', 'CERT_EXPIRED']);
    assert.match(rejected.error_message, /CN=/, 'the message names the signer');
    const keys = (await t.database.pool.query('SELECT object_key, content_object_key FROM evidence_submissions WHERE id = ANY($1) ORDER BY id', [[certifiedId, rejectedId]])).rows;
    const objects = keys.flatMap((row) => [row.object_key, row.content_object_key].filter(Boolean)) as string[];
    assert.equal(objects.length, 3);
    for (const key of objects) assert.ok(await t.storage.get(key), `${key} stored`);

    // The certificate's receipt, then its PDF.
    clock.advance(5_000);
    await sequencer.runOnce();
    const pdfResponse = await t.app.inject({ method: 'GET', url: certified.certificate.pdf_url, headers: { 'x-api-key': partner.key } });
    assert.equal(pdfResponse.statusCode, 200, pdfResponse.body);
    const pdf = pdfResponse.rawPayload;

    // A day short of the retention period: nothing goes.
    const retention = { days: 365, anonymise: true };
    clock.advance(364 * DAY);
    const early = await runMaintenance({ pool: t.database.pool, clock, storage: t.storage, evidenceRetention: retention });
    assert.equal(early.evidence_purged, 0);

    clock.advance(2 * DAY);
    const ran = await runMaintenance({ pool: t.database.pool, clock, storage: t.storage, evidenceRetention: retention });
    assert.ok(ran.evidence_purged >= 2, JSON.stringify(ran));
    for (const key of objects) assert.equal(await t.storage.get(key), undefined, `${key} deleted`);
    const purged = await evidence(partner.key, certifiedId);
    assert.equal(purged.evidence_purged_at, clock.now().toISOString());
    assert.deepEqual([purged.status, purged.sha256, purged.document, purged.certificate], [certified.status, certified.sha256, certified.document, certified.certificate], 'hashes and certificate kept');
    const anonymised = await evidence(partner.key, rejectedId);
    assert.deepEqual([anonymised.status, anonymised.error_code, anonymised.sha256], ['rejected', 'CERT_EXPIRED', rejected.sha256]);
    assert.doesNotMatch(anonymised.error_message, /CN=|Signer/, 'no signer name left');
    assert.ok(anonymised.evidence_purged_at);
    assert.deepEqual(await ledgerEntries(rejectedId), [{ kind: 'evidence', status: 'rejected' }]);
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/receipts/${rejectedId}`, headers: { 'x-api-key': partner.key } })).statusCode, 200, 'the rejection keeps its receipt');

    const audit = await t.database.pool.query(`SELECT actor_type, details FROM audit_logs WHERE action = 'evidence.retention' ORDER BY at DESC LIMIT 1`);
    assert.equal(audit.rows[0]?.actor_type, 'system');
    assert.equal(audit.rows[0].details.evidence_purged, ran.evidence_purged);
    assert.equal(audit.rows[0].details.retention_days, 365);
    assert.deepEqual((await runMaintenance({ pool: t.database.pool, clock, storage: t.storage, evidenceRetention: retention })).evidence_purged, 0, 'idempotent');
    const emptyRuns = await t.database.pool.query(`SELECT 1 FROM audit_logs WHERE action = 'evidence.retention' AND at = $1 AND (details->>'evidence_purged')::int = 0`, [clock.now()]);
    assert.equal(emptyRuns.rowCount, 1, 'an empty run is audited too');

    // Online: the public page and API say valid; the PDF checks out.
    const page = await t.app.inject({ method: 'GET', url: `/verify/${certified.certificate.public_id}` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1>Valid<\/h1>/);
    const publicJson = await t.app.inject({ method: 'GET', url: `/api/v1/public/certificates/${certified.certificate.public_id}` });
    assert.equal(publicJson.json().status, 'valid', publicJson.body);
    const online = await t.app.inject({ method: 'POST', url: '/api/v1/public/certificates/verify', headers: { 'content-type': 'application/pdf' }, payload: pdf });
    assert.equal(online.json().valid, true, online.body);

    // Offline: `veridity verify-certificate` with the published keys.
    const published = (await t.app.inject({ method: 'GET', url: '/api/v1/certificates/keys' })).json();
    const file = (name: string) => path.join(scratch, name);
    await writeFile(file('certificate.pdf'), pdf);
    await writeFile(file('keys.json'), JSON.stringify(published));
    const ledgerKey = (await t.app.inject({ method: 'GET', url: '/api/v1/ledger/key' })).body.trim();
    const offline = await runToEnd(['verify-certificate', file('certificate.pdf'), '--key', file('keys.json'), '--pdf-cert', file('keys.json'), '--ledger-key', ledgerKey], cleanEnv({ VERIDITY_DATA_DIR: file('no-data') }));
    assert.equal(offline.code, 0, offline.output);

    // A purged rejection is never re-tested (its bytes are gone), whatever changes.
    clock.advance(60_000);
    await trust(partner.key, ['tsa-root-ca.pem']);
    clock.advance(60_000);
    assert.equal((await retestEvidence(retry)).unchanged + (await retestEvidence(retry)).errors, 0);
    assert.equal((await evidence(partner.key, rejectedId)).retests, 0);
    // The same DER again answers its submission, purged as it is.
    const again = await submit(partner.key, await fixture('expired-signer.der'));
    assert.deepEqual([again.status, again.body.id, again.body.status], [200, rejectedId, 'rejected']);
  });
});
