import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
before(async () => (t = await createTestApp()));
after(async () => t.close());

const me = (apiKey?: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: apiKey ? { 'x-api-key': apiKey } : {} });
const meWithToken = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

async function accessToken(clientId: string, apiKey: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: apiKey },
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().access_token;
}

describe('partner clients through the admin API', () => {
  test('create returns the key and webhook secret once; the key authenticates', async () => {
    const created = await createPartner(t, { name: 'Acme Bank', scopes: ['age_over_18', 'citizenship'], webhook_url: 'https://acme.example/hooks', rate_limit_per_minute: 300 });
    assert.match(created.id, /^cli_[0-9a-z]{26}$/);
    assert.match(created.api_key, /^vk_[A-Za-z0-9_-]{43}$/);
    assert.match(created.webhook_secret, /^whsec_[A-Za-z0-9+/=]{44}$/);
    assert.equal(created.key_prefix, created.api_key.slice(0, 11));
    assert.equal(created.rate_limit_per_minute, 300);

    const whoami = await me(created.api_key);
    assert.equal(whoami.statusCode, 200);
    assert.deepEqual(whoami.json(), { client_id: created.id, name: 'Acme Bank', scopes: ['age_over_18', 'citizenship'], rate_limit_per_minute: 300 });

    const listed = (await t.admin('GET', '/api/admin/clients')).json() as Record<string, unknown>[];
    const row = listed.find((c) => c.id === created.id)!;
    assert.ok(row);
    assert.equal('api_key' in row, false);
    assert.equal('webhook_secret' in row, false);
    const single = await t.admin('GET', `/api/admin/clients/${created.id}`);
    assert.equal(single.statusCode, 200);
    assert.doesNotMatch(single.body, /vk_[A-Za-z0-9_-]{43}|whsec_/);
  });

  test('only the key hash and the sealed webhook secret are stored', async () => {
    const created = await createPartner(t, { webhook_url: 'https://bank.example/hook' });
    const { rows } = await t.database.pool.query('SELECT * FROM api_clients WHERE id = $1', [created.id]);
    const keys = (await t.database.pool.query('SELECT * FROM api_keys WHERE client_id = $1', [created.id])).rows;
    assert.deepEqual(keys.map((key) => key.key_hash), [createHash('sha256').update(created.api_key).digest()]);
    const endpoint = (await t.database.pool.query('SELECT * FROM webhook_endpoints WHERE client_id = $1', [created.id])).rows;
    const audit = (await t.database.pool.query('SELECT * FROM audit_logs')).rows;
    const everything = [...rows, ...keys, ...endpoint, ...audit].map((r) => JSON.stringify(r)).join();
    assert.equal(everything.includes(created.api_key), false, 'API key stored in plain text');
    assert.equal(everything.includes(created.webhook_secret), false, 'webhook secret stored in plain text');
    assert.equal(everything.includes(created.webhook_secret.slice(6)), false, 'webhook secret body stored in plain text');
    assert.match(endpoint[0].secret_sealed, /^v1\.[0-9a-f]{8}\./);
    assert.equal(t.logs().includes(created.api_key), false, 'API key logged');
    assert.equal(t.logs().includes(created.webhook_secret), false, 'webhook secret logged');
  });

  test('update changes fields, issues a secret when a webhook URL is first set, and clears it when removed', async () => {
    const created = await createPartner(t);
    const renamed = await t.admin('PATCH', `/api/admin/clients/${created.id}`, { name: 'Renamed', scopes: ['education'], rate_limit_per_minute: 10 });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().name, 'Renamed');
    assert.deepEqual(renamed.json().scopes, ['education']);
    assert.equal(renamed.json().rate_limit_per_minute, 10);
    assert.equal(renamed.json().webhook_secret, undefined);

    const withHook = await t.admin('PATCH', `/api/admin/clients/${created.id}`, { webhook_url: 'https://new.example/h' });
    assert.match(withHook.json().webhook_secret, /^whsec_/);
    const moved = await t.admin('PATCH', `/api/admin/clients/${created.id}`, { webhook_url: 'https://moved.example/h' });
    assert.equal(moved.json().webhook_secret, undefined, 'changing the URL keeps the secret');
    const cleared = await t.admin('PATCH', `/api/admin/clients/${created.id}`, { webhook_url: null });
    assert.equal(cleared.json().webhook_url, null);
    const { rowCount } = await t.database.pool.query('SELECT 1 FROM webhook_endpoints WHERE client_id = $1', [created.id]);
    assert.equal(rowCount, 0, 'the endpoint and its secret are deleted');

    assert.equal((await t.admin('PATCH', `/api/admin/clients/${created.id}`, {})).statusCode, 400);
    assert.equal((await t.admin('PATCH', '/api/admin/clients/cli_00000000000000000000000000', { name: 'x' })).statusCode, 404);
  });

  test('rotate-key: the new key works, the old one and its access tokens are refused at once', async () => {
    const created = await createPartner(t);
    const oldToken = await accessToken(created.id, created.api_key);
    assert.equal((await meWithToken(oldToken)).statusCode, 200);
    const rotated = await t.admin('POST', `/api/admin/clients/${created.id}/rotate-key`);
    assert.equal(rotated.statusCode, 200);
    const newKey = rotated.json().api_key as string;
    assert.notEqual(newKey, created.api_key);
    assert.equal((await me(created.api_key)).statusCode, 401);
    assert.equal((await me(newKey)).statusCode, 200);
    const refused = await meWithToken(oldToken);
    assert.equal(refused.statusCode, 401);
    assert.match(refused.json().error, /revoked/);
    assert.equal((await meWithToken(await accessToken(created.id, newKey))).statusCode, 200);
  });

  test('disable: the key answers 401, the client stays listed as disabled; idempotent', async () => {
    const created = await createPartner(t);
    const disabled = await t.admin('DELETE', `/api/admin/clients/${created.id}`);
    assert.equal(disabled.statusCode, 200);
    assert.ok(disabled.json().disabled_at);
    const again = await t.admin('DELETE', `/api/admin/clients/${created.id}`);
    assert.equal(again.json().disabled_at, disabled.json().disabled_at);
    const response = await me(created.api_key);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error_code, 'UNAUTHORIZED');
    assert.equal(response.json().error, 'API key is disabled');
  });

  test('partner auth failures: missing, wrong and disabled keys', async () => {
    const missing = await me();
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().error, 'missing X-Api-Key header');
    const wrong = await me('vk_' + 'A'.repeat(43));
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error, 'invalid API key');
  });

  test('admin auth failures: missing and wrong bearer token; an API key is not an admin token', async () => {
    const partner = await createPartner(t);
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${partner.api_key}`, t.adminToken, `Basic ${t.adminToken}`]) {
      const response = await t.app.inject({ method: 'GET', url: '/api/admin/clients', headers: authorization ? { authorization } : {} });
      assert.equal(response.statusCode, 401, String(authorization));
      assert.equal(response.json().error_code, 'UNAUTHORIZED');
      assert.match(response.json().request_id, /^req_/);
    }
  });

  test('every admin action leaves an audit row with actor, action, target and ip, never a secret', async () => {
    const created = await createPartner(t, { webhook_url: 'https://audit.example/h' });
    await t.admin('PATCH', `/api/admin/clients/${created.id}`, { name: 'Audited' });
    const rotated = (await t.admin('POST', `/api/admin/clients/${created.id}/rotate-key`)).json();
    await t.admin('DELETE', `/api/admin/clients/${created.id}`);
    const { rows } = await t.database.pool.query(
      `SELECT actor_type, actor_id, action, target_type, target_id, host(ip) AS ip, request_id, details::text AS details
         FROM audit_logs WHERE target_id = $1 ORDER BY at, id`,
      [created.id],
    );
    assert.deepEqual(rows.map((r) => r.action), ['client.created', 'client.updated', 'client.key_rotated', 'client.disabled']);
    for (const row of rows) {
      assert.equal(row.actor_type, 'admin');
      assert.equal(row.actor_id, 'env');
      assert.equal(row.target_type, 'api_client');
      assert.equal(row.ip, '127.0.0.1');
      assert.match(row.request_id, /^req_/);
      for (const secret of [created.api_key, created.webhook_secret, rotated.api_key]) assert.equal(row.details.includes(secret), false);
    }
  });

  test('last_used is recorded in batches, not per request', async () => {
    const created = await createPartner(t);
    for (let i = 0; i < 5; i++) assert.equal((await me(created.api_key)).statusCode, 200);
    const before = await t.database.pool.query('SELECT last_used FROM api_clients WHERE id = $1', [created.id]);
    assert.equal(before.rows[0].last_used, null, 'no write on the request path');
    await t.app.lastUsed.flush();
    const afterFlush = await t.database.pool.query('SELECT last_used FROM api_clients WHERE id = $1', [created.id]);
    assert.ok(afterFlush.rows[0].last_used instanceof Date);
    const listed = (await t.admin('GET', `/api/admin/clients/${created.id}`)).json();
    assert.ok(listed.last_used);
  });
});
