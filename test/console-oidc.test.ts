/**
 * The web console (/console) in a real browser with single sign-on: an operator signs in through a
 * real OpenID provider (oidc-provider in this process, its own login and consent pages) and creates
 * a partner, the provider's tokens never reaching the browser; an identity the operator links to a
 * partner in the console signs in as that partner; refused sign-ins come back to the sign-in page
 * saying why. And a partner signed in with its wallet (Sign-In with Ethereum) rotates its webhook
 * secret and sees a test event delivered, signed with the new secret.
 * test/support/console-browser.ts has what every console test checks on each page.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { verifyWebhookSignature } from '#client/webhooks.ts';
import { runWebhookWorkerOnce } from '#modules/webhooks/run-webhook-worker.ts';
import { systemClock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { createLogger } from '#platform/logger.ts';
import { freePort } from '#platform/net/free-port.ts';
import { audit, createPartnerInConsole, injectWalletSigners, rotateWebhookSecretInConsole, signInAsOperator, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { startOidcProvider, type OidcTestProvider } from './support/oidc-provider.ts';
import { createPartner, type TestApp } from './support/test-app.ts';
import { answer, startReceiver } from './support/webhook-receiver.ts';

/** The app's encryption key: this test opens the provider's tokens the app sealed, and its webhook worker the secrets. */
const ENCRYPTION_KEY = randomBytes(32);

let c: ConsoleBrowser;
let t: TestApp;
let baseUrl: string;
let idp: OidcTestProvider;

before(async () => {
  // The provider redirects to the console's callback, so the server's address is chosen before either starts.
  const port = await freePort();
  const redirectUrl = `http://127.0.0.1:${port}/api/console/oidc/callback`;
  idp = await startOidcProvider({
    redirectUri: redirectUrl,
    accounts: {
      'ops-alice': { email: 'alice@ops.example', email_verified: true, veridity_role: 'operator' },
      'bank-bob': { email: 'bob@sso-bank.example', email_verified: true },
      'nobody': { email: 'nobody@example.com', email_verified: true },
    },
  });
  c = await startConsoleBrowser({
    port,
    encryptionKey: ENCRYPTION_KEY,
    console: { siweChainId: 1, oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, roleClaim: 'veridity_role', scopes: 'openid email', redirectUrl } },
  });
  ({ t, baseUrl } = c);
});

after(async () => {
  await c?.close();
  await idp?.close();
});

/**
 * From the console's sign-in page through the provider's own pages: its login form (as `account`;
 * the development pages take any password), then its consent page, confirmed or cancelled.
 */
async function singleSignOn(page: Page, account: string, consent: 'confirm' | 'cancel'): Promise<void> {
  // Those pages import a Google web font: answered empty here (no network, and no console error for it).
  await page.route('https://fonts.googleapis.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  await page.waitForURL((url) => url.origin === idp.issuer);
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).waitFor();
  if (consent === 'confirm') await page.getByRole('button', { name: 'Continue' }).click();
  else await page.getByRole('link', { name: '[ Cancel ]' }).click();
  await page.waitForURL((url) => url.origin === baseUrl);
}

/** Everything the page sent and received (URLs, headers, bodies), for a check that no secret crossed to the browser. */
function recordTraffic(page: Page): () => Promise<string> {
  const seen: Array<string | Promise<string>> = [];
  page.on('request', (request) => seen.push(`${request.method()} ${request.url()}\n${JSON.stringify(request.headers())}\n${request.postData() ?? ''}`));
  page.on('response', (response) => {
    seen.push(JSON.stringify(response.headers()));
    // A redirect has no body to read.
    seen.push(response.text().catch(() => ''));
  });
  return async () => (await Promise.all(seen)).join('\n');
}

/** The provider's tokens the app sealed in the session `account` signed in with. */
async function sealedProviderTokens(subject: string): Promise<string[]> {
  const { rows } = await t.database.pool.query<{ id: string; idp_tokens_sealed: string }>("SELECT id, idp_tokens_sealed FROM console_sessions WHERE method = 'oidc' AND oidc_subject = $1", [subject]);
  assert.equal(rows.length, 1);
  const tokens = JSON.parse(createSecretBox([ENCRYPTION_KEY]).decrypt(rows[0]!.idp_tokens_sealed, `console_sessions.idp_tokens:${rows[0]!.id}`).toString()) as Record<string, unknown>;
  const values = [tokens.access_token, tokens.id_token, tokens.refresh_token].filter((value): value is string => typeof value === 'string');
  assert.ok(tokens.access_token && tokens.id_token, 'the provider issued an access and an ID token');
  // A JWT's signature alone would give it away too.
  return [...values, ...values.filter((value) => value.split('.').length === 3).map((jwt) => jwt.split('.')[2]!)];
}

/** What the browser keeps: cookies, and the console's local and session storage. */
async function keptByBrowser(context: BrowserContext, page: Page): Promise<{ cookies: Awaited<ReturnType<BrowserContext['cookies']>>; storage: string }> {
  const storage = await page.evaluate(() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)]));
  // Every cookie of the host, whatever its path (the refresh cookie's is /api/console/session), the provider's own included.
  return { cookies: await context.cookies(), storage };
}

