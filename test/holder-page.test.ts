/**
 * The holder page (/prove) in a real browser: Debian's chromium driven by playwright-core.
 * A credential and a proof request are pasted, the proof is computed in the browser,
 * submitted to /verify from the page, and the platform records it as verified.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CLAIM_TYPES } from '#modules/zk/credentials/claim-types.ts';
import type { Credential } from '#modules/zk/credentials/credential-format.ts';
import { CHROMIUM, ensureChromium } from './support/chromium.ts';
import { attributes, generateIssuerKey, issueCredential } from './support/holder.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';

const SCREENSHOT = path.join(tmpdir(), 'veridity-holder-page.png');

let t: TestApp;
let baseUrl: string;
let partner: Record<string, any>;
let credential: Credential;
let context: BrowserContext;
let profileDir: string;

before(async () => {
  ensureChromium();
  t = await createTestApp({ bundledCircuits: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${address.port}`;

  const issuer = await generateIssuerKey();
  const registered = await t.admin('POST', '/api/admin/issuers', { name: 'Browser Test Registry', public_key: issuer.publicKey, claim_types: [...CLAIM_TYPES] });
  assert.equal(registered.statusCode, 201, registered.body);
  credential = await issueCredential(issuer, attributes());
  partner = await createPartner(t, { scopes: ['age_over_18', 'income_gte'] });

  profileDir = await mkdtemp(path.join(tmpdir(), 'veridity-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await t?.close();
});

async function createProofRequest(body: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await fetch(`${baseUrl}/api/v1/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': partner.api_key },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 201);
  return response.json();
}

/** Everything the page sends, and every console error or CSP violation it reports. */
function watch(page: Page) {
  const requests: Array<{ method: string; url: string; body: string | null }> = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push({ method: request.method(), url: request.url(), body: request.postData() }));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/favicon\.ico/.test(message.location().url)) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { requests, problems };
}

async function paste(page: Page, request: Record<string, unknown>, pastedCredential: unknown = credential) {
  await page.getByLabel(/^Credential/).fill(JSON.stringify(pastedCredential, null, 2));
  await page.getByLabel(/^Proof request/).fill(JSON.stringify(request, null, 2));
  await page.getByRole('button', { name: 'Generate proof' }).click();
}

test('a holder pastes a credential and a request, proves in the browser, submits, and the proof is verified', { timeout: 90_000 }, async () => {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${baseUrl}/prove`);
  await page.getByRole('heading', { name: 'Prove a claim', exact: true }).waitFor();

  const request = await createProofRequest({ claim_type: 'income_gte', verifier_domain: 'bank.example', params: { min_income: 50_000 } });
  await paste(page, request);
  const status = page.locator('#prove-status');
  await page.waitForFunction(() => document.querySelector('#prove-status')?.classList.contains('busy') === false, undefined, { timeout: 60_000 });
  assert.match(await status.textContent() ?? '', /Proof generated in/, await status.textContent() ?? '');

  const body = JSON.parse(await page.getByLabel(/Body for/).inputValue());
  assert.equal(body.claim_type, 'income_gte');
  assert.equal(body.circuit_version, '1.0.0');
  assert.deepEqual(body.request, { nonce: request.nonce, verifier_domain: 'bank.example', params: { min_income: 50_000 } });
  assert.equal(body.public_signals.length, 7);
  assert.match(await page.locator('#result-summary').textContent() ?? '', /reveals nothing else/);

  await page.getByText('Submit to /verify yourself').click();
  await page.getByLabel('Partner API key').fill(partner.api_key);
  await page.getByRole('button', { name: 'Submit to /verify' }).click();
  const verifyStatus = page.locator('#verify-status');
  await page.waitForFunction(() => /verified|Not verified|could not/.test(document.querySelector('#verify-status')?.textContent ?? '') && !document.querySelector('#verify-status')?.classList.contains('busy'));
  const verdict = (await verifyStatus.textContent()) ?? '';
  assert.match(verdict, /^verified: proof prf_/, verdict);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  const proofId = verdict.match(/prf_[0-9a-z]+/)![0];
  const recorded = await fetch(`${baseUrl}/api/v1/status/${proofId}`, { headers: { 'x-api-key': partner.api_key } });
  assert.equal(recorded.status, 200);
  assert.equal((await recorded.json()).status, 'verified');

  // Private inputs never left the browser: every request stayed on the platform, only
  // GETs (page, scripts, circuit) and the one POST of the verify body, which holds no attribute.
  const origin = new URL(baseUrl).origin;
  for (const sent of seen.requests) {
    if (sent.url.startsWith('data:')) continue;
    assert.equal(new URL(sent.url).origin, origin, sent.url);
  }
  const posts = seen.requests.filter((sent) => sent.method !== 'GET');
  assert.deepEqual(posts.map((sent) => new URL(sent.url).pathname), ['/api/v1/verify']);
  assert.deepEqual(JSON.parse(posts[0]!.body!), body);
  for (const value of [credential.attributes.holder_secret, credential.signature.S]) assert.ok(!posts[0]!.body!.includes(value));
  assert.ok(seen.requests.some((sent) => sent.url.endsWith('/api/v1/circuits/income_gte/1.0.0/circuit.zkey')));
  assert.deepEqual(seen.problems, [], 'no console errors, no CSP violations');
  await page.close();
});

test('the page explains a credential that was altered after signing, and a proof that would not verify', { timeout: 60_000 }, async () => {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/prove`);
  const request = await createProofRequest({ claim_type: 'age_over_18', verifier_domain: 'shop.example' });

  const altered = { ...credential, attributes: { ...credential.attributes, birth_date: '19800101' } };
  await paste(page, request, altered);
  await page.waitForFunction(() => document.querySelector('#prove-status')?.classList.contains('error'), undefined, { timeout: 30_000 });
  assert.match((await page.locator('#prove-status').textContent()) ?? '', /signature does not match its issuer.*WITNESS_FAILED/);

  await page.getByLabel(/^Credential/).fill('{"version": 1,');
  await page.getByRole('button', { name: 'Generate proof' }).click();
  assert.match((await page.locator('#prove-status').textContent()) ?? '', /credential is not valid JSON/);
  assert.equal(await page.getByLabel(/^Credential/).getAttribute('aria-invalid'), 'true');
  await page.close();
});
