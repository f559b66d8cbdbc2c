/**
 * Web console sign-in through HTTP on a real database: each sign-in method (admin token, API key,
 * Sign-In with Ethereum and Sui with keys made here, OIDC against a real oidc-provider started in
 * this process), the cookies it sets, the session cookie standing for the operator or partner on
 * the existing API with the CSRF check on state-changing requests, refresh rotation with reuse
 * detection, sign-out, and the session lists.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage, parseSiweMessage } from 'viem/siwe';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { startOidcProvider, type OidcTestProvider } from './support/oidc-provider.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
const encryptionKey = randomBytes(32);
const CALLBACK = 'http://localhost/api/console/oidc/callback';
let t: TestApp;
let idp: OidcTestProvider;

before(async () => {
  idp = await startOidcProvider({
    redirectUri: CALLBACK,
    accounts: {
      'ops-alice': { email: 'alice@ops.example', email_verified: true, veridity_role: 'operator' },
      'bank-bob': { email: 'Bob@Acme-Bank.example', email_verified: true },
      'bank-unverified': { email: 'eve@acme-bank.example', email_verified: false },
      'nobody': { email: 'nobody@example.com', email_verified: true },
    },
  });
  t = await createTestApp({
    clock,
    encryptionKey,
    console: { siweChainId: 1, oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, roleClaim: 'veridity_role', scopes: 'openid email', redirectUrl: CALLBACK } },
  });
});
after(async () => {
  await t.close();
  await idp.close();
});

/** What a browser keeps of a sign-in: the two cookies and the CSRF token the page read. */
type Browser = { session: string; refresh: string; csrf: string };

function cookie(response: LightMyRequestResponse, name: string) {
  return response.cookies.find((c) => c.name === name);
}

function browserOf(response: LightMyRequestResponse): Browser {
  assert.ok(response.statusCode < 300, response.body);
  return { session: cookie(response, 'veridity_session')!.value, refresh: cookie(response, 'veridity_refresh')!.value, csrf: response.json().csrf_token };
}

const signIn = (body: Record<string, unknown>, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/console/sessions', payload: body, headers });
const asOperator = async () => browserOf(await signIn({ method: 'admin_token', token: t.adminToken }));

/** A request as the browser sends it: the session cookie, and the CSRF header unless `csrf` says otherwise. */
function fromBrowser(browser: Browser, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, options: { payload?: object; csrf?: string | null } = {}) {
  const csrf = options.csrf === undefined ? browser.csrf : options.csrf;
  return t.app.inject({ method, url, headers: { cookie: `veridity_session=${browser.session}`, ...(csrf === null ? {} : { 'x-csrf-token': csrf }) }, ...(options.payload ? { payload: options.payload } : {}) });
}

const refresh = (browser: Browser) => t.app.inject({ method: 'POST', url: '/api/console/session/refresh', headers: { cookie: `veridity_refresh=${browser.refresh}` } });

function assertRefused(response: LightMyRequestResponse, status: number, code: string, reason?: string) {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json();
  assert.equal(body.error_code, code, response.body);
  assert.match(body.request_id, /^req_/);
  if (reason) assert.equal(body.reason, reason, response.body);
}

async function sessionRow(id: string): Promise<Record<string, any>> {
  const { rows } = await t.database.pool.query('SELECT * FROM console_sessions WHERE id = $1', [id]);
  return rows[0];
}

describe('the console configuration', () => {
  test('is public and names the sign-in methods', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/console/config' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { oidc: true, wallet_chains: ['ethereum', 'sui'], siwe_chain_id: 1 });
  });
});

