/**
 * Issue 13's "Done when", end to end through real processes, as the README's evidence operations
 * walkthrough runs it: a new partner enrolls an agent with `veridity agent enroll`, the agent signs
 * and submits an erasure report with `veridity agent submit` to `veridity ingest` (its own process,
 * connected as the role veridity_ingest), serve's evidence worker certifies it, the certificate
 * PDF arrives by e-mail in a real SMTP server; the submission is then made two days old (its own
 * row, backdated: no clock switch in the server) and `WORKER_ONCE=true veridity worker maintenance`
 * purges its document under EVIDENCE_RETENTION_DAYS=1; the public page and `veridity
 * verify-certificate` on the e-mailed PDF still say valid.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { access, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { asIngestRole } from './support/ingest-role.ts';
import { cleanEnv, freePort, runToEnd, startProcess, waitFor, type Running } from './support/processes.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { mimeHeaders, mimeParts, startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.ts';

const REPORT = path.join(import.meta.dirname, '../src/modules/evidence/verification/fixtures/erasure-report.json');
const PUBLIC_URL = 'https://veridity.example';
const OPS_ADDRESS = 'ops@acme-recycling.example';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const encryptionKey = randomBytes(32).toString('hex');
let scratch: string;
let smtp: SmtpReceiver;
let serve: ServeProcess;
let ingest: Running | undefined;

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'veridity-evidence-operations-'));
  smtp = await startSmtpReceiver();
  serve = await startServe(scratch, {
    VERIDITY_ENCRYPTION_KEY: encryptionKey,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    SMTP_FROM: 'Veridity <noreply@veridity.example>',
    PUBLIC_URL,
    // Retention at its default here: only the one maintenance pass below runs at 1 day, so serve's
    // own hourly maintenance cannot purge first while the row is being backdated.
    EVIDENCE_WORKER_CONCURRENCY: '1',
  });
});
after(async () => {
  if (ingest) {
    ingest.child.kill('SIGTERM');
    await ingest.exited;
  }
  await serve?.stop();
  await smtp?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** The environment of a CLI process beside serve: its database, key and data folder (the object storage). */
const besideServe = (env: Record<string, string> = {}) =>
  cleanEnv({ DATABASE_URL: serve.database.url, VERIDITY_ENCRYPTION_KEY: encryptionKey, VERIDITY_DATA_DIR: path.join(scratch, 'data'), LOG_LEVEL: 'silent', ...env });

