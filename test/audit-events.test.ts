/**
 * The operator's audit log (GET /api/admin/audit-events) through HTTP on a real database: rows
 * made by real admin, partner and console actions, each filter, pages across the whole list,
 * bad input refused with the contract body, and who may read it.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
before(async () => (t = await createTestApp()));
after(async () => t.close());

type AuditEvent = { id: string; at: string; actor_type: string; actor_id: string | null; action: string; target_type: string | null; target_id: string | null; client_id: string | null; details: Record<string, unknown>; ip: string | null; request_id: string | null };
type AuditPage = { data: AuditEvent[]; next_cursor: string | null };

const list = (query: Record<string, string | number> = {}, headers: Record<string, string> = { authorization: `Bearer ${t.adminToken}` }) =>
  t.app.inject({ method: 'GET', url: '/api/admin/audit-events', query: Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value)])), headers });

async function page(query: Record<string, string | number>): Promise<AuditPage> {
  const response = await list(query);
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

/** Every event matching `query`, following `next_cursor` pages of `limit`. */
async function everyPage(query: Record<string, string | number>, limit: number): Promise<{ events: AuditEvent[]; pages: number }> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const current: AuditPage = await page({ ...query, limit, ...(cursor ? { cursor } : {}) });
    assert.ok(current.data.length <= limit);
    events.push(...current.data);
    cursor = current.next_cursor;
    pages++;
  } while (cursor);
  return { events, pages };
}

function ok(response: LightMyRequestResponse, status = 200): Record<string, any> {
  assert.equal(response.statusCode, status, response.body);
  return response.json();
}