describe('admin token sign-in', () => {
  test('sets the session and refresh cookies (only their hashes stored) and answers the session with its CSRF token', async () => {
    const response = await signIn({ method: 'admin_token', token: t.adminToken });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const session = cookie(response, 'veridity_session')!;
    const refreshCookie = cookie(response, 'veridity_refresh')!;
    assert.deepEqual({ httpOnly: session.httpOnly, sameSite: session.sameSite, path: session.path, maxAge: session.maxAge, secure: session.secure }, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 900, secure: undefined });
    assert.deepEqual({ httpOnly: refreshCookie.httpOnly, sameSite: refreshCookie.sameSite, path: refreshCookie.path, maxAge: refreshCookie.maxAge }, { httpOnly: true, sameSite: 'Strict', path: '/api/console/session', maxAge: 30 * 24 * 3600 });
    const body = response.json();
    assert.match(body.session.id, /^ses_/);
    assert.equal(body.session.role, 'operator');
    assert.equal(body.session.method, 'admin_token');
    assert.equal(body.session.client_id, undefined);
    assert.equal(Date.parse(body.session.access_expires_at) - Date.parse(body.session.created_at), 15 * 60 * 1000);
    assert.equal(Date.parse(body.session.refresh_expires_at) - Date.parse(body.session.created_at), 30 * 24 * 3600 * 1000);
    assert.ok(body.csrf_token.length >= 32);

    const row = await sessionRow(body.session.id);
    assert.deepEqual(row.access_hash, createHash('sha256').update(session.value).digest());
    const stored = JSON.stringify([row, (await t.database.pool.query('SELECT * FROM console_refresh_tokens WHERE session_id = $1', [row.id])).rows]);
    for (const secret of [session.value, refreshCookie.value, t.adminToken, body.csrf_token]) assert.ok(!stored.includes(secret), 'no cookie value, token or CSRF token is stored');

    const current = await t.app.inject({ method: 'GET', url: '/api/console/session', headers: { cookie: `veridity_session=${session.value}` } });
    assert.equal(current.statusCode, 200, current.body);
    assert.deepEqual(current.json(), body);
  });

  test('a wrong token: 401, and no cookie', async () => {
    const response = await signIn({ method: 'admin_token', token: `vat_${randomBytes(32).toString('base64url')}` });
    assertRefused(response, 401, 'UNAUTHORIZED', 'INVALID_CREDENTIALS');
    assert.equal(response.headers['set-cookie'], undefined);
  });

  test('without a session, or with one made up: 401 on GET /api/console/session', async () => {
    assertRefused(await t.app.inject({ method: 'GET', url: '/api/console/session' }), 401, 'UNAUTHORIZED');
    assertRefused(await t.app.inject({ method: 'GET', url: '/api/console/session', headers: { cookie: `veridity_session=${randomBytes(32).toString('base64url')}` } }), 401, 'UNAUTHORIZED');
  });
});

describe('the session cookie on the operator API', () => {
  test('reads as the operator; a state-changing request needs the CSRF token, a bearer one does not', async () => {
    const browser = await asOperator();
    const listed = await fromBrowser(browser, 'GET', '/api/admin/clients', { csrf: null });
    assert.equal(listed.statusCode, 200, listed.body);

    const body = { name: 'Made in the console', scopes: ['age_over_18'] };
    assertRefused(await fromBrowser(browser, 'POST', '/api/admin/clients', { payload: body, csrf: null }), 403, 'CSRF_TOKEN_INVALID');
    assertRefused(await fromBrowser(browser, 'POST', '/api/admin/clients', { payload: body, csrf: 'x'.repeat(browser.csrf.length) }), 403, 'CSRF_TOKEN_INVALID');
    // Another session's token is not this one's.
    const other = await asOperator();
    assertRefused(await fromBrowser(browser, 'POST', '/api/admin/clients', { payload: body, csrf: other.csrf }), 403, 'CSRF_TOKEN_INVALID');
    const created = await fromBrowser(browser, 'POST', '/api/admin/clients', { payload: body });
    assert.equal(created.statusCode, 201, created.body);
    const { rows } = await t.database.pool.query("SELECT actor_type, actor_id FROM audit_logs WHERE action = 'client.created' AND target_id = $1", [created.json().id]);
    assert.deepEqual(rows, [{ actor_type: 'admin', actor_id: 'env' }]);

    const bearer = await t.app.inject({ method: 'POST', url: '/api/admin/clients', headers: { authorization: `Bearer ${t.adminToken}` }, payload: body });
    assert.equal(bearer.statusCode, 201, bearer.body);
    // A header credential is what authenticates when there is one: a wrong one is not rescued by the cookie.
    const wrongBearer = await t.app.inject({ method: 'GET', url: '/api/admin/clients', headers: { authorization: 'Bearer vat_wrong', cookie: `veridity_session=${browser.session}` } });
    assertRefused(wrongBearer, 401, 'UNAUTHORIZED');
  });

  test('a stored admin token revoked: its sessions end', async () => {
    const { createAdminToken } = await import('#modules/admin/create-admin-token.ts');
    const { token, id } = await createAdminToken({ db: t.database.db, clock }, 'console test', { type: 'system', id: null, ip: null, requestId: null });
    const browser = browserOf(await signIn({ method: 'admin_token', token }));
    const before = await fromBrowser(browser, 'GET', '/api/console/session');
    assert.equal(before.json().session.identity, `admin token ${id}`);
    await t.database.pool.query('UPDATE admin_tokens SET revoked_at = now() WHERE id = $1', [id]);
    assertRefused(await fromBrowser(browser, 'GET', '/api/admin/clients'), 401, 'UNAUTHORIZED');
    assert.equal((await sessionRow(before.json().session.id)).revoked_reason, 'credential_revoked');
  });
});

