/**
 * Certificates end to end through HTTP on a real database: issued as the evidence worker issues
 * them (issueCertificate in a transaction), then every route: the partner's resource, receipt,
 * PDF (202 until a checkpoint covers it) and JSON bundle, listing, revocation, the public page
 * and JSON, and the public check of PDFs and JSON, genuine and tampered; other partners get 404.
 */
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createLogger } from '#platform/logger.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { findCertificateForEvidence } from '#modules/certificates/find-certificate-for-evidence.ts';
import { certificateIssuerDeps, issueCertificate } from '#modules/certificates/issue-certificate.ts';
import { verifyCertificateBundle, verifyCertificatePdf } from '#modules/certificates/document/index.ts';
import { auditLedger } from '#modules/ledger/audit-ledger.ts';
import { startLedgerSequencer, type LedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { OUTCOME_SOURCES } from '#src/outcome-sources.ts';
import { erasureReportInput, issueTestCertificate, TEST_PUBLIC_URL } from './support/issued-certificates.ts';
import { cleanEnv, runToEnd } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { manualClock } from './support/webhook-harness.ts';

const clock = manualClock(new Date(Date.now() - 120_000));

let t: TestApp;
let partner: Record<string, any>;
let other: Record<string, any>;
let sequencer: LedgerSequencer;

before(async () => {
  t = await createTestApp({ clock });
  partner = await createPartner(t, { name: 'Acme Recycling', scopes: ['evidence'], webhook_url: 'https://acme.example/hooks' });
  other = await createPartner(t, { name: 'Other Recycler', scopes: ['evidence'] });
  sequencer = startLedgerSequencer({ pool: t.database.pool, clock, log: createLogger('silent'), platformKeys: t.platformKeys, checkpointSeconds: 5, background: false });
});
after(async () => {
  await sequencer.stop();
  await t.close();
});

const get = (url: string, apiKey?: string) => t.app.inject({ method: 'GET', url, headers: apiKey ? { 'x-api-key': apiKey } : {} });
const post = (url: string, payload: unknown, headers: Record<string, string> = {}, apiKey?: string) =>
  t.app.inject({ method: 'POST', url, headers: { ...headers, ...(apiKey ? { 'x-api-key': apiKey } : {}) }, payload: payload as string });
const verifyDocument = (payload: Buffer | object | string, contentType: string) => post('/api/v1/public/certificates/verify', typeof payload === 'object' && !Buffer.isBuffer(payload) ? JSON.stringify(payload) : payload, { 'content-type': contentType });

/** A checkpoint covering everything logged so far. */
async function checkpoint(): Promise<void> {
  clock.advance(5_000);
  await sequencer.runOnce();
}

/** Nothing internal in what the public sees: no certificate, evidence or partner id. */
function assertNoInternalIds(response: LightMyRequestResponse, ids: string[]): void {
  for (const id of ids) assert.ok(!response.body.includes(id), `the public response shows ${id}`);
  assert.doesNotMatch(response.body, /\b(crt|evd|cli)_[0-9a-z]{10}/);
}

/** What an offline verifier pins, fetched from the public endpoints. */
async function trust() {
  const keys = (await get('/api/v1/certificates/keys')).json();
  return {
    certificateKeys: keys.keys.map((jwk: { kid: string }) => ({ id: jwk.kid, publicKey: createPublicKey({ key: jwk as never, format: 'jwk' }) })),
    ledgerKeys: [(await get('/api/v1/ledger/key')).body.trim()],
    pdfSigningCertificates: keys.pdf_signing_certificates.map((c: { x5c: string[] }) => new Uint8Array(Buffer.from(c.x5c[0]!, 'base64'))),
  };
}

let certificateId: string;
let publicId: string;
let evidenceId: string;
let pdf: Buffer;
let bundle: Record<string, any>;

describe('issue and read', () => {
  test('issueCertificate in the caller\'s transaction: row, JWS, ledger entry, webhook; again for the same evidence: the same certificate', async () => {
    const input = erasureReportInput(partner.id);
    evidenceId = input.evidenceId;
    const issued = await issueTestCertificate(t, clock, input);
    assert.match(issued.certificateId, /^crt_[0-9a-z]{26}$/);
    assert.match(issued.publicId, /^[0-7][0-9a-hjkmnp-tv-z]{25}$/);
    assert.equal(issued.status, 'CERTIFIED_NO_ANCHOR');
    ({ certificateId, publicId } = issued);
    assert.ok(!issued.certificateId.endsWith(issued.publicId.slice(1)), 'the public id is not the internal one');
    assert.deepEqual(await issueTestCertificate(t, clock, input), issued);

    // A rolled-back transaction leaves nothing: no row, no ledger entry.
    const rolledBack = erasureReportInput(partner.id);
    await assert.rejects(
      inTransaction(t.database.pool, async (tx) => {
        await issueCertificate(tx, certificateIssuerDeps({ platformKeys: t.platformKeys, clock, publicUrl: TEST_PUBLIC_URL }), rolledBack);
        throw new Error('the evidence transaction failed');
      }),
      /evidence transaction failed/,
    );
    assert.equal((await t.database.pool.query('SELECT 1 FROM certificates WHERE evidence_id = $1', [rolledBack.evidenceId])).rowCount, 0);

    // Input no certificate may carry (the caller's validation let it through) fails the caller's transaction.
    const input2 = erasureReportInput(partner.id);
    const tooLong = { ...input2, report: { ...input2.report!, device: { ...input2.report!.device, serial: 'x'.repeat(2000) } } };
    await assert.rejects(issueTestCertificate(t, clock, tooLong), /report\.device\.serial/);
    await assert.rejects(issueTestCertificate(t, clock, erasureReportInput('cli_00000000000000000000000000')), /no partner/);

    const response = await get(`/api/v1/certificates/${certificateId}`, partner.api_key);
    assert.equal(response.statusCode, 200, response.body);
    const certificate = response.json();
    assert.equal(certificate.public_id, publicId);
    assert.equal(certificate.evidence_id, evidenceId);
    assert.equal(certificate.status, 'CERTIFIED_NO_ANCHOR');
    assert.equal(certificate.verify_url, `${TEST_PUBLIC_URL}/verify/${publicId}`);
    assert.equal(certificate.receipt_url, `/api/v1/receipts/${certificateId}`);
    assert.equal(certificate.certificate.subject.display_name, 'Acme Recycling');
    assert.equal(certificate.certificate.document.sha256, input.document.sha256);
    assert.equal(certificate.certificate.report.method, 'purge');
    assert.deepEqual(certificate.certificate.ledger, { kind: 'certificate', public_id: publicId });
    const stored = (await t.database.pool.query('SELECT body FROM certificates WHERE id = $1', [certificateId])).rows[0].body;
    assert.equal(Buffer.from(certificate.jws.split('.')[1], 'base64url').toString(), stored, 'the JWS payload is the stored canonical body');
    // What the evidence module shows with the evidence: the same resource, for its owner only.
    const lookup = { db: t.database.db, publicUrl: TEST_PUBLIC_URL };
    assert.deepEqual(await findCertificateForEvidence(lookup, partner.id, evidenceId), certificate);
    assert.equal(await findCertificateForEvidence(lookup, other.id, evidenceId), undefined);
    const checked = verifyCertificateBundle(JSON.stringify({ certificate: certificate.certificate, jws: certificate.jws, receipt: null }), { certificateKeys: (await trust()).certificateKeys });
    assert.equal(checked.checks.certificate_signature, 'pass', JSON.stringify(checked.failures));

    const deliveries = (await get('/api/v1/webhooks/deliveries', partner.api_key)).json().data;
    const issuedEvent = deliveries.find((delivery: { event_type: string }) => delivery.event_type === 'certificate.issued');
    assert.deepEqual(issuedEvent.payload, {
      event: 'certificate.issued', certificate_id: certificateId, public_id: publicId, evidence_id: evidenceId, status: 'CERTIFIED_NO_ANCHOR',
      document_sha256: input.document.sha256, verify_url: certificate.verify_url, ts: certificate.issued_at,
    });
  });

  test('receipt, PDF and JSON bundle: 202 until a checkpoint covers the entry, then ready; the PDF is kept', async () => {
    for (const url of [`/api/v1/receipts/${certificateId}`, `/api/v1/certificates/${certificateId}/certificate.pdf`, `/api/v1/certificates/${certificateId}/certificate.json`]) {
      const waiting = await get(url, partner.api_key);
      assert.equal(waiting.statusCode, 202, `${url}: ${waiting.body}`);
      assert.ok(Number(waiting.headers['retry-after']) >= 1);
      assert.equal(waiting.json().waiting_for, 'sequencing');
    }
    await checkpoint();

    const receipt = await get(`/api/v1/receipts/${certificateId}`, partner.api_key);
    assert.equal(receipt.statusCode, 200, receipt.body);
    const leaf = JSON.parse(Buffer.from(/^extra (\S+)$/m.exec(receipt.body)![1]!, 'base64').toString());
    assert.equal(leaf.kind, 'certificate');
    assert.equal(leaf.public_id, publicId, 'the ledger names the certificate by its public id');
    assert.equal(leaf.status, 'certified');

    const first = await get(`/api/v1/certificates/${certificateId}/certificate.pdf`, partner.api_key);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['content-type'], 'application/pdf');
    pdf = first.rawPayload;
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const again = await get(`/api/v1/certificates/${certificateId}/certificate.pdf`, partner.api_key);
    assert.ok(again.rawPayload.equals(pdf), 'rendered once, then served as stored');
    const checked = await verifyCertificatePdf(pdf, await trust());
    assert.deepEqual(checked.checks, { pdf_signature: 'pass', certificate_signature: 'pass', ledger_receipt: 'pass', anchor: 'not_applicable' }, JSON.stringify(checked.failures));
    assert.equal(checked.status, 'valid');

    const json = await get(`/api/v1/certificates/${certificateId}/certificate.json`, partner.api_key);
    assert.equal(json.statusCode, 200, json.body);
    bundle = json.json();
    assert.equal(bundle.receipt, receipt.body);
    const offline = verifyCertificateBundle(json.body, await trust());
    assert.deepEqual(offline.checks, { certificate_signature: 'pass', ledger_receipt: 'pass', anchor: 'not_applicable' });
  });

  test('the downloaded PDF and JSON pass `veridity verify-certificate` offline with the published keys', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'veridity-certificates-'));
    try {
      const keys = (await get('/api/v1/certificates/keys')).json();
      const file = (name: string) => path.join(scratch, name);
      await Promise.all([
        writeFile(file('certificate.pdf'), pdf),
        writeFile(file('certificate.json'), JSON.stringify(bundle)),
        writeFile(file('jwks.json'), JSON.stringify(keys)),
        writeFile(file('pdf-signing.pem'), keys.pdf_signing_certificates[0].pem),
      ]);
      const ledgerKey = (await get('/api/v1/ledger/key')).body.trim();
      const env = cleanEnv({ VERIDITY_DATA_DIR: file('no-data') });
      for (const target of ['certificate.pdf', 'certificate.json']) {
        const checked = await runToEnd(['verify-certificate', file(target), '--key', file('jwks.json'), '--ledger-key', ledgerKey, '--pdf-cert', file('pdf-signing.pem')], env);
        assert.equal(checked.code, 0, `${target}: ${checked.output}`);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test('listing: newest first, paged, filtered by status; only your own', async () => {
    const second = await issueTestCertificate(t, clock, erasureReportInput(partner.id, { report: null, document: { sha256: 'ab'.repeat(32), mediaType: 'application/octet-stream', schema: null } }));
    await issueTestCertificate(t, clock, erasureReportInput(other.id));
    const page = await get('/api/v1/certificates?limit=1', partner.api_key);
    assert.equal(page.statusCode, 200, page.body);
    assert.deepEqual(page.json().data.map((c: { id: string }) => c.id), [second.certificateId]);
    assert.equal(page.json().data[0].certificate.report, null);
    const next = await get(`/api/v1/certificates?limit=1&cursor=${page.json().next_cursor}`, partner.api_key);
    assert.deepEqual(next.json().data.map((c: { id: string }) => c.id), [certificateId]);
    assert.equal(next.json().next_cursor, null);
    assert.equal((await get('/api/v1/certificates?status=REVOKED', partner.api_key)).json().data.length, 0);
    assert.equal((await get('/api/v1/certificates', other.api_key)).json().data.length, 1);
  });

  test("another partner's certificate is 404 on every route, like an unknown one", async () => {
    for (const suffix of ['', '/certificate.pdf', '/certificate.json']) {
      assert.equal((await get(`/api/v1/certificates/${certificateId}${suffix}`, other.api_key)).statusCode, 404);
    }
    assert.equal((await get(`/api/v1/receipts/${certificateId}`, other.api_key)).statusCode, 404);
    assert.equal((await post(`/api/v1/certificates/${certificateId}/revoke`, { reason: 'not mine' }, {}, other.api_key)).statusCode, 404);
    assert.equal((await get('/api/v1/certificates/crt_00000000000000000000000000', partner.api_key)).statusCode, 404);
    assert.equal((await get(`/api/v1/certificates/${certificateId}`)).statusCode, 401);
    const unscoped = await createPartner(t, { name: 'Bank', scopes: ['age_over_18'] });
    assert.equal((await get(`/api/v1/certificates/${certificateId}`, unscoped.api_key)).statusCode, 403);
  });
});

describe('public', () => {
  test('keys: the certificates JWK Set and the PDF-signing certificate', async () => {
    const response = await get('/api/v1/certificates/keys');
    assert.equal(response.statusCode, 200);
    const keys = response.json();
    assert.equal(keys.keys.length, 1);
    assert.equal(keys.keys[0].alg, 'EdDSA');
    assert.equal(keys.keys[0].kid, JSON.parse(Buffer.from(bundle.jws.split('.')[0], 'base64url').toString()).kid);
    assert.equal(keys.pdf_signing_certificates.length, 1);
    assert.match(keys.pdf_signing_certificates[0].pem, /^-----BEGIN CERTIFICATE-----\n/);
    assert.equal(keys.pdf_signing_certificates[0].alg, 'ES256');
  });

  test('the verify page the QR code opens: valid, with the summary, signer and ledger inclusion; nothing internal; a strict CSP', async () => {
    const page = await get(`/verify/${publicId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.body, /<h1>Valid<\/h1>/);
    assert.match(page.body, new RegExp(bundle.certificate.document.sha256));
    assert.match(page.body, /CN=Erasure station 7,O=Acme Recycling/);
    assert.match(page.body, /entry \d+, included in the signed checkpoint of tree size \d+/);
    assert.match(page.body, new RegExp(`href="/api/v1/public/certificates/${publicId}/receipt"`));
    assert.doesNotMatch(page.body, /<script/i);
    assertNoInternalIds(page, [certificateId, evidenceId, partner.id]);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /script-src|unsafe/);

    for (const unknown of ['0000000000000000000000000a', 'not-an-id']) {
      const missing = await get(`/verify/${unknown}`);
      assert.equal(missing.statusCode, 404);
      assert.match(missing.body, /<h1>Unknown certificate<\/h1>/);
    }
  });

  test('public JSON and receipt by public id, without internal ids', async () => {
    const response = await get(`/api/v1/public/certificates/${publicId}`);
    assert.equal(response.statusCode, 200, response.body);
    const view = response.json();
    assert.equal(view.status, 'valid');
    assert.equal(view.jws, bundle.jws);
    assert.equal(typeof view.ledger.index, 'number');
    assertNoInternalIds(response, [certificateId, evidenceId, partner.id]);
    const receipt = await get(view.ledger.receipt_url);
    assert.equal(receipt.statusCode, 200);
    assert.equal(receipt.body, bundle.receipt);
    assert.equal((await get('/api/v1/public/certificates/0000000000000000000000000a')).statusCode, 404);
    assert.equal((await get('/api/v1/public/certificates/crt_bad')).statusCode, 400);
  });

  test('POST verify: the genuine PDF and JSON pass every check; tampered ones fail the check they break', async () => {
    const genuine = await verifyDocument(pdf, 'application/pdf');
    assert.equal(genuine.statusCode, 200, genuine.body);
    assert.deepEqual(genuine.json().checks, { platform_signature: 'pass', ledger_inclusion: 'pass', not_revoked: 'pass', pdf_unmodified: 'pass', anchor: 'not_applicable' });
    assert.equal(genuine.json().valid, true);
    assert.equal(genuine.json().status, 'valid');
    assertNoInternalIds(genuine, [certificateId, evidenceId, partner.id]);

    const appended = Buffer.concat([pdf, Buffer.from('\n% appended after signing\n')]);
    // One byte changed inside the signed range (the page's text), the file otherwise intact.
    const flipped = Buffer.from(pdf);
    const at = flipped.indexOf('/Type /Page');
    assert.ok(at > 0);
    flipped[at + 7] = 'X'.charCodeAt(0);
    for (const [name, tampered] of [['appended', appended], ['flipped', flipped]] as const) {
      const result = await verifyDocument(tampered, 'application/pdf');
      assert.equal(result.statusCode, 200, result.body);
      assert.equal(result.json().valid, false, name);
      assert.equal(result.json().checks.pdf_unmodified, 'fail', `${name}: ${result.body}`);
    }

    const json = await verifyDocument(bundle, 'application/json');
    assert.deepEqual(json.json().checks, { platform_signature: 'pass', ledger_inclusion: 'pass', not_revoked: 'pass', pdf_unmodified: 'not_applicable', anchor: 'not_applicable' });
    // A bare JWS (no receipt) is checked against the platform's own receipt.
    const bare = await verifyDocument(JSON.stringify(bundle.jws), 'application/json');
    assert.equal(bare.json().valid, true, bare.body);
    const forged = await verifyDocument({ ...bundle, certificate: { ...bundle.certificate, subject: { display_name: 'Someone else' } } }, 'application/json');
    assert.equal(forged.json().checks.platform_signature, 'fail');
    assert.equal(forged.json().valid, false);
    const foreignKey = bundle.jws.replace(/\.[^.]+$/, `.${randomBytes(64).toString('base64url')}`);
    assert.equal((await verifyDocument({ jws: foreignKey }, 'application/json')).json().checks.platform_signature, 'fail');

    assert.equal((await verifyDocument({ nothing: true }, 'application/json')).statusCode, 400);
    assert.equal((await verifyDocument(Buffer.from('not a pdf'), 'application/pdf')).json().checks.pdf_unmodified, 'fail');
    assert.equal((await verifyDocument('hello', 'text/plain')).statusCode, 415);
  });
});

describe('revocation', () => {
  test('revoke: once, logged, announced; the page, the public JSON, the checks and the next PDF say revoked', async () => {
    const response = await post(`/api/v1/certificates/${certificateId}/revoke`, { reason: 'wrong device serial' }, {}, partner.api_key);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().status, 'REVOKED');
    assert.equal(response.json().revocation_reason, 'wrong device serial');
    const revokedAt = response.json().revoked_at;
    clock.advance(60_000);
    const again = await post(`/api/v1/certificates/${certificateId}/revoke`, { reason: 'another reason' }, {}, partner.api_key);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().revoked_at, revokedAt, 'revoking again changes nothing');
    assert.equal(again.json().revocation_reason, 'wrong device serial');

    const events = (await get('/api/v1/webhooks/deliveries', partner.api_key)).json().data.filter((d: { event_type: string }) => d.event_type === 'certificate.revoked');
    assert.equal(events.length, 1);
    assert.equal(events[0].payload.reason, 'wrong device serial');

    const page = await get(`/verify/${publicId}`);
    assert.match(page.body, /<h1>Revoked<\/h1>/);
    assert.doesNotMatch(page.body, /wrong device serial/, 'the reason is the partner\'s');
    const view = (await get(`/api/v1/public/certificates/${publicId}`)).json();
    assert.equal(view.status, 'revoked');
    assert.equal(view.revoked_at, revokedAt);

    const old = (await verifyDocument(pdf, 'application/pdf')).json();
    assert.equal(old.valid, false);
    assert.equal(old.status, 'revoked');
    assert.deepEqual(old.checks, { platform_signature: 'pass', ledger_inclusion: 'pass', not_revoked: 'fail', pdf_unmodified: 'pass', anchor: 'not_applicable' });

    const renewed = await get(`/api/v1/certificates/${certificateId}/certificate.pdf`, partner.api_key);
    assert.equal(renewed.statusCode, 200);
    assert.ok(!renewed.rawPayload.equals(pdf), 'rendered again');
    assert.equal((await verifyCertificatePdf(renewed.rawPayload, await trust())).status, 'revoked');
    assert.equal((await get('/api/v1/certificates?status=REVOKED', partner.api_key)).json().data.length, 1);
  });

  test('the ledger audit matches every certificate and revocation entry with its row, and notices a revocation undone in the table', async () => {
    await checkpoint();
    const clean = await auditLedger({ pool: t.database.pool, outcomeSources: OUTCOME_SOURCES });
    assert.equal(clean.ok, true, JSON.stringify(clean.problems));
    assert.ok(clean.outcomesChecked >= 4);
    assert.deepEqual(clean.uncheckedKinds, {});

    await t.database.pool.query(`UPDATE certificates SET status = 'CERTIFIED_NO_ANCHOR', revoked_at = NULL, revocation_reason = NULL WHERE id = $1`, [certificateId]);
    await t.database.pool.query(`UPDATE certificates SET document_sha256 = $2 WHERE id <> $1`, [certificateId, 'cd'.repeat(32)]);
    const tampered = await auditLedger({ pool: t.database.pool, outcomeSources: OUTCOME_SOURCES });
    assert.equal(tampered.ok, false);
    const codes = tampered.problems.map((problem) => problem.code);
    assert.ok(codes.includes('OUTCOME_MISSING'), JSON.stringify(tampered.problems));
    assert.ok(codes.includes('OUTCOME_MISMATCH'), JSON.stringify(tampered.problems));
  });
});
