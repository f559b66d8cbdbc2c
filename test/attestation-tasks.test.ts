/**
 * TEE attestation tasks end to end: HTTP API -> task row + pg-boss job -> one worker pass on the
 * same database -> result document in object storage, signed result, usage, webhook and ledger
 * rows. Real quotes and Intel collateral from src/modules/attestations/verification/fixtures (see
 * its PROVENANCE.md); expected measurements are read from the quote bytes at Intel's offsets, not
 * taken from the verifier.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { buildApp, type App } from '#src/app.ts';
import { systemClock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import { createSecretBox, type SecretBox } from '#platform/crypto/secret-box.ts';
import { generateToken } from '#platform/crypto/tokens.ts';
import { createLogger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { createFileStorage, type ObjectStorage } from '#platform/storage/object-storage.ts';
import { auditLedger } from '#modules/ledger/audit-ledger.ts';
import { OUTCOME_SOURCES } from '#src/outcome-sources.ts';
import { checkReceipt } from '#modules/ledger/check-receipt.ts';
import { getLedgerVerifierKey } from '#modules/ledger/get-ledger-verifier-key.ts';
import { startLedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { createEvidenceVerifier, type EvidenceVerifier } from '#modules/attestations/create-evidence-verifier.ts';
import { createStoredCollateralSource } from '#modules/attestations/create-collateral-source.ts';
import { VerifyAttestationTaskJob } from '#modules/attestations/jobs.ts';
import { processTaskJob, type TaskWorkerDeps } from '#modules/attestations/process-task-job.ts';
import { createTaskFinisher } from '#modules/attestations/finish-task.ts';
import { runTaskWorkerOnce } from '#modules/attestations/run-task-worker.ts';
import { DEFAULT_ACCEPTED_TCB_STATUSES } from '#modules/attestations/verification/index.ts';
import {
  OUTDATED_COLLATERAL_VERIFY_AT,
  readVector,
  readVectorJson,
  SAMPLE_VERIFY_AT,
  sgxReportFieldsAtOffsets,
  TD_MR_TD_OFFSET,
  tdReportFieldsAtOffsets,
} from '#modules/attestations/verification/test-vectors.ts';
import { createGroth16VerifierPool, type Groth16VerifierPool } from '#modules/zk/groth16/verifier-pool.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { partnerUsageTotal, usageEventsOf } from './support/usage.ts';

type Capture = { quote: string; event_log: string; report_data: string; vm_config: string };
type RawEvent = { imr: number; event: string; event_payload: string };

const tdxQuote = readVector('tdx_quote');
const tdxCollateral = readVectorJson('tdx_quote_collateral.json');
const sgxQuote = readVector('sgx_quote');
const sgxCollateral = readVectorJson('sgx_quote_collateral.json');
const capture = readVectorJson<Capture>('dstack-quote-report.json'); // FMSPC 90C06F000000
const captureCollateral = readVectorJson('tdx_quote_outdated_collateral.json');
const captureQuote = Buffer.from(capture.quote, 'hex');
const capturePayload = (name: string): string =>
  (JSON.parse(capture.event_log) as RawEvent[]).find((event) => event.imr === 3 && event.event === name)!.event_payload;
const captureTd = tdReportFieldsAtOffsets(captureQuote);
const captureImage = (JSON.parse(capture.vm_config) as { os_image_hash: string }).os_image_hash;
const IN_WINDOW = SAMPLE_VERIFY_AT.toISOString();
/** The capture as task evidence: GetQuote's snake_case fields under the API's camelCase names. */
const captureEvidence = { quote: capture.quote, eventLog: capture.event_log, reportData: capture.report_data, vmConfig: capture.vm_config };
const camelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase());
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const app = (overrides: Record<string, unknown> = {}) => ({ appId: 'app-1', appName: 'Test app', appConfigType: 'phala_cloud', ...overrides });

let database: TestDatabase;
let objectsDir: string;
let storage: ObjectStorage;
let queue: Queue;
let verifier: Groth16VerifierPool;
let evidenceVerifier: EvidenceVerifier;
let api: App;
let adminToken: string;
let workerDeps: TaskWorkerDeps;
let partner: Partner;
let secretBox: SecretBox;
const log = createLogger('silent');

before(async () => {
  database = await createTestDatabase();
  objectsDir = await mkdtemp(path.join(tmpdir(), 'veridity-tee-'));
  storage = createFileStorage(objectsDir);
  queue = await startQueue({ connectionString: database.url, log, schedule: false });
  await queue.register([VerifyAttestationTaskJob]);
  verifier = createGroth16VerifierPool({ size: 1 });
  evidenceVerifier = createEvidenceVerifier({ size: 2 });
  adminToken = generateToken('vat');
  secretBox = createSecretBox([randomBytes(32)]);
  const platformKeys = createPlatformKeys({ db: database.db, secretBox });
  api = await buildApp({
    config: { adminToken, bodyLimitBytes: 256 * 1024, trustProxy: false, redisUrl: undefined, publicRateLimitPerMinute: 100_000 },
    log,
    clock: systemClock,
    pool: database.pool,
    db: database.db,
    secretBox,
    platformKeys,
    storage,
    verifier,
    queue: async () => queue,
  });
  await api.ready();
  workerDeps = {
    pool: database.pool,
    db: database.db,
    clock: systemClock,
    log,
    storage,
    platformKeys,
    queue,
    collateralSource: createStoredCollateralSource({ pool: database.pool, clock: systemClock, log }),
    verifier: evidenceVerifier,
    finisher: createTaskFinisher({ pool: database.pool, queue }),
    acceptedTcbStatuses: DEFAULT_ACCEPTED_TCB_STATUSES,
  };
  // A public IP literal: the SSRF guard accepts it without DNS; nothing is delivered in these tests.
  partner = await createPartner({ webhook_url: 'https://93.184.215.14/hooks' });
});

after(async () => {
  await api.close();
  await queue.stop({ graceful: false });
  await verifier.close();
  await evidenceVerifier.close();
  await database.drop();
  await rm(objectsDir, { recursive: true, force: true });
});