describe('API key sign-in and the session cookie on the partner API', () => {
  test('a partner session reads and acts as its partner, with its scopes; the key is not kept', async () => {
    const partner = await createPartner(t, { name: 'Cookie Bank', scopes: ['age_over_18', 'tee_attestation'], webhook_url: 'https://cookie-bank.example/hooks' });
    const response = await signIn({ method: 'api_key', api_key: partner.api_key });
    assert.equal(response.statusCode, 201, response.body);
    const browser = browserOf(response);
    const session = response.json().session;
    assert.deepEqual([session.role, session.client_id, session.client_name, session.method, session.identity], ['partner', partner.id, 'Cookie Bank', 'api_key', `API key ${partner.key_prefix}`]);
    assert.ok(!JSON.stringify(await sessionRow(session.id)).includes(partner.api_key));

    const me = await fromBrowser(browser, 'GET', '/api/v1/me');
    assert.equal(me.statusCode, 200, me.body);
    assert.deepEqual([me.json().client_id, me.json().scopes], [partner.id, ['age_over_18', 'tee_attestation']]);
    assertRefused(await fromBrowser(browser, 'POST', '/api/v1/webhooks/test', { csrf: null }), 403, 'CSRF_TOKEN_INVALID');
    const sent = await fromBrowser(browser, 'POST', '/api/v1/webhooks/test');
    assert.equal(sent.statusCode, 202, sent.body);
    // Its key's scopes: evidence routes stay closed.
    assertRefused(await fromBrowser(browser, 'GET', '/api/v1/proofs'), 403, 'UNAUTHORIZED_SCOPE');

    // Roles do not cross: a partner session on an operator route, an operator session on a partner route.
    assertRefused(await fromBrowser(browser, 'GET', '/api/admin/clients'), 401, 'UNAUTHORIZED');
    assertRefused(await fromBrowser(await asOperator(), 'GET', '/api/v1/me'), 401, 'UNAUTHORIZED');
  });

  test('rotating the key ends the sessions it signed in; disabling the partner ends all of them', async () => {
    const partner = await createPartner(t, { name: 'Rotating Bank' });
    const browser = browserOf(await signIn({ method: 'api_key', api_key: partner.api_key }));
    assert.equal((await t.admin('POST', `/api/admin/clients/${partner.id}/rotate-key`)).statusCode, 200);
    assertRefused(await fromBrowser(browser, 'GET', '/api/v1/me'), 401, 'UNAUTHORIZED');
    assertRefused(await signIn({ method: 'api_key', api_key: partner.api_key }), 401, 'UNAUTHORIZED', 'INVALID_CREDENTIALS');
  });

  test('a wrong or disabled key: 401', async () => {
    assertRefused(await signIn({ method: 'api_key', api_key: 'vk_wrong' }), 401, 'UNAUTHORIZED', 'INVALID_CREDENTIALS');
    const partner = await createPartner(t, { name: 'Disabled Bank' });
    const browser = browserOf(await signIn({ method: 'api_key', api_key: partner.api_key }));
    assert.equal((await t.admin('DELETE', `/api/admin/clients/${partner.id}`)).statusCode, 200);
    assertRefused(await fromBrowser(browser, 'GET', '/api/v1/me'), 401, 'UNAUTHORIZED');
    assertRefused(await signIn({ method: 'api_key', api_key: partner.api_key }), 401, 'UNAUTHORIZED', 'INVALID_CREDENTIALS');
  });
});

