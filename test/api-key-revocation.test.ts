/**
 * Console sessions and OAuth access tokens are tied to the API key they were obtained with
 * (migration 0036), through HTTP on a real database: disabling a key ends its console sessions
 * (audited) and refuses its tokens, while the partner's other keys' sessions and tokens, and its
 * wallet sessions, go on; a rotation with a grace period keeps the old key's sessions and tokens
 * working until the old key expires (the app's test clock), then refuses them; the operator's
 * rotate-key ends the sessions of every key it disables.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { manualClock } from './support/webhook-harness.ts';

const clock = manualClock(new Date('2026-11-24T09:00:00Z'));
let t: TestApp;

before(async () => {
  t = await createTestApp({ clock });
});
after(async () => t.close());

type Browser = { session: string; refresh: string; csrf: string; id: string };

function cookieOf(response: LightMyRequestResponse, name: string): string {
  return response.cookies.find((c) => c.name === name)!.value;
}

async function signInWith(body: Record<string, unknown>): Promise<Browser> {
  const response = await t.app.inject({ method: 'POST', url: '/api/console/sessions', payload: body });
  assert.equal(response.statusCode, 201, response.body);
  return { session: cookieOf(response, 'veridity_session'), refresh: cookieOf(response, 'veridity_refresh'), csrf: response.json().csrf_token, id: response.json().session.id };
}

const consoleMe = (browser: Browser) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `veridity_session=${browser.session}` } });
const refresh = (browser: Browser) => t.app.inject({ method: 'POST', url: '/api/console/session/refresh', headers: { cookie: `veridity_refresh=${browser.refresh}` } });
const bearerMe = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
const post = (url: string, apiKey: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: { 'x-api-key': apiKey, 'idempotency-key': randomUUID() }, ...(payload ? { payload } : {}) });

async function accessToken(clientId: string, apiKey: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${apiKey}`).toString('base64')}` },
    payload: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().access_token;
}

async function createKey(apiKey: string, name: string): Promise<{ id: string; api_key: string }> {
  const response = await post('/api/v1/keys', apiKey, { name });
  assert.equal(response.statusCode, 201, response.body);
  return response.json();
}

async function defaultKeyId(apiKey: string): Promise<string> {
  const listed = await t.app.inject({ method: 'GET', url: '/api/v1/keys', headers: { 'x-api-key': apiKey } });
  return listed.json().data.find((k: any) => k.name === 'Default').id;
}

/** A partner's wallet session (Sign-In with Ethereum): never tied to a key. */
async function walletSession(clientId: string): Promise<Browser> {
  const account = privateKeyToAccount(generatePrivateKey());
  assert.equal((await t.admin('POST', `/api/admin/clients/${clientId}/wallets`, { chain: 'ethereum', address: account.address })).statusCode, 201);
  const { message } = (await t.app.inject({ method: 'POST', url: '/api/console/wallet/challenges', payload: { chain: 'ethereum', address: account.address } })).json();
  return signInWith({ method: 'siwe', message, signature: await account.signMessage({ message }) });
}

function assertUnauthorized(response: LightMyRequestResponse, message?: RegExp) {
  assert.equal(response.statusCode, 401, response.body);
  const body = response.json();
  assert.equal(body.error_code, 'UNAUTHORIZED', response.body);
  assert.match(body.request_id, /^req_/);
  assert.equal(typeof body.error, 'string');
  if (message) assert.match(body.error, message);
}

async function assertWorks(response: LightMyRequestResponse, clientId: string) {
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(response.json().client_id, clientId);
}

const sessionRow = async (id: string) => (await t.database.pool.query('SELECT revoked_at, revoked_reason, api_key_id FROM console_sessions WHERE id = $1', [id])).rows[0];