const inject = (headers: Record<string, string>, method: string, url: string, payload?: unknown) =>
  api.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const admin = (method: string, url: string, payload?: unknown) => inject({ authorization: `Bearer ${adminToken}` }, method, url, payload);
const as = (apiKey: string) => (method: string, url: string, payload?: unknown) => inject({ 'x-api-key': apiKey }, method, url, payload);

async function createPartner(body: Record<string, unknown> = {}): Promise<ReturnType<typeof as>> {
  return (await createPartnerWithId(body)).call;
}

async function createPartnerWithId(body: Record<string, unknown> = {}): Promise<{ id: string; apiKey: string; call: ReturnType<typeof as> }> {
  const response = await admin('POST', '/api/admin/clients', { name: 'TEE partner', scopes: ['tee_attestation'], ...body });
  assert.equal(response.statusCode, 201, response.body);
  return { id: response.json().id, apiKey: response.json().api_key, call: as(response.json().api_key) };
}

type Partner = ReturnType<typeof as>;

async function submit(partner: Partner, evidence: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await partner('POST', '/api/v1/tasks', { ...app(), ...extra, evidence });
  assert.equal(response.statusCode, 202, response.body);
  const body = response.json();
  assert.equal(body.status, 'pending');
  assert.match(body.id, /^tsk_[0-9a-z]{26}$/);
  assert.equal(response.headers.location, `/api/v1/tasks/${body.id}`);
  return body.id;
}

