/**
 * The web console (/console) in a real browser: Debian's chromium driven by playwright-core,
 * on a real server and database. The public receipt checker verifies the receipt of a real
 * verification and refuses a tampered one; an operator signs in with the admin token, creates a
 * partner and copies its key; the partner signs in with it and uses its overview and webhooks;
 * a TEE partner submits a real TDX quote from a file and watches its task complete.
 * Every page visited passes an axe check (no serious or critical violation) in both themes, and
 * is photographed at desktop and phone width into test-results/console/ (not committed). The
 * operator's platform pages: the queue paused and resumed, a dead webhook redriven, the ledger's
 * checkpoint, a global manager cycle.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import client from 'prom-client';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { runsCleanupTask } from '#modules/global-manager/global-manager-tasks.ts';
import { startGlobalManager } from '#modules/global-manager/global-manager.ts';
import { createGlobalManagerMetrics } from '#modules/global-manager/metrics.ts';
import { runWebhookWorkerOnce } from '#modules/webhooks/run-webhook-worker.ts';
import { systemClock } from '#platform/clock.ts';
import { createSecretBox } from '#platform/crypto/secret-box.ts';
import { startLedgerSequencer, type LedgerSequencer } from '#modules/ledger/ledger-sequencer.ts';
import { createStoredCollateralSource } from '#modules/attestations/create-collateral-source.ts';
import { createEvidenceVerifier, type EvidenceVerifier } from '#modules/attestations/create-evidence-verifier.ts';
import { createTaskFinisher } from '#modules/attestations/finish-task.ts';
import { VerifyAttestationTaskJob } from '#modules/attestations/jobs.ts';
import { runTaskWorkerOnce } from '#modules/attestations/run-task-worker.ts';
import { DEFAULT_ACCEPTED_TCB_STATUSES } from '#modules/attestations/verification/index.ts';
import { readVector, readVectorJson, SAMPLE_VERIFY_AT } from '#modules/attestations/verification/test-vectors.ts';
import { createLogger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { buildConsole } from '../scripts/build-console.ts';
import { CHROMIUM, ensureChromium } from './support/chromium.ts';
import { attributes, generateIssuerKey, issueCredential, prove, releaseProver } from './support/holder.ts';
import { ROOT } from './support/processes.ts';
import { createPartner, createTestApp, type TestApp } from './support/test-app.ts';
import { answer, startReceiver } from './support/webhook-receiver.ts';

const SHOTS = path.join(ROOT, 'test-results/console');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const DOMAIN = 'bank.example';
/** The app's encryption key, so this test's webhook worker opens the secrets the app sealed. */
const ENCRYPTION_KEY = randomBytes(32);

let t: TestApp;
let baseUrl: string;
let sequencer: LedgerSequencer;
let browser: Browser;
let queue: Queue;
let evidenceVerifier: EvidenceVerifier;
/** The partner whose verification the receipt is for. */
let verifier: Record<string, any>;
let proofId: string;
let receipt: string;

before(async () => {
  ensureChromium();
  await buildConsole({ quiet: true });
  await mkdir(SHOTS, { recursive: true });
  t = await createTestApp({ bundledCircuits: true, encryptionKey: ENCRYPTION_KEY });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
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

  // TEE tasks: the app queues them; the test runs one worker pass when it wants them verified.
  queue = await startQueue({ connectionString: t.database.url, log: createLogger('silent'), schedule: false });
  await queue.register([VerifyAttestationTaskJob]);
  evidenceVerifier = createEvidenceVerifier({ size: 1 });

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await sequencer?.stop();
  await evidenceVerifier?.close();
  await queue?.stop({ graceful: false });
  await releaseProver();
  await t?.close();
});

/** Console errors, uncaught exceptions and CSP violations on a page (an expected 401 of the session probe aside). */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/status of 401/.test(message.text()) && message.location().url.includes('/api/console/session')) return;
    problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

