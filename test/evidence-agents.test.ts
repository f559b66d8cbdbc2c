/**
 * Evidence agents end to end on a real database, object storage, pg-boss and crypto: a partner
 * makes an enrollment token, the agent CLI's code enrolls (key made locally, CSR, certificate from
 * the partner's agent CA) and submits a signed erasure report to /ingest/v1/proofs, and the
 * evidence worker certifies it against the agent CA; a revoked agent is refused on the ingest
 * path at once and its earlier signatures are rejected CERT_REVOKED through the CRL; tokens are
 * single use and expire; weak or forged CSRs are refused with their reason.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import * as pkijs from 'pkijs';
import type { Clock } from '#platform/clock.ts';
import { createLogger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { createCadesSignature } from '#modules/certificates/document/create-cades-signature.ts';
import { createCsr } from '#modules/evidence/agents/create-csr.ts';
import { VerifyEvidenceJob } from '#modules/evidence/jobs.ts';
import type { EvidenceWorkerDeps } from '#modules/evidence/process-evidence-job.ts';
import { runEvidenceWorkerOnce } from '#modules/evidence/run-evidence-worker.ts';
import { enrollAgentInto, submitFilesAsAgent } from '#src/cli/agent.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { evidenceWorkerDeps } from './support/evidence-worker.ts';

const REPORT = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures/erasure-report.json');
const encryptionKey = randomBytes(32);
/** Real time, moved on by `offsetMs` when a test needs a token to have expired. */
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
let t: TestApp;
let url: URL;
let queue: Queue;
let worker: EvidenceWorkerDeps;
let partner: Record<string, any>;
const dirs: string[] = [];

before(async () => {
  t = await createTestApp({ encryptionKey, clock });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  url = new URL(`http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`);
  const log = createLogger('silent');
  queue = await startQueue({ connectionString: t.database.url, log, schedule: false });
  await queue.register([VerifyEvidenceJob]);
  worker = evidenceWorkerDeps(t, { clock: clock, encryptionKey, log });
  partner = await createPartner(t, { name: 'Acme Recycling', scopes: ['evidence'] });
});
after(async () => {
  await queue.stop({ graceful: false });
  await t.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const asPartner = (key = partner.api_key) => ({ 'x-api-key': key });

async function enrollmentToken(name = 'Station 7', key = partner.api_key): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/evidence/enrollments', headers: asPartner(key), payload: { name } });
  assert.equal(response.statusCode, 201, response.body);
  assert.equal(response.headers['cache-control'], 'no-store');
  assert.match(response.json().token, /^enr_/);
  return response.json().token;
}

async function agentDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'veridity-agent-'));
  dirs.push(dir);
  return path.join(dir, 'agent');
}

function enroll(token: string, csr: Buffer, contentType = 'application/pkcs10') {
  return t.app.inject({ method: 'POST', url: '/ingest/v1/enroll', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: csr });
}