describe('refresh', () => {
  test('rotates both cookies and the CSRF token; the old session cookie stops at once', async () => {
    const first = await asOperator();
    const response = await refresh(first);
    assert.equal(response.statusCode, 200, response.body);
    const second = browserOf(response);
    assert.notEqual(second.session, first.session);
    assert.notEqual(second.refresh, first.refresh);
    assert.notEqual(second.csrf, first.csrf);
    assertRefused(await fromBrowser(first, 'GET', '/api/console/session'), 401, 'UNAUTHORIZED');
    const current = await fromBrowser(second, 'GET', '/api/console/session');
    assert.equal(current.statusCode, 200);
    assert.equal(current.json().csrf_token, second.csrf);
    assert.equal(current.json().session.id, response.json().session.id);
  });

  test('a refresh token used twice revokes the whole session (theft detection)', async () => {
    const stolen = await asOperator();
    const legitimate = browserOf(await refresh(stolen));
    const replay = await refresh(stolen);
    assertRefused(replay, 401, 'UNAUTHORIZED', 'REFRESH_TOKEN_REUSED');
    assert.equal(cookie(replay, 'veridity_session')?.maxAge, 0, 'the cookies are cleared');
    assertRefused(await fromBrowser(legitimate, 'GET', '/api/console/session'), 401, 'UNAUTHORIZED');
    assertRefused(await refresh(legitimate), 401, 'UNAUTHORIZED', 'REVOKED');
  });

  test('the session cookie lasts 15 minutes, the refresh 30 days', async () => {
    const browser = await asOperator();
    try {
      offsetMs = 16 * 60 * 1000;
      assertRefused(await fromBrowser(browser, 'GET', '/api/admin/clients'), 401, 'UNAUTHORIZED');
      const renewed = browserOf(await refresh(browser));
      assert.equal((await fromBrowser(renewed, 'GET', '/api/admin/clients')).statusCode, 200);
      offsetMs += 31 * 24 * 3600 * 1000;
      assertRefused(await refresh(renewed), 401, 'UNAUTHORIZED', 'EXPIRED');
    } finally {
      offsetMs = 0;
    }
  });

  test('without a refresh cookie: 401', async () => {
    assertRefused(await t.app.inject({ method: 'POST', url: '/api/console/session/refresh' }), 401, 'UNAUTHORIZED', 'UNKNOWN');
  });
});

describe('sign-out and the session lists', () => {
  test('sign-out needs the CSRF token, revokes the session and clears both cookies', async () => {
    const browser = await asOperator();
    assertRefused(await fromBrowser(browser, 'DELETE', '/api/console/session', { csrf: null }), 403, 'CSRF_TOKEN_INVALID');
    const out = await fromBrowser(browser, 'DELETE', '/api/console/session');
    assert.equal(out.statusCode, 204, out.body);
    assert.deepEqual(out.cookies.map((c) => [c.name, c.value, c.maxAge, c.path]).sort(), [['veridity_refresh', '', 0, '/api/console/session'], ['veridity_session', '', 0, '/']]);
    assertRefused(await fromBrowser(browser, 'GET', '/api/console/session'), 401, 'UNAUTHORIZED');
    assertRefused(await refresh(browser), 401, 'UNAUTHORIZED', 'REVOKED');
  });

  test('an operator lists operator sessions, a partner its own; either revokes one of its list, not another\'s', async () => {
    const mine = await asOperator();
    const other = await asOperator();
    const partner = await createPartner(t, { name: 'Listing Bank' });
    const partnerBrowser = browserOf(await signIn({ method: 'api_key', api_key: partner.api_key }, { 'user-agent': 'Listing Browser/1.0' }));
    const partnerSession = (await fromBrowser(partnerBrowser, 'GET', '/api/console/session')).json().session.id;
    const otherSession = (await fromBrowser(other, 'GET', '/api/console/session')).json().session.id;

    const listed = await fromBrowser(mine, 'GET', '/api/console/sessions');
    assert.equal(listed.statusCode, 200, listed.body);
    const sessions = listed.json().sessions as Array<Record<string, any>>;
    assert.ok(sessions.every((s) => s.role === 'operator'));
    assert.equal(sessions.filter((s) => s.current).length, 1);
    assert.ok(sessions.some((s) => s.id === otherSession && !s.current));
    assert.ok(!sessions.some((s) => s.id === partnerSession));

    const partnerList = (await fromBrowser(partnerBrowser, 'GET', '/api/console/sessions')).json().sessions;
    assert.deepEqual(partnerList.map((s: any) => [s.id, s.client_id, s.method, s.user_agent, s.ip, s.current]), [[partnerSession, partner.id, 'api_key', 'Listing Browser/1.0', '127.0.0.1', true]]);
    assertRefused(await fromBrowser(partnerBrowser, 'DELETE', `/api/console/sessions/${otherSession}`), 404, 'NOT_FOUND');

    assertRefused(await fromBrowser(mine, 'DELETE', `/api/console/sessions/${otherSession}`, { csrf: null }), 403, 'CSRF_TOKEN_INVALID');
    assert.equal((await fromBrowser(mine, 'DELETE', `/api/console/sessions/${otherSession}`)).statusCode, 204);
    assertRefused(await fromBrowser(other, 'GET', '/api/console/session'), 401, 'UNAUTHORIZED');
    assertRefused(await fromBrowser(mine, 'DELETE', `/api/console/sessions/${otherSession}`), 404, 'NOT_FOUND');
    assert.equal((await fromBrowser(mine, 'GET', '/api/console/session')).statusCode, 200);
  });
});

const challenge = (body: { chain: string; address: string }, host?: string) =>
  t.app.inject({ method: 'POST', url: '/api/console/wallet/challenges', payload: body, ...(host ? { headers: { host } } : {}) });

