/**
 * Idempotency-Key on every route that creates something, partner's and operator's: a retry gets
 * the first response byte for byte (`Idempotent-Replayed: true`) and creates nothing new.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SCOPES } from '#modules/clients/schema.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let apiKey: string;

before(async () => {
  t = await createTestApp();
  apiKey = (await createPartner(t, { scopes: [...SCOPES], webhook_url: 'https://bank.example/hooks' })).api_key;
});
after(async () => t.close());

function post(url: string, payload: string | object | undefined, key?: string) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'x-api-key': apiKey, ...(key ? { 'idempotency-key': key } : {}), ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}) },
    ...(payload === undefined ? {} : { payload }),
  });
}

const task = { appId: 'app-1', appName: 'Idempotent app', appConfigType: 'phala_cloud', evidence: { quote: 'ab'.repeat(64) } };

describe('Idempotency-Key', () => {
  test('every authenticated POST honours it, but for the few that create nothing', () => {
    // Toggles and re-queues: repeating them changes nothing, so a key would add nothing. A bulk
    // evidence batch, or an agent's document to the ingest gateway, sent again creates nothing
    // either: each document is known by its SHA-256.
    const createsNothing = new Set(['/api/v1/queue/pause', '/api/v1/queue/resume', '/api/admin/webhooks/dead-letters/redrive', '/api/admin/notifications/dead-letters/redrive', '/api/v1/proofs/bulk', '/ingest/v1/proofs']);
    const posts = t.app.routeTable.filter((route) => route.method === 'POST' && route.access.auth !== 'public');
    assert.ok(posts.length >= 10);
    for (const route of posts) assert.equal(route.idempotent, !createsNothing.has(route.url), route.url);
  });

  test('operator writes too: a retried client creation makes one client and shows the same key; the stored copy is sealed', async () => {
    const key = randomUUID();
    const create = () => t.app.inject({
      method: 'POST', url: '/api/admin/clients',
      headers: { authorization: `Bearer ${t.adminToken}`, 'idempotency-key': key },
      payload: { name: 'Retried Bank', scopes: ['age_over_18'] },
    });
    const [first, again] = [await create(), await create()];
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(again.body, first.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.headers['cache-control'], 'no-store');
    const named = (await t.admin('GET', '/api/admin/clients')).json().filter((client: { name: string }) => client.name === 'Retried Bank');
    assert.equal(named.length, 1);
    const stored = await t.database.pool.query<{ row: string }>('SELECT row_to_json(k)::text AS row FROM idempotency_keys k WHERE key = $1', [key]);
    assert.equal(stored.rows.length, 1);
    assert.equal(stored.rows[0]!.row.includes(first.json().api_key), false, 'the API key is stored sealed, never in clear');
    // The operator's keys and a partner's never meet.
    const partnerSide = await post('/api/v1/requests', { claim_type: 'age_over_18', verifier_domain: 'bank.example' }, key);
    assert.equal(partnerSide.statusCode, 201, partnerSide.body);
  });

  test('a replay is the first response byte for byte, with its status and content type, and creates nothing', async () => {
    const key = randomUUID();
    const first = await post('/api/v1/requests', { claim_type: 'age_over_18', verifier_domain: 'bank.example' }, key);
    assert.equal(first.statusCode, 201, first.body);
    const again = await post('/api/v1/requests', { verifier_domain: 'bank.example', claim_type: 'age_over_18' }, key); // same body, other key order
    assert.equal(again.statusCode, 201);
    assert.equal(again.body, first.body);
    assert.equal(again.headers['content-type'], first.headers['content-type']);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const fresh = await post('/api/v1/requests', { claim_type: 'age_over_18', verifier_domain: 'bank.example' });
    assert.notEqual(fresh.json().nonce, first.json().nonce);
  });

  test('tasks and test webhooks: the retry names the same resource', async () => {
    const key = randomUUID();
    const [a, b] = [await post('/api/v1/tasks', task, key), await post('/api/v1/tasks', task, key)];
    assert.equal(a.statusCode, 202, a.body);
    assert.equal(b.body, a.body);
    assert.equal(b.headers.location, a.headers.location);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/tasks', headers: { 'x-api-key': apiKey } });
    assert.equal(listed.json().data.filter((row: { id: string }) => row.id === a.json().id).length, 1);

    const hookKey = randomUUID();
    const [h1, h2] = [await post('/api/v1/webhooks/test', undefined, hookKey), await post('/api/v1/webhooks/test', undefined, hookKey)];
    assert.equal(h1.statusCode, 202, h1.body);
    assert.equal(h2.json().delivery_id, h1.json().delivery_id);
  });

  test('a failure is replayed too; another body or another endpoint with the key is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const key = randomUUID();
    const invalid = await post('/api/v1/requests', { claim_type: 'citizenship', verifier_domain: 'bank.example', params: { country: 99999 } }, key);
    assert.equal(invalid.statusCode >= 400 && invalid.statusCode < 500, true, invalid.body);
    const replayed = await post('/api/v1/requests', { claim_type: 'citizenship', verifier_domain: 'bank.example', params: { country: 99999 } }, key);
    assert.equal(replayed.statusCode, invalid.statusCode);
    assert.equal(replayed.body, invalid.body);

    const other = await post('/api/v1/requests', { claim_type: 'age_over_21', verifier_domain: 'bank.example' }, key);
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().error_code, 'IDEMPOTENCY_KEY_REUSED');
    const elsewhere = await post('/api/v1/tasks', task, key);
    assert.equal(elsewhere.statusCode, 422);
    assert.equal(elsewhere.json().error_code, 'IDEMPOTENCY_KEY_REUSED');
  });

  test('a malformed key is a 400 naming the header', async () => {
    const response = await post('/api/v1/requests', { claim_type: 'age_over_18', verifier_domain: 'bank.example' }, 'has space');
    assert.equal(response.statusCode, 400);
    assert.match(response.json().error, /idempotency-key/);
  });
});
