/**
 * A partner's own API keys (issue 16, migration 0034) through HTTP on a real database: create
 * (shown once), list (never the secret), use, rotate with a grace period on the test clock and
 * at once, disable (never the last active key), other partners' keys out of reach, bad input
 * refused, every action audited, and the in-memory authentication cache dropping a key changed
 * by another process.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createPool } from '#platform/db/pool.ts';
import { createLogger } from '#platform/logger.ts';
import { waitFor } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { manualClock } from './support/webhook-harness.ts';

const clock = manualClock(new Date('2026-11-20T09:00:00Z'));
let t: TestApp;
let partner: Record<string, any>;

before(async () => {
  t = await createTestApp({ clock });
  partner = await createPartner(t, { name: 'Keyed Bank', scopes: ['age_over_18', 'evidence'] });
});
after(async () => t.close());

const withKey = (apiKey: string) => ({ 'x-api-key': apiKey });
const me = (apiKey: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: withKey(apiKey) });
const post = (url: string, payload?: object, apiKey: string = partner.api_key) =>
  t.app.inject({ method: 'POST', url, headers: { ...withKey(apiKey), 'idempotency-key': randomUUID() }, ...(payload ? { payload } : {}) });
const list = async (query = '', apiKey: string = partner.api_key) => {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/keys${query}`, headers: withKey(apiKey) });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
};
const auditOf = async (keyId: string) =>
  (await t.database.pool.query('SELECT action, actor_type, actor_id FROM audit_logs WHERE target_id = $1 ORDER BY at, id', [keyId])).rows;

describe('a partner\'s API keys', () => {
  test('the key the partner was created with is listed as Default; a created key is shown once, works, and is listed without its secret', async () => {
    const [first] = (await list()).data;
    assert.equal(first.name, 'Default');
    assert.equal(first.key_prefix, partner.key_prefix);
    assert.equal(first.status, 'active');

    const created = await post('/api/v1/keys', { name: '  Production  ' });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers['cache-control'], 'no-store');
    const key = created.json();
    assert.match(key.id, /^key_/);
    assert.equal(key.name, 'Production');
    assert.match(key.api_key, /^vk_/);
    assert.equal(key.key_prefix, key.api_key.slice(0, 11));
    assert.equal(key.status, 'active');

    const whoAmI = await me(key.api_key);
    assert.equal(whoAmI.statusCode, 200, whoAmI.body);
    assert.equal(whoAmI.json().client_id, partner.id, 'the new key is the same partner, with its scopes');
    assert.deepEqual(whoAmI.json().scopes, ['age_over_18', 'evidence']);

    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/keys', headers: withKey(partner.api_key) });
    assert.equal(listed.body.includes(key.api_key), false, 'the list never shows a key');
    assert.deepEqual(listed.json().data.map((k: any) => k.id), [key.id, first.id], 'newest first');
    assert.equal('api_key' in listed.json().data[0], false);

    // Its use is recorded for the key (at most once a minute).
    await t.app.lastUsed.flush();
    const used = (await list()).data.find((k: any) => k.id === key.id);
    assert.equal(used.last_used_at, clock.now().toISOString());
    assert.deepEqual(await auditOf(key.id), [{ action: 'api_key.created', actor_type: 'partner', actor_id: partner.id }]);
    assert.equal(t.logs().includes(key.api_key), false, 'the key never reaches the logs');
  });

  test('a rotation with a grace period: the new key works at once, the old one until the end of the grace period, then 401', async () => {
    const old = (await post('/api/v1/keys', { name: 'Batch jobs' })).json();
    assert.equal((await me(old.api_key)).statusCode, 200, 'in the cache now');

    const rotated = await post(`/api/v1/keys/${old.id}/rotate`, { grace_period_seconds: 3600 });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const fresh = rotated.json();
    assert.notEqual(fresh.id, old.id);
    assert.equal(fresh.name, 'Batch jobs');
    assert.notEqual(fresh.api_key, old.api_key);
    assert.equal(fresh.replaced_key.id, old.id);
    assert.equal(fresh.replaced_key.status, 'expiring');
    assert.equal(fresh.replaced_key.expires_at, new Date(clock.now().getTime() + 3600_000).toISOString());

    assert.equal((await me(fresh.api_key)).statusCode, 200);
    assert.equal((await me(old.api_key)).statusCode, 200, 'the old key works during the grace period');
    assert.equal((await post(`/api/v1/keys/${old.id}/rotate`)).statusCode, 409, 'a replaced key is not rotated again');

    clock.advance(3600_000 - 1000);
    assert.equal((await me(old.api_key)).statusCode, 200, 'a second before the end');
    clock.advance(1000);
    const expired = await me(old.api_key);
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().error_code, 'UNAUTHORIZED');
    assert.match(expired.json().error, /expired/);
    assert.equal((await me(fresh.api_key)).statusCode, 200);
    assert.deepEqual((await list('?status=expired')).data.map((k: any) => k.id), [old.id]);
    assert.deepEqual((await auditOf(old.id)).map((row) => row.action), ['api_key.created', 'api_key.rotated']);
  });

  test('the default grace period is 24 h; a grace period of 0 stops the old key at once', async () => {
    const defaultGrace = (await post('/api/v1/keys/' + (await post('/api/v1/keys', { name: 'Default grace' })).json().id + '/rotate')).json();
    assert.equal(defaultGrace.replaced_key.expires_at, new Date(clock.now().getTime() + 24 * 3600_000).toISOString());

    const old = (await post('/api/v1/keys', { name: 'Leaked' })).json();
    assert.equal((await me(old.api_key)).statusCode, 200, 'in the cache now');
    const rotated = await post(`/api/v1/keys/${old.id}/rotate`, { grace_period_seconds: 0 });
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.equal(rotated.json().replaced_key.status, 'expired');
    const refused = await me(old.api_key);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error_code, 'UNAUTHORIZED');
    assert.equal((await me(rotated.json().api_key)).statusCode, 200);
  });

  test('a disabled key answers 401 at once; disabling twice changes nothing; the last active key is not disabled', async () => {
    const key = (await post('/api/v1/keys', { name: 'Old integration' })).json();
    assert.equal((await me(key.api_key)).statusCode, 200, 'in the cache now');
    const disabled = await post(`/api/v1/keys/${key.id}/disable`);
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal(disabled.json().status, 'disabled');
    const refused = await me(key.api_key);
    assert.equal(refused.statusCode, 401);
    assert.deepEqual([refused.json().error_code, refused.json().error], ['UNAUTHORIZED', 'API key is disabled']);
    assert.equal((await post(`/api/v1/keys/${key.id}/disable`)).json().disabled_at, disabled.json().disabled_at);
    assert.equal((await post(`/api/v1/keys/${key.id}/rotate`)).statusCode, 409, 'a disabled key is not rotated');
    assert.deepEqual((await auditOf(key.id)).map((row) => row.action), ['api_key.created', 'api_key.disabled']);

    // A partner of its own: one key. Disabling it would lock the partner out: refused.
    const lonely = await createPartner(t, { name: 'One Key Bank' });
    const [only] = (await list('', lonely.api_key)).data;
    const last = await post(`/api/v1/keys/${only.id}/disable`, undefined, lonely.api_key);
    assert.equal(last.statusCode, 409, last.body);
    assert.deepEqual([last.json().error_code, last.json().reason], ['CONFLICT', 'LAST_ACTIVE_KEY']);
    assert.equal((await me(lonely.api_key)).statusCode, 200);
    // Rotated (the replacement is active), the old key may go.
    const rotated = (await post(`/api/v1/keys/${only.id}/rotate`, undefined, lonely.api_key)).json();
    assert.equal((await post(`/api/v1/keys/${only.id}/disable`, undefined, rotated.api_key)).statusCode, 200);
    assert.equal((await me(lonely.api_key)).statusCode, 401);
  });

  test('another partner\'s key is not found (404), neither listed nor rotated nor disabled', async () => {
    const other = await createPartner(t, { name: 'Other Bank' });
    const [otherKey] = (await list('', other.api_key)).data;
    for (const action of ['rotate', 'disable']) {
      const response = await post(`/api/v1/keys/${otherKey.id}/${action}`);
      assert.equal(response.statusCode, 404, `${action}: ${response.body}`);
      assert.equal(response.json().error_code, 'NOT_FOUND');
    }
    assert.equal((await list()).data.some((k: any) => k.id === otherKey.id), false);
    assert.equal((await me(other.api_key)).statusCode, 200, 'untouched');
  });

  test('bad input is refused with 400; without credentials 401', async () => {
    const someKey = (await list()).data[0].id;
    const bad: Array<[string, object | undefined]> = [
      ['/api/v1/keys', {}],
      ['/api/v1/keys', { name: '   ' }],
      ['/api/v1/keys', { name: 'x'.repeat(201) }],
      ['/api/v1/keys', { name: 'Extra', scopes: ['age_over_18'] }],
      [`/api/v1/keys/${someKey}/rotate`, { grace_period_seconds: -1 }],
      [`/api/v1/keys/${someKey}/rotate`, { grace_period_seconds: 7 * 24 * 3600 + 1 }],
      [`/api/v1/keys/${someKey}/rotate`, { grace_period_seconds: 1.5 }],
      [`/api/v1/keys/${someKey}/rotate`, { grace_period_seconds: '60' }],
      ['/api/v1/keys/cli_01m8r4pv8cf77s9qpsxgdkd8jj/rotate', undefined],
      ['/api/v1/keys/not-a-key/disable', undefined],
    ];
    for (const [url, body] of bad) {
      const response = await post(url, body);
      assert.equal(response.statusCode, 400, `${url} ${JSON.stringify(body)}: ${response.body}`);
      assert.equal(response.json().error_code, 'VALIDATION_FAILED');
      assert.ok(response.json().request_id);
    }
    for (const query of ['?limit=0', '?limit=101', '?status=gone', '?cursor=abc']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/keys${query}`, headers: withKey(partner.api_key) });
      assert.equal(response.statusCode, 400, query);
    }
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/keys' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/keys', payload: { name: 'x' } })).statusCode, 401);
  });

  test('the list pages with a cursor and filters by status', async () => {
    const all = (await list('?limit=100')).data;
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; next_cursor: string | null } = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.data.map((k) => k.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(pages, all.map((k: any) => k.id));
    const active = (await list('?status=active&limit=100')).data;
    assert.ok(active.length > 0 && active.every((k: any) => k.status === 'active'));
    assert.ok((await list('?status=disabled&limit=100')).data.every((k: any) => k.status === 'disabled'));
  });

  test('a key disabled by another process is refused as soon as the database announces it (the cache drops it)', async () => {
    const key = (await post('/api/v1/keys', { name: 'Elsewhere' })).json();
    assert.equal((await me(key.api_key)).statusCode, 200);
    assert.equal((await me(key.api_key)).statusCode, 200, 'served from memory');
    const otherProcess = createPool(t.database.url, { max: 1, log: createLogger('silent') });
    try {
      await otherProcess.query('UPDATE api_keys SET disabled_at = now() WHERE id = $1', [key.id]);
    } finally {
      await otherProcess.end();
    }
    await waitFor(async () => (await me(key.api_key)).statusCode === 401, 5_000, 'the disabled key to be refused');
  });

  test('the operator\'s rotate-key replaces every key of the partner by one new key, at once', async () => {
    const partnerKeys = (await list('?status=active&limit=100')).data;
    assert.ok(partnerKeys.length > 1);
    const rotated = await t.admin('POST', `/api/admin/clients/${partner.id}/rotate-key`);
    assert.equal(rotated.statusCode, 200, rotated.body);
    const { api_key: apiKey, key_prefix: keyPrefix } = rotated.json();
    assert.equal(keyPrefix, apiKey.slice(0, 11));
    assert.equal((await me(partner.api_key)).statusCode, 401);
    const after = (await list('?limit=100', apiKey)).data;
    assert.deepEqual(after.filter((k: any) => k.status !== 'disabled' && k.status !== 'expired').map((k: any) => k.key_prefix), [keyPrefix]);
    const client = (await t.admin('GET', `/api/admin/clients/${partner.id}`)).json();
    assert.equal(client.key_prefix, keyPrefix, 'the operator sees the newest enabled key');
  });
});
