import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { verifyWebhook } from '../sdk/webhooks.ts';
import { systemClock } from '#platform/clock.ts';
import { generateToken } from '#platform/crypto/tokens.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { signWebhook } from '#modules/webhooks/delivery/sign-webhook.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import { runWebhookWorkerOnce } from '#modules/webhooks/run-webhook-worker.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver } from './support/holder.ts';
import { cleanEnv, freePort, ROOT, runToEnd, startProcess, waitFor, type Running } from './support/processes.ts';
import { createWebhookHarness, type WebhookHarness } from './support/webhook-harness.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

let h: WebhookHarness;
let dataDir: string;
const receivers: Receiver[] = [];
const processes: Running[] = [];
before(async () => {
  h = await createWebhookHarness({ clock: systemClock, allowPrivateNetworks: true });
  dataDir = await mkdtemp(path.join(tmpdir(), 'veridity-workers-'));
});
after(async () => {
  for (const running of processes) if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await releaseProver();
  await h.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

/** What `veridity worker` and `serve` need to run on the test database. */
const env = (extra: Record<string, string> = {}) =>
  cleanEnv({
    DATABASE_URL: h.database.url,
    VERIDITY_ENCRYPTION_KEY: h.encryptionKeyHex,
    VERIDITY_DATA_DIR: dataDir,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'info',
    ...extra,
  });

async function startWorker(extra: Record<string, string>, kinds: string[] = ['webhooks']): Promise<Running> {
  const running = startProcess(['worker', ...kinds], env(extra));
  processes.push(running);
  await waitFor(async () => running.output().includes('"msg":"worker started"'), 30_000, `worker start\n${running.output()}`);
  return running;
}

async function enqueueEvents(clientId: string, count: number): Promise<string[]> {
  return inTransaction(h.database.pool, async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = await enqueueWebhookEvent(tx, { clientId, type: 'proof.verified', subjectId: `prf_${i}`, payload: { event: 'proof.verified', n: i } });
      ids.push(id!);
    }
    return ids;
  });
}

async function deliveredCount(clientId: string): Promise<number> {
  const { rows } = await h.database.pool.query("SELECT count(*)::int AS n FROM webhooks_outbox WHERE client_id = $1 AND status = 'delivered'", [clientId]);
  return rows[0].n;
}

async function stopGracefully(running: Running): Promise<void> {
  running.child.kill('SIGTERM');
  assert.equal(await running.exited, 0, `clean exit on SIGTERM\n${running.output()}`);
}

test('two worker processes on one database deliver each of 1,000 events exactly once', { timeout: 120_000 }, async () => {
  // The first 24 requests are held until all 24 are in flight at once. One process has at most
  // WEBHOOK_CONCURRENCY=16 in flight, so the gate opens only if both deliver concurrently.
  const GATE = 24;
  const held: http.ServerResponse[] = [];
  let open = false;
  const hook = await receiver((_request, response) => {
    if (open) return void response.writeHead(204).end();
    held.push(response);
    if (held.length >= GATE) {
      open = true;
      for (const waiting of held) waiting.writeHead(204).end();
    }
  });
  const partner = await h.createPartner({ webhook_url: hook.url });
  const workers = await Promise.all([startWorker({ WEBHOOK_CONCURRENCY: '16' }), startWorker({ WEBHOOK_CONCURRENCY: '16' })]);

  const ids = await enqueueEvents(partner.id, 1000);
  await waitFor(async () => (await deliveredCount(partner.id)) === 1000, 90_000, 'all 1,000 delivered');
  assert.ok(open, 'both workers had deliveries in flight at the same time');

  const counts = hook.countsById();
  assert.equal(counts.size, 1000);
  assert.deepEqual([...counts.keys()].sort(), [...ids].sort());
  assert.deepEqual([...new Set(counts.values())], [1], 'no event was sent twice');
  const attempts = await h.database.pool.query(
    'SELECT count(*)::int AS n FROM webhook_attempts a JOIN webhooks_outbox o ON o.id = a.delivery_id WHERE o.client_id = $1',
    [partner.id],
  );
  assert.equal(attempts.rows[0].n, 1000, 'one attempt row per event');
  for (const request of hook.received.slice(0, 5)) {
    assert.equal(verifyWebhook(request.body, request.headers, partner.webhook_secret).ok, true);
  }
  await Promise.all(workers.map(stopGracefully));
});

