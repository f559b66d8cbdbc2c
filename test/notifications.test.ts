/**
 * E-mail notifications end to end: partners set their address through HTTP, submit evidence, and
 * the worker kinds as the CLI wires them (`evidence` with the notifier, `notifications`) send the
 * e-mails to a real SMTP server on a loopback port: the certificate with its signed PDF attached
 * (the same bytes the API serves), a rejection with its code and what to fix, a 4xx retried, a
 * dead letter after the last attempt and its redrive; without SMTP_URL nothing is queued.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import client from 'prom-client';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { createLogger } from '#platform/logger.ts';
import type { WorkerKind } from '#platform/queue/worker-kind.ts';
import { startLedgerSequencer, type LedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { workerKinds, type WorkerRuntime } from '#src/cli/worker.ts';
import { TEST_PUBLIC_URL } from './support/issued-certificates.ts';
import { mimeHeaders, mimeParts, startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { manualClock } from './support/webhook-harness.ts';

const FIXTURES = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures');
const fixture = (name: string) => readFile(path.join(FIXTURES, name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const SMTP_PASSWORD = 'pa55-w0rd-never-logged';

const encryptionKey = randomBytes(32);
const clock = manualClock();
let t: TestApp;
let smtp: SmtpReceiver;
let sequencer: LedgerSequencer;
const logLines: string[] = [];

before(async () => {
  t = await createTestApp({ encryptionKey, clock });
  smtp = await startSmtpReceiver();
  sequencer = startLedgerSequencer({ pool: t.database.pool, clock, log: createLogger('silent'), platformKeys: t.platformKeys, checkpointSeconds: 5, background: false });
});
after(async () => {
  await sequencer.stop();
  await smtp.close();
  await t.close();
});

/** The worker kinds exactly as `veridity worker` builds them, with this SMTP configuration. */
function kinds(options: { smtpUrl?: string; attachmentMaxBytes?: number } = {}): { evidence: WorkerKind; notifications: WorkerKind } {
  const log = createLogger('info', new Writable({ write(chunk, _enc, done) { logLines.push(chunk.toString()); done(); } }));
  const runtime: WorkerRuntime = {
    config: {
      webhookAllowPrivateNetworks: false,
      webhookConcurrency: 1,
      ledgerCheckpointSeconds: 5,
      pccsUrl: undefined,
      teeAcceptedTcbStatuses: ['UpToDate'],
      teeWorkerConcurrency: 1,
      evidenceWorkerConcurrency: 1,
      evidenceRetestLimit: 5,
      evidenceRetryBatchSize: 100,
      evidenceRetentionDays: 365,
      evidenceRetentionAnonymise: true,
      publicUrl: TEST_PUBLIC_URL,
      smtp: options.smtpUrl ? { url: options.smtpUrl, from: 'Veridity <noreply@veridity.test>', timeoutMs: 5_000 } : undefined,
      notificationAttachmentMaxBytes: options.attachmentMaxBytes ?? 5 * 1024 * 1024,
      notificationConcurrency: 2,
      anchor: { adapter: 'noop', confirmations: 12, intervalSeconds: 600 },
    },
    log,
    clock,
    secretBox: createSecretBox([encryptionKey]),
    databaseUrl: t.database.url,
    storage: t.storage,
    registry: new client.Registry(),
  };
  const all = workerKinds(() => ({ ...runtime, queue: () => Promise.reject(new Error('one pass runs without pg-boss')) }));
  return { evidence: all.find((kind) => kind.name === 'evidence')!, notifications: all.find((kind) => kind.name === 'notifications')! };
}

const smtpUrl = () => `smtp://veridity:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`;

async function partnerWithAddress(name: string, email: string, anchors = true): Promise<{ key: string; id: string }> {
  const partner = await createPartner(t, { name, scopes: ['evidence'] });
  const headers = { 'x-api-key': partner.api_key };
  if (anchors) {
    const response = await t.app.inject({ method: 'PUT', url: '/api/v1/evidence/trust-anchors', headers: { ...headers, 'content-type': 'application/x-pem-file' }, payload: await fixture('ec-root-ca.pem') });
    assert.equal(response.statusCode, 200, response.body);
  }
  const settings = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/settings', headers, payload: { email } });
  assert.equal(settings.statusCode, 200, settings.body);
  return { key: partner.api_key, id: partner.id };
}

async function submit(key: string, file = 'ec-embedded.der'): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/proofs', headers: { 'x-api-key': key, 'content-type': 'application/pkcs7-mime' }, payload: await fixture(file) });
  assert.equal(response.statusCode, 202, response.body);
  return response.json().id;
}