describe('the audit log', () => {
  let bankA: Record<string, any>;
  let bankB: Record<string, any>;
  let rotatedKey: string;
  let webhookSecret: string;
  let rotateRequestId: string;
  let between: Date;

  before(async () => {
    bankA = await createPartner(t, { name: 'Audit Bank A', webhook_url: 'https://audit-a.example/hooks' });
    const rotated = await t.admin('POST', `/api/admin/clients/${bankA.id}/rotate-key`);
    rotatedKey = ok(rotated).api_key;
    rotateRequestId = String(rotated.headers['x-request-id']);
    ok(await t.admin('PATCH', `/api/admin/clients/${bankA.id}`, { name: 'Audit Bank A2', rate_limit_per_minute: 77 }));
    await sleep(20);
    between = new Date();
    await sleep(20);
    bankB = await createPartner(t, { name: 'Audit Bank B' });
    ok(await t.admin('DELETE', `/api/admin/clients/${bankB.id}`));
    // The partner itself acts: it rotates its webhook secret with its (new) key.
    const secret = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/rotate-secret', headers: { 'x-api-key': rotatedKey } });
    webhookSecret = ok(secret).webhook_secret;
  });

  test("a partner's events, newest first: who did what, from which request, and no secret", async () => {
    const { data, next_cursor } = await page({ client_id: bankA.id });
    assert.deepEqual(data.map((event) => event.action), ['webhook.secret_rotated', 'client.updated', 'client.key_rotated', 'client.created']);
    assert.equal(next_cursor, null);
    assert.ok(data.every((event) => event.client_id === bankA.id && /^aud_[0-9a-z]{26}$/.test(event.id)));
    assert.deepEqual([...data.map((event) => event.id)].sort().reverse(), data.map((event) => event.id), 'newest first');

    const [partnerRotation, updated, keyRotation] = data;
    assert.equal(partnerRotation!.actor_type, 'partner');
    assert.equal(partnerRotation!.actor_id, bankA.id);
    assert.equal(keyRotation!.actor_type, 'admin');
    assert.equal(keyRotation!.actor_id, 'env', 'the configured admin token');
    assert.equal(keyRotation!.target_type, 'api_client');
    assert.equal(keyRotation!.target_id, bankA.id);
    assert.equal(keyRotation!.request_id, rotateRequestId);
    assert.equal(keyRotation!.details.key_prefix, rotatedKey.slice(0, 11));
    assert.match(keyRotation!.ip!, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    assert.ok(Number.isFinite(Date.parse(updated!.at)));

    const body = JSON.stringify(data);
    for (const secret of [bankA.api_key, rotatedKey, bankA.webhook_secret, webhookSecret]) assert.equal(body.includes(secret), false, 'a key or secret is listed');
  });

  test('filters by action (exact or a prefix ending in a dot), actor and time, combined', async () => {
    const rotations = (await page({ action: 'client.key_rotated' })).data;
    assert.deepEqual(rotations.map((event) => event.target_id), [bankA.id]);

    const clientActions = (await page({ action: 'client.', limit: 100 })).data;
    assert.ok(clientActions.length >= 5);
    assert.ok(clientActions.every((event) => event.action.startsWith('client.')));
    assert.ok(clientActions.some((event) => event.action === 'client.disabled' && event.client_id === bankB.id));
    // `_` is a LIKE wildcard: the prefix `clien_.` must not match `client.`.
    assert.deepEqual((await page({ action: 'clien_.' })).data, []);
    assert.deepEqual((await page({ action: 'client' })).data, [], 'without the dot the action is exact');

    const byPartner = (await page({ actor_type: 'partner' })).data;
    assert.deepEqual(byPartner.map((event) => event.action), ['webhook.secret_rotated']);
    assert.deepEqual((await page({ actor_id: bankA.id })).data.map((event) => event.id), byPartner.map((event) => event.id));

    const afterwards = (await page({ since: between.toISOString(), action: 'client.' })).data;
    assert.deepEqual(afterwards.map((event) => [event.action, event.client_id]), [['client.disabled', bankB.id], ['client.created', bankB.id]]);
    const before = (await page({ until: between.toISOString(), client_id: bankA.id })).data;
    assert.deepEqual(before.map((event) => event.action), ['client.updated', 'client.key_rotated', 'client.created']);
    assert.ok(before.every((event) => Date.parse(event.at) < between.getTime()));
    const window = (await page({ since: new Date(between.getTime() - 60_000).toISOString(), until: between.toISOString(), action: 'client.created' })).data;
    assert.deepEqual(window.map((event) => event.client_id), [bankA.id]);
    assert.deepEqual((await page({ client_id: bankB.id, actor_type: 'partner' })).data, []);
  });

  test('pages follow next_cursor across the whole list, without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) await createPartner(t, { name: `Paged Bank ${i}` });
    const whole = (await page({ action: 'client.created', limit: 100 })).data;
    assert.equal(whole.length, 9);
    const { events, pages } = await everyPage({ action: 'client.created' }, 4);
    assert.equal(pages, 3);
    assert.deepEqual(events.map((event) => event.id), whole.map((event) => event.id));
    assert.equal(new Set(events.map((event) => event.id)).size, events.length);
    // An exact fit ends with next_cursor null, not an empty page after it.
    assert.equal((await everyPage({ action: 'client.created' }, 3)).pages, 3);
    const first = await page({ limit: 2 });
    assert.equal(first.data.length, 2);
    assert.match(first.next_cursor!, /^aud_/);
  });

  test('bad input is refused with the contract error body', async () => {
    const refusals: Record<string, string | number>[] = [
      { cursor: 'not-a-cursor' },
      { cursor: 'cli_00000000000000000000000000' },
      { since: 'yesterday' },
      { until: '2026-13-01T00:00:00Z' },
      { since: '2026-03-02T00:00:00Z', until: '2026-03-01T00:00:00Z' },
      { action: 'client.%' },
      { action: "client.created' OR 1=1" },
      { actor_type: 'root' },
      { client_id: 'cli_nope' },
      { limit: 0 },
      { limit: 101 },
      { limit: 'all' },
      { sort: 'asc' },
    ];
    for (const query of refusals) {
      const response = await list(query);
      assert.equal(response.statusCode, 400, `${JSON.stringify(query)}: ${response.body}`);
      const body = response.json();
      assert.equal(body.error_code, 'VALIDATION_FAILED', JSON.stringify(query));
      assert.equal(typeof body.error, 'string');
      assert.equal(body.request_id, response.headers['x-request-id']);
    }
  });

  test('operators read it with a token or a console session; partners and strangers cannot', async () => {
    assert.equal(ok(await list({}, {}), 401).error_code, 'UNAUTHORIZED');
    assert.equal(ok(await list({}, { authorization: 'Bearer vat_wrong' }), 401).error_code, 'UNAUTHORIZED');
    assert.equal(ok(await list({}, { 'x-api-key': rotatedKey }), 401).error_code, 'UNAUTHORIZED');
    assert.equal(ok(await list({}, { authorization: `Bearer ${rotatedKey}` }), 401).error_code, 'UNAUTHORIZED');

    const signIn = async (body: Record<string, unknown>) => {
      const response = await t.app.inject({ method: 'POST', url: '/api/console/sessions', payload: body });
      assert.ok(response.statusCode < 300, response.body);
      return `veridity_session=${response.cookies.find((cookie) => cookie.name === 'veridity_session')!.value}`;
    };
    const partnerSession = await signIn({ method: 'api_key', api_key: rotatedKey });
    assert.equal((await list({}, { cookie: partnerSession })).statusCode, 401);

    const operatorSession = await signIn({ method: 'admin_token', token: t.adminToken });
    const seen = ok(await list({ action: 'console_session.' }, { cookie: operatorSession })) as AuditPage;
    assert.deepEqual(seen.data.map((event) => [event.action, event.actor_type]), [['console_session.created', 'admin'], ['console_session.created', 'partner']]);
    assert.equal(seen.data[1]!.client_id, bankA.id);
  });
});