async function task(partner: Partner, id: string): Promise<Record<string, any>> {
  const response = await partner('GET', `/api/v1/tasks/${id}`);
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

async function workAll() {
  return runTaskWorkerOnce(workerDeps);
}

/** Submits, runs the worker, returns the finished task. */
async function verify(partner: Partner, evidence: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const id = await submit(partner, evidence, extra);
  await workAll();
  return task(partner, id);
}

const expectNoServerError = (response: LightMyRequestResponse) => assert.ok(response.statusCode < 500, `${response.statusCode} ${response.body}`);

/** Every field name of a task resource is camelCase (values such as keyProvider's are data, not names). */
function assertCamelCase(value: unknown, path = '$'): void {
  if (Array.isArray(value)) value.forEach((item, index) => assertCamelCase(item, `${path}[${index}]`));
  else if (typeof value === 'object' && value !== null) {
    for (const [name, item] of Object.entries(value)) {
      assert.match(name, /^[a-z][a-zA-Z0-9]*$/, `${path}.${name} is not camelCase`);
      if (name !== 'keyProvider' && name !== 'appMetadata') assertCamelCase(item, `${path}.${name}`);
    }
  }
}

/** The capture's OS image reference, as the operator registers it (the `os` check). */
async function registerCaptureImage(): Promise<void> {
  const { mr_td, rt_mr0, rt_mr1, rt_mr2 } = captureTd;
  const response = await admin('PUT', `/api/admin/attestations/os-images/${captureImage}`, { label: 'dstack capture image', mr_td, rt_mr0, rt_mr1, rt_mr2 });
  assert.equal(response.statusCode, 200, response.body);
}

/** acme-info with real material: the capture's quote as account quote, Intel's TCB signing chain as certificate chain. */
const tcbSigningChain = String(tdxCollateral.tcb_info_issuer_chain);
const acmeInfo = {
  accountUri: 'https://acme-v02.api.letsencrypt.org/acme/acct/123456',
  accountQuote: JSON.stringify({ quote: capture.quote, event_log: capture.event_log }),
  activeCert: tcbSigningChain,
  teePublicKey: new X509Certificate(tcbSigningChain).publicKey.export({ type: 'spki', format: 'der' }).toString('hex'),
};


describe('a TDX quote with its collateral', () => {
  test('inside the collateral window: completed, UpToDate, no advisories, the quote\'s measurements, everything recorded', async () => {
    const id = await submit(partner, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW });
    const pending = await task(partner, id);
    assert.equal(pending.status, 'pending');
    assert.equal(pending.startedAt, null);
    assert.equal(pending.result, null);
    assert.deepEqual(pending.verificationFlags, { hardware: true, os: true, sourceCode: true, teeControlledKey: true, certificateKey: true, dnsCAA: false, ctLog: false });

    const report = await workAll();
    assert.equal(report.completed, 1);
    const done = await task(partner, id);
    assert.equal(done.status, 'completed', done.errorMessage);
    assert.equal(done.errorMessage, null);
    assert.ok(Date.parse(done.createdAt) <= Date.parse(done.startedAt) && Date.parse(done.startedAt) <= Date.parse(done.finishedAt));
    assert.equal(done.isValid, true);
    const { result } = done;
    assert.equal(result.isValid, true);
    assert.equal(result.reason, null);
    assert.equal(result.evidenceKind, 'dcap_quote');
    assert.equal(result.verifiedAt, IN_WINDOW);
    assert.equal(result.details.quoteVerified, true);
    assert.equal(result.details.tee, 'tdx');
    assert.equal(result.details.tcbStatus, 'UpToDate');
    assert.deepEqual(result.details.advisoryIds, []);
    assert.equal(result.details.fmspc, 'b0c06f000000');
    const atOffsets = tdReportFieldsAtOffsets(tdxQuote);
    for (const [field, value] of Object.entries(atOffsets)) assert.equal(result.details.measurements[camelCase(field)], value, field);
    assert.equal(result.details.reportData, atOffsets.report_data);
    assert.deepEqual(result.details.checks, {
      evidence: 'passed',
      hardware: 'passed',
      reportData: 'not_applicable',
      eventLog: 'not_applicable',
      appId: 'not_applicable',
      sourceCode: 'not_applicable',
      os: 'not_applicable',
      teeControlledKey: 'not_applicable',
      certificateKey: 'not_applicable',
      dnsCAA: 'not_performed',
      ctLog: 'not_performed',
    });
    assertCamelCase(done);

    // The full document in object storage: the hash on the row is the hash of the stored bytes.
    assert.equal(done.s3Filename, `${id}-${done.resultSha256.slice(0, 16)}.json`);
    assert.equal(done.s3Key, `attestation-results/${done.s3Filename}`);
    // The file-system store is named `local` to partners: its path on the server is not theirs to see.
    assert.equal(done.s3Bucket, 'local');
    assert.equal(JSON.stringify(done).includes(objectsDir), false, 'the server path reached the partner');
    const stored = (await storage.get(done.s3Key))!;
    assert.equal(sha256(stored), done.resultSha256);
    const document = JSON.parse(stored.toString('utf8'));
    assert.equal(document.task_id, id);
    assert.equal(document.evidence.quote, tdxQuote.toString('hex'));
    assert.equal(document.evidence_sha256, done.evidenceSha256);
    assert.equal(document.result.details.tcb_status, 'UpToDate');
    const served = await partner('GET', `/api/v1/tasks/${id}/result`);
    assert.equal(served.statusCode, 200);
    assert.equal(sha256(served.rawPayload), done.resultSha256);

    // The signed attestation result verifies with the published keys and names what it vouches for.
    const jwks = await inject({}, 'GET', '/api/v1/attestation-results/jwks.json');
    const { payload, protectedHeader } = await jwtVerify(done.attestationResult, createLocalJWKSet(jwks.json()), { issuer: 'veridity', subject: id });
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal(payload.eat_profile, 'tag:github.com,2023:veraison/ear');
    assert.equal(payload['veridity.result_sha256'], done.resultSha256);
    assert.equal(payload['veridity.evidence_sha256'], done.evidenceSha256);
    const submod = (payload.submods as Record<string, any>).tdx;
    assert.equal(submod['ear.status'], 'affirming');
    assert.deepEqual(submod['ear.trustworthiness-vector'], { hardware: 2 });
    assert.equal(submod['veridity.tcb_status'], 'UpToDate');
    assert.equal(submod['veridity.measurements'].mr_td, atOffsets.mr_td);

    // Recorded with the outcome: usage, webhook outbox, ledger; the evidence left the row.
    const usage = await database.pool.query('SELECT kind, outcome FROM usage_events WHERE subject_id = $1', [id]);
    assert.deepEqual(usage.rows, [{ kind: 'tee.verify', outcome: 'verified' }]);
    const outbox = await database.pool.query('SELECT event_type, payload FROM webhooks_outbox WHERE subject_id = $1', [id]);
    assert.equal(outbox.rows.length, 1);
    assert.equal(outbox.rows[0].event_type, 'task.completed');
    assert.equal(outbox.rows[0].payload.task_id, id);
    assert.equal(outbox.rows[0].payload.is_valid, true);
    const ledger = await database.pool.query<{ leaf: Buffer }>("SELECT leaf FROM ledger_entries WHERE kind = 'tee_task' AND public_id = $1", [id]);
    assert.equal(ledger.rows.length, 1);
    const leaf = JSON.parse(ledger.rows[0]!.leaf.toString('utf8'));
    assert.equal(leaf.public_hash, done.resultSha256);
    assert.equal(leaf.status, 'verified');
    const row = await database.pool.query('SELECT evidence FROM attestation_tasks WHERE id = $1', [id]);
    assert.equal(row.rows[0].evidence, null);
  });

  test('at today\'s date: failed, the collateral has expired', async () => {
    const done = await verify(partner, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral });
    assert.equal(done.status, 'failed');
    assert.equal(done.errorCode, 'COLLATERAL_EXPIRED');
    assert.match(done.errorMessage, /collateral is outside its validity window at .*expired/);
    assert.equal(done.isValid, false);
    assert.equal(done.result.details.quoteVerified, false);
    const outbox = await database.pool.query('SELECT event_type, payload FROM webhooks_outbox WHERE subject_id = $1', [done.id]);
    assert.equal(outbox.rows[0].event_type, 'task.failed');
    assert.equal(outbox.rows[0].payload.error_code, 'COLLATERAL_EXPIRED');
  });

  test('one flipped bit in the signed TD report: failed, signature', async () => {
    const flipped = Buffer.from(tdxQuote);
    flipped[TD_MR_TD_OFFSET + 5]! ^= 0x01;
    const done = await verify(partner, { quote: flipped.toString('base64'), collateral: tdxCollateral, verifyAt: IN_WINDOW });
    assert.equal(done.status, 'failed');
    assert.equal(done.errorCode, 'SIGNATURE_INVALID');
    assert.match(done.errorMessage, /^hardware: /);
    const { payload } = await jwtVerify(done.attestationResult, createLocalJWKSet((await inject({}, 'GET', '/api/v1/attestation-results/jwks.json')).json()));
    assert.equal((payload.submods as Record<string, any>).tdx['ear.status'], 'contraindicated');
    assert.deepEqual((payload.submods as Record<string, any>).tdx['ear.trustworthiness-vector'], { hardware: 99 });
  });

  test('an SGX v3 quote verifies too, with its enclave measurements', async () => {
    const done = await verify(partner, { quote: sgxQuote.toString('hex'), collateral: sgxCollateral, verifyAt: IN_WINDOW });
    assert.equal(done.status, 'completed', done.errorMessage);
    assert.equal(done.result.details.tee, 'sgx');
    assert.equal(done.result.details.quoteVerified, true);
    const atOffsets = sgxReportFieldsAtOffsets(sgxQuote);
    for (const [field, value] of Object.entries(atOffsets)) assert.equal(done.result.details.measurements[camelCase(field)], value, field);
  });

  test('a TCB status the policy rejects is a verdict, not a failure: completed, not valid', async () => {
    const strict = { ...workerDeps, acceptedTcbStatuses: ['SWHardeningNeeded'] as const };
    const id = await submit(partner, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW });
    await runTaskWorkerOnce(strict);
    const done = await task(partner, id);
    assert.equal(done.status, 'completed');
    assert.equal(done.isValid, false);
    assert.equal(done.result.details.quoteVerified, true);
    assert.match(done.result.reason, /^hardware: TCB status UpToDate is not accepted/);
  });
});