async function linkedPartner(name: string, chain: 'ethereum' | 'sui', address: string): Promise<{ partner: Record<string, any>; wallet: Record<string, any> }> {
  const partner = await createPartner(t, { name });
  const linked = await t.admin('POST', `/api/admin/clients/${partner.id}/wallets`, { chain, address });
  assert.equal(linked.statusCode, 201, linked.body);
  return { partner, wallet: linked.json() };
}

describe('Sign-In with Ethereum', () => {
  test('a linked wallet signs the server\'s EIP-4361 message and is its partner; the nonce works once', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    // Linked as typed in lowercase; shown checksummed; one partner per address.
    const { partner, wallet } = await linkedPartner('Wallet Bank', 'ethereum', account.address.toLowerCase());
    assert.match(wallet.id, /^wal_/);
    assert.equal(wallet.address, account.address);
    assertRefused(await t.admin('POST', `/api/admin/clients/${partner.id}/wallets`, { chain: 'ethereum', address: account.address }), 409, 'CONFLICT');
    assert.deepEqual((await t.admin('GET', `/api/admin/clients/${partner.id}/wallets`)).json().wallets.map((w: any) => w.id), [wallet.id]);

    const issued = await challenge({ chain: 'ethereum', address: account.address });
    assert.equal(issued.statusCode, 201, issued.body);
    const { nonce, message, expires_at } = issued.json();
    const parsed = parseSiweMessage(message);
    assert.deepEqual([parsed.domain, parsed.address, parsed.uri, parsed.version, parsed.chainId, parsed.nonce], ['localhost:80', account.address, 'http://localhost:80/console/', '1', 1, nonce]);
    assert.equal(parsed.expirationTime!.toISOString(), expires_at);
    assert.equal(Date.parse(expires_at) - parsed.issuedAt!.getTime(), 5 * 60 * 1000);

    const signature = await account.signMessage({ message });
    const response = await signIn({ method: 'siwe', message, signature });
    assert.equal(response.statusCode, 201, response.body);
    const session = response.json().session;
    assert.deepEqual([session.role, session.client_id, session.method, session.identity], ['partner', partner.id, 'siwe', account.address]);
    assert.equal((await fromBrowser(browserOf(response), 'GET', '/api/v1/me')).json().client_id, partner.id);

    assertRefused(await signIn({ method: 'siwe', message, signature }), 401, 'UNAUTHORIZED', 'NONCE_USED');
  });

  test('a message the wallet built itself (createSiweMessage) for the challenge is taken; one for another domain is not', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    await linkedPartner('Self-built Bank', 'ethereum', account.address);
    const fields = parseSiweMessage((await challenge({ chain: 'ethereum', address: account.address })).json().message);
    const own = createSiweMessage({ domain: 'localhost:80', address: account.address, uri: fields.uri!, version: '1', chainId: 1, nonce: fields.nonce!, statement: 'Welcome back' });
    assert.equal((await signIn({ method: 'siwe', message: own, signature: await account.signMessage({ message: own }) })).statusCode, 201);

    // A phishing site's message, carrying a real challenge's nonce but its own domain.
    const phished = parseSiweMessage((await challenge({ chain: 'ethereum', address: account.address })).json().message);
    const elsewhere = createSiweMessage({ domain: 'veridity.evil.example', address: account.address, uri: phished.uri!, version: '1', chainId: 1, nonce: phished.nonce! });
    assertRefused(await signIn({ method: 'siwe', message: elsewhere, signature: await account.signMessage({ message: elsewhere }) }), 401, 'UNAUTHORIZED', 'DOMAIN_MISMATCH');
  });

  test('refused: an expired challenge, another Host at sign-in, an unlinked address, another key\'s signature, an unknown nonce', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    await linkedPartner('Refusing Bank', 'ethereum', account.address);
    const sign = async (host?: string) => {
      const { message } = (await challenge({ chain: 'ethereum', address: account.address }, host)).json();
      return { message, signature: await account.signMessage({ message }) };
    };

    const late = await sign();
    try {
      offsetMs = 5 * 60 * 1000 + 1000;
      assertRefused(await signIn({ method: 'siwe', ...late }), 401, 'UNAUTHORIZED', 'EXPIRED');
    } finally {
      offsetMs = 0;
    }
    assertRefused(await signIn({ method: 'siwe', ...(await sign('localhost:80')) }, { host: 'console.other.example' }), 401, 'UNAUTHORIZED', 'DOMAIN_MISMATCH');

    const stranger = privateKeyToAccount(generatePrivateKey());
    const { message } = (await challenge({ chain: 'ethereum', address: stranger.address })).json();
    assertRefused(await signIn({ method: 'siwe', message, signature: await stranger.signMessage({ message }) }), 401, 'UNAUTHORIZED', 'WALLET_NOT_LINKED');

    const theirs = await sign();
    assertRefused(await signIn({ method: 'siwe', message: theirs.message, signature: await stranger.signMessage({ message: theirs.message }) }), 401, 'UNAUTHORIZED', 'SIGNATURE_INVALID');
    // Refused attempts leave the challenge usable by its wallet.
    assert.equal((await signIn({ method: 'siwe', ...theirs })).statusCode, 201);

    const unknown = createSiweMessage({ domain: 'localhost:80', address: account.address, uri: 'http://localhost:80/console/', version: '1', chainId: 1, nonce: randomBytes(16).toString('hex') });
    assertRefused(await signIn({ method: 'siwe', message: unknown, signature: await account.signMessage({ message: unknown }) }), 401, 'UNAUTHORIZED', 'NONCE_UNKNOWN');
    assertRefused(await challenge({ chain: 'ethereum', address: '0xA0CF798816D4b9b9866b5330EEa46a18382f251e' }), 400, 'VALIDATION_FAILED');
  });

  test('unlinking the wallet ends its sessions', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const { partner, wallet } = await linkedPartner('Unlinked Bank', 'ethereum', account.address);
    const { message } = (await challenge({ chain: 'ethereum', address: account.address })).json();
    const browser = browserOf(await signIn({ method: 'siwe', message, signature: await account.signMessage({ message }) }));
    const removed = await t.admin('DELETE', `/api/admin/clients/${partner.id}/wallets/${wallet.id}`);
    assert.equal(removed.statusCode, 204, removed.body);
    assertRefused(await fromBrowser(browser, 'GET', '/api/console/session'), 401, 'UNAUTHORIZED');
    assertRefused(await t.admin('DELETE', `/api/admin/clients/${partner.id}/wallets/${wallet.id}`), 404, 'NOT_FOUND');
  });
});

