import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { verifyWebhook } from '../sdk/webhooks.ts';
import { inTransaction } from '#platform/db/pool.ts';
import { createWebhookMetrics } from '#modules/webhooks/metrics.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import { purgeRotatedSecrets } from '#modules/webhooks/purge-rotated-secrets.ts';
import { runWebhookWorkerOnce } from '#modules/webhooks/run-webhook-worker.ts';
import type { HostLookup } from '#modules/webhooks/delivery/ssrf-guard.ts';
import { createWebhookHarness, manualClock, type WebhookHarness } from './support/webhook-harness.ts';
import { answer, startReceiver, type Receiver } from './support/webhook-receiver.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// Starts now (new outbox rows are due at the database's now()), on a whole second (webhook-timestamp).
const clock = manualClock(new Date(Math.ceil(Date.now() / 1000) * 1000));
let h: WebhookHarness;
const receivers: Receiver[] = [];
before(async () => {
  h = await createWebhookHarness({ clock, allowPrivateNetworks: true });
});
after(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await h.close();
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

/** One worker pass: every due delivery, jitter drawn at its midpoint (exact schedule). */
const deliverDue = (overrides: Parameters<WebhookHarness['workerDeps']>[0] = {}) =>
  runWebhookWorkerOnce(h.workerDeps({ random: () => 0.5, ...overrides }), { concurrency: 4 });

async function sendTest(apiKey: string): Promise<string> {
  const response = await h.partner(apiKey, 'POST', '/api/v1/webhooks/test');
  assert.equal(response.statusCode, 202, response.body);
  return response.json().delivery_id;
}

async function delivery(apiKey: string, id: string): Promise<Record<string, any>> {
  const response = await h.partner(apiKey, 'GET', `/api/v1/webhooks/deliveries/${id}`);
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

const seedSignature = (secret: string, body: Buffer) =>
  'sha256=' + createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(body).digest('hex');

describe('delivery', () => {
  test('a partner created with a webhook URL receives a signed event, verifiable with the secret shown at creation', async () => {
    const hook = await receiver();
    const partner = await h.createPartner({ webhook_url: hook.url });
    const id = await sendTest(partner.api_key);
    assert.match(id, /^whk_[0-9a-z]{26}$/);

    assert.deepEqual(await deliverDue(), { claimed: 1, delivered: 1, retrying: 0, dead: 0 });
    assert.equal(hook.received.length, 1);
    const [request] = hook.received;
    assert.ok(request);
    assert.equal(request.headers['webhook-id'], id);
    assert.equal(request.headers['webhook-timestamp'], String(clock.now().getTime() / 1000));
    assert.equal(request.headers['content-type'], 'application/json');

    const verified = verifyWebhook(request.body, request.headers, partner.webhook_secret, { now: clock.now() });
    assert.deepEqual(verified, { ok: true, event: { event: 'webhook.test', ts: clock.now().toISOString() } });
    assert.equal(request.headers['x-veridity-signature'], seedSignature(partner.webhook_secret, request.body));

    const tampered = Buffer.from(request.body.toString().replace('webhook.test', 'webhook.tset'));
    assert.deepEqual(verifyWebhook(tampered, request.headers, partner.webhook_secret, { now: clock.now() }), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
    const later = new Date(clock.now().getTime() + 10 * MINUTE);
    assert.deepEqual(verifyWebhook(request.body, request.headers, partner.webhook_secret, { now: later }), { ok: false, reason: 'TIMESTAMP_TOO_OLD' });

    const shown = await delivery(partner.api_key, id);
    assert.equal(shown.status, 'delivered');
    assert.equal(shown.event_type, 'webhook.test');
    assert.equal(shown.delivered_at, clock.now().toISOString());
    assert.equal(shown.next_attempt_at, null);
    assert.equal(shown.attempt_count, 1);
    assert.equal(shown.attempts.length, 1);
    assert.equal(shown.attempts[0].outcome, 'delivered');
    assert.equal(shown.attempts[0].status_code, 204);
    assert.equal(shown.attempts[0].url, hook.url);
    assert.equal(shown.attempts[0].error_code, null);
    assert.ok(Number.isInteger(shown.attempts[0].latency_ms));

    assert.deepEqual(await deliverDue(), { claimed: 0, delivered: 0, retrying: 0, dead: 0 }, 'delivered once, never again');
    assert.equal(hook.received.length, 1);
  });

  test('an outcome event written in a transaction is delivered as written; a rolled-back one never exists', async () => {
    const hook = await receiver();
    const partner = await h.createPartner({ webhook_url: hook.url });
    const payload = { event: 'proof.verified', proof_id: 'prf_01jntest0000000000000000a', claim_type: 'age_over_18', status: 'verified', ts: clock.now().toISOString() };
    await assert.rejects(
      inTransaction(h.database.pool, async (tx) => {
        await enqueueWebhookEvent(tx, { clientId: partner.id, type: 'proof.verified', subjectId: payload.proof_id, payload });
        throw new Error('the verification failed to commit');
      }),
    );
    assert.equal((await h.database.pool.query('SELECT 1 FROM webhooks_outbox WHERE client_id = $1', [partner.id])).rowCount, 0);

    const id = await inTransaction(h.database.pool, (tx) => enqueueWebhookEvent(tx, { clientId: partner.id, type: 'proof.verified', subjectId: payload.proof_id, payload }));
    await deliverDue();
    assert.equal(hook.received.length, 1);
    const event = verifyWebhook(hook.received[0]!.body, hook.received[0]!.headers, partner.webhook_secret, { now: clock.now() });
    assert.deepEqual(event, { ok: true, event: payload });
    assert.equal(hook.received[0]!.headers['webhook-id'], id);
    const shown = await delivery(partner.api_key, id!);
    assert.equal(shown.subject_id, payload.proof_id);
    assert.deepEqual(shown.payload, payload);
  });

  test('a receiver answering 500 sees retries at 1 m, 5 m, 15 m, 1 h, 6 h, 6 h, 6 h; then the delivery is dead; redelivery succeeds', async () => {
    const hook = await receiver(answer(500, 'x'.repeat(3000)));
    const partner = await h.createPartner({ webhook_url: hook.url });
    const start = clock.now().getTime();
    const id = await sendTest(partner.api_key);

    await deliverDue();
    assert.equal(hook.received.length, 1);
    const gaps = [1 * MINUTE, 5 * MINUTE, 15 * MINUTE, 1 * HOUR, 6 * HOUR, 6 * HOUR, 6 * HOUR];
    for (const [index, gap] of gaps.entries()) {
      clock.advance(gap - 1000);
      await deliverDue();
      assert.equal(hook.received.length, index + 1, `attempt ${index + 2} not before its time`);
      clock.advance(1000);
      await deliverDue();
      assert.equal(hook.received.length, index + 2, `attempt ${index + 2} at +${gap / 1000} s`);
    }
    clock.advance(7 * HOUR);
    await deliverDue();
    assert.equal(hook.received.length, 8, 'no ninth attempt');

    const times = hook.received.map((r) => Number(r.headers['webhook-timestamp']) * 1000 - start);
    const expected = gaps.reduce((acc, gap) => [...acc, acc.at(-1)! + gap], [0]);
    assert.deepEqual(times, expected);
    assert.deepEqual(new Set(hook.received.map((r) => r.headers['webhook-id'])), new Set([id]), 'one webhook-id across retries');

    const dead = await delivery(partner.api_key, id);
    assert.equal(dead.status, 'dead');
    assert.equal(dead.attempt_count, 8);
    assert.ok(dead.dead_at);
    assert.match(dead.last_error, /^HTTP_ERROR_STATUS: receiver answered 500/);
    assert.deepEqual(dead.attempts.map((a: any) => a.attempt), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const attempt of dead.attempts) {
      assert.equal(attempt.status_code, 500);
      assert.equal(attempt.outcome, 'failed');
      assert.equal(attempt.response_body, 'x'.repeat(1024));
      assert.equal(attempt.response_body_truncated, true);
    }
    assert.deepEqual(dead.attempts.map((a: any) => Date.parse(a.attempted_at) - start), expected);

    const deadLetters = await h.admin('GET', `/api/admin/webhooks/dead-letters?client_id=${partner.id}`);
    assert.equal(deadLetters.statusCode, 200);
    assert.deepEqual(deadLetters.json().data.map((d: any) => d.id), [id]);

    hook.setResponder(answer(200, 'ok'));
    const redelivered = await h.partner(partner.api_key, 'POST', `/api/v1/webhooks/deliveries/${id}/redeliver`);
    assert.equal(redelivered.statusCode, 202, redelivered.body);
    assert.equal(redelivered.json().status, 'pending');
    await deliverDue();
    assert.equal(hook.received.length, 9);
    assert.equal(hook.received[8]!.headers['webhook-id'], id);
    const done = await delivery(partner.api_key, id);
    assert.equal(done.status, 'delivered');
    assert.equal(done.attempt_count, 9);
    assert.equal(done.attempts.at(-1).status_code, 200);
    assert.equal(done.dead_at, null);
  });

  test('429 and 503 with Retry-After wait as long as the receiver asks when that is longer than the schedule', async () => {
    const hook = await receiver(answer(429, '', { 'retry-after': '7200' }));
    const partner = await h.createPartner({ webhook_url: hook.url });
    const id = await sendTest(partner.api_key);
    await deliverDue();
    assert.equal((await delivery(partner.api_key, id)).next_attempt_at, new Date(clock.now().getTime() + 7200_000).toISOString());
    hook.setResponder(answer(503, '', { 'retry-after': '1' }));
    clock.advance(7200_000);
    await deliverDue();
    assert.equal((await delivery(partner.api_key, id)).next_attempt_at, new Date(clock.now().getTime() + 5 * MINUTE).toISOString(), 'the schedule wins over a shorter Retry-After');
  });

  test('410 Gone disables the endpoint; later events go to the dead letters without an attempt; setting the URL again re-enables it', async () => {
    const hook = await receiver(answer(410));
    const partner = await h.createPartner({ webhook_url: hook.url });
    const first = await sendTest(partner.api_key);
    assert.deepEqual(await deliverDue(), { claimed: 1, delivered: 0, retrying: 0, dead: 1 });
    const gone = await delivery(partner.api_key, first);
    assert.equal(gone.status, 'dead');
    assert.equal(gone.attempts.length, 1);
    assert.equal(gone.attempts[0].status_code, 410);

    const endpoint = (await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/endpoint')).json();
    assert.ok(endpoint.disabled_at);
    assert.match(endpoint.disabled_reason, /410/);
    const refused = await h.partner(partner.api_key, 'POST', '/api/v1/webhooks/test');
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().reason, 'ENDPOINT_DISABLED');

    const second = await inTransaction(h.database.pool, (tx) => enqueueWebhookEvent(tx, { clientId: partner.id, type: 'proof.failed', subjectId: null, payload: { event: 'proof.failed' } }));
    await deliverDue();
    const parked = await delivery(partner.api_key, second!);
    assert.equal(parked.status, 'dead');
    assert.equal(parked.attempts.length, 0);
    assert.match(parked.last_error, /^ENDPOINT_DISABLED/);
    assert.equal(hook.received.length, 1);

    hook.setResponder(answer(204));
    const patched = await h.admin('PATCH', `/api/admin/clients/${partner.id}`, { webhook_url: hook.url });
    assert.equal(patched.statusCode, 200);
    assert.equal(patched.json().webhook_secret, undefined, 'the same secret keeps working');
    assert.equal((await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/endpoint')).json().disabled_at, null);
    const redriven = await h.admin('POST', '/api/admin/webhooks/dead-letters/redrive', { client_id: partner.id });
    assert.deepEqual(redriven.json(), { redriven: 2 });
    assert.deepEqual(await deliverDue(), { claimed: 2, delivered: 2, retrying: 0, dead: 0 });
    assert.deepEqual([...hook.countsById().keys()].sort(), [first, second].sort());
  });

  test('a binary or NUL-laden response body is kept as at most 1 KiB of text', async () => {
    const hook = await receiver((_request, response) => response.writeHead(500).end(Buffer.concat([Buffer.from('a\u0000b'), Buffer.alloc(2000, 0xff)])));
    const partner = await h.createPartner({ webhook_url: hook.url });
    const id = await sendTest(partner.api_key);
    await deliverDue();
    const [attempt] = (await delivery(partner.api_key, id)).attempts;
    assert.equal(attempt.status_code, 500);
    assert.ok(Buffer.byteLength(attempt.response_body) <= 1024);
    assert.match(attempt.response_body, /^ab\uFFFD+$/);
    assert.equal(attempt.response_body_truncated, true);
  });

  test('a redirect is not followed, even to a cloud metadata address', async () => {
    const hook = await receiver(answer(302, '', { location: 'http://169.254.169.254/latest/meta-data/' }));
    const partner = await h.createPartner({ webhook_url: hook.url });
    const id = await sendTest(partner.api_key);
    await deliverDue();
    const shown = await delivery(partner.api_key, id);
    assert.equal(shown.status, 'pending');
    assert.equal(shown.attempts[0].status_code, 302);
    assert.equal(shown.attempts[0].error_code, 'REDIRECT_NOT_FOLLOWED');
    assert.equal(hook.received.length, 1);
  });
});

describe('secrets', () => {
  test('after a rotation both secrets sign for 24 h, then only the new one; the old one is purged', async () => {
    const hook = await receiver();
    const partner = await h.createPartner({ webhook_url: hook.url });
    const rotated = await h.partner(partner.api_key, 'POST', '/api/v1/webhooks/rotate-secret');
    assert.equal(rotated.statusCode, 200);
    const { webhook_secret: newSecret, previous_secret_expires_at: expiresAt } = rotated.json();
    assert.match(newSecret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(newSecret, partner.webhook_secret);
    assert.equal(expiresAt, new Date(clock.now().getTime() + 24 * HOUR).toISOString());
    assert.equal((await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/endpoint')).json().previous_secret_expires_at, expiresAt);

    await sendTest(partner.api_key);
    await deliverDue();
    const during = hook.received.at(-1)!;
    assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
    for (const secret of [newSecret, partner.webhook_secret]) {
      assert.equal(verifyWebhook(during.body, during.headers, secret, { now: clock.now() }).ok, true);
      assert.ok(String(during.headers['x-veridity-signature']).split(',').includes(seedSignature(secret, during.body)));
    }

    clock.advance(24 * HOUR + 1000);
    await sendTest(partner.api_key);
    await deliverDue();
    const afterwards = hook.received.at(-1)!;
    assert.equal(verifyWebhook(afterwards.body, afterwards.headers, newSecret, { now: clock.now() }).ok, true);
    assert.deepEqual(verifyWebhook(afterwards.body, afterwards.headers, partner.webhook_secret, { now: clock.now() }), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
    assert.equal(afterwards.headers['x-veridity-signature'], seedSignature(newSecret, afterwards.body));

    assert.ok((await purgeRotatedSecrets({ pool: h.database.pool, clock })).purged >= 1);
    const { rows } = await h.database.pool.query('SELECT previous_secret_sealed FROM webhook_endpoints WHERE client_id = $1', [partner.id]);
    assert.equal(rows[0].previous_secret_sealed, null);
    const audit = await h.database.pool.query("SELECT actor_type, actor_id, details::text AS details FROM audit_logs WHERE action = 'webhook.secret_rotated' AND target_id = $1", [partner.id]);
    assert.equal(audit.rows.length, 1);
    assert.equal(audit.rows[0].actor_type, 'partner');
    assert.equal(audit.rows[0].details.includes(newSecret.slice(6)), false);
  });

  test('a partner sets its own webhook URL: the first comes with its secret, which signs; a change keeps it; both are audited', async () => {
    const hook = await receiver();
    const partner = await h.createPartner();
    const first = await h.partner(partner.api_key, 'PUT', '/api/v1/webhooks/endpoint', { url: 'https://hooks.partner.example/first' });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['cache-control'], 'no-store');
    assert.match(first.json().webhook_secret, /^whsec_/);
    assert.equal(first.json().url, 'https://hooks.partner.example/first');

    const moved = await h.partner(partner.api_key, 'PUT', '/api/v1/webhooks/endpoint', { url: hook.url });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(moved.json().webhook_secret, undefined, 'a change keeps the secret');
    assert.equal((await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/endpoint')).json().url, hook.url);
    await sendTest(partner.api_key);
    await deliverDue();
    assert.equal(hook.received.length, 1);
    const [request] = hook.received;
    assert.equal(verifyWebhook(request!.body, request!.headers, first.json().webhook_secret, { now: clock.now() }).ok, true, 'signed with the first secret');

    const audit = await h.admin('GET', `/api/admin/audit-events?client_id=${partner.id}&action=webhook.endpoint_set`);
    assert.deepEqual(audit.json().data.map((event: { details: { url: string; first: boolean } }) => [event.details.url, event.details.first]), [[hook.url, false], ['https://hooks.partner.example/first', true]]);

    for (const body of [{ url: 'ftp://hooks.partner.example/' }, { url: 'https://user:pw@hooks.partner.example/' }, { url: 'not a url' }, {}, { url: hook.url, secret: 'mine' }]) {
      const refused = await h.partner(partner.api_key, 'PUT', '/api/v1/webhooks/endpoint', body);
      assert.equal(refused.statusCode, 400, JSON.stringify(body));
      assert.equal(refused.json().error_code, 'VALIDATION_FAILED');
    }
  });

  test('a partner without a webhook URL cannot rotate or send a test event', async () => {
    const partner = await h.createPartner();
    for (const url of ['/api/v1/webhooks/rotate-secret', '/api/v1/webhooks/test']) {
      const response = await h.partner(partner.api_key, 'POST', url);
      assert.equal(response.statusCode, 409, url);
      assert.equal(response.json().reason, 'NO_ENDPOINT');
    }
  });
});

describe('API', () => {
  test('deliveries: own only, newest first, cursor pagination, status filter; the operator redrives dead ones in bulk', async () => {
    const hook = await receiver(answer(500));
    const partner = await h.createPartner({ webhook_url: hook.url });
    const other = await h.createPartner({ webhook_url: hook.url });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await sendTest(partner.api_key));
    const otherId = await sendTest(other.api_key);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await h.partner(partner.api_key, 'GET', `/api/v1/webhooks/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(response.statusCode, 200, response.body);
      const page: { data: Array<{ id: string }>; next_cursor: string | null } = response.json();
      assert.ok(page.data.length <= 2);
      seen.push(...page.data.map((d) => d.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, [...ids].reverse());

    const pending = (await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/deliveries?status=pending&limit=100')).json();
    assert.equal(pending.data.length, 5);
    assert.equal((await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/deliveries?status=delivered')).json().data.length, 0);
    assert.equal((await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/deliveries?status=lost')).statusCode, 400);
    assert.equal((await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/deliveries?cursor=nope')).statusCode, 400);
    assert.equal((await h.partner(partner.api_key, 'GET', `/api/v1/webhooks/deliveries/${otherId}`)).statusCode, 404);
    assert.equal((await h.partner(partner.api_key, 'POST', `/api/v1/webhooks/deliveries/${otherId}/redeliver`)).statusCode, 404);
    assert.equal((await h.partner('vk_' + 'A'.repeat(43), 'GET', '/api/v1/webhooks/deliveries')).statusCode, 401);

    for (let round = 0; round < 8; round++) {
      await deliverDue();
      clock.advance(7 * HOUR);
    }
    const dead = (await h.admin('GET', `/api/admin/webhooks/dead-letters?client_id=${partner.id}&limit=100`)).json();
    assert.deepEqual(dead.data.map((d: { id: string }) => d.id).sort(), [...ids].sort());
    assert.ok(dead.data.every((d: { attempts: unknown[] }) => d.attempts.length === 8));
    assert.equal((await h.admin('POST', '/api/admin/webhooks/dead-letters/redrive', {})).statusCode, 400, 'a bulk redrive names what it redrives');
    assert.equal((await h.partner(partner.api_key, 'POST', '/api/admin/webhooks/dead-letters/redrive', { all: true })).statusCode, 401);

    hook.setResponder(answer(204));
    const some = await h.admin('POST', '/api/admin/webhooks/dead-letters/redrive', { delivery_ids: ids.slice(0, 2) });
    assert.deepEqual(some.json(), { redriven: 2 });
    const rest = await h.admin('POST', '/api/admin/webhooks/dead-letters/redrive', { client_id: partner.id });
    assert.deepEqual(rest.json(), { redriven: 3 });
    await deliverDue();
    const delivered = (await h.partner(partner.api_key, 'GET', '/api/v1/webhooks/deliveries?status=delivered&limit=100')).json();
    assert.equal(delivered.data.length, 5);
    assert.equal((await delivery(other.api_key, otherId)).status, 'dead', 'the other partner was not redriven');
    const audit = await h.database.pool.query("SELECT count(*)::int AS n FROM audit_logs WHERE action = 'webhooks.redriven'");
    assert.ok(audit.rows[0].n >= 2);
  });

  test('the webhook endpoints are documented in the OpenAPI document', async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/api/v1/webhooks/test', '/api/v1/webhooks/deliveries', '/api/v1/webhooks/deliveries/{id}', '/api/v1/webhooks/deliveries/{id}/redeliver', '/api/v1/webhooks/rotate-secret', '/api/v1/webhooks/endpoint', '/api/admin/webhooks/dead-letters', '/api/admin/webhooks/dead-letters/redrive']) {
      assert.ok(spec.paths[path], path);
    }
    assert.ok(spec.components.schemas.WebhookDelivery);
  });

  test('/metrics shows queue depth and age, failures and delivery metrics', async () => {
    const hook = await receiver(answer(500));
    const partner = await h.createPartner({ webhook_url: hook.url });
    await sendTest(partner.api_key);
    await sendTest(partner.api_key);
    const before = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(before, /veridity_queue_jobs\{queue="webhooks",state="ready"\} [1-9]/);
    assert.match(before, /veridity_queue_oldest_ready_age_seconds\{queue="webhooks"\} /);
    await deliverDue({ metrics: createWebhookMetrics(h.app.metrics.registry) });
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(text, /veridity_webhook_attempts_total\{outcome="failed"\} [1-9]/);
    assert.match(text, /veridity_queue_job_failures_total\{queue="webhooks"\} [1-9]/);
    assert.match(text, /veridity_webhook_attempt_duration_seconds_count [1-9]/);
    assert.match(text, /veridity_queue_jobs\{queue="webhooks",state="deferred"\} [1-9]/);
  });
});

describe('SSRF guard', () => {
  let guarded: WebhookHarness;
  before(async () => {
    guarded = await createWebhookHarness({ clock, allowPrivateNetworks: false });
  });
  after(async () => guarded.close());

  test('refused destinations are a 400 when configured: loopback, metadata, private, IPv6 loopback, a name resolving to one', async () => {
    for (const url of ['http://127.0.0.1:8080/h', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/h', 'http://[::1]:8080/h', 'http://localhost:8080/h']) {
      const created = await guarded.admin('POST', '/api/admin/clients', { name: 'Bad', scopes: ['age_over_18'], webhook_url: url });
      assert.equal(created.statusCode, 400, url);
      assert.equal(created.json().error_code, 'VALIDATION_FAILED');
      assert.deepEqual(created.json().fields, ['body.webhook_url']);
      assert.equal(created.json().reason, 'ADDRESS_FORBIDDEN');
      // The operator's way out is named, except where no setting allows it (cloud metadata).
      const hinted = /WEBHOOK_ALLOW_PRIVATE_NETWORKS=true/.test(created.json().error);
      assert.equal(hinted, !url.includes('169.254.169.254'), `${url}: ${created.json().error}`);
    }
    const partner = await guarded.createPartner({ webhook_url: 'https://hooks.partner.example/in' });
    const patched = await guarded.admin('PATCH', `/api/admin/clients/${partner.id}`, { webhook_url: 'http://192.168.1.10/in' });
    assert.equal(patched.statusCode, 400);
    assert.equal((await guarded.admin('GET', `/api/admin/clients/${partner.id}`)).json().webhook_url, 'https://hooks.partner.example/in');
    // The partner's own route is guarded the same way, naming its field.
    const own = await guarded.partner(partner.api_key, 'PUT', '/api/v1/webhooks/endpoint', { url: 'http://10.1.2.3/in' });
    assert.equal(own.statusCode, 400, own.body);
    assert.deepEqual([own.json().fields, own.json().reason], [['body.url'], 'ADDRESS_FORBIDDEN']);
    assert.equal((await guarded.partner(partner.api_key, 'GET', '/api/v1/webhooks/endpoint')).json().url, 'https://hooks.partner.example/in');
    // With private networks allowed, cloud metadata stays refused.
    assert.equal((await h.admin('POST', '/api/admin/clients', { name: 'Meta', scopes: ['age_over_18'], webhook_url: 'http://169.254.169.254/' })).statusCode, 400);
    assert.equal((await h.admin('POST', '/api/admin/clients', { name: 'Lan', scopes: ['age_over_18'], webhook_url: 'http://10.0.0.1/' })).statusCode, 201);
  });

  test('at delivery the resolved address is checked again: a name that now resolves to loopback is refused, nothing is sent', async () => {
    const hook = await receiver();
    // Accepted when configured: the name did not resolve then.
    const partner = await guarded.createPartner({ webhook_url: `http://rebound.partner.test:${hook.port}/in` });
    const lookup: HostLookup = async (hostname) => (hostname === 'rebound.partner.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
    const response = await guarded.partner(partner.api_key, 'POST', '/api/v1/webhooks/test');
    const id = response.json().delivery_id;
    await runWebhookWorkerOnce(guarded.workerDeps({ lookup, random: () => 0.5 }), { concurrency: 1 });
    assert.equal(hook.received.length, 0);
    const shown = (await guarded.partner(partner.api_key, 'GET', `/api/v1/webhooks/deliveries/${id}`)).json();
    assert.equal(shown.status, 'pending');
    assert.equal(shown.attempts[0].outcome, 'refused');
    assert.equal(shown.attempts[0].error_code, 'ADDRESS_FORBIDDEN');
    assert.equal(shown.attempts[0].status_code, null);
    assert.doesNotMatch(shown.attempts[0].error, /127\.0\.0\.1/, 'resolved internal addresses are not echoed to partners');
  });
});
