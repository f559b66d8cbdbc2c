/**
 * The web console (/console) in a real browser, around a real verification and its receipt: the
 * public receipt checker verifies the receipt in the browser and refuses a tampered one; the
 * partner signs in with its API key and uses its overview and webhooks; the operator reads the
 * ledger's checkpoint and asks for a consistency proof. test/support/console-browser.ts has what
 * every console test checks on each page (axe, no console errors, phone width, screenshots).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startLedgerSequencer, type LedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { createLogger } from '#platform/logger.ts';
import { audit, rotateWebhookSecretInConsole, signInAsOperator, signInAsPartner, startConsoleBrowser, type ConsoleBrowser } from './support/console-browser.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver } from './support/holder.ts';
import { createPartner, type TestApp } from './support/test-app.ts';

const DOMAIN = 'bank.example';

let c: ConsoleBrowser;
let t: TestApp;
let baseUrl: string;
let sequencer: LedgerSequencer;
/** The partner whose verification the receipt is for. */
let verifier: Record<string, any>;
let proofId: string;
let receipt: string;

before(async () => {
  c = await startConsoleBrowser({ bundledCircuits: true });
  ({ t, baseUrl } = c);
  sequencer = startLedgerSequencer({ pool: t.database.pool, clock: { now: () => new Date() }, log: createLogger('silent'), platformKeys: t.platformKeys, checkpointSeconds: 5, background: false });

  // A real verification, sequenced and checkpointed: its receipt is what a partner downloads.
  const issuer = await generateIssuerKey();
  const registered = await t.admin('POST', '/api/admin/issuers', { name: 'Console Test Registry', public_key: issuer.publicKey, claim_types: ['age_over_18'] });
  assert.equal(registered.statusCode, 201, registered.body);
  verifier = await createPartner(t, { name: 'Receipt Bank', scopes: ['age_over_18'], webhook_url: 'https://receipt-bank.example/hooks' });
  const nonce = randomBytes(24).toString('base64url');
  const holder = await prove(await issueCredential(issuer, attributes()), 'age_over_18', { nonce, verifierDomain: DOMAIN, param: 18n });
  const verified = await t.app.inject({
    method: 'POST', url: '/api/v1/verify', headers: { 'x-api-key': verifier.api_key },
    payload: { claim_type: 'age_over_18', circuit_version: '1.0.0', proof: holder.proof, public_signals: holder.publicSignals, request: { nonce, verifier_domain: DOMAIN } },
  });
  assert.equal(verified.statusCode, 200, verified.body);
  proofId = verified.json().proof_id;
  assert.equal((await sequencer.runOnce()).checkpoint?.treeSize, 1);
  const fetched = await t.app.inject({ method: 'GET', url: `/api/v1/receipts/${proofId}`, headers: { 'x-api-key': verifier.api_key } });
  assert.equal(fetched.statusCode, 200, fetched.body);
  receipt = fetched.body;
});

after(async () => {
  await sequencer?.stop();
  await releaseProver();
  await c?.close();
});

async function checkPasted(page: Page, text: string): Promise<string> {
  await page.getByLabel('…or paste it').fill(text);
  await page.getByRole('button', { name: 'Check receipt' }).click();
  const verdict = page.locator('[data-verdict]');
  await verdict.waitFor();
  return (await verdict.getAttribute('data-verdict'))!;
}

test('the public receipt checker verifies a real receipt in the browser and refuses a tampered one', { timeout: 120_000 }, async () => {
  const { context, page, problems } = await c.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  await page.goto('/console/check');
  await page.getByRole('heading', { name: 'Check a receipt or certificate', exact: true }).waitFor();
  const key = (await (await fetch(`${baseUrl}/api/v1/ledger/key`)).text()).trim();
  await page.getByTestId('pinned-key').filter({ hasText: key }).waitFor();
  await audit(page, 'check');

  assert.equal(await checkPasted(page, receipt), 'valid');
  const statuses = await page.locator('[data-check]').evaluateAll((items) => items.map((item) => `${item.getAttribute('data-check')}:${item.getAttribute('data-status')}`));
  assert.deepEqual(statuses, ['format:passed', 'key:passed', 'signature:passed', 'inclusion:passed', 'origin:passed']);
  await page.getByRole('cell', { name: proofId }).waitFor();
  await audit(page, 'check-valid');

  // The entry now claims a failed verification: its bytes no longer hash up to the signed root.
  const extra = /^extra (.+)$/m.exec(receipt)![1]!;
  const entry = JSON.parse(Buffer.from(extra, 'base64').toString('utf8'));
  assert.equal(entry.status, 'verified');
  const forged = Buffer.from(JSON.stringify({ ...entry, status: 'failed' })).toString('base64');
  assert.equal(await checkPasted(page, receipt.replace(extra, forged)), 'refused');
  assert.match((await page.locator('[data-verdict]').textContent())!, /INCLUSION_MISMATCH/);
  assert.equal(await page.locator('[data-check="inclusion"]').getAttribute('data-status'), 'failed');
  assert.equal(await page.locator('[data-check="origin"]').getAttribute('data-status'), 'not_run');
  await audit(page, 'check-refused');

  // A dropped or chosen file is checked as its bytes.
  await page.locator('input[type="file"]').setInputFiles({ name: `${proofId}.receipt`, mimeType: 'text/plain', buffer: Buffer.from(receipt) });
  await page.getByRole('button', { name: 'Check receipt' }).click();
  await page.locator('[data-verdict="valid"]').waitFor();

  // Checked in the browser: the receipt was never sent anywhere.
  assert.ok(requests.every((request) => request.startsWith('GET ')), requests.join('\n'));
  assert.deepEqual(problems, [], 'no console errors, no CSP violations');
  await context.close();
});