async function submission(id: string): Promise<Record<string, any>> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/proofs/${id}`, headers: asPartner() });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

describe('enrollment and submission through the agent CLI', () => {
  test('enroll -> submit -> certified by the worker against the agent CA; the files are private', async () => {
    const out = await agentDir();
    const info = await enrollAgentInto({ url, token: await enrollmentToken(), out });
    assert.match(info.agent_id, /^agt_/);
    assert.equal((await stat(out)).mode & 0o777, 0o700);
    for (const file of ['agent.key', 'agent.pem', 'chain.pem', 'credential', 'agent.json']) assert.equal((await stat(path.join(out, file))).mode & 0o777, 0o600, file);

    const certificate = new X509Certificate(await readFile(path.join(out, 'agent.pem')));
    const ca = new X509Certificate(await readFile(path.join(out, 'chain.pem')));
    assert.ok(certificate.verify(ca.publicKey), 'the agent CA issued the certificate');
    assert.ok(certificate.checkPrivateKey(createPrivateKey(await readFile(path.join(out, 'agent.key')))), 'for the key made here');
    assert.equal(certificate.ca, false);
    assert.match(certificate.subject, new RegExp(`CN=${info.agent_id}`));
    assert.ok(ca.ca);
    const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 86_400_000;
    assert.ok(days >= 365 && days <= 366, `valid ${days} days`);

    const [submitted] = await submitFilesAsAgent({ dir: out, files: [REPORT] });
    assert.ok(submitted && 'id' in submitted, JSON.stringify(submitted));
    assert.equal(submitted.status, 'received');
    assert.deepEqual(await runEvidenceWorkerOnce(worker, queue), { certified: 1, rejected: 0, failed: 0, skipped: 0, retrying: 0 });
    const certified = await submission(submitted.id);
    assert.equal(certified.status, 'certified', JSON.stringify(certified));
    assert.equal(certified.agent_id, info.agent_id);
    assert.equal(certified.filename, 'erasure-report.json');
    assert.equal(certified.document.schema, 'erasure-report/v1');

    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/evidence/agents', headers: asPartner() });
    assert.deepEqual(listed.json().data.map((agent: any) => [agent.id, agent.status, agent.name, agent.key_algorithm]), [[info.agent_id, 'active', 'Station 7', 'EC P-256']]);
    assert.ok(!listed.body.includes('vag_'), 'never the credential');
  });

  test('the ingest path takes agent credentials only, and agent credentials open nothing else', async () => {
    const out = await agentDir();
    await enrollAgentInto({ url, token: await enrollmentToken(), out });
    const credential = (await readFile(path.join(out, 'credential'), 'utf8')).trim();
    const der = (await readFile(REPORT)).toString('base64');
    for (const headers of [asPartner(), { authorization: `Bearer ${partner.api_key}` }, { authorization: `Bearer ${t.adminToken}` }, {}, { authorization: 'Bearer vag_wrong' }]) {
      const response = await t.app.inject({ method: 'POST', url: '/ingest/v1/proofs', headers, payload: { der_base64: der } });
      assert.equal(response.statusCode, 401, `${JSON.stringify(headers)}: ${response.body}`);
      assert.equal(response.json().error_code, 'UNAUTHORIZED');
    }
    for (const request of [{ method: 'GET', url: '/api/v1/proofs' }, { method: 'GET', url: '/api/v1/evidence/agents' }, { method: 'GET', url: '/api/v1/me' }] as const) {
      const response = await t.app.inject({ ...request, headers: { authorization: `Bearer ${credential}` } });
      assert.equal(response.statusCode, 401, `${request.url}: ${response.body}`);
    }
  });
});

describe('revocation', () => {
  test('a revoked agent: 401 on ingest at once, listed on the CRL, and a document it signed before is rejected CERT_REVOKED', async () => {
    const out = await agentDir();
    const info = await enrollAgentInto({ url, token: await enrollmentToken('Station 9'), out });
    const privateKey = createPrivateKey(await readFile(path.join(out, 'agent.key')));
    const chain = [new X509Certificate(await readFile(path.join(out, 'agent.pem'))).raw, new X509Certificate(await readFile(path.join(out, 'chain.pem'))).raw];
    const report = Buffer.from((await readFile(REPORT, 'utf8')).replace('ER-2026-000123', 'ER-2026-000999'));
    const signedBefore = createCadesSignature(report, { privateKey, certificateChainDer: chain }, { encapsulate: true });

    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/evidence/agents/${info.agent_id}`, headers: asPartner() });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().status, 'revoked');
    const other = await createPartner(t, { name: 'Other', scopes: ['evidence'] });
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/evidence/agents/${info.agent_id}`, headers: asPartner(other.api_key) })).statusCode, 404);

    const [refused] = await submitFilesAsAgent({ dir: out, files: [REPORT] });
    assert.ok(refused && 'refused' in refused && /HTTP 401 UNAUTHORIZED/.test(refused.refused), JSON.stringify(refused));

    const crl = await t.app.inject({ method: 'GET', url: info.crl_url });
    assert.equal(crl.statusCode, 200);
    assert.equal(crl.headers['content-type'], 'application/pkix-crl');
    const parsed = pkijs.CertificateRevocationList.fromBER(new Uint8Array(crl.rawPayload));
    assert.ok(parsed.nextUpdate && parsed.nextUpdate.value > new Date(), 'nextUpdate ahead');
    const serial = new X509Certificate(chain[0]!).serialNumber.toLowerCase();
    assert.ok(parsed.revokedCertificates?.some((entry) => Buffer.from(entry.userCertificate.valueBlock.valueHexView).toString('hex') === serial), 'the agent is listed');

    const submitted = await t.app.inject({ method: 'POST', url: '/api/v1/proofs', headers: { ...asPartner(), 'content-type': 'application/pkcs7-mime' }, payload: Buffer.from(signedBefore) });
    assert.equal(submitted.statusCode, 202, submitted.body);
    await runEvidenceWorkerOnce(worker, queue);
    const rejected = await submission(submitted.json().id);
    assert.equal(rejected.status, 'rejected');
    assert.equal(rejected.error_code, 'CERT_REVOKED', rejected.error_message);
  });
});

describe('enrollment tokens and CSRs', () => {
  const p256Csr = () => createCsr(generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'agent');
  const openssl = async (args: string[]) => (await promisify(execFile)('openssl', args, { encoding: 'buffer' })).stdout;

  test('a token enrolls once; a second use is USED; an unknown one UNKNOWN; after 24 hours EXPIRED', async () => {
    const token = await enrollmentToken();
    assert.equal((await enroll(token, await p256Csr())).statusCode, 201);
    const again = await enroll(token, await p256Csr());
    assert.equal(again.statusCode, 401);
    assert.deepEqual([again.json().error_code, again.json().reason], ['INVALID_ENROLLMENT_TOKEN', 'USED']);
    const unknown = await enroll(`enr_${randomBytes(32).toString('base64url')}`, await p256Csr());
    assert.deepEqual([unknown.statusCode, unknown.json().reason], [401, 'UNKNOWN']);

    const expiring = await enrollmentToken();
    offsetMs = 24 * 3600 * 1000 + 1000;
    try {
      const expired = await enroll(expiring, await p256Csr());
      assert.deepEqual([expired.statusCode, expired.json().error_code, expired.json().reason], [401, 'INVALID_ENROLLMENT_TOKEN', 'EXPIRED']);
    } finally {
      offsetMs = 0;
    }
  });

  test('CSRs: a forged signature, a weak or unsupported key, garbage are refused with their reason and leave the token usable; PEM, Ed25519 and RSA 2048 are taken', async () => {
    const token = await enrollmentToken();
    const forged = await p256Csr();
    forged.writeUInt8(forged.readUInt8(forged.length - 2) ^ 0x01, forged.length - 2);
    const rsa1024 = await openssl(['req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=weak', '-outform', 'DER']);
    const p521 = await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=p521', '-outform', 'DER']);
    for (const [csr, reason] of [[forged, 'BAD_SIGNATURE'], [rsa1024, 'WEAK_KEY'], [p521, 'UNSUPPORTED_KEY'], [Buffer.from('not a csr'), 'MALFORMED_CSR']] as const) {
      const response = await enroll(token, csr);
      assert.equal(response.statusCode, 400, `${reason}: ${response.body}`);
      assert.deepEqual([response.json().error_code, response.json().reason], ['INVALID_CSR', reason], response.body);
    }
    const ed25519 = await openssl(['req', '-new', '-newkey', 'ed25519', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=ed', '-outform', 'PEM']);
    const taken = await enroll(token, ed25519, 'application/x-pem-file');
    assert.equal(taken.statusCode, 201, taken.body);
    const rsa2048 = await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=rsa', '-outform', 'DER']);
    const json = await t.app.inject({ method: 'POST', url: '/ingest/v1/enroll', headers: { authorization: `Bearer ${await enrollmentToken()}` }, payload: { csr: rsa2048.toString('base64') } });
    assert.equal(json.statusCode, 201, json.body);
  });
});