test('a worker killed with SIGKILL mid-delivery loses nothing: after a restart every event is delivered', { timeout: 120_000 }, async () => {
  let holding = true;
  const hook = await receiver((_request, response) => {
    if (!holding) response.writeHead(204).end();
  });
  const partner = await h.createPartner({ webhook_url: hook.url });
  const ids = await enqueueEvents(partner.id, 200);

  const doomed = await startWorker({ WEBHOOK_CONCURRENCY: '8' });
  await waitFor(async () => hook.inFlight() === 8, 30_000, 'eight deliveries in flight');
  const inFlightIds = new Set(hook.received.map((request) => String(request.headers['webhook-id'])));
  assert.equal(inFlightIds.size, 8);
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  holding = false;

  const successor = await startWorker({ WEBHOOK_CONCURRENCY: '8' });
  await waitFor(async () => (await deliveredCount(partner.id)) === 200, 60_000, 'all 200 delivered after the restart');
  const counts = hook.countsById();
  assert.deepEqual([...counts.keys()].sort(), [...ids].sort(), 'every event arrived');
  for (const [id, count] of counts) {
    // At-least-once: only what was in flight at the kill is sent again, with the same webhook-id.
    assert.equal(count, inFlightIds.has(id) ? 2 : 1, id);
  }
  const { rows } = await h.database.pool.query(
    'SELECT count(*)::int AS n FROM webhook_attempts a JOIN webhooks_outbox o ON o.id = a.delivery_id WHERE o.client_id = $1',
    [partner.id],
  );
  assert.equal(rows[0].n, 200, "the killed worker's unrecorded attempts rolled back with it");
  await stopGracefully(successor);
});

test('SIGTERM lets a delivery in flight finish and records it before the worker exits', { timeout: 60_000 }, async () => {
  let release: (() => void) | undefined;
  const hook = await receiver((_request, response) => {
    release = () => response.writeHead(200).end('late but fine');
  });
  const partner = await h.createPartner({ webhook_url: hook.url });
  const [id] = await enqueueEvents(partner.id, 1);
  const running = await startWorker({ WEBHOOK_CONCURRENCY: '1' });
  await waitFor(async () => hook.inFlight() === 1, 30_000, 'the delivery in flight');
  running.child.kill('SIGTERM');
  await waitFor(async () => running.output().includes('shutting down the worker'), 10_000, 'the worker to begin stopping');
  release!();
  assert.equal(await running.exited, 0, running.output());
  const { rows } = await h.database.pool.query('SELECT status FROM webhooks_outbox WHERE id = $1', [id]);
  assert.equal(rows[0].status, 'delivered');
});

test('serve runs the workers: a verification and a test event reach the partner signed, verifiable with the secret shown at creation', { timeout: 120_000 }, async () => {
  const hook = await receiver();
  const port = await freePort();
  const adminToken = generateToken('vat');
  const server = startProcess(['serve'], env({ PORT: String(port), VERIDITY_ADMIN_TOKEN: adminToken, VERIFIER_THREADS: '1' }));
  processes.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => server.output().includes('"msg":"Veridity is serving"'), 60_000, `serve\n${server.output()}`);

  const created = await fetch(`${base}/api/admin/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Served Bank', scopes: ['age_over_18'], webhook_url: hook.url }),
  });
  assert.equal(created.status, 201);
  const partner = (await created.json()) as { api_key: string; webhook_secret: string };
  const sent = await fetch(`${base}/api/v1/webhooks/test`, { method: 'POST', headers: { 'x-api-key': partner.api_key } });
  assert.equal(sent.status, 202);
  const { delivery_id: id } = (await sent.json()) as { delivery_id: string };

  await waitFor(async () => hook.received.length === 1, 30_000, 'the test event');
  const [request] = hook.received;
  assert.equal(request!.headers['webhook-id'], id);
  assert.deepEqual(verifyWebhook(request!.body, request!.headers, partner.webhook_secret), { ok: true, event: JSON.parse(request!.body.toString()) });
  await waitFor(async () => (await (await fetch(`${base}/metrics`)).text()).includes('veridity_webhook_attempts_total{outcome="delivered"} 1'), 10_000, 'delivery metrics');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /veridity_queue_jobs\{queue="webhooks\.purge-rotated-secrets",state="ready"\} 0/);
  assert.match(metrics, /veridity_webhook_delivery_delay_seconds_count 1/);

  // The new user's path: a verified proof announces itself within seconds.
  const issuer = await generateIssuerKey();
  const trusted = await fetch(`${base}/api/admin/issuers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Registry', public_key: issuer.publicKey, claim_types: ['age_over_18'] }),
  });
  assert.equal(trusted.status, 201, await trusted.text());
  const nonce = generateToken('n');
  const holder = await prove(await issueCredential(issuer, attributes()), 'age_over_18', { nonce, verifierDomain: 'bank.example', param: 18n });
  const verified = await fetch(`${base}/api/v1/verify`, {
    method: 'POST',
    headers: { 'x-api-key': partner.api_key, 'content-type': 'application/json' },
    body: JSON.stringify({ claim_type: 'age_over_18', circuit_version: '1.0.0', proof: holder.proof, public_signals: holder.publicSignals, request: { nonce, verifier_domain: 'bank.example' } }),
  });
  assert.equal(verified.status, 200, await verified.clone().text());
  const outcome = (await verified.json()) as { proof_id: string; ts: string };
  await waitFor(async () => hook.received.length === 2, 30_000, 'the proof.verified event');
  const announced = verifyWebhook(hook.received[1]!.body, hook.received[1]!.headers, partner.webhook_secret);
  assert.deepEqual(announced, { ok: true, event: { event: 'proof.verified', proof_id: outcome.proof_id, claim_type: 'age_over_18', status: 'verified', ts: outcome.ts } });
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.output());
});