describe('sessions and tokens follow the API key they were obtained with', () => {
  test('disabling key A ends A\'s console sessions (audited) and refuses A\'s tokens; key B\'s and the wallet\'s go on', async () => {
    const partner = await createPartner(t, { name: 'Leaky Bank' });
    const keyA = { id: await defaultKeyId(partner.api_key), api_key: partner.api_key as string };
    const browserA = await signInWith({ method: 'api_key', api_key: keyA.api_key });
    const tokenA = await accessToken(partner.id, keyA.api_key);
    const keyB = await createKey(keyA.api_key, 'Replacement');
    const browserB = await signInWith({ method: 'api_key', api_key: keyB.api_key });
    const tokenB = await accessToken(partner.id, keyB.api_key);
    const wallet = await walletSession(partner.id);
    assert.equal((await sessionRow(browserA.id)).api_key_id, keyA.id);
    assert.equal((await sessionRow(browserB.id)).api_key_id, keyB.id);
    assert.equal((await sessionRow(wallet.id)).api_key_id, null);
    for (const response of [await consoleMe(browserA), await bearerMe(tokenA), await consoleMe(browserB), await bearerMe(tokenB)]) await assertWorks(response, partner.id);

    const disabled = await post(`/api/v1/keys/${keyA.id}/disable`, keyB.api_key);
    assert.equal(disabled.statusCode, 200, disabled.body);

    // Ended by the disabling itself, not found fallen at its next use.
    const row = await sessionRow(browserA.id);
    assert.equal(row.revoked_reason, 'api_key_disabled');
    assert.equal(row.revoked_at.toISOString(), clock.now().toISOString());
    const audit = await t.database.pool.query(
      "SELECT action, target_id, actor_type, actor_id, details FROM audit_logs WHERE action IN ('console_session.revoked', 'api_key.disabled') AND (target_id = $1 OR target_id = $2) ORDER BY action",
      [browserA.id, keyA.id],
    );
    assert.deepEqual(audit.rows.map((r) => [r.action, r.target_id, r.actor_type, r.actor_id]), [
      ['api_key.disabled', keyA.id, 'partner', partner.id],
      ['console_session.revoked', browserA.id, 'partner', partner.id],
    ]);
    assert.equal(audit.rows[0].details.console_sessions_revoked, 1);
    assert.deepEqual(audit.rows[1].details, { reason: 'api_key_disabled', api_key_id: keyA.id });

    assertUnauthorized(await consoleMe(browserA));
    assertUnauthorized(await refresh(browserA));
    const refusedToken = await bearerMe(tokenA);
    assertUnauthorized(refusedToken, /revoked: the API key it was issued with is disabled/);
    assert.match(String(refusedToken.headers['www-authenticate']), /error="invalid_token"/);

    await assertWorks(await consoleMe(browserB), partner.id);
    await assertWorks(await bearerMe(tokenB), partner.id);
    await assertWorks(await consoleMe(wallet), partner.id);
    assert.equal((await sessionRow(browserB.id)).revoked_at, null);
    assert.equal((await refresh(browserB)).statusCode, 200, 'B\'s session refreshes');
  });

  test('a rotation with a grace period: the old key\'s session and token work until its expiry, then are refused', async () => {
    const partner = await createPartner(t, { name: 'Rotating Bank' });
    const old = await createKey(partner.api_key, 'Batch jobs');
    const browser = await signInWith({ method: 'api_key', api_key: old.api_key });
    const token = await accessToken(partner.id, old.api_key);

    // Shorter than a token's 15 minutes, so the token is refused for its key, not its own expiry.
    const rotated = await post(`/api/v1/keys/${old.id}/rotate`, partner.api_key, { grace_period_seconds: 600 });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const fresh = rotated.json();
    const freshBrowser = await signInWith({ method: 'api_key', api_key: fresh.api_key });

    clock.advance(599_000);
    await assertWorks(await consoleMe(browser), partner.id);
    await assertWorks(await bearerMe(token), partner.id);
    // A token bought during the grace period is as short-lived as the key.
    const lateToken = await accessToken(partner.id, old.api_key);
    assert.equal((await sessionRow(browser.id)).revoked_at, null);

    clock.advance(1_000);
    assertUnauthorized(await bearerMe(token), /revoked: the API key it was issued with has expired/);
    assertUnauthorized(await bearerMe(lateToken), /has expired/);
    assertUnauthorized(await consoleMe(browser), /grace period is over/);
    assert.equal((await sessionRow(browser.id)).revoked_reason, 'credential_revoked', 'ended at its first use after the expiry');
    assertUnauthorized(await refresh(browser));

    await assertWorks(await consoleMe(freshBrowser), partner.id);
    await assertWorks(await bearerMe(await accessToken(partner.id, fresh.api_key)), partner.id);
  });

  test('the operator\'s rotate-key ends the sessions of every key it disables; a wallet session goes on', async () => {
    const partner = await createPartner(t, { name: 'Compromised Bank' });
    const second = await createKey(partner.api_key, 'Second');
    const browsers = [await signInWith({ method: 'api_key', api_key: partner.api_key }), await signInWith({ method: 'api_key', api_key: second.api_key })];
    const wallet = await walletSession(partner.id);

    const rotated = await t.admin('POST', `/api/admin/clients/${partner.id}/rotate-key`);
    assert.equal(rotated.statusCode, 200, rotated.body);
    for (const browser of browsers) {
      assert.equal((await sessionRow(browser.id)).revoked_reason, 'api_key_disabled');
      assertUnauthorized(await consoleMe(browser));
    }
    const audit = await t.database.pool.query("SELECT details FROM audit_logs WHERE action = 'client.key_rotated' AND target_id = $1", [partner.id]);
    assert.equal(audit.rows[0].details.console_sessions_revoked, 2);
    await assertWorks(await consoleMe(wallet), partner.id);
  });
});