async function newPage(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  // Reduced motion: no colour transitions half-way in a screenshot.
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop, baseURL: baseUrl, reducedMotion: 'reduce' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  return { context, page, problems: watch(page) };
}

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** axe in the light and the dark theme, and screenshots at desktop and phone width (and desktop dark). */
async function audit(page: Page, name: string): Promise<void> {
  const setDark = (dark: boolean) => page.evaluate((on) => document.documentElement.classList.toggle('dark', on), dark);
  assert.deepEqual(await seriousViolations(page), [], `${name} (light theme): no serious or critical accessibility violation`);
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(VIEWPORTS.phone);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
  // Nothing wider than the screen, but inside something that scrolls sideways (tables, the phone's nav).
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (element: Element) => getComputedStyle(element).overflowX !== 'visible';
    const clipped = (element: Element) => { for (let up = element.parentElement; up; up = up.parentElement) if (scrolls(up)) return true; return false; };
    const wide = [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > width + 1 && (!clipped(element) || getComputedStyle(element).position === 'absolute'));
    return { by: document.documentElement.scrollWidth - width, wide: wide.slice(0, 3).map((element) => `<${element.tagName.toLowerCase()} class="${element.getAttribute('class')}">`) };
  });
  assert.ok(overflow.by <= 0, `${name}: the page scrolls sideways at phone width by ${overflow.by}px: ${overflow.wide.join(', ')}`);
  await page.setViewportSize(VIEWPORTS.desktop);
  await setDark(true);
  assert.deepEqual(await seriousViolations(page), [], `${name} (dark theme): no serious or critical accessibility violation`);
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop-dark.png`), fullPage: true });
  await setDark(false);
}

/** The console's sign-in backend (branch console-auth) is merged. */
async function checkPasted(page: Page, text: string): Promise<string> {
  await page.getByLabel('…or paste it').fill(text);
  await page.getByRole('button', { name: 'Check receipt' }).click();
  const verdict = page.locator('[data-verdict]');
  await verdict.waitFor();
  return (await verdict.getAttribute('data-verdict'))!;
}

test('the public receipt checker verifies a real receipt in the browser and refuses a tampered one', { timeout: 120_000 }, async () => {
  const { context, page, problems } = await newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  await page.goto('/console/check');
  await page.getByRole('heading', { name: 'Check a receipt' }).waitFor();
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
  const { context, page, problems } = await newPage();
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

test('an operator signs in with the admin token, creates a partner, copies its key and disables it', { timeout: 180_000 }, async () => {
  const { context, page, problems } = await newPage();
  await page.goto('/console/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/console\/sign-in/);
  await audit(page, 'sign-in');

  await page.getByLabel('Admin token').fill(t.adminToken);
  await page.getByRole('button', { name: 'Sign in as operator' }).click();
  await page.getByRole('heading', { name: 'Partners' }).waitFor();
  await page.getByRole('cell', { name: /^Receipt Bank cli_/ }).waitFor();
  await audit(page, 'partners');

  await page.getByRole('button', { name: 'New partner' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New partner' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Create partner' }).click();
  await dialog.getByText('Give the partner a name').waitFor();
  await dialog.getByText('Choose at least one scope').waitFor();
  await audit(page, 'partner-create');
  await dialog.getByLabel('Name').fill('Console Bank');
  await dialog.getByLabel(/Age over 18/).check();
  await dialog.getByLabel(/TEE attestation/).check();
  await dialog.getByRole('button', { name: 'Create partner' }).click();
  const created = page.getByRole('dialog', { name: 'Partner created' });
  await created.waitFor();
  const apiKey = (await created.locator('[data-secret]').textContent())!.trim();
  assert.match(apiKey, /^vk_/);
  await created.getByRole('button', { name: 'Copy' }).click();
  await created.getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), apiKey);
  await audit(page, 'partner-created');
  const me = await fetch(`${baseUrl}/api/v1/me`, { headers: { 'x-api-key': apiKey } });
  assert.equal(me.status, 200);
  assert.deepEqual((await me.json()).scopes, ['age_over_18', 'tee_attestation']);
  await created.getByRole('button', { name: 'Done' }).click();

  await page.getByLabel('Filter').fill('Console Bank');
  await page.getByRole('button', { name: 'Disable Console Bank' }).click();
  const confirm = page.getByRole('dialog', { name: 'Disable Console Bank?' });
  await confirm.waitFor();
  await audit(page, 'partner-disable');
  await confirm.getByRole('button', { name: 'Disable partner' }).click();
  await page.getByText('Console Bank is disabled').waitFor();
  assert.equal((await fetch(`${baseUrl}/api/v1/me`, { headers: { 'x-api-key': apiKey } })).status, 401);

  await page.getByRole('link', { name: 'Sessions' }).click();
  await page.getByRole('heading', { name: 'Sessions' }).waitFor();
  await page.getByText('this browser').waitFor();
  await audit(page, 'sessions');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a partner signs in with its API key, sees its usage, rotates its webhook secret and sends a test event', { timeout: 180_000 }, async () => {
  const { context, page, problems } = await newPage();
  await page.goto('/console/sign-in');
  await page.getByLabel('API key').fill(verifier.api_key);
  await page.getByRole('button', { name: 'Sign in as partner' }).click();
  await page.getByRole('heading', { name: 'Receipt Bank' }).waitFor();
  // The verification made before: one zero-knowledge verification today.
  await page.getByText('Zero-knowledge verifications').last().waitFor();
  assert.match((await page.locator('figcaption').textContent())!, /Outcomes: 1 in 30 days/);
  assert.equal(await page.evaluate(() => localStorage.length === 0 || !Object.values(localStorage).some((value) => value.includes('vk_'))), true, 'the API key is not kept in the browser');
  await audit(page, 'overview');

  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
  await page.getByText('https://receipt-bank.example/hooks').waitFor();
  // The verification's proof.verified event (no webhook worker runs here: it stays pending).
  await page.locator('[data-delivery]').filter({ hasText: 'proof.verified' }).waitFor();

  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByRole('dialog', { name: 'Rotate the webhook secret?' }).getByRole('button', { name: 'Rotate secret' }).click();
  const secret = page.getByRole('dialog', { name: 'New webhook secret' });
  await secret.waitFor();
  assert.match((await secret.locator('[data-secret]').textContent())!, /^whsec_|^\S{20,}$/);
  await audit(page, 'webhook-secret');
  await secret.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('button', { name: 'Send test event' }).click();
  const row = page.locator('[data-delivery]').filter({ hasText: 'webhook.test' });
  await row.waitFor();
  await row.getByRole('button', { name: 'Attempts' }).click();
  await audit(page, 'webhooks');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a partner signs in with wallets the operator linked: Ethereum (EIP-1193 personal_sign) and Sui, with signers the page finds on window', { timeout: 180_000 }, async () => {
  const partner = await createPartner(t, { name: 'Wallet Bank', scopes: ['age_over_18'] });
  const link = async (chain: string, address: string) => {
    const linked = await fetch(`${baseUrl}/api/admin/clients/${partner.id}/wallets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chain, address }),
    });
    assert.equal(linked.status, 201, await linked.text());
  };
  const ethereum = privateKeyToAccount(generatePrivateKey());
  const sui = Ed25519Keypair.generate();
  await link('ethereum', ethereum.address);
  await link('sui', sui.toSuiAddress());

  const { context, page, problems } = await newPage();
  // The signers live in the test (no extension): the page reaches them through window, as it would a wallet's.
  await page.exposeFunction('testEthereumSign', (hexMessage: string) => ethereum.signMessage({ message: { raw: hexMessage as `0x${string}` } }));
  await page.exposeFunction('testSuiSign', async (base64: string) => (await sui.signPersonalMessage(Buffer.from(base64, 'base64'))).signature);
  await page.addInitScript(
    ({ ethereumAddress, suiAddress }) => {
      const call = (name: string, ...args: unknown[]) => (window as unknown as Record<string, (...a: unknown[]) => Promise<string>>)[name]!(...args);
      Object.assign(window, {
        ethereum: {
          request: async ({ method, params }: { method: string; params?: unknown[] }) => {
            if (method === 'eth_requestAccounts') return [ethereumAddress];
            if (method === 'personal_sign' && params?.[1] === ethereumAddress) return call('testEthereumSign', params[0]);
            throw new Error(`unsupported: ${method}`);
          },
        },
        veriditySuiSigner: {
          getAddress: async () => suiAddress,
          signPersonalMessage: async (bytes: Uint8Array) => ({ signature: await call('testSuiSign', btoa(String.fromCharCode(...bytes))) }),
        },
      });
    },
    { ethereumAddress: ethereum.address, suiAddress: sui.toSuiAddress() },
  );
  for (const chain of ['Ethereum', 'Sui']) {
    await page.goto('/console/sign-in');
    await page.getByRole('button', { name: `Sign in with ${chain}` }).click();
    await page.getByRole('heading', { name: 'Wallet Bank' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a TEE partner submits a TDX quote from a file, watches its task complete, reads the result and downloads the signed result', { timeout: 180_000 }, async () => {
  const partner = await createPartner(t, { name: 'Enclave Bank', scopes: ['tee_attestation', 'evidence'] });
  const { context, page, problems } = await newPage();
  await page.goto('/console/sign-in');
  await page.getByLabel('API key').fill(partner.api_key);
  await page.getByRole('button', { name: 'Sign in as partner' }).click();
  await page.getByRole('heading', { name: 'Enclave Bank' }).waitFor();

  await page.getByRole('link', { name: 'Proofs' }).click();
  await page.getByRole('heading', { name: 'Proofs' }).waitFor();
  await page.getByText('No submissions yet').waitFor();
  await audit(page, 'proofs');

  await page.getByRole('link', { name: 'TEE tasks' }).click();
  await page.getByRole('heading', { name: 'TEE tasks' }).waitFor();
  await page.getByText('No tasks yet').waitFor();
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  await page.getByText('Give the app id the evidence is for').waitFor();
  await page.getByText('Choose the evidence file').waitFor();
  await audit(page, 'tasks-invalid');

  // The attestation tests' real TDX quote and Intel collateral, inside the collateral's window.
  const evidence = { quote: readVector('tdx_quote').toString('hex'), collateral: readVectorJson('tdx_quote_collateral.json'), verifyAt: SAMPLE_VERIFY_AT.toISOString() };
  await page.getByLabel('App id').fill('app-console');
  await page.getByLabel('App name').fill('Console enclave');
  await page.getByLabel('Evidence file').setInputFiles({ name: 'evidence.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(evidence)) });
  await page.getByText('evidence.json: quote, collateral, verifyAt').waitFor();
  await page.getByRole('button', { name: 'Submit evidence' }).click();
  const detail = page.locator('[data-task-detail]');
  await detail.waitFor();
  const taskId = (await detail.getAttribute('data-task-detail'))!;
  assert.match(taskId, /^tsk_[0-9a-z]{26}$/);
  await page.locator(`[data-task-detail="${taskId}"][data-status="pending"]`).waitFor();
  await page.locator(`[data-task="${taskId}"][data-status="pending"]`).waitFor();
  await audit(page, 'task-pending');

  // One worker pass; the page, polling while the task is pending, shows it completed.
  await runTaskWorkerOnce({
    pool: t.database.pool, db: t.database.db, clock: systemClock, log: createLogger('silent'), storage: t.storage, platformKeys: t.platformKeys, queue,
    collateralSource: createStoredCollateralSource({ pool: t.database.pool, clock: systemClock, log: createLogger('silent') }),
    verifier: evidenceVerifier, finisher: createTaskFinisher({ pool: t.database.pool, queue }), acceptedTcbStatuses: DEFAULT_ACCEPTED_TCB_STATUSES,
  });
  await page.locator(`[data-task-detail="${taskId}"][data-status="completed"]`).waitFor();
  await page.locator(`[data-task="${taskId}"][data-status="completed"]`).waitFor();
  await detail.getByText('valid', { exact: true }).first().waitFor();
  const tree = page.getByRole('group', { name: 'Result document' });
  await tree.waitFor();
  await tree.getByText('"UpToDate"').first().waitFor({ state: 'attached' });

  const jwt = (await page.getByTestId('attestation-result').textContent())!.trim();
  const api = (await (await fetch(`${baseUrl}/api/v1/tasks/${taskId}`, { headers: { 'x-api-key': partner.api_key } })).json()) as Record<string, any>;
  assert.equal(jwt, api.attestationResult);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download signed result' }).click();
  assert.equal((await download).suggestedFilename(), `${taskId}.jwt`);
  await audit(page, 'task-completed');

  await page.getByLabel('Status').selectOption('failed');
  await page.getByText('No failed tasks').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

/** Signs the operator in with the admin token; the partners page is where it lands. */
async function signInAsOperator(page: Page): Promise<void> {
  await page.goto('/console/sign-in');
  await page.getByLabel('Admin token').fill(t.adminToken);
  await page.getByRole('button', { name: 'Sign in as operator' }).click();
  await page.getByRole('heading', { name: 'Partners' }).waitFor();
}

/** A partner whose receiver answers 410 Gone: its test event is dead after one attempt. */
async function deadDelivery(): Promise<{ partnerId: string; deliveryId: string }> {
  const receiver = await startReceiver(answer(410));
  try {
    // `.invalid` never resolves, so the API accepts the URL; this worker's resolver sends it to the local receiver.
    const partner = await createPartner(t, { name: 'Gone Bank', webhook_url: `http://gone.invalid:${new URL(receiver.url).port}/hooks` });
    const sent = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/test', headers: { 'x-api-key': partner.api_key } });
    assert.equal(sent.statusCode, 202, sent.body);
    const lookup = async (hostname: string) => (hostname === 'gone.invalid' ? [{ address: '127.0.0.1', family: 4 }] : []);
    await runWebhookWorkerOnce({ pool: t.database.pool, clock: systemClock, secretBox: createSecretBox([ENCRYPTION_KEY]), log: createLogger('silent'), allowPrivateNetworks: true, lookup, random: () => 0.5 }, { concurrency: 1 });
    const deliveryId = sent.json().delivery_id;
    const delivery = await t.app.inject({ method: 'GET', url: `/api/v1/webhooks/deliveries/${deliveryId}`, headers: { 'x-api-key': partner.api_key } });
    assert.equal(delivery.json().status, 'dead', delivery.body);
    return { partnerId: partner.id, deliveryId };
  } finally {
    await receiver.close();
  }
}

test('an operator assigns a plan and links a wallet, pauses and resumes the queue, redrives a dead webhook, reads the ledger and sees a global manager cycle', { timeout: 240_000 }, async () => {
  const dead = await deadDelivery();
  // One cycle of a global manager in this process (one task, an interval far longer than the test): it leads while the test runs.
  const manager = startGlobalManager({
    deps: { pool: t.database.pool, db: t.database.db, storage: t.storage, platformKeys: t.platformKeys, log: createLogger('silent') },
    databaseUrl: t.database.url,
    clock: systemClock,
    log: createLogger('silent'),
    tasks: [runsCleanupTask(30)],
    settings: { intervalSeconds: 3600, standbyPollSeconds: 1 },
    metrics: createGlobalManagerMetrics(new client.Registry()),
  });
  const { context, page, problems } = await newPage();
  try {
    await signInAsOperator(page);

    // The plan and the wallets of a partner, from the partners list.
    await page.getByRole('button', { name: 'Plan and wallets of Receipt Bank' }).click();
    const access = page.getByRole('dialog', { name: 'Plan and wallets of Receipt Bank' });
    await access.waitFor();
    await access.getByText('No wallet linked.').waitFor();
    await access.getByLabel('Tier').selectOption('pro');
    await access.getByLabel('From').selectOption('now');
    await access.getByRole('button', { name: 'Assign plan' }).click();
    await access.getByText(/^Pro from /).waitFor();
    const wallet = privateKeyToAccount(generatePrivateKey()).address;
    await access.getByLabel('Address').fill(wallet);
    await access.getByRole('button', { name: 'Link wallet' }).click();
    await access.locator(`[data-wallet="${wallet}"]`).waitFor();
    const linked = async () => (await t.admin('GET', `/api/admin/clients/${verifier.id}/wallets`)).json().wallets.map((w: { address: string }) => w.address);
    assert.deepEqual(await linked(), [wallet]);
    await audit(page, 'partner-access');
    await access.getByRole('button', { name: `Unlink ${wallet}` }).click();
    await access.getByRole('button', { name: 'Confirm unlink' }).click();
    await access.getByText('No wallet linked.').waitFor();
    assert.deepEqual(await linked(), []);
    await access.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('link', { name: 'Queue' }).click();
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.getByText('running', { exact: true }).waitFor();
    await audit(page, 'queue');
    await page.getByRole('button', { name: 'Pause processing' }).click();
    const confirm = page.getByRole('dialog', { name: 'Pause task processing?' });
    await confirm.waitFor();
    await audit(page, 'queue-pause');
    await confirm.getByRole('button', { name: 'Pause processing' }).click();
    await page.getByText('Processing paused').waitFor();
    await page.getByText('paused', { exact: true }).waitFor();
    assert.equal((await t.admin('GET', '/api/v1/queue/status')).json().paused, true);
    await page.getByRole('button', { name: 'Resume processing' }).click();
    await page.getByText('Processing resumed').waitFor();
    await page.getByRole('button', { name: 'Pause processing' }).waitFor();
    assert.equal((await t.admin('GET', '/api/v1/queue/status')).json().paused, false);

    await page.getByRole('link', { name: 'Dead webhooks' }).click();
    await page.getByRole('heading', { name: 'Dead webhooks' }).waitFor();
    await page.getByLabel('Partner').selectOption(dead.partnerId);
    const row = page.locator(`[data-dead-delivery="${dead.deliveryId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Attempts' }).click();
    await page.getByText('HTTP 410').waitFor();
    await audit(page, 'dead-letters');
    await row.getByRole('button', { name: `Redrive ${dead.deliveryId}` }).click();
    const redrive = page.getByRole('dialog', { name: 'Redrive webhook.test to Gone Bank?' });
    await redrive.waitFor();
    await redrive.getByRole('button', { name: 'Redrive' }).click();
    await page.getByText('1 delivery queued again').waitFor();
    await page.getByText('No dead delivery matches').waitFor();
    await audit(page, 'dead-letters-empty');

    await page.getByRole('link', { name: 'Ledger' }).click();
    await page.getByRole('heading', { name: 'Ledger' }).waitFor();
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

    const cycle = async () => (await t.admin('GET', '/api/admin/global-manager')).json().cycles.find((c: { outcome: string }) => c.outcome === 'succeeded');
    for (let tries = 0; !(await cycle()); tries++) {
      assert.ok(tries < 100, 'the global manager ran a cycle');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.getByRole('link', { name: 'Global manager' }).click();
    await page.getByRole('heading', { name: 'Global manager' }).waitFor();
    const task = page.locator('[data-task="cleanup-global-manager-runs"]').first();
    await task.getByText('succeeded').waitFor();
    await page.getByText(/^veridity-global-manager:/).first().waitFor();
    await audit(page, 'global-manager');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await manager.stop();
  }
});
