/**
 * Idempotency-Key on every partner route that creates something: a retry gets the first
 * response byte for byte (`Idempotent-Replayed: true`) and creates nothing new.
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
  test('every partner POST that creates something honours it (secret-showing ones excepted: their answer is never stored)', () => {
    const posts = t.app.routeTable.filter((route) => route.method === 'POST' && route.access.auth === 'partner');
    assert.ok(posts.length >= 5);
    for (const route of posts) assert.equal(route.idempotent, !route.carriesSecret, `${route.url}: idempotent should be ${!route.carriesSecret}`);
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