test('an operator signs in with single sign-on through the provider\'s own pages, creates a partner and copies its key; the provider\'s tokens never reach the browser', { timeout: 300_000 }, async () => {
  const { context, page, problems } = await c.newPage();
  const traffic = recordTraffic(page);
  await page.goto('/console/sign-in');
  await page.getByRole('heading', { name: 'Single sign-on', exact: true }).waitFor();
  await audit(page, 'sign-in-sso');

  await singleSignOn(page, 'ops-alice', 'confirm');
  // The role claim made an operator: the console lands on the partners.
  await page.getByRole('heading', { name: 'Partners', exact: true }).waitFor();
  const { rows } = await t.database.pool.query("SELECT role, identity FROM console_sessions WHERE method = 'oidc' AND oidc_subject = 'ops-alice'");
  assert.deepEqual(rows, [{ role: 'operator', identity: 'alice@ops.example' }]);

  await page.getByRole('button', { name: 'New partner' }).first().click();
  const apiKey = await createPartnerInConsole(page, 'SSO Made Bank', [/Age over 18/]);
  await audit(page, 'partner-created-sso');
  const me = await fetch(`${baseUrl}/api/v1/me`, { headers: { 'x-api-key': apiKey } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).name, 'SSO Made Bank');
  await page.getByRole('dialog', { name: 'Partner created' }).getByRole('button', { name: 'Done' }).click();
  // The partner's creation is audited under the single sign-on session.
  const { rows: audited } = await t.database.pool.query("SELECT s.method FROM audit_logs a JOIN console_sessions s ON s.id = a.actor_id WHERE a.action = 'client.created' AND a.target_id = (SELECT id FROM api_clients WHERE name = 'SSO Made Bank')");
  assert.deepEqual(audited, [{ method: 'oidc' }]);

  await page.getByRole('link', { name: 'Sessions' }).click();
  await page.getByText('alice@ops.example').first().waitFor();

  const tokens = await sealedProviderTokens('ops-alice');
  const kept = await keptByBrowser(context, page);
  const seen = await traffic();
  for (const token of tokens) {
    for (const cookie of kept.cookies) assert.ok(!cookie.value.includes(token), `no provider token in the cookie ${cookie.name}`);
    assert.ok(!kept.storage.includes(token), 'no provider token in local or session storage');
    assert.ok(!seen.includes(token), 'no provider token in any request or response of the page');
  }
  // Of the console's cookies, the browser holds the session and its refresh (the login cookie ended with the callback).
  assert.deepEqual(kept.cookies.filter((cookie) => cookie.name.startsWith('veridity_')).map((cookie) => cookie.name).sort(), ['veridity_refresh', 'veridity_session']);
  assert.ok(seen.includes('/api/console/oidc/callback?code='), 'the traffic recorded is the sign-in\'s (the check can fail)');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an operator links a single sign-on identity to a partner in the console; it signs in as that partner, back on the page it asked for', { timeout: 300_000 }, async () => {
  const partner = await createPartner(t, { name: 'SSO Bank', scopes: ['age_over_18'], webhook_url: 'https://sso-bank.example/hooks' });
  const operator = await c.newPage();
  await signInAsOperator(operator.page, t.adminToken);
  await operator.page.getByRole('button', { name: 'Plan and wallets of SSO Bank' }).click();
  const access = operator.page.getByRole('dialog', { name: 'Plan and wallets of SSO Bank' });
  await access.getByText('No identity linked.').waitFor();
  await access.getByLabel('Match by').selectOption('email');
  await access.getByLabel('E-mail').fill('Bob@SSO-Bank.example');
  await access.getByRole('button', { name: 'Link identity' }).click();
  await access.locator('[data-oidc-user="bob@sso-bank.example"]').waitFor();
  const linked = await t.admin('GET', `/api/admin/clients/${partner.id}/oidc-users`);
  assert.deepEqual(linked.json().oidc_users.map((user: { email: string; issuer: string }) => [user.email, user.issuer]), [['bob@sso-bank.example', idp.issuer]]);
  // The same identity twice: the API's refusal, shown.
  await access.getByLabel('E-mail').fill('bob@sso-bank.example');
  await access.getByRole('button', { name: 'Link identity' }).click();
  await access.getByText('Could not link the identity').waitFor();
  await audit(operator.page, 'partner-access-sso');
  assert.deepEqual(operator.problems.filter((problem) => !/status of 409/.test(problem)), []);
  await operator.context.close();

  // Bob opens the webhooks page signed out: sent to sign in, then back to it as SSO Bank.
  const { context, page, problems } = await c.newPage();
  await page.goto('/console/webhooks');
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await singleSignOn(page, 'bank-bob', 'confirm');
  await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/console/webhooks');
  await page.getByText('https://sso-bank.example/hooks').waitFor();
  await page.getByText('SSO Bank').first().waitFor();
  const { rows } = await t.database.pool.query("SELECT role, client_id FROM console_sessions WHERE method = 'oidc' AND oidc_subject = 'bank-bob'");
  assert.deepEqual(rows, [{ role: 'partner', client_id: partner.id }]);
  assert.deepEqual(problems, []);
  await context.close();
});