async function notifications(key: string): Promise<Record<string, any>[]> {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/notifications', headers: { 'x-api-key': key } });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().data;
}

/** A checkpoint covering everything logged so far (the PDF embeds its receipt). */
async function checkpoint(): Promise<void> {
  clock.advance(5_000);
  await sequencer.runOnce();
}

const mailTo = (address: string) => smtp.received.filter((mail) => mail.to.includes(address));
const textOf = (raw: Buffer) => mimeParts(raw).find((part) => part.headers['content-type']?.startsWith('text/plain'))!.body.toString('utf8');

describe('settings', () => {
  test('PUT takes one address and the events (default both); malformed addresses and unknown events are 400; DELETE removes it', async () => {
    const partner = await createPartner(t, { name: 'Settings', scopes: ['evidence'] });
    const headers = { 'x-api-key': partner.api_key };
    const empty = await t.app.inject({ method: 'GET', url: '/api/v1/notifications/settings', headers });
    assert.deepEqual(empty.json(), { email: null, events: [], enabled: false });
    for (const email of ['not-an-address', 'a@b', 'two@a.example, three@b.example', 'Name <a@b.example>', 'a@b.example\r\nBcc: x@y.example', '.a@b.example', `${'a'.repeat(65)}@b.example`, 'a b@c.example']) {
      const refused = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/settings', headers, payload: { email } });
      assert.equal(refused.statusCode, 400, `${JSON.stringify(email)}: ${refused.body}`);
      assert.equal(refused.json().error_code, 'VALIDATION_FAILED');
    }
    const unknownEvent = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/settings', headers, payload: { email: 'ops@acme.example', events: ['proof.verified'] } });
    assert.equal(unknownEvent.statusCode, 400);
    const set = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/settings', headers, payload: { email: 'ops@acme.example' } });
    assert.deepEqual(set.json(), { email: 'ops@acme.example', events: ['certificate.issued', 'evidence.rejected'], enabled: false });
    const narrowed = await t.app.inject({ method: 'PUT', url: '/api/v1/notifications/settings', headers, payload: { email: 'ops+x@acme.example', events: ['evidence.rejected'] } });
    assert.deepEqual(narrowed.json(), { email: 'ops+x@acme.example', events: ['evidence.rejected'], enabled: false });
    const removed = await t.app.inject({ method: 'DELETE', url: '/api/v1/notifications/settings', headers });
    assert.deepEqual(removed.json(), { email: null, events: [], enabled: false });
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/v1/notifications/settings', headers })).statusCode, 404);
  });
});