describe('Sign in with Sui', () => {
  test('a linked Sui key signs the challenge as a personal message and is its partner', async () => {
    const keypair = new Ed25519Keypair();
    const address = keypair.toSuiAddress();
    const { partner, wallet } = await linkedPartner('Sui Bank', 'sui', address.toUpperCase().replace('0X', '0x'));
    assert.equal(wallet.address, address);

    const issued = await challenge({ chain: 'sui', address });
    assert.equal(issued.statusCode, 201, issued.body);
    const { message, nonce } = issued.json();
    assert.match(message, new RegExp(`^localhost:80 wants you to sign in with your Sui account:\\n${address}\\n`));
    assert.ok(message.includes(`Nonce: ${nonce}`));
    const { signature } = await keypair.signPersonalMessage(new TextEncoder().encode(message));
    const response = await signIn({ method: 'sui', address, message, signature });
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual([response.json().session.client_id, response.json().session.method, response.json().session.identity], [partner.id, 'sui', address]);
    assertRefused(await signIn({ method: 'sui', address, message, signature }), 401, 'UNAUTHORIZED', 'NONCE_USED');
  });

  test('refused: another key\'s signature, another address, an altered message, an unlinked key', async () => {
    const keypair = new Ed25519Keypair();
    const address = keypair.toSuiAddress();
    await linkedPartner('Sui Refusing Bank', 'sui', address);
    const other = new Ed25519Keypair();
    const { message } = (await challenge({ chain: 'sui', address })).json();
    const bytes = new TextEncoder().encode(message);
    assertRefused(await signIn({ method: 'sui', address, message, signature: (await other.signPersonalMessage(bytes)).signature }), 401, 'UNAUTHORIZED', 'SIGNATURE_INVALID');
    assertRefused(await signIn({ method: 'sui', address: other.toSuiAddress(), message, signature: (await other.signPersonalMessage(bytes)).signature }), 401, 'UNAUTHORIZED', 'ADDRESS_MISMATCH');
    const altered = message.replace('Sign in to the Veridity console.', 'Sign in to something else.');
    assertRefused(await signIn({ method: 'sui', address, message: altered, signature: (await keypair.signPersonalMessage(new TextEncoder().encode(altered))).signature }), 401, 'UNAUTHORIZED', 'MESSAGE_MISMATCH');
    assert.equal((await signIn({ method: 'sui', address, message, signature: (await keypair.signPersonalMessage(bytes)).signature })).statusCode, 201);

    const unlinked = (await challenge({ chain: 'sui', address: other.toSuiAddress() })).json().message;
    assertRefused(await signIn({ method: 'sui', address: other.toSuiAddress(), message: unlinked, signature: (await other.signPersonalMessage(new TextEncoder().encode(unlinked))).signature }), 401, 'UNAUTHORIZED', 'WALLET_NOT_LINKED');
  });
});