test('enroll, submit through the gateway, certificate by e-mail; after retention the page and verify-certificate still say valid', { timeout: 120_000 }, async () => {
  const file = (name: string) => path.join(scratch, name);

  // The operator creates the partner; it sets its notification address and makes an enrollment token.
  const admin = { authorization: `Bearer ${serve.adminToken}`, 'content-type': 'application/json' };
  const created = await fetch(`${serve.baseUrl}/api/admin/clients`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Acme Recycling', scopes: ['evidence'] }) });
  assert.equal(created.status, 201);
  const partner = { 'x-api-key': (await created.json()).api_key as string, 'content-type': 'application/json' };
  const settings = await fetch(`${serve.baseUrl}/api/v1/notifications/settings`, { method: 'PUT', headers: partner, body: JSON.stringify({ email: OPS_ADDRESS }) });
  assert.equal(settings.status, 200, await settings.text());
  const enrollment = await fetch(`${serve.baseUrl}/api/v1/evidence/enrollments`, { method: 'POST', headers: partner, body: JSON.stringify({ name: 'Station 7' }) });
  assert.equal(enrollment.status, 201);
  const token = (await enrollment.json()).token as string;
  assert.match(token, /^enr_/);

  // On the agent's machine: `veridity agent enroll` against serve.
  const station = file('station7');
  const enrolled = await runToEnd(['agent', 'enroll', '--url', serve.baseUrl, '--token', token, '--out', station], cleanEnv({}));
  assert.equal(enrolled.code, 0, enrolled.output);
  const agentId = /^enrolled (agt_[0-9a-z]{26}) /.exec(enrolled.stdout)?.[1];
  assert.ok(agentId, enrolled.stdout);

  // The gateway: its own process, as the role veridity_ingest, on serve's object storage.
  const port = await freePort();
  const gateway = `http://127.0.0.1:${port}`;
  ingest = startProcess(['ingest'], cleanEnv({ INGEST_DATABASE_URL: await asIngestRole(serve.database.url), PORT: String(port), VERIDITY_DATA_DIR: path.join(scratch, 'data') }));
  await waitFor(async () => (await fetch(`${gateway}/readyz`)).ok, 30_000, `ingest on ${gateway}\n${ingest.output()}`);

  // `veridity agent submit`: signed with the enrolled key, sent to the gateway.
  await copyFile(REPORT, file('report.json'));
  const submitted = await runToEnd(['agent', 'submit', '--dir', station, '--url', gateway, file('report.json')], cleanEnv({}));
  assert.equal(submitted.code, 0, submitted.output);
  const id = new RegExp(`^${file('report.json')}\\t(evd_[0-9a-z]{26})\\treceived$`, 'm').exec(submitted.stdout)?.[1];
  assert.ok(id, submitted.stdout);

  // serve's embedded evidence worker certifies it.
  let evidence: Record<string, any> = {};
  await waitFor(async () => {
    evidence = await (await fetch(`${serve.baseUrl}/api/v1/proofs/${id}`, { headers: partner })).json();
    return evidence.status === 'certified';
  }, 60_000, `certification of ${id}: ${JSON.stringify(evidence)}\n${serve.server.output().slice(-4000)}`);
  assert.equal(evidence.agent_id, agentId);
  const certificate = evidence.certificate as { id: string; public_id: string; pdf_url: string };

  // The certificate.issued e-mail, with the signed PDF attached: the same bytes the API serves.
  await waitFor(async () => smtp.received.some((mail) => mail.to.includes(OPS_ADDRESS)), 60_000, `the e-mail to ${OPS_ADDRESS}\n${serve.server.output().slice(-4000)}`);
  const mail = smtp.received.find((received) => received.to.includes(OPS_ADDRESS))!;
  assert.equal(mail.from, 'noreply@veridity.example');
  assert.match(mimeHeaders(mail.raw).subject!, /certif/i);
  const text = mimeParts(mail.raw).find((part) => part.headers['content-type']?.startsWith('text/plain'))!.body.toString('utf8');
  assert.ok(text.includes(`${PUBLIC_URL}/verify/${certificate.public_id}`), text);
  const attachment = mimeParts(mail.raw).find((part) => part.headers['content-type']?.startsWith('application/pdf'));
  assert.ok(attachment, 'the PDF is attached');
  await writeFile(file('certificate.pdf'), attachment.body);
  const download = await fetch(`${serve.baseUrl}${certificate.pdf_url}`, { headers: partner });
  assert.equal(download.status, 200);
  assert.equal(sha256(attachment.body), sha256(Buffer.from(await download.arrayBuffer())), 'the e-mailed PDF is the signed PDF the API serves');

  // Retention: the submission is made two days old, then one maintenance pass at EVIDENCE_RETENTION_DAYS=1.
  const { rows } = await serve.database.pool.query<{ object_key: string }>(`UPDATE evidence_submissions SET created_at = created_at - interval '2 days' WHERE id = $1 RETURNING object_key`, [id]);
  const der = path.join(scratch, 'data', 'objects', rows[0]!.object_key);
  await access(der);
  const maintenance = await runToEnd(['worker', 'maintenance'], besideServe({ WORKER_ONCE: 'true', EVIDENCE_RETENTION_DAYS: '1' }));
  assert.equal(maintenance.code, 0, maintenance.output);
  const counts = JSON.parse(maintenance.stdout).maintenance;
  assert.deepEqual([counts.evidence_purged, counts.evidence_objects_deleted], [1, 1], maintenance.stdout);
  await assert.rejects(access(der), { code: 'ENOENT' }, 'the stored DER is gone');
  const purged = await (await fetch(`${serve.baseUrl}/api/v1/proofs/${id}`, { headers: partner })).json();
  assert.ok(purged.evidence_purged_at, JSON.stringify(purged));
  assert.deepEqual([purged.status, purged.sha256, purged.certificate.id], ['certified', evidence.sha256, certificate.id]);

  // The public page still says valid.
  const page = await fetch(`${serve.baseUrl}/verify/${certificate.public_id}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<h1>Valid<\/h1>/);

  // Offline, on the e-mailed PDF, with the published keys pinned.
  await writeFile(file('certificate-keys.json'), await (await fetch(`${serve.baseUrl}/api/v1/certificates/keys`)).text());
  const ledgerKey = (await (await fetch(`${serve.baseUrl}/api/v1/ledger/key`)).text()).trim();
  const verified = await runToEnd(
    ['verify-certificate', file('certificate.pdf'), '--key', file('certificate-keys.json'), '--pdf-cert', file('certificate-keys.json'), '--ledger-key', ledgerKey],
    cleanEnv({ VERIDITY_DATA_DIR: file('no-data') }),
  );
  assert.equal(verified.code, 0, verified.output);
  assert.match(verified.stdout, /pdf_signature\s+pass/);
  assert.match(verified.stdout, /not_revoked\s+pass/);
  assert.ok(!ingest.output().includes((await readFile(path.join(station, 'credential'), 'utf8')).trim()), 'the gateway never logs the credential');
});