const REFUSALS = [
  { why: 'consent declined at the provider', account: 'ops-alice', consent: 'cancel', reason: 'PROVIDER_REFUSED', says: /consent was declined/, shot: 'sign-in-sso-declined' },
  { why: 'an identity with no role and no partner', account: 'nobody', consent: 'confirm', reason: 'NO_ROLE', says: /neither an operator nor linked to a partner/, shot: 'sign-in-sso-no-role' },
] as const;

for (const refused of REFUSALS) {
  test(`a refused single sign-on comes back to the sign-in page saying why: ${refused.why}`, { timeout: 300_000 }, async () => {
    const { context, page, problems } = await c.newPage();
    await page.goto('/console/sign-in');
    await singleSignOn(page, refused.account, refused.consent);
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'Single sign-on failed' });
    await alert.getByText(refused.says).waitFor();
    await alert.getByText(refused.reason).waitFor();
    const requestId = new URL(page.url()).searchParams.get('request_id');
    assert.match(requestId ?? '', /^req_/);
    await alert.getByText(requestId!).waitFor();
    // The server logged the refusal under that request id.
    assert.ok(t.logs().split('\n').some((line) => line.includes(requestId!) && line.includes(`"reason":"${refused.reason}"`)), 'the log line of the refusal carries the request id shown');
    await audit(page, refused.shot);
    assert.equal((await context.cookies(baseUrl)).some((cookie) => cookie.name === 'veridity_session'), false, 'no session');
    // The forms still work from there.
    await page.getByLabel('Admin token').fill(t.adminToken);
    await page.getByRole('button', { name: 'Sign in as operator' }).click();
    await page.getByRole('heading', { name: 'Partners', exact: true }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('a partner signs in with Ethereum, rotates its webhook secret, sends a test event and sees it delivered, signed with the new secret', { timeout: 300_000 }, async () => {
  const receiver = await startReceiver(answer(200, 'ok'));
  try {
    // `.invalid` never resolves, so the API accepts the URL; this test's worker resolves it to the local receiver.
    const partner = await createPartner(t, { name: 'Hook Bank', scopes: ['age_over_18'], webhook_url: `http://hooks.invalid:${receiver.port}/hooks` });
    const wallet = privateKeyToAccount(generatePrivateKey());
    assert.equal((await t.admin('POST', `/api/admin/clients/${partner.id}/wallets`, { chain: 'ethereum', address: wallet.address })).statusCode, 201);

    const { context, page, problems } = await c.newPage();
    await injectWalletSigners(page, { ethereum: wallet });
    await page.goto('/console/sign-in');
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
    await page.getByRole('heading', { name: 'Hook Bank', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
    await page.getByText('No deliveries yet').waitFor();

    const secret = await rotateWebhookSecretInConsole(page, 'webhook-secret-rotated');
    assert.notEqual(secret, partner.webhook_secret);
    await page.getByText('still signs until').waitFor();

    await page.getByRole('button', { name: 'Send test event' }).click();
    const queued = page.getByText(/^Delivery whk_\S+: follow it below\.$/);
    await queued.waitFor();
    const deliveryId = /(whk_\S+):/.exec((await queued.textContent())!)![1]!;
    const row = page.locator(`[data-delivery="${deliveryId}"]`);
    await row.getByText('pending', { exact: true }).waitFor();

    const lookup = async (hostname: string) => (hostname === 'hooks.invalid' ? [{ address: '127.0.0.1', family: 4 }] : []);
    await runWebhookWorkerOnce({ pool: t.database.pool, clock: systemClock, secretBox: createSecretBox([ENCRYPTION_KEY]), log: createLogger('silent'), allowPrivateNetworks: true, lookup, random: () => 0.5 }, { concurrency: 1 });
    // The page watches pending deliveries: it turns delivered on its own.
    await row.getByText('delivered', { exact: true }).waitFor({ timeout: 15_000 });
    await row.getByRole('button', { name: 'Attempts' }).click();
    await page.locator(`#attempts-${deliveryId}`).getByText('HTTP 200').waitFor();
    await audit(page, 'webhook-delivered');

    assert.equal(receiver.received.length, 1);
    const [received] = receiver.received;
    const verified = await verifyWebhookSignature(received!.body, received!.headers, secret);
    assert.equal(verified.ok, true, JSON.stringify(verified));
    assert.equal((verified as { event: { event: string } }).event.event, 'webhook.test');
    // Signed with the new secret, which the check needed: another secret is refused.
    assert.deepEqual(await verifyWebhookSignature(received!.body, received!.headers, `whsec_${randomBytes(32).toString('base64')}`), { ok: false, reason: 'NO_MATCHING_SIGNATURE' });
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    await receiver.close();
  }
});