describe('OpenID Connect sign-in', () => {
  /** The browser's whole round: start, the provider's pages as `account`, the callback; answers the callback's response. */
  async function oidcSignIn(account: string, query = ''): Promise<LightMyRequestResponse> {
    const start = await t.app.inject({ method: 'GET', url: `/api/console/oidc/start${query}` });
    assert.equal(start.statusCode, 302, start.body);
    const login = cookie(start, 'veridity_oidc')!;
    assert.deepEqual([login.httpOnly, login.sameSite, login.path], [true, 'Lax', '/api/console/oidc']);
    const authorization = new URL(start.headers.location as string);
    assert.equal(authorization.origin, idp.issuer);
    assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorization.searchParams.get('state') && authorization.searchParams.get('nonce'));
    const back = await idp.authorize(authorization.href, account);
    return t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: { cookie: `veridity_oidc=${login.value}` } });
  }

  /** A refused callback: back to the sign-in page with the reason and the request id its log line has. */
  function assertSignInError(callback: LightMyRequestResponse, reason: string) {
    assert.equal(callback.statusCode, 302, callback.body);
    assert.equal(callback.headers.location, `/console/sign-in?sign_in_error=${reason}&request_id=${callback.headers['x-request-id']}`);
    assert.match(String(callback.headers['x-request-id']), /^req_/);
  }

  test('an operator by the role claim: a session, the provider\'s tokens sealed server-side and never sent', async () => {
    const callback = await oidcSignIn('ops-alice');
    assert.equal(callback.statusCode, 302, callback.body);
    assert.equal(callback.headers.location, '/console/');
    const session = cookie(callback, 'veridity_session')!;
    assert.ok(session && cookie(callback, 'veridity_refresh'));
    const current = await t.app.inject({ method: 'GET', url: '/api/console/session', headers: { cookie: `veridity_session=${session.value}` } });
    assert.equal(current.statusCode, 200, current.body);
    const { session: state, csrf_token } = current.json();
    assert.deepEqual([state.role, state.method, state.identity], ['operator', 'oidc', 'alice@ops.example']);
    const browser = { session: session.value, refresh: cookie(callback, 'veridity_refresh')!.value, csrf: csrf_token };
    assert.equal((await fromBrowser(browser, 'GET', '/api/admin/clients')).statusCode, 200);

    const row = await sessionRow(state.id);
    assert.deepEqual([row.oidc_issuer, row.oidc_subject], [idp.issuer, 'ops-alice']);
    assert.match(row.idp_tokens_sealed, /^v1\./);
    const tokens = JSON.parse(createSecretBox([encryptionKey]).decrypt(row.idp_tokens_sealed, `console_sessions.idp_tokens:${state.id}`).toString());
    assert.ok(tokens.access_token && tokens.id_token);
    const sent = JSON.stringify([callback.headers, callback.body, current.headers, current.body]);
    assert.ok(!sent.includes(tokens.access_token) && !sent.includes(tokens.id_token), 'the provider\'s tokens never reach the browser');

    // The operator's audit trail names the session.
    const created = await fromBrowser(browser, 'POST', '/api/admin/clients', { payload: { name: 'By OIDC', scopes: ['age_over_18'] } });
    assert.equal(created.statusCode, 201, created.body);
    const { rows } = await t.database.pool.query("SELECT actor_id FROM audit_logs WHERE action = 'client.created' AND target_id = $1", [created.json().id]);
    assert.deepEqual(rows, [{ actor_id: state.id }]);
  });

  test('a partner by the operator\'s link (verified e-mail, any case, or subject), landing on return_to', async () => {
    const partner = await createPartner(t, { name: 'OIDC Bank' });
    const linked = await t.admin('POST', `/api/admin/clients/${partner.id}/oidc-users`, { email: 'bob@acme-bank.example' });
    assert.equal(linked.statusCode, 201, linked.body);
    assert.deepEqual([linked.json().issuer, linked.json().email, linked.json().subject], [idp.issuer, 'bob@acme-bank.example', null]);
    assertRefused(await t.admin('POST', `/api/admin/clients/${partner.id}/oidc-users`, { email: 'BOB@acme-bank.example' }), 409, 'CONFLICT');

    const callback = await oidcSignIn('bank-bob', '?return_to=/console/partner/webhooks');
    assert.equal(callback.headers.location, '/console/partner/webhooks');
    const current = await t.app.inject({ method: 'GET', url: '/api/console/session', headers: { cookie: `veridity_session=${cookie(callback, 'veridity_session')!.value}` } });
    assert.deepEqual([current.json().session.role, current.json().session.client_id, current.json().session.method], ['partner', partner.id, 'oidc']);

    // An unverified e-mail matches nothing; a link by subject does.
    const other = await createPartner(t, { name: 'OIDC Subject Bank' });
    await t.admin('POST', `/api/admin/clients/${other.id}/oidc-users`, { email: 'eve@acme-bank.example' });
    assertSignInError(await oidcSignIn('bank-unverified'), 'NO_ROLE');
    const bySubject = await t.admin('POST', `/api/admin/clients/${other.id}/oidc-users`, { subject: 'bank-unverified' });
    assert.equal(bySubject.statusCode, 201, bySubject.body);
    const signedIn = await oidcSignIn('bank-unverified');
    assert.equal(signedIn.headers.location, '/console/');
    assert.deepEqual((await t.admin('GET', `/api/admin/clients/${other.id}/oidc-users`)).json().oidc_users.map((u: any) => u.subject ?? u.email), ['eve@acme-bank.example', 'bank-unverified']);

    // Unlinking ends the sessions it signed in.
    assert.equal((await t.admin('DELETE', `/api/admin/clients/${other.id}/oidc-users/${bySubject.json().id}`)).statusCode, 204);
    assertRefused(await t.app.inject({ method: 'GET', url: '/api/console/session', headers: { cookie: `veridity_session=${cookie(signedIn, 'veridity_session')!.value}` } }), 401, 'UNAUTHORIZED');
  });

  test('refused: no role and no link; a callback without this browser\'s login cookie; a callback replayed', async () => {
    assertSignInError(await oidcSignIn('nobody'), 'NO_ROLE');

    const start = await t.app.inject({ method: 'GET', url: '/api/console/oidc/start' });
    const back = await idp.authorize(start.headers.location as string, 'ops-alice');
    // Someone else's browser (or a forged link) brings the code: it has no login cookie of this flow.
    const foreign = await t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    assertSignInError(foreign, 'LOGIN_UNKNOWN');
    assert.equal(cookie(foreign, 'veridity_session'), undefined);
    const own = await t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: { cookie: `veridity_oidc=${cookie(start, 'veridity_oidc')!.value}` } });
    assert.equal(own.headers.location, '/console/');
    const replayed = await t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: { cookie: `veridity_oidc=${cookie(start, 'veridity_oidc')!.value}` } });
    assertSignInError(replayed, 'LOGIN_UNKNOWN');

    assertRefused(await t.app.inject({ method: 'GET', url: '/api/console/oidc/start?return_to=https://evil.example/' }), 400, 'VALIDATION_FAILED');
    assertRefused(await t.app.inject({ method: 'GET', url: '/api/console/oidc/start?return_to=/console//evil.example' }), 400, 'VALIDATION_FAILED');
  });
});