describe('dstack evidence', () => {
  test('the capture: the event log replays to the quote\'s RTMRs and the app info is extracted', async () => {
    const osImage = await admin('PUT', `/api/admin/attestations/os-images/${captureImage}`, {
      label: 'dstack capture image',
      mr_td: captureTd.mr_td,
      rt_mr0: captureTd.rt_mr0,
      rt_mr1: captureTd.rt_mr1,
      rt_mr2: captureTd.rt_mr2,
    });
    assert.equal(osImage.statusCode, 200, osImage.body);
    const done = await verify(partner, {
      ...captureEvidence,
      collateral: captureCollateral,
      verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString(),
      expectedComposeHash: capturePayload('compose-hash'),
    });
    assert.equal(done.status, 'completed', done.errorMessage);
    assert.equal(done.result.reason, null);
    assert.equal(done.isValid, true);
    const { details } = done.result;
    assert.equal(done.result.evidenceKind, 'dstack');
    assert.equal(details.quoteVerified, true);
    assert.equal(details.eventLogVerified, true);
    assert.equal(details.osImageHashVerified, true);
    assert.equal(details.tcbStatus, 'UpToDate');
    assert.equal(details.measurements.rtMr3, captureTd.rt_mr3);
    assert.equal(details.appInfo.appId, capturePayload('app-id'));
    assert.equal(details.appInfo.composeHash, capturePayload('compose-hash'));
    assert.equal(details.appInfo.instanceId, capturePayload('instance-id'));
    assertCamelCase(done);
    assert.deepEqual(details.appInfo.keyProvider, JSON.parse(Buffer.from(capturePayload('key-provider'), 'hex').toString('utf8')));
    const document = JSON.parse((await storage.get(done.s3Key))!.toString('utf8'));
    assert.deepEqual(document.result.details.rtmr_replay.status, ['match', 'match', 'match', 'match']);
    const { payload } = await jwtVerify(done.attestationResult, createLocalJWKSet((await inject({}, 'GET', '/api/v1/attestation-results/jwks.json')).json()));
    const submod = (payload.submods as Record<string, any>).dstack;
    assert.equal(submod['ear.status'], 'affirming');
    assert.deepEqual(submod['ear.trustworthiness-vector'], { hardware: 2, executables: 2 });
    assert.equal(submod['veridity.app_info'].compose_hash, capturePayload('compose-hash'));
  });

  test('metered once: one tee_attestation event named by the task, also when its job runs twice at once (redelivered)', async () => {
    await registerCaptureImage();
    const billed = await createPartnerWithId();
    const id = await submit(billed.call, { ...captureEvidence, collateral: captureCollateral, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString(), expectedComposeHash: capturePayload('compose-hash') });
    const job = (await queue.fetch(VerifyAttestationTaskJob, { batchSize: 1 }))[0]!;
    assert.equal(job.data.task_id, id);
    // A job redelivered while its first run still works (both claim the active task), then once more after.
    const runs = await Promise.all([processTaskJob(workerDeps, job), processTaskJob(workerDeps, job)]);
    assert.ok(runs.includes('completed'), runs.join());
    assert.equal(await processTaskJob(workerDeps, job), 'skipped');
    assert.equal((await task(billed.call, id)).isValid, true);
    const events = await usageEventsOf(database.pool, billed.id, 'tee_attestation');
    assert.deepEqual(events, [{ event_id: `tee_attestation:${id}`, source: '/attestations', client_id: billed.id, outcome: 'verified', quantity: 1 }]);
    assert.equal(await partnerUsageTotal(api, billed.apiKey, 'tee_attestation'), 1);
  });

  test('a wrong expected compose hash: completed but not valid, with the reason', async () => {
    const actual = capturePayload('compose-hash');
    const wrong = `${actual.slice(0, -2)}00`;
    const done = await verify(partner, { ...captureEvidence, collateral: captureCollateral, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString(), expectedComposeHash: wrong });
    assert.equal(done.status, 'completed');
    assert.equal(done.isValid, false);
    assert.equal(done.result.reason, `sourceCode: RTMR3 compose-hash is ${actual}, expected ${wrong}`);
    assert.deepEqual(done.result.failures.map((f: { code: string }) => f.code), ['COMPOSE_HASH_MISMATCH']);
    assert.equal(done.result.details.eventLogVerified, true);
    const usage = await database.pool.query('SELECT outcome FROM usage_events WHERE subject_id = $1', [done.id]);
    assert.deepEqual(usage.rows, [{ outcome: 'rejected' }]);
  });

  test('the same quote as a plain DCAP quote and as dstack evidence: the same checks, run the same way', async () => {
    await registerCaptureImage();
    const common = { collateral: captureCollateral, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString(), expectedReportData: capture.report_data };
    const plain = await verify(partner, { quote: capture.quote, ...common });
    const dstack = await verify(partner, { ...captureEvidence, ...common, expectedComposeHash: capturePayload('compose-hash') });
    assert.equal(plain.status, 'completed', plain.errorMessage);
    assert.equal(dstack.status, 'completed', dstack.errorMessage);
    assert.equal(plain.result.evidenceKind, 'dcap_quote');
    assert.equal(dstack.result.evidenceKind, 'dstack');
    // Every check has an outcome in both, and the checks about the quote itself agree.
    assert.deepEqual(Object.keys(plain.result.details.checks), Object.keys(dstack.result.details.checks));
    for (const check of ['evidence', 'hardware', 'reportData', 'teeControlledKey', 'certificateKey', 'dnsCAA', 'ctLog']) {
      assert.equal(plain.result.details.checks[check], dstack.result.details.checks[check], check);
    }
    assert.equal(plain.result.details.checks.reportData, 'passed');
    for (const field of ['quoteVerified', 'tee', 'tcbStatus', 'advisoryIds', 'fmspc', 'reportData', 'measurements']) {
      assert.deepEqual(plain.result.details[field], dstack.result.details[field], field);
    }
    // What only dstack evidence shows is checked there and not applicable to the plain quote.
    for (const check of ['eventLog', 'appId', 'sourceCode', 'os']) assert.equal(plain.result.details.checks[check], 'not_applicable', check);
    assert.deepEqual(
      [dstack.result.details.checks.eventLog, dstack.result.details.checks.appId, dstack.result.details.checks.sourceCode, dstack.result.details.checks.os],
      ['passed', 'not_applicable', 'passed', 'passed'],
    );
    // The TCB policy and a wrong expectation fail both the same way.
    const wrong = { ...common, expectedReportData: 'ab' };
    const plainWrong = await verify(partner, { quote: capture.quote, ...wrong });
    const dstackWrong = await verify(partner, { ...captureEvidence, ...wrong, expectedComposeHash: capturePayload('compose-hash') });
    assert.deepEqual(plainWrong.result.failures, dstackWrong.result.failures);
    assert.deepEqual(plainWrong.result.failures.map((f: { code: string }) => f.code), ['REPORT_DATA_MISMATCH']);
  });

  test('acmeInfo: absent, the domain-key checks are not applicable; present, both run on real material and fail clearly', async () => {
    // No real acme-info vector (account quote bound to its ACME account, publicly trusted certificate
    // for the TEE key) exists in the fixtures, so the valid case cannot be shown; these are the failures.
    const base = { ...captureEvidence, collateral: captureCollateral, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString(), expectedComposeHash: capturePayload('compose-hash') };
    const absent = await verify(partner, base);
    assert.deepEqual([absent.result.details.checks.teeControlledKey, absent.result.details.checks.certificateKey], ['not_applicable', 'not_applicable']);

    const present = await verify(partner, { ...base, acmeInfo });
    assert.equal(present.status, 'completed', present.errorMessage);
    assert.equal(present.isValid, false);
    assert.deepEqual(
      present.result.failures.map((f: { check: string; code: string }) => `${f.check}:${f.code}`),
      ['teeControlledKey:ACCOUNT_KEY_NOT_BOUND', 'certificateKey:CERTIFICATE_CHAIN_INVALID'],
    );
    assert.match(present.result.reason, /account quote report_data is not SHA-512\("acme-account:https:\/\/acme-v02/);
    assert.match(present.result.reason, /not a trusted root/);

    const plain = await verify(partner, { quote: capture.quote, collateral: captureCollateral, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString(), acmeInfo });
    assert.deepEqual(plain.result.failures, present.result.failures, 'a plain quote carrying acmeInfo is checked the same way');

    const garbled = await verify(partner, { ...base, acmeInfo: { ...acmeInfo, accountQuote: 'not a quote' } });
    assert.equal(garbled.status, 'failed');
    assert.equal(garbled.errorCode, 'QUOTE_MALFORMED');
    assert.match(garbled.errorMessage, /^teeControlledKey: account quote: /);

    const notPem = await verify(partner, { ...base, acmeInfo: { ...acmeInfo, activeCert: 'no certificate here' } }, { verificationFlags: { teeControlledKey: false } });
    assert.equal(notPem.status, 'failed');
    assert.equal(notPem.errorCode, 'ACME_INFO_MALFORMED');
    assert.equal(notPem.result.details.checks.teeControlledKey, 'not_performed');
  });

  test('a broken event log is evidence that cannot be appraised: failed', async () => {
    const done = await verify(partner, { ...captureEvidence, eventLog: 'not json', collateral: captureCollateral, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString() });
    assert.equal(done.status, 'failed');
    assert.equal(done.errorCode, 'EVENT_LOG_MALFORMED');
  });
});

describe('collateral the operator provides', () => {
  test('without submitted or stored collateral the task fails and says how to provide it', async () => {
    const done = await verify(partner, { quote: capture.quote, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString() });
    assert.equal(done.status, 'failed');
    assert.equal(done.errorCode, 'COLLATERAL_MISSING');
    assert.match(done.errorMessage, /FMSPC 90c06f000000 \(TDX, platform CA\).*PUT \/api\/admin\/attestations\/collateral\/90c06f000000/);
  });

  test('uploaded for an FMSPC, it serves quotes submitted without collateral', async () => {
    const wrongFmspc = await admin('PUT', '/api/admin/attestations/collateral/90c06f000000', tdxCollateral);
    assert.equal(wrongFmspc.statusCode, 422);
    assert.equal(wrongFmspc.json().error_code, 'INVALID_COLLATERAL');
    const broken = await admin('PUT', '/api/admin/attestations/collateral/b0c06f000000', { ...tdxCollateral, tcb_info_signature: '00'.repeat(64) });
    assert.equal(broken.statusCode, 422);
    assert.equal(broken.json().reason, 'SIGNATURE_INVALID');
    assert.equal((await as('vk_nope')('PUT', '/api/admin/attestations/collateral/b0c06f000000', tdxCollateral)).statusCode, 401);

    const stored = await admin('PUT', '/api/admin/attestations/collateral/B0C06F000000', tdxCollateral);
    assert.equal(stored.statusCode, 200, stored.body);
    assert.deepEqual(
      { tee: stored.json().tee, fmspc: stored.json().fmspc, pck_ca: stored.json().pck_ca, source: stored.json().source },
      { tee: 'tdx', fmspc: 'b0c06f000000', pck_ca: 'platform', source: 'upload' },
    );
    assert.ok(stored.json().valid_from <= IN_WINDOW && IN_WINDOW <= stored.json().valid_until);
    const listed = await admin('GET', '/api/admin/attestations/collateral');
    assert.ok(listed.json().some((c: { fmspc: string }) => c.fmspc === 'b0c06f000000'));

    const done = await verify(partner, { quote: tdxQuote.toString('hex'), verifyAt: IN_WINDOW });
    assert.equal(done.status, 'completed', done.errorMessage);
    assert.equal(done.result.details.tcbStatus, 'UpToDate');
  });

  test('with PCCS_URL, missing collateral is fetched from the PCCS, checked and stored', async (t) => {
    const pccs = await startFakePccs(captureCollateral);
    t.after(() => pccs.close());
    const withPccs = {
      ...workerDeps,
      collateralSource: createStoredCollateralSource({ pool: database.pool, clock: systemClock, log, pccsUrl: `${pccs.url}/sgx/certification/v4/` }),
    };
    const id = await submit(partner, { quote: capture.quote, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString() });
    await runTaskWorkerOnce(withPccs);
    const done = await task(partner, id);
    assert.equal(done.status, 'completed', done.errorMessage);
    assert.equal(done.result.details.tcbStatus, 'UpToDate');
    assert.ok(pccs.requests.some((url) => url.startsWith('/tdx/certification/v4/tcb?fmspc=90c06f000000')));
    const listed = await admin('GET', '/api/admin/attestations/collateral');
    assert.equal(listed.json().find((c: { fmspc: string }) => c.fmspc === '90c06f000000').source, 'pccs');
  });
});

describe('lifecycle', () => {
  test('a pending task can be cancelled; the worker then skips it; a finished one cannot be', async () => {
    const id = await submit(partner, { quote: tdxQuote.toString('hex'), verifyAt: IN_WINDOW });
    const cancelled = await partner('DELETE', `/api/v1/tasks/${id}`);
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json().status, 'cancelled');
    assert.ok(cancelled.json().finishedAt);
    const report = await workAll();
    assert.equal(report.skipped, 1);
    assert.equal((await task(partner, id)).status, 'cancelled');
    const again = await partner('DELETE', `/api/v1/tasks/${id}`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error_code, 'TASK_NOT_PENDING');
    assert.equal((await partner('GET', `/api/v1/tasks/${id}/result`)).json().error_code, 'TASK_NOT_FINISHED');
  });

  test('pause stops every worker from taking tasks (they wait as pending); resume lets them run', async (t) => {
    t.after(() => admin('POST', '/api/v1/queue/resume'));
    assert.equal((await partner('POST', '/api/v1/queue/pause')).statusCode, 401);
    const paused = await admin('POST', '/api/v1/queue/pause');
    assert.equal(paused.statusCode, 200, paused.body);
    assert.equal(paused.json().paused, true);
    const id = await submit(partner, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW });
    const report = await workAll();
    assert.equal(report.paused, true);
    assert.equal(report.completed, 0);
    assert.equal((await task(partner, id)).status, 'pending');
    const status = await admin('GET', '/api/v1/queue/status');
    assert.equal(status.json().paused, true);
    assert.equal(status.json().tasks.pending, 1);
    assert.equal(status.json().jobs.ready, 1);
    const health = await inject({}, 'GET', '/health/detailed');
    assert.equal(health.json().checks.queue.paused, true);

    const resumed = await admin('POST', '/api/v1/queue/resume');
    assert.equal(resumed.json().paused, false);
    assert.equal((await workAll()).completed, 1);
    assert.equal((await task(partner, id)).status, 'completed');
    assert.equal((await admin('GET', '/api/v1/queue/status')).json().tasks.pending, 0);
  });

  test('partners see only their own tasks; a key without the scope is refused', async () => {
    const other = await createPartner();
    const id = await submit(partner, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW });
    await workAll();
    assert.equal((await other('GET', `/api/v1/tasks/${id}`)).statusCode, 404);
    assert.equal((await other('GET', `/api/v1/tasks/${id}/result`)).statusCode, 404);
    assert.equal((await other('DELETE', `/api/v1/tasks/${id}`)).statusCode, 404);
    assert.deepEqual((await other('GET', '/api/v1/tasks')).json().data, []);
    assert.equal((await other('GET', '/api/v1/tasks/stats/summary')).json().total, 0);

    const zkOnly = await createPartner({ scopes: ['age_over_18'] });
    const refused = await zkOnly('POST', '/api/v1/tasks', { ...app(), evidence: { quote: tdxQuote.toString('hex') } });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error_code, 'UNAUTHORIZED_SCOPE');
    assert.equal((await zkOnly('GET', '/api/v1/tasks')).statusCode, 403);
    assert.equal((await inject({}, 'GET', '/api/v1/tasks')).statusCode, 401);
  });

  test('cursor pagination, filters and the summary', async () => {
    const own = await createPartner();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await submit(own, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW }, { appId: i < 3 ? 'app-a' : 'app-b' }));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: LightMyRequestResponse = await own('GET', `/api/v1/tasks?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(response.statusCode, 200, response.body);
      const page = response.json();
      seen.push(...page.data.map((t: { id: string }) => t.id));
      assertCamelCase(page);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...ids].reverse());
    assert.equal((await own('GET', '/api/v1/tasks?appId=app-b')).json().data.length, 2);
    assert.equal((await own('GET', '/api/v1/tasks?status=pending')).json().data.length, 5);
    const created = (await own('GET', '/api/v1/tasks')).json().data.map((t: { createdAt: string }) => t.createdAt).sort();
    const later = new Date(Date.parse(created.at(-1)) + 1).toISOString();
    assert.equal((await own('GET', `/api/v1/tasks?from=${later}`)).json().data.length, 0);
    assert.equal((await own('GET', `/api/v1/tasks?to=${created[0]}`)).json().data.length, 0);
    assert.equal((await own('GET', `/api/v1/tasks?from=${created[0]}&to=${later}`)).json().data.length, 5);
    assert.equal((await own('GET', '/api/v1/tasks?cursor=nope')).statusCode, 400);

    assert.equal((await own('DELETE', `/api/v1/tasks/${ids[0]}`)).statusCode, 200);
    await workAll();
    const stats = (await own('GET', '/api/v1/tasks/stats/summary')).json();
    assert.equal(stats.total, 5);
    assert.deepEqual(stats.byStatus, { pending: 0, active: 0, completed: 4, failed: 0, cancelled: 1 });
    assert.equal(stats.valid, 4);
    assert.equal(stats.invalid, 0);
    assert.ok(stats.averageDurationMs >= 0);
    assertCamelCase(stats);
    assert.equal((await own('GET', '/api/v1/tasks?status=completed')).json().data.length, 4);
  });
});

describe('bad input', () => {
  test('oversize evidence is refused at submission', async () => {
    const longQuote = await partner('POST', '/api/v1/tasks', { ...app(), evidence: { quote: 'ab'.repeat(40_000) } });
    assert.equal(longQuote.statusCode, 400);
    assert.deepEqual(longQuote.json().fields, ['body.evidence.quote']);
    const tooMuch = await partner('POST', '/api/v1/tasks', { ...app(), evidence: { quote: tdxQuote.toString('hex'), appCompose: 'x'.repeat(100_000), collateral: 'y'.repeat(100_000) } });
    assert.equal(tooMuch.statusCode, 413);
    assert.equal(tooMuch.json().error_code, 'PAYLOAD_TOO_LARGE');
    const overBodyLimit = await partner('POST', '/api/v1/tasks', { ...app(), evidence: { quote: tdxQuote.toString('hex'), collateral: 'y'.repeat(190_000), appCompose: 'x'.repeat(100_000) } });
    assert.equal(overBodyLimit.statusCode, 413);
    assert.equal(overBodyLimit.json().error_code, 'PAYLOAD_TOO_LARGE');
    const pending = await database.pool.query("SELECT count(*)::int AS n FROM attestation_tasks WHERE status = 'pending'");
    assert.equal(pending.rows[0].n, 0);
  });

  test('malformed requests are 400s naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...app(), evidence: {} }, 'body.evidence.quote'],
      [{ ...app(), evidence: { quote: 42 } }, 'body.evidence.quote'],
      [{ ...app(), evidence: { quote: 'aa', surprise: 1 } }, 'body.evidence.surprise'],
      [{ ...app(), evidence: { quote: 'aa', verifyAt: 'yesterday' } }, 'body.evidence.verifyAt'],
      [{ ...app(), evidence: { quote: 'aa', expectedComposeHash: 'xyz' } }, 'body.evidence.expectedComposeHash'],
      [{ ...app(), evidence: { quote: 'aa', event_log: '[]' } }, 'body.evidence.event_log'],
      [{ ...app(), evidence: { quote: 'aa', acmeInfo: { accountUri: 1 } } }, 'body.evidence.acmeInfo.accountUri'],
      [{ ...app(), evidence: { quote: 'aa', acmeInfo: { ...acmeInfo, teePublicKey: 'xyz' } } }, 'body.evidence.acmeInfo.teePublicKey'],
      [{ ...app({ appConfigType: 'aws' }), evidence: { quote: 'aa' } }, 'body.appConfigType'],
      [{ ...app(), verificationFlags: { hardware: 'yes' }, evidence: { quote: 'aa' } }, 'body.verificationFlags.hardware'],
    ];
    for (const [body, field] of cases) {
      const response = await partner('POST', '/api/v1/tasks', body);
      assert.equal(response.statusCode, 400, `${field}: ${response.body}`);
      assert.ok(response.json().fields.includes(field), `${field}: ${response.body}`);
    }
    const loneSurrogate = await api.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: { 'x-api-key': (await admin('POST', '/api/admin/clients', { name: 'raw', scopes: ['tee_attestation'] })).json().api_key, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...app(), evidence: { quote: 'aa' } }).replace('"aa"', '"a\\ud800"'),
    });
    assert.equal(loneSurrogate.statusCode, 400, loneSurrogate.body);
    assert.equal((await partner('GET', '/api/v1/tasks/tsk_nope')).statusCode, 400);
  });

  test('evidence that does not verify makes a failed task with the reason, never a 500', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ quote: 'not a quote at all' }, 'QUOTE_MALFORMED'],
      [{ quote: '00'.repeat(200), collateral: tdxCollateral }, 'QUOTE_MALFORMED'],
      [{ quote: tdxQuote.subarray(0, 700).toString('hex'), collateral: tdxCollateral }, 'QUOTE_MALFORMED'],
      [{ quote: tdxQuote.toString('hex'), collateral: 'garbage', verifyAt: IN_WINDOW }, 'COLLATERAL_MALFORMED'],
      [{ quote: tdxQuote.toString('hex'), collateral: {}, verifyAt: IN_WINDOW }, 'COLLATERAL_MISSING'],
      [{ quote: tdxQuote.toString('hex'), collateral: sgxCollateral, verifyAt: IN_WINDOW }, 'COLLATERAL_MISMATCH'],
      [{ quote: tdxQuote.toString('hex'), collateral: captureCollateral, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString() }, 'COLLATERAL_MISMATCH'],
      // The out-of-date platform's quote matches no TCB level of its collateral.
      [{ quote: readVector('tdx_quote_outdated').toString('hex'), collateral: captureCollateral, verifyAt: OUTDATED_COLLATERAL_VERIFY_AT.toISOString() }, 'TCB_UNKNOWN'],
      [{ attestation: 'zz' }, 'ATTESTATION_MALFORMED'],
      [{ quote: sgxQuote.toString('hex'), eventLog: '[]', collateral: sgxCollateral, verifyAt: IN_WINDOW }, 'NOT_TDX'],
    ];
    for (const [evidence, code] of cases) {
      const response = await partner('POST', '/api/v1/tasks', { ...app(), evidence });
      expectNoServerError(response);
      assert.equal(response.statusCode, 202, response.body);
      await workAll();
      const done = await task(partner, response.json().id);
      assert.equal(done.status, 'failed', `${code}: ${JSON.stringify(done.result?.failures)}`);
      assert.equal(done.errorCode, code, done.errorMessage);
      assert.ok(done.errorMessage.length > 10);
    }
  });

  test('a TDX quote without dstack evidence reports the dstack checks as not applicable, and fails them when asked for', async () => {
    const plain = await verify(partner, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW });
    assert.equal(plain.result.details.checks.sourceCode, 'not_applicable');
    assert.equal(plain.result.details.checks.os, 'not_applicable');
    const asked = await verify(partner, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW, expectedComposeHash: 'ab'.repeat(32) });
    assert.equal(asked.status, 'completed');
    assert.equal(asked.isValid, false);
    assert.match(asked.result.reason, /sourceCode: a compose hash needs dstack evidence/);
  });
});

describe('health', () => {
  test('/health/detailed reports the database, the task queue and object storage', async () => {
    const response = await inject({}, 'GET', '/health/detailed');
    assert.equal(response.statusCode, 200, response.body);
    const health = response.json();
    assert.equal(health.status, 'ok');
    assert.equal(health.checks.database.status, 'ok');
    assert.equal(health.checks.queue.status, 'ok');
    assert.equal(health.checks.queue.name, 'attestations.verify-task');
    assert.equal(typeof health.checks.queue.pending, 'number');
    assert.equal(health.checks.storage.status, 'ok');
    assert.equal(health.checks.storage.backend, 'file');
    assert.equal(health.checks.storage.bucket, 'local');
    assert.equal(response.body.includes(objectsDir), false, 'the server path is on an unauthenticated endpoint');
    assert.equal((await inject({}, 'GET', '/health')).json().status, 'ok');
    const openapi = await inject({}, 'GET', '/openapi.json');
    assert.equal(openapi.statusCode, 200);
    for (const route of ['/api/v1/tasks', '/api/v1/tasks/{id}', '/api/v1/tasks/stats/summary', '/api/v1/queue/status', '/health/detailed']) {
      assert.ok(openapi.json().paths[route], route);
    }
  });
});

// Last: the retried job stays deferred for its backoff, which would show in queue counts above.
describe('ledger', () => {
  test('a finished task is logged; the ledger audit rebuilds its leaf from the task row and notices an edit', async () => {
    const done = await verify(partner, { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW });
    assert.equal(done.status, 'completed');
    const platformKeys = createPlatformKeys({ db: database.db, secretBox });
    const pending = await partner('GET', `/api/v1/receipts/${done.id}`);
    assert.equal(pending.statusCode, 202);
    assert.equal(done.receiptUrl, `/api/v1/receipts/${done.id}`);
    const sequencer = startLedgerSequencer({
      pool: database.pool,
      clock: systemClock,
      log,
      platformKeys,
      checkpointSeconds: 5,
      background: false,
    });
    try {
      while ((await sequencer.runOnce()).sequenced > 0);
    } finally {
      await sequencer.stop();
    }
    const receipt = await partner('GET', `/api/v1/receipts/${done.id}`);
    assert.equal(receipt.statusCode, 200, receipt.body);
    const checked = checkReceipt(receipt.body, [await getLedgerVerifierKey({ pool: database.pool, platformKeys })]);
    assert.ok(checked.ok, JSON.stringify(checked));
    assert.equal(JSON.parse(Buffer.from(checked.leaf).toString()).public_id, done.id);
    const stranger = await createPartner({ name: 'Other TEE partner' });
    assert.equal((await stranger('GET', `/api/v1/receipts/${done.id}`)).statusCode, 404, "another partner's task has no receipt for them");
    const clean = await auditLedger({ pool: database.pool, outcomeSources: OUTCOME_SOURCES });
    assert.equal(clean.ok, true, JSON.stringify(clean.problems));
    assert.equal(clean.uncheckedKinds.tee_task, undefined, 'tee_task entries are checked against their rows');

    await database.pool.query('UPDATE attestation_tasks SET is_valid = false WHERE id = $1', [done.id]);
    const edited = await auditLedger({ pool: database.pool, outcomeSources: OUTCOME_SOURCES });
    assert.equal(edited.ok, false);
    assert.ok(edited.problems.some((problem) => problem.code === 'OUTCOME_MISMATCH' && problem.message.includes(done.id)), JSON.stringify(edited.problems));
    await database.pool.query('UPDATE attestation_tasks SET is_valid = true WHERE id = $1', [done.id]);
  });
});

describe('infrastructure failures', () => {
  test('a storage outage is retried by the queue; after the last retry the task fails with INTERNAL_ERROR', async () => {
    const storageDown: ObjectStorage = {
      backend: 's3',
      bucket: 'down',
      put: async () => {
        throw new Error('object storage unreachable');
      },
      get: async () => undefined,
      putFile: async () => {
        throw new Error('object storage unreachable');
      },
      getFile: async () => false,
      delete: async () => {},
      list: async () => [],
    };
    const broken = { ...workerDeps, storage: storageDown };
    const fetchOne = async () => (await queue.fetch(VerifyAttestationTaskJob, { batchSize: 1 }))[0]!;
    const evidence = { quote: tdxQuote.toString('hex'), collateral: tdxCollateral, verifyAt: IN_WINDOW };

    const first = await submit(partner, evidence);
    assert.equal(await processTaskJob(broken, await fetchOne()), 'retrying');
    const waiting = await task(partner, first);
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.attempts, 1);
    assert.equal((await admin('GET', '/api/v1/queue/status')).json().jobs.deferred, 1);
    assert.equal((await partner('DELETE', `/api/v1/tasks/${first}`)).statusCode, 200);

    const last = await submit(partner, evidence);
    const job = await fetchOne();
    assert.equal(await processTaskJob(broken, { ...job, retryCount: job.retryLimit }), 'failed');
    const failed = await task(partner, last);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.errorCode, 'INTERNAL_ERROR');
    assert.match(failed.errorMessage, /after 4 attempts: object storage unreachable/);
    const outbox = await database.pool.query('SELECT event_type FROM webhooks_outbox WHERE subject_id = $1', [last]);
    assert.deepEqual(outbox.rows, [{ event_type: 'task.failed' }]);
    const usage = await database.pool.query('SELECT 1 FROM usage_events WHERE subject_id = $1', [last]);
    assert.equal(usage.rows.length, 0);
  });
});

/** A PCCS (API v4) on loopback serving one platform's collateral, as Intel's PCCS encodes it. */
async function startFakePccs(collateral: Record<string, unknown>): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const c = collateral as Record<string, string>;
  const requests: string[] = [];
  const routes: Record<string, { body: Buffer | string; headers: Record<string, string> }> = {
    '/sgx/certification/v4/pckcrl': { body: Buffer.from(c.pck_crl!, 'hex'), headers: { 'SGX-PCK-CRL-Issuer-Chain': encodeURIComponent(c.pck_crl_issuer_chain!) } },
    '/tdx/certification/v4/tcb': {
      body: `{"tcbInfo":${c.tcb_info},"signature":"${c.tcb_info_signature}"}`,
      headers: { 'TCB-Info-Issuer-Chain': encodeURIComponent(c.tcb_info_issuer_chain!) },
    },
    '/tdx/certification/v4/qe/identity': {
      body: `{"enclaveIdentity":${c.qe_identity},"signature":"${c.qe_identity_signature}"}`,
      headers: { 'SGX-Enclave-Identity-Issuer-Chain': encodeURIComponent(c.qe_identity_issuer_chain!) },
    },
    '/sgx/certification/v4/rootcacrl': { body: c.root_ca_crl!, headers: {} },
  };
  const server = http.createServer((request, response) => {
    requests.push(request.url!);
    const route = routes[request.url!.split('?')[0]!];
    if (!route) return void response.writeHead(404).end();
    response.writeHead(200, route.headers).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