test('an unknown console path shows the app, which says so; assets are cached for a year', async () => {
  const { context, page, problems } = await c.newPage();
  const response = await page.goto('/console/no-such-page');
  assert.equal(response?.status(), 200);
  assert.equal(response?.headers()['cache-control'], 'no-cache');
  await page.getByText('No such page').waitFor();
  const script = await page.locator('script[type="module"]').getAttribute('src');
  const asset = await fetch(new URL(script!, baseUrl));
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a partner signs in with its API key, sees its usage, rotates its webhook secret, moves its endpoint and sends a test event', { timeout: 180_000 }, async () => {
  const { context, page, problems } = await c.newPage();
  await signInAsPartner(page, verifier.api_key, 'Receipt Bank');
  // The verification made before: one zero-knowledge verification today.
  await page.getByText('Zero-knowledge verifications').last().waitFor();
  assert.match((await page.locator('figcaption').textContent())!, /Outcomes: 1 in 30 days/);
  assert.equal(await page.evaluate(() => localStorage.length === 0 || !Object.values(localStorage).some((value) => value.includes('vk_'))), true, 'the API key is not kept in the browser');
  await audit(page, 'overview');

  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();
  await page.getByText('https://receipt-bank.example/hooks').waitFor();
  // The verification's proof.verified event (no webhook worker runs here: it stays pending).
  await page.locator('[data-delivery]').filter({ hasText: 'proof.verified' }).waitFor();

  await rotateWebhookSecretInConsole(page, 'webhook-secret');

  // The partner moves its endpoint itself: checked in the browser first, then saved (the secret stays).
  await page.getByRole('button', { name: 'Change URL' }).click();
  const endpoint = page.getByRole('dialog', { name: 'Change the webhook URL' });
  await endpoint.getByLabel('URL', { exact: true }).fill('ftp://receipt-bank.example/hooks');
  await endpoint.getByRole('button', { name: 'Save URL' }).click();
  await endpoint.getByText('An http(s) URL without credentials').waitFor();
  await audit(page, 'webhook-url');
  await endpoint.getByLabel('URL', { exact: true }).fill('https://receipt-bank.example/hooks/v2');
  await endpoint.getByRole('button', { name: 'Save URL' }).click();
  await page.getByText('Webhook URL saved').waitFor();
  await page.getByText('https://receipt-bank.example/hooks/v2').waitFor();
  const moved = await t.app.inject({ method: 'GET', url: '/api/v1/webhooks/endpoint', headers: { 'x-api-key': verifier.api_key } });
  assert.equal(moved.json().url, 'https://receipt-bank.example/hooks/v2');

  await page.getByRole('button', { name: 'Send test event' }).click();
  const row = page.locator('[data-delivery]').filter({ hasText: 'webhook.test' });
  await row.waitFor();
  await row.getByRole('button', { name: 'Attempts' }).click();
  await audit(page, 'webhooks');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an operator reads the ledger: the latest checkpoint, its signature, and a consistency proof between two sizes', { timeout: 120_000 }, async () => {
  const { context, page, problems } = await c.newPage();
  await signInAsOperator(page, t.adminToken);
  await page.getByRole('link', { name: 'Ledger' }).click();
  await page.getByRole('heading', { name: 'Ledger', exact: true }).waitFor();
  await page.getByText('signature valid').waitFor();
  const checkpoint = await (await fetch(`${baseUrl}/api/v1/ledger/checkpoint`)).text();
  assert.equal(await page.locator('[data-figure="Tree size"]').textContent(), checkpoint.split('\n')[1]);
  await page.getByLabel('Earlier size').fill('1');
  await page.getByRole('button', { name: 'Get proof' }).click();
  await page.locator('[data-consistency]').waitFor();
  await page.getByLabel('Earlier size').fill('99');
  await page.getByRole('button', { name: 'Get proof' }).click();
  await page.getByText('The earlier size cannot be larger than the later one').waitFor();
  await audit(page, 'ledger');

  assert.deepEqual(problems, []);
  await context.close();
});