describe('cleanup (the global manager task)', () => {
  test('removes expired challenges and logins and ended sessions, keeps what is live', async () => {
    const { deleteExpiredConsoleRows } = await import('#modules/console-sessions/delete-expired-console-rows.ts');
    const live = await asOperator();
    const liveId = (await fromBrowser(live, 'GET', '/api/console/session')).json().session.id;
    const ended = await asOperator();
    const endedId = (await fromBrowser(ended, 'GET', '/api/console/session')).json().session.id;
    assert.equal((await fromBrowser(ended, 'DELETE', '/api/console/session')).statusCode, 204);
    const account = privateKeyToAccount(generatePrivateKey());
    const { nonce } = (await challenge({ chain: 'ethereum', address: account.address })).json();
    const count = async (sql: string, values: unknown[]) => (await t.database.pool.query<{ n: number }>(sql, values)).rows[0]!.n;

    const soon = new Date(Date.now() + 60 * 60 * 1000);
    await deleteExpiredConsoleRows(t.database.pool, soon);
    assert.equal(await count('SELECT count(*)::int AS n FROM console_wallet_challenges WHERE nonce = $1', [nonce]), 0, 'the expired challenge is gone');
    assert.equal(await count('SELECT count(*)::int AS n FROM console_sessions WHERE id = $1', [endedId]), 1, 'an ended session stays a week');

    await deleteExpiredConsoleRows(t.database.pool, new Date(Date.now() + 8 * 24 * 3600 * 1000));
    assert.equal(await count('SELECT count(*)::int AS n FROM console_sessions WHERE id = $1', [endedId]), 0);
    assert.equal(await count('SELECT count(*)::int AS n FROM console_refresh_tokens WHERE session_id = $1', [endedId]), 0);
    assert.equal((await fromBrowser(live, 'GET', '/api/console/session')).json().session.id, liveId);
  });
});