test('VERIDITY_EMBEDDED_WORKERS=false: serve delivers nothing itself; WORKER_ONCE=true runs one pass and exits', { timeout: 120_000 }, async () => {
  const hook = await receiver();
  const port = await freePort();
  const adminToken = generateToken('vat');
  const server = startProcess(['serve'], env({ PORT: String(port), VERIDITY_ADMIN_TOKEN: adminToken, VERIFIER_THREADS: '1', VERIDITY_EMBEDDED_WORKERS: 'false' }));
  processes.push(server);
  await waitFor(async () => server.output().includes('"msg":"Veridity is serving"'), 60_000, `serve\n${server.output()}`);
  assert.match(server.output(), /"workers":"none \(VERIDITY_EMBEDDED_WORKERS=false\)"/);
  const partner = await h.createPartner({ webhook_url: hook.url });
  const ids = await enqueueEvents(partner.id, 3);

  const once = await runToEnd(['worker', 'webhooks', 'webhooks.purge-rotated-secrets'], env({ WORKER_ONCE: 'true' }));
  assert.equal(once.code, 0, once.output);
  const report = JSON.parse(once.stdout.trim().split('\n').at(-1)!);
  assert.deepEqual(report.webhooks, { claimed: 3, delivered: 3, retrying: 0, dead: 0 });
  assert.deepEqual(Object.keys(report).sort(), ['webhooks', 'webhooks.purge-rotated-secrets']);
  assert.deepEqual([...hook.countsById().keys()].sort(), [...ids].sort());
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.output());

  const unknown = await runToEnd(['worker', 'no-such-kind'], env());
  assert.equal(unknown.code, 2);
  assert.match(unknown.output, /unknown worker kind\(s\): no-such-kind/);
});

test("the README's receiver recipe accepts our webhooks once per webhook-id and rejects a tampered body or a stale timestamp", { timeout: 60_000 }, async () => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const sample = /<!-- webhook-receiver-sample[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(sample, 'the README carries the receiver sample');
  const sdk = pathToFileURL(path.join(ROOT, 'sdk/client/src/index.ts')).href;
  assert.ok(sample.includes("'@veridity/client'"));
  const file = path.join(dataDir, 'receiver.ts');
  await writeFile(file, sample.replace("'@veridity/client'", JSON.stringify(sdk)));

  const port = await freePort();
  const partner = await h.createPartner({ webhook_url: `http://127.0.0.1:${port}/hooks` });
  const child = spawn(process.execPath, [file], { env: { ...process.env, PORT: String(port), VERIDITY_WEBHOOK_SECRET: partner.webhook_secret }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  after(() => child.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}/hooks`;
  await waitFor(async () => (await fetch(url, { method: 'POST', body: '{}' })).status === 400, 30_000, `the sample receiver\n${output}`);

  const sent = await h.partner(partner.api_key, 'POST', '/api/v1/webhooks/test');
  const id = sent.json().delivery_id;
  const deliver = () => runWebhookWorkerOnce(h.workerDeps(), { concurrency: 1 });
  assert.equal((await deliver()).delivered, 1);
  await waitFor(async () => output.includes(`event ${id} {"event":"webhook.test"`), 5_000, `the event printed\n${output}`);
  assert.equal((await h.partner(partner.api_key, 'POST', `/api/v1/webhooks/deliveries/${id}/redeliver`)).statusCode, 202);
  assert.equal((await deliver()).delivered, 1, 'a retry is answered 2xx');
  assert.equal(output.split(`event ${id}`).length - 1, 1, 'and handled once');

  const body = JSON.stringify({ event: 'proof.verified', proof_id: 'prf_1', claim_type: 'age_over_18', status: 'verified', ts: new Date().toISOString() });
  const post = (headers: Record<string, string>, payload: string) => fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: payload });
  const fresh = signWebhook({ id: 'whk_manual1', timestamp: new Date(), body, secrets: [partner.webhook_secret] });
  assert.equal((await post(fresh, body)).status, 204);
  const forged = body.replace('"status":"verified"', '"status":"failed"');
  assert.notEqual(forged, body);
  const tampered = await post(fresh, forged);
  assert.equal(tampered.status, 400);
  assert.equal(await tampered.text(), 'NO_MATCHING_SIGNATURE');
  const stale = signWebhook({ id: 'whk_manual2', timestamp: new Date(Date.now() - 10 * 60_000), body, secrets: [partner.webhook_secret] });
  const staleResponse = await post(stale, body);
  assert.equal(staleResponse.status, 400);
  assert.equal(await staleResponse.text(), 'TIMESTAMP_TOO_OLD');
  const otherSecret = signWebhook({ id: 'whk_manual3', timestamp: new Date(), body, secrets: [(await h.createPartner({ webhook_url: url })).webhook_secret] });
  assert.equal((await post(otherSecret, body)).status, 400, 'another partner’s secret does not verify');
});