describe('e-mails', () => {
  test('a certified submission: the e-mail waits for the PDF, then carries it attached (the same bytes the API serves), the document hash and the verify URL', async () => {
    const { evidence, notifications: sender } = kinds({ smtpUrl: smtpUrl() });
    const partner = await partnerWithAddress('Certified Recycler', 'certs@recycler.example');
    const id = await submit(partner.key);
    assert.equal((await evidence.runOnce()).certified, 1);
    const [queued] = await notifications(partner.key);
    assert.equal(queued!.event_type, 'certificate.issued');
    assert.equal(queued!.status, 'pending');

    // Before a checkpoint the PDF cannot exist (it embeds the receipt): the e-mail waits, no attempt.
    assert.deepEqual(await sender.runOnce(), { claimed: 1, sent: 0, retrying: 0, dead: 0, waiting: 1 });
    assert.equal(mailTo('certs@recycler.example').length, 0);
    await checkpoint();
    assert.equal((await sender.runOnce()).sent, 1);

    const [mail] = mailTo('certs@recycler.example');
    assert.ok(mail);
    assert.equal(mail.from, 'noreply@veridity.test');
    assert.equal(mail.auth, 'veridity', 'authenticated with the SMTP_URL credentials');
    const headers = mimeHeaders(mail.raw);
    assert.equal(headers['message-id'], `<${queued!.id}@veridity>`);
    const proof = (await t.app.inject({ method: 'GET', url: `/api/v1/proofs/${id}`, headers: { 'x-api-key': partner.key } })).json();
    assert.match(headers.subject!, new RegExp(proof.document.sha256.slice(0, 16)));
    const text = textOf(mail.raw);
    assert.match(text, new RegExp(`Document SHA-256: +${proof.document.sha256}`));
    assert.ok(text.includes(`${TEST_PUBLIC_URL}/verify/${proof.certificate.public_id}`), text);
    assert.match(text, /Status: +CERTIFIED_NO_ANCHOR/);
    const attachment = mimeParts(mail.raw).find((part) => part.headers['content-type']?.startsWith('application/pdf'));
    assert.ok(attachment, 'the PDF is attached');
    assert.match(attachment.headers['content-disposition']!, new RegExp(`certificate-${proof.certificate.public_id}\\.pdf`));
    const download = await t.app.inject({ method: 'GET', url: `/api/v1/certificates/${proof.certificate.id}/certificate.pdf`, headers: { 'x-api-key': partner.key } });
    assert.equal(download.statusCode, 200);
    assert.equal(sha256(attachment.body), sha256(download.rawPayload), 'the attached PDF is the signed PDF the API serves');

    const [sent] = await notifications(partner.key);
    assert.equal(sent!.status, 'sent');
    assert.deepEqual(sent!.attempts.map((a: any) => [a.attempt, a.outcome, a.smtp_code, a.pdf, a.recipient]), [[1, 'sent', 250, 'attached', 'certs@recycler.example']]);
  });

  test('a PDF over NOTIFICATION_ATTACHMENT_MAX_BYTES is linked, not attached', async () => {
    const { evidence, notifications: sender } = kinds({ smtpUrl: smtpUrl(), attachmentMaxBytes: 1024 });
    const partner = await partnerWithAddress('Big PDF Recycler', 'big@recycler.example');
    const id = await submit(partner.key);
    await evidence.runOnce();
    await checkpoint();
    assert.equal((await sender.runOnce()).sent, 1);
    const [mail] = mailTo('big@recycler.example');
    const certificateId = (await t.app.inject({ method: 'GET', url: `/api/v1/proofs/${id}`, headers: { 'x-api-key': partner.key } })).json().certificate.id;
    assert.equal(mimeParts(mail!.raw).filter((part) => part.headers['content-type']?.startsWith('application/pdf')).length, 0);
    assert.ok(textOf(mail!.raw).includes(`${TEST_PUBLIC_URL}/api/v1/certificates/${certificateId}/certificate.pdf`));
    assert.equal((await notifications(partner.key))[0]!.attempts[0].pdf, 'linked');
  });

  test('a rejected submission: the e-mail names the code, what it means and what to fix', async () => {
    const { evidence, notifications: sender } = kinds({ smtpUrl: smtpUrl() });
    // No trust anchors: the signer chains to nothing this partner trusts.
    const partner = await partnerWithAddress('Untrusting Recycler', 'rejects@recycler.example', false);
    const id = await submit(partner.key);
    assert.equal((await evidence.runOnce()).rejected, 1);
    assert.equal((await sender.runOnce()).sent, 1);
    const [mail] = mailTo('rejects@recycler.example');
    assert.equal(mimeHeaders(mail!.raw).subject, 'Evidence rejected: CHAIN_UNTRUSTED');
    const text = textOf(mail!.raw);
    assert.match(text, /Error code: +CHAIN_UNTRUSTED/);
    assert.match(text, /no valid path to a trust anchor/);
    assert.match(text, /What to fix:\r?\n +Upload the CA that issued the signer certificate/);
    assert.ok(text.includes(id));
    assert.equal(mimeParts(mail!.raw).length, 1, 'no attachment');
  });

  test('a 4xx is retried on the schedule: a failed attempt with its reply code, then the accepted one', async () => {
    const { evidence, notifications: sender } = kinds({ smtpUrl: smtpUrl() });
    const partner = await partnerWithAddress('Busy Mailbox', 'busy@recycler.example', false);
    await submit(partner.key);
    await evidence.runOnce();
    smtp.refuseNext(1, 451);
    assert.deepEqual(await sender.runOnce(), { claimed: 1, sent: 0, retrying: 1, dead: 0, waiting: 0 });
    const [retrying] = await notifications(partner.key);
    assert.equal(retrying!.status, 'pending');
    assert.deepEqual(retrying!.attempts.map((a: any) => [a.outcome, a.smtp_code, a.error_code]), [['failed', 451, 'EENVELOPE']]);
    assert.ok(Date.parse(retrying!.next_attempt_at) >= clock.now().getTime() + 50_000, 'next try about a minute later');
    assert.equal((await sender.runOnce()).claimed, 0, 'not due before its time');
    clock.advance(2 * 60_000);
    assert.equal((await sender.runOnce()).sent, 1);
    const [sent] = await notifications(partner.key);
    assert.deepEqual(sent!.attempts.map((a: any) => [a.attempt, a.outcome, a.smtp_code]), [[1, 'failed', 451], [2, 'sent', 250]]);
    assert.equal(mailTo('busy@recycler.example').length, 1);
  });

  test('dead after the last attempt, listed in the dead letters, redriven by the operator and then delivered', async () => {
    const { evidence, notifications: sender } = kinds({ smtpUrl: smtpUrl() });
    const partner = await partnerWithAddress('Down Mailbox', 'down@recycler.example', false);
    await submit(partner.key);
    await evidence.runOnce();
    smtp.refuseNext(8, 451);
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const report = await sender.runOnce();
      assert.equal(report.claimed, 1, `attempt ${attempt}`);
      clock.advance(7 * 60 * 60_000);
    }
    const [dead] = await notifications(partner.key);
    assert.equal(dead!.status, 'dead');
    assert.equal(dead!.attempts.length, 8);
    assert.ok(dead!.attempts.every((a: any) => a.outcome === 'failed' && a.smtp_code === 451));
    assert.equal(mailTo('down@recycler.example').length, 0);

    const letters = await t.admin('GET', `/api/admin/notifications/dead-letters?client_id=${partner.id}`);
    assert.equal(letters.statusCode, 200, letters.body);
    assert.deepEqual(letters.json().data.map((n: any) => n.id), [dead!.id]);
    const redrive = await t.admin('POST', '/api/admin/notifications/dead-letters/redrive', { notification_ids: [dead!.id] });
    assert.deepEqual(redrive.json(), { redriven: 1 });
    assert.equal((await sender.runOnce()).sent, 1);
    const [sent] = await notifications(partner.key);
    assert.equal(sent!.status, 'sent');
    assert.deepEqual(sent!.attempts.at(-1), { ...sent!.attempts.at(-1), attempt: 9, outcome: 'sent', smtp_code: 250 });
    assert.equal(mailTo('down@recycler.example').length, 1);

    // The partner's own resend: the same Message-ID again, a fresh round.
    const resend = await t.app.inject({ method: 'POST', url: `/api/v1/notifications/${sent!.id}/resend`, headers: { 'x-api-key': partner.key } });
    assert.equal(resend.statusCode, 202, resend.body);
    assert.equal(resend.json().status, 'pending');
    assert.equal((await sender.runOnce()).sent, 1);
    const [first, second] = mailTo('down@recycler.example');
    assert.equal(mimeHeaders(first!.raw)['message-id'], mimeHeaders(second!.raw)['message-id']);
  });

  test('a permanent refusal (5xx) is dead at once; a partner without an address any more: dead without an attempt', async () => {
    const { evidence, notifications: sender } = kinds({ smtpUrl: smtpUrl() });
    const partner = await partnerWithAddress('Gone Mailbox', 'gone@recycler.example', false);
    await submit(partner.key);
    await evidence.runOnce();
    smtp.refuseNext(1, 550);
    assert.equal((await sender.runOnce()).dead, 1);
    const [refused] = await notifications(partner.key);
    assert.deepEqual([refused!.status, refused!.attempts.length, refused!.attempts[0].smtp_code], ['dead', 1, 550]);

    assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/v1/notifications/settings', headers: { 'x-api-key': partner.key } })).statusCode, 200);
    const resend = await t.app.inject({ method: 'POST', url: `/api/v1/notifications/${refused!.id}/resend`, headers: { 'x-api-key': partner.key } });
    assert.equal(resend.statusCode, 409);
    assert.equal(resend.json().reason, 'NO_ADDRESS');
    await t.admin('POST', '/api/admin/notifications/dead-letters/redrive', { client_id: partner.id });
    assert.equal((await sender.runOnce()).dead, 1);
    const [unsent] = await notifications(partner.key);
    assert.match(unsent!.last_error, /^NO_ADDRESS/);
    assert.equal(unsent!.attempts.length, 1, 'no attempt without an address');
  });

  test('the SMTP password never reaches the logs, also when the worker kind starts and fails', async () => {
    const { notifications: sender } = kinds({ smtpUrl: smtpUrl() });
    const running = await sender.start();
    assert.deepEqual(await running.stop({ timeoutMs: 10_000 }), { finished: true });
    const logs = logLines.join('');
    assert.match(logs, /notification e-mails go through this SMTP server/);
    assert.ok(!logs.includes(SMTP_PASSWORD), 'the SMTP password is in the logs');
    assert.ok(!t.logs().includes(SMTP_PASSWORD));
  });
});

describe('without SMTP_URL', () => {
  test('nothing is queued for a partner with an address, the notifications kind idles, and the evidence is still certified', async () => {
    const { evidence, notifications: sender } = kinds();
    const partner = await partnerWithAddress('No SMTP Recycler', 'nosmtp@recycler.example');
    await submit(partner.key);
    assert.equal((await evidence.runOnce()).certified, 1);
    assert.deepEqual(await notifications(partner.key), []);
    assert.deepEqual(await sender.runOnce(), {});
    const running = await sender.start();
    assert.deepEqual(await running.stop({ timeoutMs: 1_000 }), { finished: true });
  });
});
